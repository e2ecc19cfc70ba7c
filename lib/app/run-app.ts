import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { ControlPlane, ControlPlaneSettings, Distribution, KubeadmControlPlaneFile, StaticPodManifest } from '../apiserver';
import { REGISTRY } from '../apiserver/targets/registry';
import { AuditPolicy, caCertificates } from '../audit';
import { FalcoAudit, FalcoAuditProps } from '../falco-audit';
import { ClusterSettings, ConfigFile, DEFAULT_CONFIG_FILE, readConfigFile } from '../config/config-file';
import { ErrorLocation, UserError, UserErrors, isUserError } from '../core/errors';
import { _chartEvidence, _namedKeys, _outerKeys, FalcoChart, FalcoVersion, loadFalcoValuesFile } from '../falco';
import { KubernetesVersion } from '../core/kubernetes-version';
import { DEFAULT_MAX_BYTES, readYamlFile } from '../core/yaml';
import { refusePrivateKeys } from '../core/secret-scan';
import { isObject } from '../core/util';
import { CLUSTER_DIR, NODE_DIR, OutputFile, OutputStaging, ProtectedPath, failedRunReport, renderOutput } from './output';
import { checkPlanJsonPath } from './plan-json-path';
import { runbook } from './runbook';
import { ClusterProblems, runProblems, withoutFollowers } from './problem-report';

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
  /** Also write the plan as JSON here (never inside the output folder); `-` writes it to `json`. @default - no JSON plan */
  readonly planJson?: string;
  /** Where `planJson: '-'` writes the JSON plan (the command: its stdout, while the plan for people goes to stderr). @default - stdout */
  readonly json?: (text: string) => void;
}

