import { Problems, UserError } from '../core/errors';
import { checkLeavingOut } from './values-repair';
import { KubernetesVersion } from '../core/kubernetes-version';
import { isPortNumber } from '../core/port';
import { formatPath, readYamlFile, LoadedYaml, YamlPath } from '../core/yaml';
import { dns1123SubdomainProblems } from '../validation/names';
import { clone, closest, deepFreeze, describeKind, describeValue as describe, isObject, quote } from '../core/util';
import { apiServerValueProblems, valuesField } from './values-api-checks';
import { STABLE_CHART_DEFAULTS } from './stable-falco-1.1.1-values';
import { schemaFromDefaults } from './values-schema';
import { refuseStableValuesSecrets } from './values-secrets';

/** An own key of a plain record: `constructor`, `__proto__` or `hasOwnProperty` are not keys of every object. */
function hasKey(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/**
 * Values in the format of the legacy `stable/falco` chart 1.1.x (chart 1.1.1, Falco 0.19.0).
 * Every key is optional: what is not given takes the chart's default ({@link FALCO_CHART_DEFAULTS}).
 * Keys and defaults follow chart 1.1.1's values.yaml; `nameOverride` and `fullnameOverride` are
 * read by the chart's name helpers although values.yaml does not list them.
 */
export interface FalcoChartValues {
  /** Replaces the chart name (`falco`) in object names. @default - the chart name */
  readonly nameOverride?: string;
  /** Replaces the whole object name prefix. @default - the chart's fullname rule */
  readonly fullnameOverride?: string;
  /** The Falco image. */
  readonly image?: FalcoImageValues;
  /** The Docker socket Falco reads container metadata from. */
  readonly docker?: FalcoSocketValues;
  /** The containerd socket Falco reads container metadata from (`--cri`). */
  readonly containerd?: FalcoSocketValues;
  /** Container resources. @default requests 100m/512Mi, limits 200m/1024Mi */
  readonly resources?: Record<string, unknown>;
  /** Extra arguments appended to Falco's command line. @default [] */
  readonly extraArgs?: string[];
  /** Pod node selector. @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** Pod affinity. @default {} */
  readonly affinity?: Record<string, unknown>;
  /** RBAC objects (ClusterRole, ClusterRoleBinding). */
  readonly rbac?: FalcoRbacValues;
  /** A PodSecurityPolicy for Falco (policy/v1beta1, served up to Kubernetes 1.24). */
  readonly podSecurityPolicy?: FalcoPodSecurityPolicyValues;
  /** The service account Falco runs as. */
  readonly serviceAccount?: FalcoServiceAccountValues;
  /** The event generator Deployment (test events). */
  readonly fakeEventGenerator?: FalcoFakeEventGeneratorValues;
  /** DaemonSet settings. */
  readonly daemonset?: FalcoDaemonSetValues;
  /** Proxy environment for Falco. */
  readonly proxy?: FalcoProxyValues;
  /** `TZ` of the Falco container. @default - none */
  readonly timezone?: string;
  /** Pod priority class. @default - none */
  readonly priorityClassName?: string;
  /** The eBPF driver instead of the kernel module. */
  readonly ebpf?: FalcoEbpfValues;
  /** Kubernetes audit events. */
  readonly auditLog?: FalcoAuditLogValues;
  /** falco.yaml settings. */
  readonly falco?: FalcoConfigValues;
  /** Extra rules files: file name -> rules text, loaded from `/etc/falco/rules.d`. @default {} */
  readonly customRules?: Record<string, string>;
  /** Output integrations (sidecars reading a named pipe, or a program output). */
  readonly integrations?: FalcoIntegrationsValues;
  /** Pod tolerations. @default - NoSchedule on node-role.kubernetes.io/master */
  readonly tolerations?: Record<string, unknown>[];
}

/** The Falco image. */
export interface FalcoImageValues {
  /** @default docker.io */ readonly registry?: string;
  /** @default falcosecurity/falco */ readonly repository?: string;
  /** The Falco version; it decides the shape (legacy up to 0.31, plugin from 0.32). @default 0.19.0 */
  readonly tag?: string;
  /** @default IfNotPresent */ readonly pullPolicy?: string;
}

/** A container runtime socket on the host. */
export interface FalcoSocketValues {
  /** @default true */ readonly enabled?: boolean;
  /** @default /var/run/docker.sock or /run/containerd/containerd.sock */ readonly socket?: string;
}

/** `rbac`: the ClusterRole and ClusterRoleBinding. */
export interface FalcoRbacValues {
  /** @default true */ readonly create?: boolean;
}

/** `podSecurityPolicy`: a PodSecurityPolicy for Falco. */
export interface FalcoPodSecurityPolicyValues {
  /** @default false */ readonly create?: boolean;
}

/** `serviceAccount`: the service account Falco runs as. */
export interface FalcoServiceAccountValues {
  /** @default true */ readonly create?: boolean;
  /** @default - the fullname when created, `default` otherwise */ readonly name?: string;
}

/** `fakeEventGenerator`: the event generator Deployment (test events). */
export interface FalcoFakeEventGeneratorValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default 1 */ readonly replicas?: number;
}

