import * as fs from 'fs';
import * as path from 'path';
import { ErrorLocation, UserError, UserErrors } from '../core/errors';
import { LoadedYaml, readYamlFile, YamlPath } from '../core/yaml';
import { schemasDir } from '../core/schemas-dir';
import { refusePrivateKeys } from '../core/secret-scan';
import { cut, isObject, quote, show } from '../core/util';
import { matchesDns1123Label } from '../validation/names';
import type { FalcoAuditFalcoOptions, FalcoAuditSinkOptions, FalcoAuditWebhookOptions } from '../falco-audit';

/** The config file the app reads when `FALCO_AUDIT_CONFIG` is not set. */
export const DEFAULT_CONFIG_FILE = 'falco-audit.yaml';

export type AuditBackendChoice = 'auto' | 'dynamic' | 'webhook';

/** One audit policy rule, as in `audit.k8s.io/v1` Policy `rules[]`. */
export interface PolicyRuleSettings {
  readonly level: string;
  readonly users?: string[];
  readonly userGroups?: string[];
  readonly verbs?: string[];
  readonly resources?: { group?: string; resources?: string[]; resourceNames?: string[] }[];
  readonly namespaces?: string[];
  readonly nonResourceURLs?: string[];
  readonly omitStages?: string[];
}

/** One cluster's settings, with every path made absolute against the config file's folder. */
export interface ClusterSettings {
  /** The cluster's name: set for every cluster of a fleet, absent in a single-cluster config. */
  readonly name?: string;
  readonly kubernetesVersion?: string;
  readonly apiServer: {
    /** The control plane's distribution (`kubeadm` when a manifest is named and no distribution). */
    readonly distribution?: string;
    /**
     * Absolute path of the file that defines the API server: the kube-apiserver static pod manifest (kubeadm) or the
     * KubeadmControlPlane (cluster-api); absent when the config names none.
     */
    readonly manifest?: string;
    /** The distribution's version (Talos minor, Cluster API release). */
    readonly version?: string;
    readonly serviceClusterIPRange?: string;
    /** k3s, k0s: the controllers run kube-proxy. */
    readonly controllersRunWorkloads?: boolean;
    /** kind: where the node files are for `kind create cluster`. */
    readonly hostFolder?: string;
  };
  readonly audit: {
    readonly backend: AuditBackendChoice;
    /** FalcoAudit's `auditSink` prop, with the throttle, the CA file and the service reference named as the config names them. */
    readonly auditSink?: Omit<FalcoAuditSinkOptions, 'qps' | 'burst' | 'caBundle' | 'useServiceReference'> & {
      readonly throttle?: { readonly qps?: number; readonly burst?: number };
      /** Absolute path of a PEM CA file for Falco's serving certificate. */
      readonly certificateAuthority?: string;
      readonly serviceReference?: boolean;
    };
    /** FalcoAudit's `webhook` prop, with the policy, the CA file and the replace switch as the config names them. */
    readonly webhook?: Omit<FalcoAuditWebhookOptions, 'policy' | 'certificateAuthorityData' | 'replaceExistingWebhook'> & {
      readonly policy?: 'hardened' | 'metadata' | { rules: PolicyRuleSettings[] };
      /** Absolute path of a PEM CA file for Falco's serving certificate. */
      readonly certificateAuthority?: string;
      readonly replaceExisting?: boolean;
    };
  };
  /** FalcoAudit's `falco` prop, with the files and versions as written (read by the app) and the TLS Secret as the config names it. */
  readonly falco: Omit<FalcoAuditFalcoOptions, 'chart' | 'values' | 'falcoVersion' | 'webserverTlsSecret'> & {
    /** The chart the values file is written for: `stable/falco@1.1.1` or `falcosecurity/falco@9.1.0` (default: from its keys). */
    readonly chart?: string;
    /** Absolute path of a values file (stable/falco 1.1.x, or falcosecurity/falco 9.1.0). */
    readonly values?: string;
    /** The Falco release the image runs, when image.tag does not say it. */
    readonly version?: string;
    /** The Secret with falco.pem for the legacy webserver's TLS. */
    readonly tlsSecret?: string;
  };
  /** Points an error at a field of this cluster's settings in the config file. */
  locate(field: YamlPath): ErrorLocation;
  /**
   * The config's own problems with these settings (the schema's, the cluster name's), each at its line. The settings
   * are the rest: a wrong value is left out (its default applies), so the cluster's other checks still run.
   */
  readonly problems: readonly UserError[];
  /**
   * The fields left out because they are wrong (or missing), as `locate` names them (`clusters[1].falco.nodePort`): a
   * problem found about one of them, or about a field around or inside one, follows from it and is not reported.
   */
  readonly leftOut: readonly string[];
}

