import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { AuditPolicy, StaticPodManifest } from '../apiserver';
import { AuditBackend, FalcoAudit } from '../audit/falco-audit';
import { AuditLevel, AuditStage } from '../audit/falco-audit-sink';
import { ClusterSettings, ConfigFile, DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/config-file';
import { ErrorLocation, UserError, UserErrors, isUserError } from '../errors';
import { FalcoChart, FalcoVersion, loadFalcoValuesFile } from '../falco';
import { KubernetesVersion } from '../kubernetes-version';
import { OutputFile, ProtectedPath, renderOutput, writeOutput } from './output';

export interface RunAppOptions {
  /** Environment: `FALCO_AUDIT_CONFIG` names the config file, `CDK8S_OUTDIR` the output folder. */
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths in the environment resolve against it. */
  readonly cwd: string;
  /** Where the plan goes. */
  readonly stdout: (text: string) => void;
  /** Where errors go. */
  readonly stderr: (text: string) => void;
}

/** Exit codes: 0 done, 1 the user's input is wrong (message printed, nothing written), 70 a bug (stack printed). */
export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 70;

/** One cluster, built and checked, ready to be written. */
export interface BuiltCluster {
  readonly settings: ClusterSettings;
  readonly audit: FalcoAudit;
  readonly files: OutputFile[];
}

/**
 * The app: reads the config, builds a `FalcoAudit` per cluster, validates everything, and only then writes
 * the output folder (all of it or nothing) and prints the plan.
 */
export function runApp(options: RunAppOptions): number {
  try {
    const configPath = options.env.FALCO_AUDIT_CONFIG || DEFAULT_CONFIG_FILE;
    const outdir = path.resolve(options.cwd, options.env.CDK8S_OUTDIR || 'dist');
    const configFile = path.resolve(options.cwd, configPath);
    const config = loadConfigFile(configFile, configPath);
    const built = buildAll(config, options.cwd);
    writeOutput(outdir, built.flatMap((b) => b.files), {
      shownAs: options.env.CDK8S_OUTDIR || 'dist',
      protect: protectedPaths(config, configFile, options.cwd),
    });
    options.stdout(planText(built, shown(outdir, options.cwd) || '.'));
    return EXIT_OK;
  } catch (err) {
    if (isUserError(err)) {
      options.stderr(`error: ${err.message}\nnothing was written.\n`);
      return EXIT_USER_ERROR;
    }
    options.stderr(`internal error (a bug in cdk8s-falco-audit, please report it):\n${(err as Error)?.stack ?? err}\n`);
    return EXIT_INTERNAL_ERROR;
  }
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

/** Builds and validates every cluster of the config; throws before anything is written. */
export function buildAll(config: ConfigFile, cwd: string): BuiltCluster[] {
  return config.clusters.map((settings) => {
    const label = settings.name ? `cluster "${settings.name}": ` : '';
    try {
      const app = new App();
      const chart = new Chart(app, settings.name ?? 'falco-audit', { disableResourceNameHashes: true });
      const audit = new FalcoAudit(chart, 'FalcoAudit', toProps(settings, cwd));
      audit.assertValid();
      return { settings, audit, files: renderOutput(chart, settings.name ?? '') };
    } catch (err) {
      if (!isUserError(err)) throw err;
      if (err instanceof UserErrors) {
        throw new UserErrors(`${err.location.file ? '' : `${config.file}: `}${label}${err.message.split('\n')[0]}`, err.problems);
      }
      // An error about a FalcoAudit prop (falco.clusterIP, say) without a file: point at that setting's line.
      if (!err.location.file && err.location.field) {
        const field = configField(err.location.field);
        throw new UserError(`${label}${err.detail}`, settings.locate(fieldPath(field)));
      }
      if (!err.location.file) throw new UserError(`${config.file}: ${label}${err.message}`);
      throw label ? new UserError(`${label}${err.detail}`, err.location) : err;
    }
  });
}

/**
 * FalcoAudit's prop paths where the config file names them otherwise. Everything under `falco.` has the same
 * name in both (releaseName, namespace, clusterIP, nodePort, k8sAudit, falcoctl) except the ones listed.
 */
const CONFIG_FIELDS: readonly [RegExp, string][] = [
  [/^serviceClusterIPRange$/, 'apiServer.serviceClusterIPRange'],
  [/^backend$/, 'audit.backend'],
  [/^falco\.webserverTlsSecret$/, 'falco.tlsSecret'],
  [/^falco\.falcoVersion$/, 'falco.version'],
  [/^falco\.service\.(clusterIP|nodePort)$/, 'falco.$1'],
  [/^auditSink\.(qps|burst)$/, 'audit.auditSink.throttle.$1'],
  [/^auditSink\.caBundle$/, 'audit.auditSink.certificateAuthority'],
  [/^auditSink\.(useServiceReference|service(\..*)?)$/, 'audit.auditSink.serviceReference'],
  [/^auditSink(\..*)?$/, 'audit.auditSink$1'],
  [/^webhook\.certificateAuthorityData$/, 'audit.webhook.certificateAuthority'],
  [/^webhook\.replaceExistingWebhook$/, 'audit.webhook.replaceExisting'],
  [/^webhook(\..*)?$/, 'audit.webhook$1'],
];

/** The config file's name for a FalcoAudit prop path. */
export function configField(propPath: string): string {
  for (const [pattern, replacement] of CONFIG_FIELDS) {
    if (pattern.test(propPath)) return propPath.replace(pattern, replacement);
  }
  return propPath;
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

function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function toProps(s: ClusterSettings, cwd: string) {
  requireFile(s.apiServer.manifest, 'kube-apiserver manifest', s.locate(['apiServer', 'manifest']), cwd);
  const manifest = StaticPodManifest.fromFile(s.apiServer.manifest, shown(s.apiServer.manifest, cwd));
  const kubernetesVersion =
    s.kubernetesVersion === undefined ? undefined : at(s.locate(['kubernetesVersion']), () => KubernetesVersion.of(s.kubernetesVersion!));
  if (s.falco.values !== undefined) requireFile(s.falco.values, 'Falco values file', s.locate(['falco', 'values']), cwd);
  const chart = s.falco.chart as FalcoChart | undefined;
  const values = s.falco.values === undefined ? undefined : loadFalcoValuesFile(s.falco.values, shown(s.falco.values, cwd), chart).values;
  const falcoVersion = s.falco.version === undefined ? undefined : at(s.locate(['falco', 'version']), () => FalcoVersion.of(s.falco.version!, 'falco.version'));
  const sink = s.audit.auditSink;
  const webhook = s.audit.webhook;
  const readCa = (file: string | undefined, field: string[]) => {
    if (file === undefined) return undefined;
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new UserError(`certificate authority file ${shown(file, cwd)} not found`, s.locate(field));
    }
    const pem = fs.readFileSync(file, 'utf8');
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem)) {
      throw new UserError(`certificate authority file ${shown(file, cwd)} holds no PEM certificate`, s.locate(field));
    }
    return Buffer.from(pem).toString('base64');
  };
  const certificateAuthorityData = readCa(webhook?.certificateAuthority, ['audit', 'webhook', 'certificateAuthority']);
  const caBundle = readCa(sink?.certificateAuthority, ['audit', 'auditSink', 'certificateAuthority']);
  const policy = webhook?.policy;
  return {
    apiServerManifest: manifest,
    kubernetesVersion,
    backend: s.audit.backend as AuditBackend,
    serviceClusterIPRange: s.apiServer.serviceClusterIPRange,
    falco: {
      releaseName: s.falco.releaseName,
      namespace: s.falco.namespace,
      chart,
      values,
      falcoVersion,
      clusterIP: s.falco.clusterIP,
      nodePort: s.falco.nodePort,
      webserverTlsSecret: s.falco.tlsSecret,
      k8sAudit: s.falco.k8sAudit,
      falcoctl: s.falco.falcoctl,
    },
    auditSink: sink && {
      name: sink.name,
      level: sink.level as AuditLevel | undefined,
      stages: sink.stages as AuditStage[] | undefined,
      qps: sink.throttle?.qps,
      burst: sink.throttle?.burst,
      caBundle,
      useServiceReference: sink.serviceReference,
    },
    webhook: webhook && {
      policy:
        policy === undefined || policy === 'hardened'
          ? AuditPolicy.hardened()
          : policy === 'metadata'
            ? AuditPolicy.metadataOnly()
            : at(s.locate(['audit', 'webhook', 'policy']), () => AuditPolicy.custom(policy.rules as any)),
      mode: webhook.mode,
      batchMaxWait: webhook.batchMaxWait,
      initialBackoff: webhook.initialBackoff,
      auditLog: webhook.auditLog,
      directory: webhook.directory,
      certificateAuthorityData,
      replaceExistingWebhook: webhook.replaceExisting,
    },
  };
}

/** What the run did, for people: per cluster, the API server change, the files to place and the objects written. */
export function planText(built: readonly BuiltCluster[], outdir: string): string {
  const lines: string[] = [];
  for (const { settings, audit, files } of built) {
    const title = settings.name ? `cluster ${settings.name}: ` : '';
    lines.push(`${title}Kubernetes ${audit.kubernetesVersion}, ${audit.backend} audit backend, Falco audit endpoint ${audit.target}`);
    for (const n of audit.notes) lines.push(`  note: ${n}`);
    for (const w of audit.warnings) lines.push(`  warning: ${w}`);
    lines.push(...audit.apiServer.plan.toText().trimEnd().split('\n').map((l: string) => `  ${l}`));
    lines.push('  files written:');
    for (const f of files) lines.push(`    ${path.posix.join(outdir, f.path)}`);
    lines.push('');
  }
  return lines.join('\n');
}
