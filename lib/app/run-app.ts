import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { StaticPodManifest } from '../apiserver';
import { AuditPolicy, caCertificates } from '../audit';
import { FalcoAudit, FalcoAuditProps } from '../falco-audit';
import { ClusterSettings, ConfigFile, DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/config-file';
import { ErrorLocation, UserError, UserErrors, isUserError } from '../core/errors';
import { FalcoChart, FalcoVersion, loadFalcoValuesFile } from '../falco';
import { KubernetesVersion } from '../core/kubernetes-version';
import { DEFAULT_MAX_BYTES } from '../core/yaml';
import { CLUSTER_DIR, NODE_DIR, OUTPUT_MARKER, OutputFile, OutputStaging, ProtectedPath, renderOutput } from './output';
import { plainHttpWarning, runbook } from './runbook';

export interface RunAppOptions {
  /** Environment: `FALCO_AUDIT_CONFIG` names the config file, `CDK8S_OUTDIR` the output folder. */
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths in the environment resolve against it. */
  readonly cwd: string;
  /** Where the plan goes. */
  readonly stdout: (text: string) => void;
  /** Where errors go. */
  readonly stderr: (text: string) => void;
  /** The config file, over `FALCO_AUDIT_CONFIG`. @default - $FALCO_AUDIT_CONFIG, else falco-audit.yaml */
  readonly config?: string;
  /** The output folder, over `CDK8S_OUTDIR`. @default - $CDK8S_OUTDIR, else dist */
  readonly output?: string;
  /** Also write the plan as JSON here (never inside the output folder). @default - no JSON plan */
  readonly planJson?: string;
}

/** Exit codes: 0 done, 1 the user's input is wrong (message printed, nothing written), 70 a bug (stack printed). */
export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 70;

/** What a run keeps of a cluster once its files are staged: its plan, as text and (with --plan-json) as data. */
interface ClusterPlan {
  readonly text: string;
  readonly json?: Record<string, unknown>;
}

/** One cluster, built and checked, ready to be written. */
export interface BuiltCluster {
  readonly settings: ClusterSettings;
  readonly audit: FalcoAudit;
  readonly files: OutputFile[];
}

/**
 * The app: reads the config, builds a `FalcoAudit` per cluster, validates everything, and only then writes
 * the output folder (all of it or nothing) and prints the plan. Resolves to the exit code.
 */
export async function runApp(options: RunAppOptions): Promise<number> {
  const shownOut = options.output ?? (options.env.CDK8S_OUTDIR || 'dist');
  const outdir = path.resolve(options.cwd, shownOut);
  try {
    const configPath = options.config ?? (options.env.FALCO_AUDIT_CONFIG || DEFAULT_CONFIG_FILE);
    const configFile = path.resolve(options.cwd, configPath);
    const planJson = options.planJson === undefined ? undefined : path.resolve(options.cwd, options.planJson);
    const config = loadConfigFile(configFile, configPath);
    if (planJson !== undefined) checkPlanJsonPath(planJson, outdir, options.planJson!, shownOut, protectedPaths(config, configFile, options.cwd));
    const shownDir = shown(outdir, options.cwd) || '.';
    // Each cluster's files go to the staging folder as soon as it is built and its plan is made there and then, so
    // its objects can go: a fleet's memory is about one cluster's. The output folder is replaced only at commit().
    let staging: OutputStaging | undefined;
    let folderError: UserError | undefined;
    try {
      staging = OutputStaging.begin(outdir, { shownAs: shownOut, protect: protectedPaths(config, configFile, options.cwd) });
    } catch (err) {
      if (!isUserError(err)) throw err;
      // the inputs' problems come first, as when the folder was checked after them
      folderError = err;
    }
    const plans: ClusterPlan[] = [];
    // A fleet's folders are made in the thread pool while its clusters are built, two clusters ahead: a cluster's
    // own folder while the one before the one before it is staged, its cluster/ and node/ with the one before it.
    // Its replaced folders go the same way.
    const fleet = config.clusters.length > 1 ? config.clusters.map((c) => c.name ?? '') : undefined;
    const prepare = (i: number, folders: readonly string[]) => {
      if (fleet && i < fleet.length) staging?.prepare(folders.map((f) => path.join(fleet[i], f)));
    };
    try {
      prepare(0, ['']);
      prepare(1, ['']);
      prepare(0, CLUSTER_FOLDERS);
      let staged = 0;
      for (const cluster of buildEach(config, options.cwd)) {
        prepare(staged + 2, ['']);
        prepare(staged + 1, CLUSTER_FOLDERS);
        staged++;
        staging?.add(cluster.files);
        plans.push({ text: clusterPlanText(cluster, shownDir), json: planJson === undefined ? undefined : clusterPlanJson(cluster, shownDir) });
      }
      if (folderError) throw folderError;
      await staging!.settled();
      staging!.commit({ background: fleet !== undefined });
    } catch (err) {
      await staging?.settled();
      staging?.abort();
      throw err;
    }
    // the output is in place: from here on, nothing may say it was not
    const planProblem =
      planJson === undefined ? undefined : writePlanJson(planJson, options.planJson!, { outputFolder: shownDir, clusters: plans.map((p) => p.json) });
    options.stdout(plans.map((p) => p.text).join('\n'));
    if (planProblem) {
      options.stderr(`error: ${planProblem}\n`);
      return EXIT_USER_ERROR;
    }
    return EXIT_OK;
  } catch (err) {
    if (isUserError(err)) {
      options.stderr(`error: ${err.message}\n${nothingWritten(outdir, shownOut)}${emptiedByCdk8sCli(options, outdir)}\n`);
      return EXIT_USER_ERROR;
    }
    options.stderr(`internal error (a bug in cdk8s-falco-audit, please report it):\n${(err as Error)?.stack ?? err}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

/**
 * `cdk8s synth -o DIR` (or its CDK8S_OUTPUT) naming the real output folder: cdk8s-cli deleted it before it started the
 * app (cdk8s-cli lib/util.js synthApp, after fs.remove of the output), so say what happened and how to undo it.
 * cdk8s-cli sets CDK8S_RECORD_CONSTRUCT_METADATA for every app it runs.
 */
function emptiedByCdk8sCli(options: RunAppOptions, outdir: string): string {
  const scratch = options.env.CDK8S_OUTDIR;
  if (options.env.CDK8S_RECORD_CONSTRUCT_METADATA === undefined || !scratch || path.resolve(options.cwd, scratch) !== outdir) return '';
  return (
    `\n(cdk8s synth deleted ${scratch} itself before it started the app, because its --output names the output folder; restore it with ` +
    `git checkout -- ${scratch}, and run cdk8s synth without --output: cdk8s.yaml gives it a scratch folder of its own)`
  );
}

/** What a failed run did to the output folder, exactly: nothing, and whether earlier output is there. */
function nothingWritten(outdir: string, shownAs: string): string {
  let state: string;
  try {
    const entries = fs.statSync(outdir).isDirectory() ? fs.readdirSync(outdir) : undefined;
    state =
      entries === undefined
        ? `${shownAs} is not a folder and was left as it is`
        : entries.length === 0
          ? `${shownAs} is empty, as it was`
          : fs.existsSync(path.join(outdir, OUTPUT_MARKER))
            ? `${shownAs} still holds the previous output, unchanged`
            : `${shownAs} was left as it was`;
  } catch {
    state = `${shownAs} does not exist and was not created`;
  }
  return `nothing was written: ${state}.`;
}

/** `p` with the symbolic links of its existing part resolved (the rest as written). */
function realPath(p: string): string {
  const rest: string[] = [];
  let head = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest);
    } catch {
      if (path.dirname(head) === head) return path.resolve(p);
      rest.unshift(path.basename(head));
      head = path.dirname(head);
    }
  }
}

/** True when `child` is `folder` or inside it (`..` only as a whole path segment). */
function within(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The JSON plan goes where the user says, but never into the output folder, which Argo CD may apply whole, and never
 * over the config or an input; compared on real paths, so a link cannot lead it there. Its folder must be writable
 * before the output is replaced, so a failure cannot come after it.
 */
function checkPlanJsonPath(file: string, outdir: string, shownAs: string, shownOut: string, protect: readonly ProtectedPath[]): void {
  const real = realPath(file);
  if (within(real, realPath(outdir))) {
    throw new UserError(
      `--plan-json ${shownAs} is inside the output folder ${shownOut}, which Argo CD may read whole (and a run replaces); ` +
        'write it beside the folder, e.g. --plan-json plan.json',
    );
  }
  for (const p of protect) {
    if (real === realPath(p.path)) throw new UserError(`--plan-json ${shownAs} is ${p.what} (${p.path}); name a file of its own, e.g. plan.json`);
  }
  if (fs.existsSync(file) && !fs.statSync(file).isFile()) throw new UserError(`--plan-json ${shownAs} is not a file; name a file, e.g. plan.json`);
  let dir = path.dirname(real);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a folder');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`--plan-json ${shownAs}: ${dir} is not a folder the plan can be written in; name a writable place, e.g. plan.json`);
  }
}

/** Writes the plan beside its place and renames it there, after the output is in place. */
function writePlanJson(file: string, shownAs: string, plan: Record<string, unknown>): string | undefined {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(plan, null, 2) + '\n');
    fs.renameSync(tmp, file);
    return undefined;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    return `the output was written, but the JSON plan could not be written to ${shownAs}: ${(err as Error).message}`;
  }
}

/** The plan as data, for CI and review bots: per cluster, the wiring, the API server change and the files. */
export function planJson(built: readonly BuiltCluster[], outdir: string): Record<string, unknown> {
  return { outputFolder: outdir, clusters: built.map((b) => clusterPlanJson(b, outdir)) };
}

/** One cluster's part of `planJson`. */
function clusterPlanJson({ settings, audit, files }: BuiltCluster, outdir: string): Record<string, unknown> {
  const p = audit.controlPlane.plan;
  return {
    name: settings.name ?? null,
    kubernetesVersion: String(audit.kubernetesVersion),
    backend: audit.backend,
    falco: {
      version: String(audit.falco.falcoVersion),
      shape: audit.falco.shape,
      namespace: audit.falco.namespace,
      service: audit.falco.serviceName,
    },
    auditTarget: audit.target,
    notes: [...audit.notes],
    warnings: [...audit.warnings],
    apiServer: {
      unchanged: p.unchanged,
      flagsAdded: p.flagsAdded.map((f) => ({ ...f })),
      flagsChanged: p.flagsChanged.map((f) => ({ ...f })),
      flagsKept: p.flagsKept.map((f) => ({ ...f })),
      volumesAdded: p.volumesAdded.map((v) => ({ ...v })),
      mountsAdded: p.mountsAdded.map((m) => ({ ...m })),
      mountsReused: p.mountsReused.map((m) => ({ ...m })),
      nodeFiles: p.files.map((f) => ({ ...f })),
      cleanups: [...p.cleanups],
      notes: [...p.notes],
    },
    files: files.map((f) => path.posix.join(outdir, f.path)),
    steps: runbook(audit, path.posix.join(outdir, settings.name ?? '')),
  };
}

/** What the output folder must neither be nor contain: the config's folder, the current folder, and every input. */
function protectedPaths(config: ConfigFile, configFile: string, cwd: string): ProtectedPath[] {
  const paths: ProtectedPath[] = [
    { path: path.dirname(configFile), what: "the config's folder" },
    { path: cwd, what: 'the current folder' },
    { path: configFile, what: 'the config file' },
  ];
  for (const s of config.clusters) {
    const of = s.name ? ` of cluster "${s.name}"` : '';
    const add = (file: string | undefined, what: string) => {
      if (file !== undefined) paths.push({ path: file, what: `${what}${of}` });
    };
    add(s.apiServer.manifest, 'the kube-apiserver manifest');
    add(s.falco.values, 'the Falco values file');
    add(s.audit.webhook?.certificateAuthority, 'the audit webhook certificate authority file');
    add(s.audit.auditSink?.certificateAuthority, 'the AuditSink certificate authority file');
  }
  return paths;
}

/**
 * Builds and validates every cluster of the config; throws before anything is written. Every cluster is built, so
 * one run reports the problems of all of them (each with its location); one problem alone keeps its own form.
 */
export function buildAll(config: ConfigFile, cwd: string): BuiltCluster[] {
  return [...buildEach(config, cwd)];
}

/**
 * `buildAll` one cluster at a time, so that a caller can write each one's files and let its objects go before the
 * next: yields every cluster that built as long as none failed (after a failure nothing will be written, the rest
 * are only checked), and throws the problems of all of them after the last.
 */
export function* buildEach(config: ConfigFile, cwd: string): Generator<BuiltCluster, void, undefined> {
  const failed: UserError[] = [];
  for (const settings of config.clusters) {
    let cluster: BuiltCluster;
    try {
      cluster = buildCluster(config, settings, cwd);
    } catch (err) {
      if (!isUserError(err)) throw err;
      failed.push(err);
      continue;
    }
    if (failed.length === 0) yield cluster;
  }
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) {
    const problems = failed.flatMap((e) => (UserErrors.isUserErrors(e) ? e.problems.map((p) => `${e.message.split('\n')[0]} ${p}`) : [e.message]));
    throw new UserErrors(`${config.file}: ${problems.length} problems in ${failed.length} clusters:`, problems);
  }
}

/** One cluster: its FalcoAudit, validated, and its files; an error names the cluster and points at the config. */
function buildCluster(config: ConfigFile, settings: ClusterSettings, cwd: string): BuiltCluster {
  const label = settings.name ? `cluster "${settings.name}": ` : '';
  try {
    const app = new App();
    const chart = new Chart(app, settings.name ?? 'falco-audit', { disableResourceNameHashes: true });
    const audit = new FalcoAudit(chart, 'FalcoAudit', toProps(settings, cwd));
    // The objects are complete now: each one's JSON is made once, for the checks and the file alike (cdk8s's
    // toJson resolves, sorts and patches the whole object on every call; a fleet spent a tenth of its time there).
    for (const c of chart.node.findAll()) if (ApiObject.isApiObject(c)) jsonOnce(c);
    audit.assertValid();
    return { settings, audit, files: renderOutput(chart, settings.name ?? '') };
  } catch (err) {
    if (!isUserError(err)) throw err;
    // collected problems (FalcoAudit's independent checks): each at its own place
    if (UserErrors.isUserErrors(err) && err.errors.length === err.problems.length && err.errors.length > 0) {
      const at = (e: UserError) => (e.location.file === config.file ? (e.location.line ?? 0) : 0);
      const errors = err.errors.map((e) => located(config, settings, label, e)).sort((a, b) => at(a) - at(b));
      throw new UserErrors(`${err.location.file ? '' : `${config.file}: `}${label}${err.message.split('\n')[0]}`, errors);
    }
    if (UserErrors.isUserErrors(err)) {
      throw new UserErrors(`${err.location.file ? '' : `${config.file}: `}${label}${err.message.split('\n')[0]}`, err.problems);
    }
    throw located(config, settings, label, err);
  }
}

/** An error at the config line of the setting it names (a FalcoAudit prop path), or at the config file. */
function located(config: ConfigFile, settings: ClusterSettings, label: string, err: UserError): UserError {
  if (!err.location.file && err.location.field) {
    const field = configField(err.location.field);
    return new UserError(`${label}${err.detail}`, settings.locate(fieldPath(field)));
  }
  if (!err.location.file) return new UserError(`${config.file}: ${label}${err.message}`);
  return label ? new UserError(`${label}${err.detail}`, err.location) : err;
}

/** The folders of a cluster's files, under its own folder in a fleet (renderOutput). */
const CLUSTER_FOLDERS = [CLUSTER_DIR, NODE_DIR];

/** Makes `obj.toJson()` compute its JSON on the first call and return that same JSON after. */
function jsonOnce(obj: ApiObject): void {
  const compute = obj.toJson.bind(obj);
  let json: any;
  Object.defineProperty(obj, 'toJson', { value: () => (json ??= compute()) });
}

/**
 * How the config file's settings become FalcoAudit's props, declared once: `toProps` builds the props by it and
 * `configField` maps an error's prop path back to the config by it, so the two cannot disagree. A section maps as a
 * whole: every key it shares with the props passes through (a new option with the same name needs no change here);
 * the other entries are the props the config names otherwise, each read at its config path.
 */
const RENAMED_PROPS: readonly { readonly prop: string; readonly config: string; readonly section?: true }[] = [
  { prop: 'apiServerManifest', config: 'apiServer.manifest' },
  { prop: 'serviceClusterIPRange', config: 'apiServer.serviceClusterIPRange' },
  { prop: 'backend', config: 'audit.backend' },
  { prop: 'falco', config: 'falco', section: true },
  { prop: 'falco.webserverTlsSecret', config: 'falco.tlsSecret' },
  { prop: 'falco.falcoVersion', config: 'falco.version' },
  { prop: 'auditSink', config: 'audit.auditSink', section: true },
  { prop: 'auditSink.qps', config: 'audit.auditSink.throttle.qps' },
  { prop: 'auditSink.burst', config: 'audit.auditSink.throttle.burst' },
  { prop: 'auditSink.caBundle', config: 'audit.auditSink.certificateAuthority' },
  { prop: 'auditSink.useServiceReference', config: 'audit.auditSink.serviceReference' },
  { prop: 'webhook', config: 'audit.webhook', section: true },
  { prop: 'webhook.certificateAuthorityData', config: 'audit.webhook.certificateAuthority' },
  { prop: 'webhook.replaceExistingWebhook', config: 'audit.webhook.replaceExisting' },
];

/** The section entry a prop path lies in, if any. */
function sectionOf(prop: string) {
  return RENAMED_PROPS.find((e) => e.section && prop.startsWith(`${e.prop}.`));
}

/** The config file's name for a FalcoAudit prop path. */
export function configField(propPath: string): string {
  // the most specific entry first: a renamed prop before the section it lies in
  for (const { prop, config, section } of [...RENAMED_PROPS].sort((x, y) => y.prop.length - x.prop.length)) {
    if (propPath === prop || (section && propPath.startsWith(`${prop}.`))) return config + propPath.slice(prop.length);
  }
  return propPath;
}

/** The value at a dotted path of the settings. */
function valueAt(s: ClusterSettings, dotted: string): any {
  return dotted.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), s);
}

/** The config path of a renamed prop (one of RENAMED_PROPS). */
function configPathOf(prop: string): string {
  const entry = RENAMED_PROPS.find((e) => e.prop === prop);
  if (!entry) throw new Error(`${prop} is not a renamed prop`);
  return entry.config;
}

/** The config's value for a renamed prop, read at its config path. */
function configValue(s: ClusterSettings, prop: string): any {
  return valueAt(s, configPathOf(prop));
}

/**
 * The settings as props, by RENAMED_PROPS: each section copied (its keys named as the props pass through), then each
 * renamed prop set from its config path in place of the config's own key. Inputs (files, versions) are still as written.
 */
function renamedProps(s: ClusterSettings): Record<string, any> {
  const props: Record<string, any> = {};
  for (const { prop, config } of RENAMED_PROPS.filter((e) => e.section)) {
    const value = valueAt(s, config);
    if (value !== undefined) props[prop] = { ...value };
  }
  for (const { prop, config } of RENAMED_PROPS.filter((e) => !e.section)) {
    const section = sectionOf(prop);
    const target = section ? props[section.prop] : props;
    if (target === undefined) continue;
    // the config's own key for it (`throttle` for auditSink.qps) is no prop
    if (section) delete target[config.slice(section.config.length + 1).split('.')[0]];
    const value = valueAt(s, config);
    if (value !== undefined) target[section ? prop.slice(section.prop.length + 1) : prop] = value;
  }
  return props;
}

/** `falco.values[0].x` -> ['falco', 'values', 0, 'x']. */
function fieldPath(field: string): (string | number)[] {
  return field
    .split(/\.|(?=\[)/)
    .filter(Boolean)
    .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** Wraps a check so that an error without a place gets the config field's file and line. */
function at<T>(location: ErrorLocation, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isUserError(err) && !err.location.file) {
      throw new UserError(err.detail, location);
    }
    throw err;
  }
}

/** A file the config names must exist: say so at the config line that names it. */
function requireFile(file: string, what: string, location: ErrorLocation, cwd: string): void {
  if (!fs.existsSync(file)) throw new UserError(`${what} ${shown(file, cwd)} not found`, location);
}

/**
 * A CA file's certificates, as PEM: size-checked before it is read, refused when it holds a private key (the
 * README's falco.pem is certificate + key), and cut down to its certificate blocks.
 */
function readCaFile(file: string, name: string, location: ErrorLocation): string {
  const what = `certificate authority file ${name}`;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (!stat?.isFile()) throw new UserError(`${what} not found`, location);
  if (stat.size > DEFAULT_MAX_BYTES) {
    throw new UserError(`${what} is ${stat.size} bytes, more than the ${DEFAULT_MAX_BYTES} bytes any CA bundle needs; refusing to read it`, location);
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UserError(`${what} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, location);
  }
  if (bytes.includes(0)) {
    throw new UserError(
      `${what} is not PEM text (it holds NUL bytes: a DER certificate? convert it with openssl x509 -inform der -in ca.der -out ca.pem)`,
      location,
    );
  }
  return at(location, () => caCertificates(bytes.toString('utf8'), what));
}

function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** Runs `fn`, keeping a UserError it throws in `problems` so later inputs are still read and checked. */
function attemptInto(problems: UserError[]): <T>(fn: () => T) => T | undefined {
  return <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!isUserError(err)) throw err;
      problems.push(err);
      return undefined;
    }
  };
}