export interface ConfigFile {
  /** The file as the user named it. */
  readonly file: string;
  /** True when the file lists `clusters:`; output then goes to `<outdir>/<name>/`. */
  readonly fleet: boolean;
  readonly clusters: ClusterSettings[];
  /** The schema's problems outside any cluster's settings (the file's top level), each at its line. */
  readonly problems: readonly UserError[];
}

/** An ajv error (verbose: with the offending data and the schema around it). */
interface ErrorObject {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: Record<string, unknown>;
}

type ValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

let validators: { cluster: ValidateFunction; fleet: ValidateFunction } | undefined;

/**
 * The config file's validators, precompiled by scripts/gen-config-validator.js from
 * schemas/src/falco-audit-config.json (compiling at run time cost ~100 ms per synth).
 */
function compiled(): { cluster: ValidateFunction; fleet: ValidateFunction } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validators ??= require(path.join(schemasDir(), 'config-validators.js')) as { cluster: ValidateFunction; fleet: ValidateFunction };
  return validators;
}

/**
 * The most clusters one run builds. Each cluster is built, validated and staged to disk in turn, and the output folder
 * is replaced only when all are (all or nothing): 1,000 take about 3.6 s and 120 MB on the benchmark machine; a 1 MB
 * config can list tens of thousands, which would run for minutes and fill the staging folder before failing.
 */
export const MAX_CLUSTERS = 5000;

/** Why a private key in the config is refused, and where keys go instead. */
const CONFIG_KEY_WAY =
  'no setting of the config takes a private key, and its settings are written into the output, which is meant for Git: name the CA ' +
  "certificate file in certificateAuthority, and keep Falco's TLS key in a Secret (falco.tlsSecret, or certs.existingSecret in falcosecurity/falco values)";

/**
 * Reads and checks the app's config file. Every problem (unknown key, wrong type, bad value) is reported at
 * once with file, line and field; relative paths resolve against the config file's folder.
 */
/** The input files a config names (`what`, path in a cluster's settings). */
const INPUT_FILES: readonly [string, YamlPath][] = [
  ['kube-apiserver manifest', ['apiServer', 'manifest']],
  ['Falco values file', ['falco', 'values']],
  ['certificate authority file', ['audit', 'auditSink', 'certificateAuthority']],
  ['certificate authority file', ['audit', 'webhook', 'certificateAuthority']],
];

/** "not found" for each input file a (schema-invalid) config names that does not exist, at its line. */
function missingInputs(value: any, fleet: boolean, base: string, doc: LoadedYaml): string[] {
  const clusters: { c: any; prefix: YamlPath }[] = fleet
    ? (Array.isArray(value.clusters) ? value.clusters : []).map((c: any, i: number) => ({ c, prefix: ['clusters', i] }))
    : [{ c: value, prefix: [] }];
  const out: string[] = [];
  for (const { c, prefix } of clusters) {
    for (const [what, at] of INPUT_FILES) {
      const file = at.reduce<any>((o, k) => (o !== null && typeof o === 'object' ? o[k] : undefined), c);
      if (typeof file === 'string' && file !== '' && !fs.existsSync(path.resolve(base, file))) {
        out.push(new UserError(`${what} ${cut(file)} not found`, doc.locate([...prefix, ...at])).message);
      }
    }
  }
  return out;
}