/** `daemonset`: DaemonSet settings. */
export interface FalcoDaemonSetValues {
  /** @default { type: RollingUpdate } */ readonly updateStrategy?: Record<string, unknown>;
  /** Extra environment variables for the Falco container. @default {} */
  readonly env?: Record<string, string | number | boolean>;
}

/** `proxy`: proxy environment for Falco. */
export interface FalcoProxyValues {
  /** @default - none */ readonly httpProxy?: string;
  /** @default - none */ readonly httpsProxy?: string;
  /** @default - none */ readonly noProxy?: string;
}

/** `ebpf`: the eBPF driver instead of the kernel module. */
export interface FalcoEbpfValues {
  /** @default false */ readonly enabled?: boolean;
  readonly settings?: FalcoEbpfSettingsValues;
}

/** `ebpf.settings`: what the eBPF driver needs from the host. */
export interface FalcoEbpfSettingsValues {
  /** Host network for eBPF JIT. @default true */ readonly hostNetwork?: boolean;
  /** Mount the host's /etc (kernel version on COS). @default true */ readonly mountEtcVolume?: boolean;
}

/** `auditLog`: Kubernetes audit events. */
export interface FalcoAuditLogValues {
  /** @default false */ readonly enabled?: boolean;
  readonly dynamicBackend?: FalcoDynamicBackendValues;
}

/** `auditLog.dynamicBackend`: the AuditSink that sends the API server's audit events to Falco. */
export interface FalcoDynamicBackendValues {
  /** An AuditSink (rendered by FalcoAuditSink). @default false */ readonly enabled?: boolean;
}

/** The `falco:` section: falco.yaml in camelCase. */
export interface FalcoConfigValues {
  /** @default falco_rules.yaml, falco_rules.local.yaml, k8s_audit_rules.yaml, rules.d under /etc/falco */
  readonly rulesFile?: string[];
  /** @default false */ readonly timeFormatISO8601?: boolean;
  /** @default false */ readonly jsonOutput?: boolean;
  /** @default true */ readonly jsonIncludeOutputProperty?: boolean;
  /** @default true */ readonly logStderr?: boolean;
  /** @default true */ readonly logSyslog?: boolean;
  /** @default info */ readonly logLevel?: string;
  /** @default debug */ readonly priority?: string;
  /** @default false */ readonly bufferedOutputs?: boolean;
  readonly syscallEventDrops?: FalcoSyscallEventDropsValues;
  readonly outputs?: FalcoOutputsValues;
  readonly syslogOutput?: FalcoSyslogOutputValues;
  readonly fileOutput?: FalcoFileOutputValues;
  readonly stdoutOutput?: FalcoStdoutOutputValues;
  /** The embedded webserver: the audit endpoint (Falco <= 0.31) and health endpoint. */
  readonly webserver?: FalcoWebserverValues;
  readonly programOutput?: FalcoProgramOutputValues;
  readonly httpOutput?: FalcoHttpOutputValues;
}