/** The files and values a cluster's settings name, each read and checked. */
interface ClusterInputs {
  readonly manifest?: StaticPodManifest;
  readonly kubernetesVersion?: KubernetesVersion;
  readonly values?: ReturnType<typeof loadFalcoValuesFile>['values'];
  readonly falcoVersion?: FalcoVersion;
  readonly certificateAuthorityData?: string;
  readonly caBundle?: string;
  readonly customPolicy?: AuditPolicy;
}

/**
 * Every input is read and checked before the first error is thrown, so one run reports all of them; a check that
 * needs an earlier value (the values need the manifest's version) runs with what is there.
 */
function readInputs(s: ClusterSettings, cwd: string, problems: UserError[]): ClusterInputs {
  const attempt = attemptInto(problems);
  const manifest = attempt(() => {
    requireFile(s.apiServer.manifest, 'kube-apiserver manifest', s.locate(['apiServer', 'manifest']), cwd);
    return StaticPodManifest.fromFile(s.apiServer.manifest, shown(s.apiServer.manifest, cwd));
  });
  const kubernetesVersion = attempt(() =>
    s.kubernetesVersion === undefined ? undefined : at(s.locate(['kubernetesVersion']), () => KubernetesVersion.of(s.kubernetesVersion!)),
  );
  // the values are checked for the target's version (environment variable names, update strategies differ by version)
  const values = attempt(() => {
    if (s.falco.values === undefined) return undefined;
    requireFile(s.falco.values, 'Falco values file', s.locate(['falco', 'values']), cwd);
    const target = kubernetesVersion ?? attempt(() => manifest?.imageVersion());
    return loadFalcoValuesFile(s.falco.values, shown(s.falco.values, cwd), s.falco.chart as FalcoChart | undefined, { kubernetesVersion: target })
      .values;
  });
  const version: string | undefined = configValue(s, 'falco.falcoVersion');
  const falcoVersion = attempt(() =>
    version === undefined ? undefined : at(s.locate(fieldPath(configPathOf('falco.falcoVersion'))), () => FalcoVersion.of(version, 'falco.version')),
  );
  // a CA file's PEM, base64 as the prop wants it, read from the config path of the prop it becomes
  const readCa = (prop: string) => {
    const file: string | undefined = configValue(s, prop);
    return attempt(() =>
      file === undefined ? undefined : Buffer.from(readCaFile(file, shown(file, cwd), s.locate(fieldPath(configPathOf(prop))))).toString('base64'),
    );
  };
  const certificateAuthorityData = readCa('webhook.certificateAuthorityData');
  const caBundle = readCa('auditSink.caBundle');
  const customPolicy = attempt(() => {
    const p = s.audit.webhook?.policy;
    return p !== undefined && typeof p === 'object'
      ? at(s.locate(['audit', 'webhook', 'policy']), () => AuditPolicy.custom(p.rules as any))
      : undefined;
  });
  return { manifest, kubernetesVersion, values, falcoVersion, certificateAuthorityData, caBundle, customPolicy };
}