export function loadConfigFile(filePath: string, file = filePath): ConfigFile {
  const config = readConfigFile(filePath, file);
  const problems = [...config.problems, ...config.clusters.flatMap((c) => c.problems)];
  if (problems.length === 0) return config;
  if (problems.length === 1 && !SCHEMA_PROBLEMS.has(problems[0])) throw problems[0];
  const doc = readConfigDocument(filePath, file);
  const all = [...problems, ...missingInputs(doc.value, config.fleet, path.dirname(path.resolve(filePath)), doc).map((m) => new UserError(m))];
  throw new UserErrors(`${file}: the config has ${all.length} problem${all.length === 1 ? '' : 's'}:`, sortByLine(all));
}

/** The schema's problems (as opposed to the cluster names'), which `loadConfigFile` reports with the missing input files. */
const SCHEMA_PROBLEMS = new WeakSet<UserError>();

/** Problems in file order (a problem without a line first). */
function sortByLine(problems: readonly UserError[]): UserError[] {
  const line = (e: UserError) => e.location.line ?? Number(/^[^:]*:(\d+):/.exec(e.message)?.[1] ?? 0);
  return [...problems].sort((a, b) => line(a) - line(b));
}

/**
 * Reads the config file and checks it against its schema, cluster by cluster: a problem in one cluster's settings is
 * that cluster's (`ClusterSettings.problems`) and leaves the value out, so every cluster, and every other setting of
 * the cluster, is still checked; `loadConfigFile` is the form that throws them. What is wrong with the file as a
 * whole (missing, not YAML, not a mapping, too many clusters) is thrown.
 */
export function readConfigFile(filePath: string, file = filePath): ConfigFile {
  const doc = readConfigDocument(filePath, file);
  // before any check that could echo a value
  refusePrivateKeys(doc, CONFIG_KEY_WAY, (n) => `${file}: the config has ${n} problems:`);
  const value = doc.value as any;
  const fleet = 'clusters' in value;
  checkClusterCount(value, fleet, doc);
  const found = schemaProblems(value, fleet, doc);
  const base = path.dirname(path.resolve(filePath));
  const items: { settings: any; prefix: YamlPath }[] = fleet
    ? (Array.isArray(value.clusters) ? value.clusters : []).map((c: any, i: number) => ({ settings: c, prefix: ['clusters', i] }))
    : [{ settings: value, prefix: [] }];
  const ofCluster = (prefix: YamlPath) => (p: SchemaProblem) => fleet && p.at.length > 1 && p.at[0] === 'clusters' && p.at[1] === prefix[1];
  const seen = new Map<string, number>();
  const clusters = items.map(({ settings, prefix }, i) => {
    const own = found.filter(ofCluster(prefix)).map((p) => ({ ...p, at: p.at.slice(prefix.length), leftOut: p.leftOut.slice(prefix.length) }));
    const names = nameProblems(settings, fleet, i, seen, (field) => doc.locate([...prefix, ...field]));
    const checked = fleet ? own : found;
    const locate = (field: YamlPath) => doc.locate([...prefix, ...field]);
    const problems = sortByLine([...checked.map((p) => p.error), ...names.map((p) => p.error)]);
    const leftOut = [...checked, ...names].map((p) => locate(p.leftOut).field ?? '');
    // a wrong name stays, to name the cluster in messages (nothing is written)
    const kept = withoutPaths(
      isObject(settings) ? settings : {},
      checked.map((p) => p.leftOut),
    );
    return { ...clusterSettings(kept, fleet, base, locate), problems, leftOut };
  });
  const top = fleet ? found.filter((p) => !items.some(({ prefix }) => ofCluster(prefix)(p))).map((p) => p.error) : [];
  return { file, fleet, clusters, problems: top };
}

/** The config file, read as YAML, when it exists and is a mapping. */
function readConfigDocument(filePath: string, file: string): LoadedYaml {
  if (!fs.existsSync(filePath)) {
    throw new UserError('config file not found; run where falco-audit.yaml is, or name the file with --config FILE (or FALCO_AUDIT_CONFIG=FILE)', {
      file,
    });
  }
  const doc = readYamlFile(filePath, { what: 'config file', file });
  const value = doc.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('config file must be a mapping with apiServer, audit and falco keys (or clusters:)', { file });
  }
  return doc;
}