/** `falco.syscallEventDrops`: what Falco does when the kernel buffer drops system calls. */
export interface FalcoSyscallEventDropsValues {
  /** @default [log, alert] */ readonly actions?: string[];
  /** @default 0.03333 */ readonly rate?: number;
  /** @default 10 */ readonly maxBurst?: number;
}

/** `falco.outputs`: the token bucket that throttles notifications. */
export interface FalcoOutputsValues {
  /** @default 1 */ readonly rate?: number;
  /** @default 1000 */ readonly maxBurst?: number;
}

/** `falco.syslogOutput`: notifications to syslog. */
export interface FalcoSyslogOutputValues {
  /** @default true */ readonly enabled?: boolean;
}

/** `falco.fileOutput`: notifications to a file. */
export interface FalcoFileOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default false */ readonly keepAlive?: boolean;
  /** @default ./events.txt */ readonly filename?: string;
}

/** `falco.stdoutOutput`: notifications to standard output. */
export interface FalcoStdoutOutputValues {
  /** @default true */ readonly enabled?: boolean;
}

/** `falco.webserver`: the embedded webserver, the audit endpoint (Falco <= 0.31) and health endpoint. */
export interface FalcoWebserverValues {
  /** @default true */ readonly enabled?: boolean;
  /** @default 8765 */ readonly listenPort?: number;
  /** @default /k8s-audit */ readonly k8sAuditEndpoint?: string;
  /** @default false */ readonly sslEnabled?: boolean;
  /** @default /etc/falco/falco.pem */ readonly sslCertificate?: string;
}

/** `falco.programOutput`: notifications to a program's standard input. */
export interface FalcoProgramOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default false */ readonly keepAlive?: boolean;
  /** @default mail -s "Falco Notification" someone@example.com */ readonly program?: string;
}

/** `falco.httpOutput`: notifications posted to a URL. */
export interface FalcoHttpOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default http://some.url */ readonly url?: string;
}

/** The chart's output integrations. */
export interface FalcoIntegrationsValues {
  /** Google Cloud Security Command Center through a program output. */
  readonly gcscc?: FalcoGcsccValues;
  /** NATS sidecar reading the output pipe. */
  readonly natsOutput?: FalcoNatsOutputValues;
  /** Amazon SNS sidecar reading the output pipe. */
  readonly snsOutput?: FalcoSnsOutputValues;
  /** Google Pub/Sub sidecar reading the output pipe. */
  readonly pubsubOutput?: FalcoPubsubOutputValues;
}

/** `integrations.gcscc`: Google Cloud Security Command Center through a program output. */
export interface FalcoGcsccValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default http://sysdig-gcscc-connector.default.svc.cluster.local:8080/events */ readonly webhookUrl?: string;
  /**
   * The token, literally. Refused unless empty or the chart's published default: the output is meant for Git.
   * @default b27511f86e911f20b9e0f9c8104b4ec4
   */
  readonly webhookAuthenticationToken?: string;
  /**
   * Not a chart key: a Secret in Falco's namespace whose key `webhook-authentication-token` holds the token,
   * given to Falco as an environment variable that the program output's shell expands.
   * @default - none: the token is `webhookAuthenticationToken`
   */
  readonly existingSecret?: string;
}

/** `integrations.natsOutput`: NATS sidecar reading the output pipe. */
export interface FalcoNatsOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default nats://nats.nats-io.svc.cluster.local:4222 */ readonly natsUrl?: string;
}