/** One problem as it is; several as one error, in the order of the config file, which names every input. */
function throwInputProblems(problems: readonly UserError[]): void {
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const line = (e: UserError) => (e.location.file === problems[0].location.file ? (e.location.line ?? 0) : 0);
    const sorted = [...problems].sort((a, b) => line(a) - line(b));
    throw new UserErrors(
      `${problems.length} problems in the inputs:`,
      sorted.map((e) => e.message),
    );
  }
}

/** The audit Policy a config's `audit.webhook.policy` names: a preset, or the custom rules already read. */
function webhookPolicy(policy: unknown, customPolicy: AuditPolicy | undefined): AuditPolicy | undefined {
  if (policy === undefined || policy === 'hardened') return AuditPolicy.hardened();
  return policy === 'metadata' ? AuditPolicy.metadataOnly() : customPolicy;
}

/** A cluster's settings as FalcoAudit's props, every input read and checked first. */
function toProps(s: ClusterSettings, cwd: string): FalcoAuditProps {
  const problems: UserError[] = [];
  const inputs = readInputs(s, cwd, problems);
  throwInputProblems(problems);
  const props = renamedProps(s);
  // what was read from the inputs replaces the settings that name them
  return {
    ...props,
    apiServerManifest: inputs.manifest!,
    kubernetesVersion: inputs.kubernetesVersion,
    falco: { ...props.falco, values: inputs.values, falcoVersion: inputs.falcoVersion },
    auditSink: props.auditSink && { ...props.auditSink, caBundle: inputs.caBundle },
    webhook: props.webhook && {
      ...props.webhook,
      policy: webhookPolicy(s.audit.webhook?.policy, inputs.customPolicy),
      certificateAuthorityData: inputs.certificateAuthorityData,
    },
  };
}