/** `--plan-json -`: the JSON plan goes to standard output. */
export const PLAN_JSON_STDOUT = '-';

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
  let staging: OutputStaging | undefined;
  try {
    const configPath = options.config ?? (options.env.FALCO_AUDIT_CONFIG || DEFAULT_CONFIG_FILE);
    const configFile = path.resolve(options.cwd, configPath);
    const planJson =
      options.planJson === undefined || options.planJson === PLAN_JSON_STDOUT ? undefined : path.resolve(options.cwd, options.planJson);
    const config = readConfigFile(configFile, configPath);
    if (planJson !== undefined) checkPlanJsonPath(planJson, outdir, options.planJson!, shownOut, protectedPaths(config, configFile, options.cwd));
    const shownDir = shown(outdir, options.cwd) || '.';
    // Each cluster's files go to the staging folder as soon as it is built and its plan is made there and then, so
    // its objects can go: a fleet's memory is about one cluster's. The output folder is replaced only at commit().
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
      // a cluster whose settings have problems is never written, and its name may be no folder name
      if (fleet && i < fleet.length && config.clusters[i].problems.length === 0) staging?.prepare(folders.map((f) => path.join(fleet[i], f)));
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
        plans.push({
          text: clusterPlanText(cluster, shownDir),
          json: options.planJson === undefined ? undefined : clusterPlanJson(cluster, shownDir),
        });
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
    return reportPlans(options, plans, shownDir, planJson);
  } catch (err) {
    if (isUserError(err)) {
      options.stderr(`error: ${err.message}\n${failedRunReport(outdir, shownOut, staging)}${emptiedByCdk8sCli(options, outdir)}\n`);
      return EXIT_USER_ERROR;
    }
    options.stderr(`internal error (a bug in cdk8s-falco-audit, please report it):\n${(err as Error)?.stack ?? err}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

/** The plans once the output is in place: for people, and as JSON to its file or to `json`. Resolves to the exit code. */
function reportPlans(options: RunAppOptions, plans: readonly ClusterPlan[], shownDir: string, planJsonFile: string | undefined): number {
  const json = { outputFolder: shownDir, clusters: plans.map((p) => p.json) };
  const planProblem = planJsonFile === undefined ? undefined : writePlanJson(planJsonFile, options.planJson!, json);
  options.stdout(plans.map((p) => p.text).join('\n'));
  if (options.planJson === PLAN_JSON_STDOUT) (options.json ?? options.stdout)(JSON.stringify(json, null, 2) + '\n');
  if (planProblem) {
    options.stderr(`error: ${planProblem}\n`);
    return EXIT_USER_ERROR;
  }
  return EXIT_OK;
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
    notes: audit.notes.map(({ code, message }) => ({ code, message })),
    warnings: audit.warnings.map(({ code, message }) => ({ code, message })),
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
    controlPlane: {
      distribution: audit.controlPlane.distribution,
      // each file of the control plane: what it is, and where it goes
      files: audit.controlPlane._fileRoles().map((f) => ({
        file: path.posix.join(outdir, settings.name ?? '', NODE_DIR, f.fileName),
        role: f.role,
        goesTo: f.destination,
      })),
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
    add(s.apiServer.manifest, s.apiServer.distribution === Distribution.CLUSTER_API ? 'the KubeadmControlPlane file' : 'the kube-apiserver manifest');
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
 * are only checked), and throws the problems of all of them after the last (problem-report.ts).
 */
export function* buildEach(config: ConfigFile, cwd: string): Generator<BuiltCluster, void, undefined> {
  const failed: ClusterProblems[] = [];
  for (const settings of config.clusters) {
    const { built, units } = buildCluster(config, settings, cwd);
    if (units.length > 0) failed.push({ label: settings.name === undefined ? '' : JSON.stringify(settings.name), units });
    else if (failed.length === 0 && config.problems.length === 0) yield built!;
  }
  const problems = runProblems(config.file, config.problems, failed);
  if (problems) throw problems;
}

/**
 * One cluster: its FalcoAudit, validated, and its files; or the problems of every stage that could run. A wrong value
 * is left out and the stages after it run with the rest; a problem that follows from a value left out is not reported.
 */
function buildCluster(config: ConfigFile, settings: ClusterSettings, cwd: string): { built?: BuiltCluster; units: UserError[] } {
  const inputProblems: UserError[] = [];
  const props = toProps(settings, cwd, inputProblems);
  const units: UserError[] = [...settings.problems, ...inputProblems];
  let built: BuiltCluster | undefined;
  let constructProblems: UserError | undefined;
  if (props) {
    try {
      const app = new App();
      const chart = new Chart(app, settings.name ?? 'falco-audit', { disableResourceNameHashes: true });
      const audit = new FalcoAudit(chart, 'FalcoAudit', props);
      // The objects are complete now: each one's JSON is made once, for the checks and the file alike (cdk8s's
      // toJson resolves, sorts and patches the whole object on every call; a fleet spent a tenth of its time there).
      for (const c of chart.node.findAll()) if (ApiObject.isApiObject(c)) jsonOnce(c);
      audit.assertValid();
      built = { settings, audit, files: units.length === 0 ? renderOutput(chart, settings.name ?? '') : [] };
    } catch (err) {
      if (!isUserError(err)) throw err;
      constructProblems = locatedUnit(settings, err);
    }
  }
  // the inputs that could not be read are left out too
  const leftOut = [...settings.leftOut, ...inputProblems.filter((e) => e.location.file === config.file).map((e) => e.location.field ?? '')];
  const followed = constructProblems ? withoutFollowers([constructProblems], config.file, leftOut) : [];
  return { built, units: [...units.map((u) => locatedUnit(settings, u)), ...followed] };
}

/** A unit's problems at the config line of the setting each names (a FalcoAudit prop path); those with a place keep it. */
function locatedUnit(settings: ClusterSettings, unit: UserError): UserError {
  if (UserErrors.isUserErrors(unit) && unit.errors.length === unit.problems.length && unit.errors.length > 0) {
    return new UserErrors(
      unit.detail.split('\n')[0],
      unit.errors.map((e) => locatedUnit(settings, e)),
      unit.location,
    );
  }
  if (!unit.location.file && unit.location.field) return new UserError(unit.detail, settings.locate(fieldPath(configField(unit.location.field))));
  return unit;
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
const RENAMED_PROPS: readonly { readonly prop: string; readonly config: string; readonly section?: true; readonly built?: true }[] = [
  { prop: 'apiServerManifest', config: 'apiServer.manifest' },
  // the control plane is made from the apiServer keys by controlPlaneOf (ControlPlane.of), not copied
  { prop: 'controlPlane', config: 'apiServer.distribution', built: true },
  { prop: 'controlPlane.manifest', config: 'apiServer.manifest', built: true },
  { prop: 'controlPlane.kubeadmControlPlane', config: 'apiServer.manifest', built: true },
  { prop: 'controlPlane.version', config: 'apiServer.version', built: true },
  { prop: 'controlPlane.controllersRunWorkloads', config: 'apiServer.controllersRunWorkloads', built: true },
  { prop: 'controlPlane.hostFolder', config: 'apiServer.hostFolder', built: true },
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
  for (const { prop, config } of RENAMED_PROPS.filter((e) => !e.section && !e.built)) {
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

/**
 * The manifest is written back, patched, into the output (node/): a private key anywhere in it is refused, at its
 * line, before the manifest's own checks could echo it. A file that is a key as a whole is left to them: they say it
 * is no Pod, and show none of it.
 */
function refuseManifestKeys(file: string, shownAs: string): void {
  const doc = readYamlFile(file, { what: 'kube-apiserver manifest', file: shownAs });
  if (!isObject(doc.value)) return;
  refusePrivateKeys(
    doc,
    'the patched manifest is written into the output, which is meant for Git; a static pod reads its keys from files on the node ' +
      '(--tls-private-key-file and the other key flags name them), so keep the key in such a file, never in the manifest',
    (n) => `${shownAs}: the kube-apiserver manifest has ${n} problems:`,
  );
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
  /** The control plane's distribution: stated, or kubeadm for a manifest. */
  readonly distribution?: string;
  readonly manifest?: StaticPodManifest;
  readonly kubeadmControlPlane?: KubeadmControlPlaneFile;
  readonly kubernetesVersion?: KubernetesVersion;
  readonly values?: ReturnType<typeof loadFalcoValuesFile>['values'];
  readonly falcoVersion?: FalcoVersion;
  readonly certificateAuthorityData?: string;
  readonly caBundle?: string;
  readonly customPolicy?: AuditPolicy;
}

/**
 * Every input is read and checked before the first error is thrown, so one run reports all of them; a check that
 * needs an earlier value (the values need the manifest's version) runs with what is there. A values file's problems
 * leave their keys out (values-repair.ts): the rest of the file is still checked, and used.
 */
function readInputs(s: ClusterSettings, cwd: string, problems: UserError[]): ClusterInputs {
  const attempt = attemptInto(problems);
  const distribution = distributionOf(s);
  const manifest = attempt(() => (distribution === Distribution.KUBEADM ? readManifest(s, cwd) : undefined));
  const kubeadmControlPlane = attempt(() => (distribution === Distribution.CLUSTER_API ? readKubeadmControlPlane(s, cwd) : undefined));
  const kubernetesVersion = attempt(() =>
    s.kubernetesVersion === undefined ? undefined : at(s.locate(['kubernetesVersion']), () => KubernetesVersion.of(s.kubernetesVersion!)),
  );
  // the values are checked for the target's version (environment variable names, update strategies differ by version)
  const values = attempt(() => {
    if (s.falco.values === undefined) return undefined;
    requireFile(s.falco.values, 'Falco values file', s.locate(['falco', 'values']), cwd);
    checkStatedChart(s, cwd);
    const target = kubernetesVersion ?? attempt(() => manifest?.imageVersion() ?? kubeadmControlPlane?.kubernetesVersion());
    const options = { kubernetesVersion: target, _problems: problems };
    return loadFalcoValuesFile(s.falco.values, shown(s.falco.values, cwd), s.falco.chart as FalcoChart | undefined, options).values;
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
  return { distribution, manifest, kubeadmControlPlane, kubernetesVersion, values, falcoVersion, certificateAuthorityData, caBundle, customPolicy };
}

/** The control plane's distribution: stated, or kubeadm when the config names a manifest (the schema asks for one of them). */
function distributionOf(s: ClusterSettings): string | undefined {
  return s.apiServer.distribution ?? (s.apiServer.manifest !== undefined ? Distribution.KUBEADM : undefined);
}

/** The kubeadm static pod manifest `apiServer.manifest` names. */
function readManifest(s: ClusterSettings, cwd: string): StaticPodManifest | undefined {
  const file = s.apiServer.manifest;
  if (file === undefined) return undefined;
  requireFile(file, 'kube-apiserver manifest', s.locate(['apiServer', 'manifest']), cwd);
  refuseManifestKeys(file, shown(file, cwd));
  return StaticPodManifest.fromFile(file, shown(file, cwd));
}

/** The KubeadmControlPlane `apiServer.manifest` names for cluster-api (the patch must fit the object: it is an input). */
function readKubeadmControlPlane(s: ClusterSettings, cwd: string): KubeadmControlPlaneFile {
  const file = s.apiServer.manifest;
  const at = s.locate(['apiServer', 'manifest']);
  if (file === undefined) {
    throw new UserError(
      "is required for cluster-api: the cluster's KubeadmControlPlane file, which the patch must fit (the lists it has, the flags it sets, its apiVersion)",
      at,
    );
  }
  requireFile(file, 'KubeadmControlPlane file', at, cwd);
  return KubeadmControlPlaneFile.fromFile(file, shown(file, cwd));
}

/**
 * The control plane a distribution's settings make: a setting of another distribution is refused, and so is a manifest
 * for a distribution that reads none; both are left out, and the control plane made of the rest, so FalcoAudit's own
 * checks still run. kubeadm's is checked the same way; its manifest becomes `apiServerManifest`.
 */
function controlPlaneOf(s: ClusterSettings, inputs: ClusterInputs, problems: UserError[]): ControlPlane | undefined {
  const api = s.apiServer;
  const d = inputs.distribution!;
  const attempt = attemptInto(problems);
  if (api.manifest !== undefined && d !== Distribution.KUBEADM && d !== Distribution.CLUSTER_API) {
    problems.push(
      new UserError(`${d} reads no manifest (it names kubeadm's static pod manifest, or cluster-api's KubeadmControlPlane); remove it`, {
        field: 'controlPlane.manifest',
      }),
    );
  }
  const settings: ControlPlaneSettings = {
    manifest: inputs.manifest,
    kubeadmControlPlane: inputs.kubeadmControlPlane,
    version: api.version,
    controllersRunWorkloads: api.controllersRunWorkloads,
    hostFolder: api.hostFolder,
  };
  const controlPlane = attempt(() => ControlPlane.of(d, settings));
  if (controlPlane) return controlPlane;
  // the settings it does not take left out: the refusal is reported above
  const takes = REGISTRY.find((e) => e.distribution === d)?.takes ?? [];
  const own = Object.fromEntries(Object.entries(settings).filter(([k]) => takes.includes(k as keyof ControlPlaneSettings)));
  if (Object.keys(own).length === Object.keys(settings).filter((k) => settings[k as keyof ControlPlaneSettings] !== undefined).length)
    return undefined;
  try {
    return ControlPlane.of(d, own);
  } catch (err) {
    if (isUserError(err)) return undefined; // its own settings are wrong too: reported above
    throw err;
  }
}

/**
 * A stated falco.chart that the values file's keys contradict (more of them are only the other chart's): the setting
 * is the likely mistake, so it is reported at its line, rather than every key of the file as unknown to that chart.
 */
function checkStatedChart(s: ClusterSettings, cwd: string): void {
  const stated = s.falco.chart as FalcoChart | undefined;
  if (stated === undefined || s.falco.values === undefined) return;
  const file = shown(s.falco.values, cwd);
  let evidence: ReturnType<typeof _chartEvidence>;
  try {
    evidence = _chartEvidence(readYamlFile(s.falco.values, { what: 'Falco values file', file }).value);
  } catch {
    return; // the values' loader says what is wrong with the file
  }
  const [theirs, ours] = (
    stated === FalcoChart.STABLE_FALCO_1_1_1 ? [evidence.chartKeys, evidence.stableKeys] : [evidence.stableKeys, evidence.chartKeys]
  ).map(_outerKeys);
  if (evidence.chart === stated || theirs.length <= ours.length) return;
  throw new UserError(
    `is ${stated}, but ${file} is written for ${evidence.chart}: ${theirs.length} of its keys are only that chart's (${_namedKeys(theirs)}), ` +
      `${ours.length === 0 ? 'none' : `${ours.length} (${_namedKeys(ours)})`} only ${stated}'s; falco.chart is likely the mistake: ` +
      `set it to ${evidence.chart}, or remove it (the file's keys decide)`,
    s.locate(['falco', 'chart']),
  );
}