/** `integrations.snsOutput`: Amazon SNS sidecar reading the output pipe. */
export interface FalcoSnsOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default "" */ readonly topic?: string;
  /**
   * Refused unless empty: give it in `existingSecret`. Not in the jsii API (a chart key, not camelCase).
   * @default ""
   * @jsii ignore
   */
  readonly aws_access_key_id?: string;
  /**
   * Refused unless empty: give it in `existingSecret`. Not in the jsii API (a chart key, not camelCase).
   * @default ""
   * @jsii ignore
   */
  readonly aws_secret_access_key?: string;
  /**
   * Not in the jsii API (a chart key, not camelCase): from other languages, set it in a values file.
   * @default ""
   * @jsii ignore
   */
  readonly aws_default_region?: string;
  /**
   * Not a chart key: a Secret in Falco's namespace with the chart's keys `aws_access_key_id` and
   * `aws_secret_access_key`; required when enabled (no Secret is rendered).
   * @default - none
   */
  readonly existingSecret?: string;
}

/** `integrations.pubsubOutput`: Google Pub/Sub sidecar reading the output pipe. */
export interface FalcoPubsubOutputValues {
  /** @default false */ readonly enabled?: boolean;
  /** @default "" */ readonly topic?: string;
  /** Refused unless empty: give it in `existingSecret`. @default "" */ readonly credentialsData?: string;
  /** Refused unless empty (the chart keeps it in its Secret): give it in `existingSecret`. @default "" */ readonly projectID?: string;
  /**
   * Not a chart key: a Secret in Falco's namespace with the chart's keys `gcp-credentials-data` and
   * `gcp-project-id`; required when enabled (no Secret is rendered).
   * @default - none
   */
  readonly existingSecret?: string;
}

/**
 * Every key present and typed: the values after merging over the defaults. A key whose default is null (see the
 * `nullable-string` overrides) stays null when the values leave it out.
 */
export type ResolvedFalcoValues = DeepRequired<FalcoChartValues>;

/** The dotted paths whose default is null: the `nullable-string` keys of {@link VALUE_OVERRIDES}. */
type NullByDefault = {
  [K in keyof typeof VALUE_OVERRIDES]: (typeof VALUE_OVERRIDES)[K] extends 'nullable-string' ? K : never;
}[keyof typeof VALUE_OVERRIDES];

type DeepRequired<T, P extends string = ''> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { readonly [K in keyof T & string]-?: DeepRequired<NonNullable<T[K]>, `${P}${K}.`> | (`${P}${K}` extends NullByDefault ? null : never) }
    : T;

// the vendored defaults are shared data: nobody may change them
deepFreeze(STABLE_CHART_DEFAULTS);

/** Keys chart 1.1.1 reads that its values.yaml does not list: its name helpers' overrides (templates/_helpers.tpl). */
const CHART_READS = { nameOverride: null, fullnameOverride: null };

/**
 * Keys of this tool, not of the chart, with defaults that keep the chart's output: the webserver's TLS, which chart
 * 1.1.1's templates/configmap.yaml writes as `ssl_enabled: false` and `ssl_certificate: /etc/falco/falco.pem`, and the
 * `existingSecret` of each integration with credentials (see {@link FalcoIntegrationsValues}).
 */
const TOOL_KEYS = {
  falco: { webserver: { sslEnabled: false, sslCertificate: '/etc/falco/falco.pem' } },
  integrations: { gcscc: { existingSecret: null }, snsOutput: { existingSecret: null }, pubsubOutput: { existingSecret: null } },
};

/**
 * Chart 1.1.1's values.yaml defaults (vendored by scripts/gen-chart-values.js), after the keys its templates read
 * that values.yaml lacks (`nameOverride`, `fullnameOverride`), with this tool's keys added.
 */
export const FALCO_CHART_DEFAULTS: ResolvedFalcoValues = deepFreeze(
  merge(merge(CHART_READS, STABLE_CHART_DEFAULTS, []), TOOL_KEYS, []) as ResolvedFalcoValues,
);

/** gcscc's token in chart 1.1.1's values.yaml (and its README): published, so no secret. */
const GCSCC_DEFAULT_TOKEN = FALCO_CHART_DEFAULTS.integrations.gcscc.webhookAuthenticationToken;