/**
 * What the run did and what to do next, for people: per cluster, the wiring, notes and warnings, the API server
 * change, the ordered runbook (prerequisites, cluster objects, node files, checks) and the files written.
 */
export function planText(built: readonly BuiltCluster[], outdir: string): string {
  return built.map((b) => clusterPlanText(b, outdir)).join('\n');
}

/** One cluster's part of `planText`; the clusters' parts are joined with a blank line. */
function clusterPlanText({ settings, audit, files }: BuiltCluster, outdir: string): string {
  const lines: string[] = [];
  const title = settings.name ? `cluster ${settings.name}: ` : '';
  lines.push(
    `${title}Kubernetes ${audit.kubernetesVersion}, ${audit.backend} audit backend, Falco ${audit.falco.falcoVersion} (${audit.falco.shape} shape), ` +
      `audit endpoint ${audit.target}`,
  );
  for (const n of audit.notes) lines.push(`  note: ${n}`);
  const http = plainHttpWarning(audit);
  for (const w of [...audit.warnings, ...(http ? [http] : [])]) lines.push(`  warning: ${w}`);
  lines.push(
    ...audit.controlPlane.plan
      .toText()
      .trimEnd()
      .split('\n')
      .map((l: string) => `  ${l}`),
  );
  lines.push('  steps:');
  lines.push(...runbook(audit, path.posix.join(outdir, settings.name ?? '')).map((l) => `    ${l}`));
  lines.push('  files written:');
  for (const f of files) lines.push(`    ${path.posix.join(outdir, f.path)}`);
  return lines.join('\n') + '\n';
}