/** A fleet larger than one run builds is refused before the schema is checked. */
function checkClusterCount(value: object, fleet: boolean, doc: LoadedYaml): void {
  const listed = (value as { clusters?: unknown }).clusters;
  if (fleet && Array.isArray(listed) && listed.length > MAX_CLUSTERS) {
    throw new UserError(
      `lists ${listed.length} clusters, more than the ${MAX_CLUSTERS} one run builds (every cluster is built and checked ` +
        'before the output is replaced); split the fleet into several config files and run the app once per file',
      doc.locate(['clusters']),
    );
  }
}

/** One problem the schema found: the error at its line, where it is (the document's path) and what is left out for it. */
interface SchemaProblem {
  readonly error: UserError;
  readonly at: YamlPath;
  /** The value left out: the bad one, or the whole list it is in (so that no index moves), or the missing key. */
  readonly leftOut: YamlPath;
}

/** Every problem the schema finds, in file order. */
function schemaProblems(value: object, fleet: boolean, doc: LoadedYaml): SchemaProblem[] {
  const { cluster, fleet: fleetValidator } = compiled();
  const validate = fleet ? fleetValidator : cluster;
  if (validate(value)) return [];
  const problems = explain(validate.errors ?? [], doc);
  problems.forEach((p) => SCHEMA_PROBLEMS.add(p.error));
  return problems;
}

/**
 * The cluster's name: in a fleet, a folder-safe name used once (it names the output folder); in a single-cluster
 * config none. The schema shares one cluster definition with the fleet form, where `name` names the output folder; a
 * single cluster is written to the output folder itself, so a name there would do nothing.
 */
function nameProblems(
  settings: any,
  fleet: boolean,
  i: number,
  seen: Map<string, number>,
  locate: (field: YamlPath) => ErrorLocation,
): SchemaProblem[] {
  const name: unknown = isObject(settings) ? settings.name : undefined;
  const problem = (message: string): SchemaProblem[] => [{ error: new UserError(message, locate(['name'])), at: ['name'], leftOut: ['name'] }];
  if (!fleet) {
    if (!isObject(settings) || !Object.prototype.hasOwnProperty.call(settings, 'name')) return [];
    return problem(
      `name ${JSON.stringify(settings.name)} is only for the clusters of a fleet (clusters: [{name: ..., apiServer: ...}], written to <outdir>/<name>/); ` +
        'a single cluster is written to the output folder itself: remove name, or list the cluster under clusters:',
    );
  }
  // a missing or mistyped name is the schema's problem
  if (typeof name !== 'string') return [];
  if (!matchesDns1123Label(name) || name.length > 63) {
    return problem(`cluster name must be lowercase letters, digits and '-', at most 63 characters (it names an output folder), got ${quote(name)}`);
  }
  if (seen.has(name)) return problem(`cluster name "${name}" is used twice (clusters[${seen.get(name)}] and clusters[${i}])`);
  seen.set(name, i);
  return [];
}

/** A copy of `value` without the values at `paths` (the parts on the way copied, the rest shared). */
function withoutPaths(value: Record<string, unknown>, paths: readonly YamlPath[]): Record<string, unknown> {
  const copy = (o: Record<string, unknown>) => Object.assign(Object.create(Object.getPrototypeOf(o)), o) as Record<string, unknown>;
  const out = copy(value);
  for (const p of paths) {
    if (p.length === 0) return {};
    let cur = out;
    for (const key of p.slice(0, -1)) {
      const next = cur[key as string];
      if (!isObject(next)) break;
      cur = cur[key as string] = copy(next);
    }
    delete cur[p[p.length - 1] as string];
  }
  return out;
}