/** A value the chart treats as a secret, and where it must come from instead. */
export interface SecretValue {
  /** What it is, for messages. */
  readonly what: string;
  /** The `existingSecret` setting that replaces it. */
  readonly existingSecret: string;
  /** The key of that Secret that holds it. */
  readonly key: string;
  /** A literal that is no secret (the chart's published default), besides "". */
  readonly publicDefault?: string;
}

/**
 * Every value stable/falco 1.1.1 treats as a secret: the ones its templates/secret.yaml puts in its Secret, and
 * gcscc's authentication token, which its configmap.yaml writes into the program output's command line. A literal
 * one would be written into the output (a Secret's data is only base64), and the output is meant for Git.
 */
export const SECRET_VALUES: Readonly<Record<string, SecretValue>> = Object.freeze({
  'integrations.snsOutput.aws_access_key_id': {
    what: 'AWS access key id',
    existingSecret: 'integrations.snsOutput.existingSecret',
    key: 'aws_access_key_id',
  },
  'integrations.snsOutput.aws_secret_access_key': {
    what: 'AWS secret access key',
    existingSecret: 'integrations.snsOutput.existingSecret',
    key: 'aws_secret_access_key',
  },
  'integrations.pubsubOutput.credentialsData': {
    what: 'Google Cloud credentials file',
    existingSecret: 'integrations.pubsubOutput.existingSecret',
    key: 'gcp-credentials-data',
  },
  'integrations.pubsubOutput.projectID': {
    what: 'Google Cloud project id (the chart keeps it in its Secret too)',
    existingSecret: 'integrations.pubsubOutput.existingSecret',
    key: 'gcp-project-id',
  },
  'integrations.gcscc.webhookAuthenticationToken': {
    what: 'webhook authentication token',
    existingSecret: 'integrations.gcscc.existingSecret',
    key: 'webhook-authentication-token',
    publicDefault: GCSCC_DEFAULT_TOKEN,
  },
});

/** The type a values key must have. */
export type ValueType =
  | 'string'
  | 'nullable-string'
  | 'boolean'
  | 'integer'
  | 'port'
  | 'number'
  | 'string-list'
  | 'string-map'
  | 'scalar-map'
  | 'object'
  | 'object-list'
  | 'section';

/**
 * Keys whose type is not the one their default suggests: null defaults, a port, free-form Kubernetes data (`object`,
 * `object-list`), user data (`string-map`, `scalar-map`) and a rate whose default is a whole number.
 */
const VALUE_OVERRIDES = {
  nameOverride: 'nullable-string',
  fullnameOverride: 'nullable-string',
  resources: 'object',
  nodeSelector: 'string-map',
  affinity: 'object',
  'serviceAccount.name': 'nullable-string',
  'daemonset.updateStrategy': 'object',
  'daemonset.env': 'scalar-map',
  'proxy.httpProxy': 'nullable-string',
  'proxy.httpsProxy': 'nullable-string',
  'proxy.noProxy': 'nullable-string',
  timezone: 'nullable-string',
  priorityClassName: 'nullable-string',
  'falco.outputs.rate': 'number',
  'falco.webserver.listenPort': 'port',
  customRules: 'string-map',
  'integrations.gcscc.existingSecret': 'nullable-string',
  'integrations.snsOutput.existingSecret': 'nullable-string',
  'integrations.pubsubOutput.existingSecret': 'nullable-string',
  tolerations: 'object-list',
} as const satisfies Readonly<Record<string, ValueType>>;

/**
 * The schema of the values: dotted path -> type. `section` is a mapping whose keys are listed
 * here too; `object`, `string-map`, `scalar-map` and `object-list` are free-form Kubernetes or
 * user data whose inner keys are not checked here. Derived from {@link FALCO_CHART_DEFAULTS} and the overrides.
 */