/**
 * FalcoAudit needs the manifest, and the values file and Falco release the config names: without one of them (not
 * named, not found, not readable) its checks would be about settings the user did not make, so none run.
 */
function constructCanRun(s: ClusterSettings, inputs: ClusterInputs): boolean {
  const stated = (prop: string) => configValue(s, prop) !== undefined;
  const controlPlaneRead =
    inputs.distribution === Distribution.KUBEADM
      ? inputs.manifest !== undefined
      : inputs.distribution === Distribution.CLUSTER_API
        ? inputs.kubeadmControlPlane !== undefined
        : inputs.distribution !== undefined;
  return (
    controlPlaneRead &&
    (s.falco.values === undefined || inputs.values !== undefined) &&
    (!stated('falco.falcoVersion') || inputs.falcoVersion !== undefined)
  );
}

/** The audit Policy a config's `audit.webhook.policy` names: a preset, or the custom rules already read. */
function webhookPolicy(policy: unknown, customPolicy: AuditPolicy | undefined): AuditPolicy | undefined {
  if (policy === undefined || policy === 'hardened') return AuditPolicy.hardened();
  return policy === 'metadata' ? AuditPolicy.metadataOnly() : customPolicy;
}

/**
 * A cluster's settings as FalcoAudit's props, every input read and checked first (its problems go to `problems`);
 * undefined when FalcoAudit cannot be built with what was read.
 */
function toProps(s: ClusterSettings, cwd: string, problems: UserError[]): FalcoAuditProps | undefined {
  const inputs = readInputs(s, cwd, problems);
  if (!constructCanRun(s, inputs)) return undefined;
  // kubeadm is the manifest, as it always was (its settings checked all the same); another distribution is its control plane
  const controlPlane = controlPlaneOf(s, inputs, problems);
  if (controlPlane === undefined) return undefined;
  const props = renamedProps(s);
  // what was read from the inputs replaces the settings that name them
  return {
    ...props,
    apiServerManifest: inputs.manifest,
    controlPlane: inputs.distribution === Distribution.KUBEADM ? undefined : controlPlane,
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
  for (const n of audit.notes) lines.push(`  note: ${n.message}`);
  for (const w of audit.warnings) lines.push(`  warning: ${w.message}`);
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