/** One cluster's settings, with the files it names resolved against the config file's folder. */
function clusterSettings(
  settings: any,
  fleet: boolean,
  base: string,
  locate: (field: YamlPath) => ErrorLocation,
): Omit<ClusterSettings, 'problems' | 'leftOut'> {
  const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));
  const webhook = settings.audit?.webhook;
  const auditSink = settings.audit?.auditSink;
  return {
    name: fleet ? settings.name : undefined,
    kubernetesVersion: settings.kubernetesVersion,
    apiServer: {
      distribution: settings.apiServer?.distribution,
      manifest: resolve(settings.apiServer?.manifest),
      version: settings.apiServer?.version,
      serviceClusterIPRange: settings.apiServer?.serviceClusterIPRange,
      controllersRunWorkloads: settings.apiServer?.controllersRunWorkloads,
      hostFolder: settings.apiServer?.hostFolder,
    },
    audit: {
      backend: settings.audit?.backend ?? 'auto',
      auditSink: auditSink && { ...auditSink, certificateAuthority: resolve(auditSink.certificateAuthority) },
      webhook: webhook && { ...webhook, certificateAuthority: resolve(webhook.certificateAuthority) },
    },
    falco: { ...(settings.falco ?? {}), values: resolve(settings.falco?.values) },
    locate,
  };
}

/** One message per bad field: the deepest, most specific error ajv found there. */
function explain(errors: ErrorObject[], doc: LoadedYaml): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key = e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as any).additionalProperty}` : e.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), e]);
  }
  // A oneOf failing at a path also reports each branch's complaint; deeper paths are the real cause.
  const paths = [...byPath.keys()].filter(
    (p) => ![...byPath.keys()].some((q) => q !== p && q.startsWith(p + '/') && byPath.get(p)!.some((e) => e.keyword === 'oneOf')),
  );
  return paths.map((p) => {
    const list = byPath.get(p)!;
    const segments: (string | number)[] = p
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const missing = list.find((e) => e.keyword === 'required')?.params.missingProperty as string | undefined;
    return { error: new UserError(describe(list, segments), doc.locate(segments)), at: segments, leftOut: leftOutFor(segments, missing) };
  });
}

/** What a problem at `at` leaves out: the missing key, else the value, or the list holding it (no index may move). */
function leftOutFor(at: YamlPath, missing: string | undefined): YamlPath {
  if (missing !== undefined) return [...at, missing];
  const list = at.findIndex((k, i) => typeof k === 'number' && !(i === 1 && at[0] === 'clusters'));
  return list < 0 ? at : at.slice(0, list);
}

function describe(list: ErrorObject[], segments: (string | number)[]): string {
  const pick = (k: string) => list.find((e) => e.keyword === k);
  const value = (e: ErrorObject) => show(e.data);
  const extra = pick('additionalProperties');
  if (extra) {
    const allowed = Object.keys((extra.parentSchema as any)?.properties ?? {}).join(', ');
    return `unknown key ${quote(segments[segments.length - 1])} (allowed: ${allowed})`;
  }
  const oneOf = pick('oneOf');
  if (oneOf) return `must be ${(oneOf.parentSchema as any)['x-expected'] ?? 'one of the allowed forms'}, got ${value(oneOf)}`;
  const enumErr = pick('enum');
  if (enumErr) return `must be one of ${(enumErr.params as any).allowedValues.join(', ')}, got ${value(enumErr)}`;
  const type = pick('type');
  if (type) {
    const expected = (type.params as any).type;
    const got = type.data;
    const hint =
      typeof got === 'number' && segments[segments.length - 1] === 'kubernetesVersion'
        ? ` (quote it: unquoted YAML ${got} is a number, and 1.20 would read as 1.2)`
        : typeof got === 'number' && segments.join('.').endsWith('falco.version')
          ? ` (quote it: unquoted YAML ${got} is a number, and 0.40 would read as 0.4)`
          : '';
    const expectedText =
      expected === 'integer' ? 'a whole number' : expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : `a ${expected}`;
    return `must be ${expectedText}, got ${Array.isArray(got) ? 'a list' : got === null ? 'null' : typeof got === 'object' ? 'a mapping' : value(type)}${hint}`;
  }
  const required = pick('required');
  if (required) {
    const hint = (required.parentSchema as any)?.['x-hint'];
    return `missing required key "${(required.params as any).missingProperty}"${hint ? ` (${hint})` : ''}`;
  }
  const min = pick('minItems');
  if (min) return 'must list at least one item';
  return list.map((e) => e.message).join('; ');
}