export const FALCO_VALUES_SCHEMA: Readonly<Record<string, ValueType>> = Object.freeze(
  schemaFromDefaults<ValueType>(FALCO_CHART_DEFAULTS, VALUE_OVERRIDES, {
    string: 'string',
    boolean: 'boolean',
    integer: 'integer',
    number: 'number',
    list: 'string-list',
    section: 'section',
  }),
);

const EXPECTED: Record<ValueType, string> = {
  string: 'a string',
  'nullable-string': 'a string (or null)',
  boolean: 'a boolean (true or false)',
  integer: 'an integer',
  port: 'a port number (an integer from 1 to 65535)',
  number: 'a number',
  'string-list': 'a list of strings',
  'string-map': 'a mapping of strings to strings',
  'scalar-map': 'a mapping of names to strings, numbers or booleans',
  object: 'a mapping',
  'object-list': 'a list of mappings',
  section: 'a mapping',
};

/** Locates a values path for an error message. */
export type ValuesLocator = (path: YamlPath) => { file?: string; field?: string; line?: number; column?: number };

/**
 * Checks user values against {@link FALCO_VALUES_SCHEMA}, then against what the API server accepts in the fields
 * the values reach (names, label keys, quantities, environment variable names, config keys, host paths, the update
 * strategy). Throws a `UserError` naming the first unknown, mistyped or refused key: its dotted path, the file and
 * line (through `locate`), and what is expected. A YAML `null` is accepted anywhere and means "keep the chart
 * default", as in Helm.
 * @param kubernetesVersion the target's version, for the checks that differ by version
 * @default kubernetesVersion - only what every supported version refuses
 */
export function checkFalcoValues(
  value: unknown,
  locate: ValuesLocator = (p) => ({ field: formatPath(p) || undefined }),
  kubernetesVersion?: KubernetesVersion,
): FalcoChartValues {
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    // the whole document: say what it is, never what it says (a key or a token file given by mistake)
    throw new UserError(`values must be a mapping of chart keys, got ${describeKind(value)}`, locate([]));
  }
  // secrets first, and alone: a later message could echo part of one
  refuseStableValuesSecrets(value, Object.keys(SECRET_VALUES), locate);
  refuseProtoKeys(value, locate);
  // every unknown or mistyped key, literal secret and API server refusal of the file in one run
  const problems = new Problems();
  walkSection(value, [], locate, problems);
  if (problems.count === 0) problems.attempt(() => checkSecrets(value, locate));
  const tag = (value.image as Record<string, unknown> | null | undefined)?.tag;
  // A Docker tag has at most 128 characters (distribution/reference regexp.go: [\w][\w.-]{0,127}); a longer one is
  // refused before its text reaches a message.
  if (typeof tag === 'string' && tag.length > 128) {
    problems.add(new UserError(`an image tag has at most 128 characters, got ${describe(tag)} (${tag.length} characters)`, locate(['image', 'tag'])));
  }
  // image.tag is read as a Falco version by Falco itself (unless falco.version states it), which reports an
  // unusable tag at its line in this file
  if (problems.count === 0) {
    // what the API server would refuse in the objects the values reach, in file order (needs well-typed values)
    apiServerValueProblems(merge(FALCO_CHART_DEFAULTS, value, []) as Record<string, unknown>, kubernetesVersion)
      .map((p) => ({ ...p, at: { ...locate(p.path), field: valuesField(p.path) } }))
      .sort((a, b) => (a.at.line ?? Infinity) - (b.at.line ?? Infinity))
      .forEach((p) => problems.add(new UserError(p.message, p.at)));
  }
  const file = locate([]).file;
  problems.throwIfAny((n) => `the values have ${n} problems:`, file ? { file } : {});
  return value as FalcoChartValues;
}

/** How a URL's user info carries credentials (moved to the secret scanner, which every input goes through). */
export { urlCredentials } from '../core/secret-scan';

/**
 * Refuses a literal secret (see SECRET_VALUES) and checks the name of each `existingSecret`; keys and URLs with a
 * password are refused before, by the scan of every value (values-secrets.ts).
 */
function checkSecrets(value: Record<string, unknown>, locate: ValuesLocator): void {
  const at = (dotted: string): unknown => dotted.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), value);
  for (const [dotted, secret] of Object.entries(SECRET_VALUES)) {
    const literal = at(dotted);
    if (typeof literal !== 'string' || literal === '' || literal === secret.publicDefault) continue;
    throw new UserError(
      `refused: a literal ${secret.what} here would be written into the output, which is meant for Git. Remove it, ` +
        `create a Secret in Falco's namespace with the key ${secret.key} (kubectl create secret generic, or a SealedSecret ` +
        `or ExternalSecret you manage) and name it in ${secret.existingSecret}`,
      locate(dotted.split('.')),
    );
  }
  for (const dotted of new Set(Object.values(SECRET_VALUES).map((s) => s.existingSecret))) {
    const name = at(dotted);
    if (typeof name !== 'string') continue;
    const problems = dns1123SubdomainProblems(name);
    if (problems.length > 0) throw new UserError(`secret name ${quote(name)} ${problems.join('; ')}`, locate(dotted.split('.')));
  }
}

/**
 * A `__proto__` key anywhere: JavaScript would take it as the object's prototype when the values are merged or
 * rendered, and drop it without a word.
 */
function refuseProtoKeys(value: unknown, locate: ValuesLocator): void {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    else if (isObject(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k === '__proto__')
          throw new UserError(
            'the key "__proto__" is not accepted: JavaScript reads it as an object\'s prototype and would drop it',
            locate([...path, k]),
          );
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
}

function walkSection(obj: Record<string, unknown>, path: string[], locate: ValuesLocator, problems: Problems): void {
  for (const [key, child] of Object.entries(obj)) {
    const childPath = [...path, key];
    const dotted = childPath.join('.');
    const type = hasKey(FALCO_VALUES_SCHEMA, dotted) ? FALCO_VALUES_SCHEMA[dotted] : undefined;
    if (type === undefined) {
      const prefix = path.length ? `${path.join('.')}.` : '';
      const siblings = Object.keys(FALCO_VALUES_SCHEMA)
        .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'))
        .map((k) => k.slice(prefix.length));
      const hint = key.length <= 64 ? closest(key, siblings) : undefined; // edit distance is quadratic
      problems.add(
        new UserError(
          `unknown key ${quote(dotted)} for the stable/falco 1.1.x values` +
            (hint ? `; did you mean "${prefix}${hint}"?` : '') +
            `; known keys here: ${siblings.join(', ')}`,
          locate(childPath),
        ),
      );
      continue;
    }
    if (child === null || child === undefined) continue;
    const before = problems.count;
    problems.attempt(() => checkType(child, type, childPath, locate));
    if (type === 'section' && problems.count === before) walkSection(child as Record<string, unknown>, childPath, locate, problems);
  }
}

function checkType(v: unknown, type: ValueType, path: string[], locate: ValuesLocator): void {
  // a mistyped secret is described by its kind only (a number can be a credential too)
  const shown = path.join('.') in SECRET_VALUES ? describeKind(v) : describe(v);
  const fail = (what = EXPECTED[type], at: YamlPath = path): never => {
    throw new UserError(`expected ${what}, got ${shown}`, locate(at));
  };
  switch (type) {
    case 'string':
    case 'nullable-string':
      if (typeof v !== 'string') fail();
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail();
      return;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail('a non-negative integer');
      return;
    case 'port':
      if (!isPortNumber(v)) fail();
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail();
      return;
    case 'string-list':
      if (!Array.isArray(v)) fail();
      (v as unknown[]).forEach((item, i) => {
        if (typeof item !== 'string') {
          throw new UserError(`expected a string (an item of ${EXPECTED[type]}), got ${describe(item)}`, locate([...path, i]));
        }
      });
      return;
    case 'object-list':
      if (!Array.isArray(v)) fail();
      (v as unknown[]).forEach((item, i) => {
        if (!isObject(item)) {
          throw new UserError(`expected a mapping (an item of ${EXPECTED[type]}), got ${describe(item)}`, locate([...path, i]));
        }
      });
      return;
    case 'string-map':
    case 'scalar-map':
      if (!isObject(v)) fail();
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const ok = type === 'string-map' ? typeof item === 'string' : ['string', 'number', 'boolean'].includes(typeof item);
        if (!ok) {
          throw new UserError(
            `expected ${type === 'string-map' ? 'a string' : 'a string, number or boolean'} (a value of ${EXPECTED[type]}), got ${describe(item)}`,
            locate([...path, k]),
          );
        }
      }
      return;
    case 'object':
    case 'section':
      if (!isObject(v)) fail();
      return;
  }
}

/**
 * Merges user values over the chart defaults the way Helm does: mappings merge key by key, lists
 * and scalars replace, and a `null` keeps the default. The values are checked first.
 */
export function resolveFalcoValues(values: FalcoChartValues = {}): ResolvedFalcoValues {
  checkFalcoValues(values);
  return deepFreeze(merge(FALCO_CHART_DEFAULTS, values, []) as ResolvedFalcoValues);
}

function merge(base: unknown, over: unknown, path: string[]): unknown {
  if (over === undefined || over === null) return clone(base);
  // Mappings merge key by key at every depth (Helm's coalescing); lists and scalars replace.
  if (isObject(base) && isObject(over)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(base)) out[k] = clone(base[k]);
    for (const [k, v] of Object.entries(over)) {
      out[k] = hasKey(base, k) ? merge(base[k], v, [...path, k]) : clone(v);
    }
    return out;
  }
  return clone(over);
}

/** Options of {@link loadFalcoValues}. */
export interface LoadFalcoValuesOptions {
  /** The target's version, for the API server checks that differ by version. @default - what every supported version refuses */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * Keep going past the file's problems (values-repair.ts): they go here, and the values without the keys they name
   * are returned, so that a caller can check the rest with them. @internal
   */
  readonly _problems?: UserError[];
}

/**
 * Reads a values file (YAML or JSON) in the stable/falco 1.1.x format and checks it: an unknown
 * or mistyped key is a `UserError` naming the key, the file, its line and the expected type.
 * @returns the user's values (not merged; pass them to `Falco` or `resolveFalcoValues`)
 */
export function loadFalcoValues(file: string, shownAs: string = file, options: LoadFalcoValuesOptions = {}): FalcoChartValues {
  const loaded: LoadedYaml = readYamlFile(file, { what: 'Falco values file', file: shownAs });
  const locate: ValuesLocator = (p) => loaded.locate(p);
  const check = (v: unknown) => checkFalcoValues(v, locate, options.kubernetesVersion);
  const values = checkLeavingOut(loaded, check, (n) => `the values have ${n} problems:`, options._problems);
  LOCATORS.set(values, locate);
  return values;
}

/** The locator of values `loadFalcoValues` returned, if it did. @internal */
export function _valuesLocator(values: unknown): ValuesLocator | undefined {
  return isObject(values) ? LOCATORS.get(values) : undefined;
}

/** Where each values object `loadFalcoValues` returned came from, for errors found later (e.g. by Falco). */
const LOCATORS = new WeakMap<object, ValuesLocator>();

/**
 * An error about a values key (its `field` is a values path such as `podSecurityPolicy.create`) found after
 * loading, pointed at that key's file and line when the values came from `loadFalcoValues`; anything else is
 * returned as it is.
 */
export function locateValuesError(values: FalcoChartValues | undefined, err: unknown): unknown {
  if (!(err instanceof UserError) || !values || err.location.file || !err.location.field) return err;
  const locate = LOCATORS.get(values);
  const field = err.location.field;
  if (!locate || !hasKey(FALCO_VALUES_SCHEMA, field)) return err;
  const prefix = `${field}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new UserError(message, locate(field.split('.')));
}
