import { ErrorLocation, Problems, UserError } from '../core/errors';
import { matchesPath, privateKeyRefusal, scanSecrets, SecretFinding, UrlUse } from '../core/secret-scan';
import { isObject } from '../core/util';
import { YamlPath } from '../core/yaml';

/**
 * Secrets in a values file, of either chart, found by content: a private key in any string or key, a password in any
 * field the chart uses as a URL, and falcoctl's registry credentials. The values are rendered into the output, which
 * is meant for Git; each secret is refused at its key, with the way that keeps it out, and never shown.
 */

/** One secret in the values: the values path and the message (without the path). */
export interface ValuesSecretProblem {
  readonly path: YamlPath;
  readonly message: string;
}

/** The problems in the order of the file they came from (by line; unknown lines last, in their order). */
export function inFileOrder(problems: readonly ValuesSecretProblem[], locate: (path: YamlPath) => ErrorLocation): ValuesSecretProblem[] {
  return problems
    .map((p, i) => ({ p, i, line: locate(p.path).line ?? Infinity }))
    .sort((a, b) => a.line - b.line || a.i - b.i)
    .map((x) => x.p);
}

/** Throws the secrets in stable/falco values, all at once, each at its key (see `stableValuesSecrets`). */
export function refuseStableValuesSecrets(values: unknown, skip: readonly string[], locate: (path: YamlPath) => ErrorLocation): void {
  const problems = new Problems();
  for (const p of inFileOrder(stableValuesSecrets(values, skip), locate)) problems.add(new UserError(p.message, locate(p.path)));
  const file = locate([]).file;
  problems.throwIfAny((n) => `the values have ${n} problems:`, file ? { file } : {});
}

/** A field the chart uses as a URL: where it lands in the output, and the way to keep a password out of it. */
interface UrlField {
  /** The values path; `*` for any key or index. */
  readonly path: readonly string[];
  readonly use?: UrlUse;
  /** What in the output it is written into. */
  readonly where: string;
  /** The way out, after "; ". */
  readonly instead: string;
  /** A user name alone is a credential here too (a token). */
  readonly token?: boolean;
  /** Keys read through viper (falcoctl.yaml): matched in any case. */
  readonly ignoreCase?: boolean;
}

/** The field itself, or a string below it (a list where a URL belongs: its type error would quote the item). */
function atOrBelow(path: YamlPath, field: UrlField): boolean {
  return path.length >= field.path.length && matchesPath(path.slice(0, field.path.length), field.path, field.ignoreCase);
}

const PROXY_INSTEAD = "use a proxy that admits the cluster's nodes or pods without credentials in the URL (by source address)";

/**
 * The fields stable/falco 1.1.1 uses as URLs, as its templates write them and this tool renders them: falco.yaml's
 * http_output.url and the gcscc program's URL (templates/configmap.yaml:173, :184), the NATS sidecar's argument
 * (daemonset.yaml:136), the proxy variables (daemonset.yaml:70-77), and the program_output command (configmap.yaml:179).
 * That chart reads none of them from a Secret.
 */
const STABLE_URL_FIELDS: readonly UrlField[] = [
  {
    path: ['falco', 'httpOutput', 'url'],
    where: 'falco.yaml in the ConfigMap',
    instead:
      "point it at a receiver in the cluster that needs no credentials in the URL, such as falcosidekick (it keeps each output's credentials in " +
      'a Secret of its own), or use falcosecurity/falco values, where falco.http_output.url can be ${VAR} set by extra.env from a Secret',
  },
  {
    path: ['integrations', 'natsOutput', 'natsUrl'],
    where: "the falco-nats sidecar's arguments in the DaemonSet",
    instead: "use a NATS server that takes Falco's connections without credentials in the URL (admit only Falco's pods, e.g. with a NetworkPolicy)",
    token: true,
  },
  { path: ['proxy', 'httpProxy'], where: "the pod's http_proxy environment variable in the DaemonSet", instead: PROXY_INSTEAD },
  { path: ['proxy', 'httpsProxy'], where: "the pod's https_proxy environment variable in the DaemonSet", instead: PROXY_INSTEAD },
  {
    path: ['integrations', 'gcscc', 'webhookUrl'],
    where: "the gcscc program's curl command in falco.yaml in the ConfigMap",
    instead: "give the connector's URL without credentials: its token comes from the Secret named in integrations.gcscc.existingSecret",
  },
  {
    path: ['falco', 'programOutput', 'program'],
    use: 'command',
    where: 'falco.yaml in the ConfigMap',
    instead: 'point the program at a receiver in the cluster that needs no credentials in the URL, such as falcosidekick',
  },
];

/** Proxy variables, as libcurl (Falco's http output) and Go (falcoctl) read them, in either case. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'];

/** stable/falco's `daemonset.env` (name -> value): the Falco container's variables (daemonset.yaml:86-89). */
function stableEnvField(path: YamlPath): UrlField | undefined {
  if (path.length !== 3 || path[0] !== 'daemonset' || path[1] !== 'env') return undefined;
  if (!PROXY_VARIABLES.includes(String(path[2]).toLowerCase())) return undefined;
  return { path: ['daemonset', 'env', '*'], where: "the Falco container's environment in the DaemonSet", instead: PROXY_INSTEAD };
}

function stableUrlField(path: YamlPath): UrlField | undefined {
  return STABLE_URL_FIELDS.find((f) => atOrBelow(path, f)) ?? stableEnvField(path);
}

/** How stable/falco uses the string at `path` as a URL, if it does. @internal */
export function stableUrlUse(path: YamlPath): UrlUse | undefined {
  const field = stableUrlField(path);
  return field && (field.use ?? 'url');
}

/** The way out of a private key in stable/falco values. */
const STABLE_KEY_WAY =
  "keep the key in a Secret in Falco's namespace (kubectl create secret generic, or a SealedSecret or ExternalSecret you manage) and refer " +
  "to it: the webserver's certificate and key go in a Secret with the key falco.pem named in the config's falco.tlsSecret, and " +
  'falco.webserver.sslCertificate is the path Falco reads them at, not their content';

/**
 * Every secret in stable/falco values, in document order. `skip` names the keys a check of their own refuses (the
 * chart's Secret values), whose messages say more.
 */
export function stableValuesSecrets(values: unknown, skip: readonly string[] = []): ValuesSecretProblem[] {
  const heads = new Set(skip.map((s) => s.split('.')[0]));
  const findings = scanSecrets(values, {
    urlUse: stableUrlUse,
    // the join only where a skipped key can be
    skip: (path) => heads.has(String(path[0])) && skip.includes(path.join('.')),
  });
  return findings.flatMap((f) => findingProblem(f, STABLE_KEY_WAY, stableUrlField(f.path)));
}

/** A finding as a problem: a key always, a URL password always, a bare user only where it is a token. */
function findingProblem(f: SecretFinding, keyWay: string, field: UrlField | undefined): ValuesSecretProblem[] {
  if (f.kind === 'private-key') {
    return [
      {
        path: f.path,
        message: `${privateKeyRefusal(f)}: the values are rendered into the output, which is meant for Git, and a private key must never be there; ${keyWay}`,
      },
    ];
  }
  if (field === undefined || (f.kind === 'url-user' && !field.token)) return [];
  const what = f.kind === 'url-password' ? 'a password' : 'credentials (a user or token)';
  const carries = f.use === 'command' ? `this command holds a URL that carries ${what}` : `this URL carries ${what}`;
  return [
    {
      path: f.path,
      message: `refused: ${carries} before its '@', which would be written into ${field.where} in the output, which is meant for Git; ${field.instead}`,
    },
  ];
}

/** Where a Secret's keys reach falcoctl: its containers' envFrom (or env with valueFrom.secretKeyRef). */
const FALCOCTL_ENV_WAY =
  "create a Secret in Falco's namespace with that key and give it to falcoctl with falcoctl.artifact.install.envFrom: [{secretRef: {name: <secret>}}] " +
  '(and falcoctl.artifact.follow.envFrom when the follower is on)';

/** falcoctl.yaml, as the chart writes falcoctl.config into a ConfigMap (templates/falcoctl-configmap.yaml:13 @ 9.1.0). */
const FALCOCTL_YAML = 'the falcoctl ConfigMap (falcoctl.yaml)';

/**
 * falco.yaml's way out: Falco expands `${VAR}` in it (userspace/falco/yaml_helper.h pre_process_env_vars @ 0.37.0;
 * userspace/engine/yaml_helper.h @ 0.44.1), which every release the chart runs (0.37+) does.
 */
const FALCO_VAR_WAY = "Falco expands ${VAR} in falco.yaml from its environment: write the URL's password as ${VAR} and set it from a Secret";

/**
 * The fields falcosecurity/falco 9.1.0 uses as URLs: falco.yaml's http_output.url and program_output command
 * (templates/configmap.yaml:16 writes falco.* as it is), and the URLs falcoctl reads from falcoctl.yaml (the keys
 * of falcoctl internal/config/config.go: indexes[].url, artifact.follow.falcoversions, registry.auth.oauth[].tokenURL,
 * driver.repos; v0.7.2-v0.13.0); each also has its FALCOCTL_ variable (the README's environment table; driver.repos:
 * config.go `DriverRepos`, v0.13.0:589-596, ';' between repositories).
 */
const CHART_URL_FIELDS: readonly UrlField[] = [
  {
    path: ['falco', 'http_output', 'url'],
    where: 'falco.yaml in the ConfigMap',
    instead:
      'Falco expands ${VAR} in falco.yaml from its environment: write the URL as url: ${FALCO_HTTP_OUTPUT_URL} and set it from a ' +
      "Secret in Falco's namespace with extra.env: [{name: FALCO_HTTP_OUTPUT_URL, valueFrom: {secretKeyRef: {name: <secret>, key: url}}}]",
  },
  {
    path: ['falco', 'program_output', 'program'],
    use: 'command',
    where: 'falco.yaml in the ConfigMap',
    instead: `${FALCO_VAR_WAY} in Falco's namespace with extra.env: [{name: <VAR>, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}}]`,
  },
  {
    path: ['falcoctl', 'config', 'indexes', '*', 'url'],
    ignoreCase: true,
    where: FALCOCTL_YAML,
    instead:
      'move indexes out of the values: falcoctl also reads them from the environment variable FALCOCTL_INDEXES, as ' +
      `"<name>,<url>;<name>,<url>"; ${FALCOCTL_ENV_WAY}`,
  },
  {
    path: ['falcoctl', 'config', 'artifact', 'follow', 'falcoversions'],
    ignoreCase: true,
    where: FALCOCTL_YAML,
    instead: `falcoctl also reads it from the environment variable FALCOCTL_ARTIFACT_FOLLOW_FALCOVERSIONS; ${FALCOCTL_ENV_WAY}`,
  },
  {
    path: ['falcoctl', 'config', 'registry', 'auth', 'oauth', '*', 'tokenurl'],
    ignoreCase: true,
    where: FALCOCTL_YAML,
    instead:
      'remove registry.auth.oauth from the values: falcoctl also reads it from the environment variable FALCOCTL_REGISTRY_AUTH_OAUTH, as ' +
      `"<registry>,<client-id>,<client-secret>,<token-url>"; ${FALCOCTL_ENV_WAY}`,
  },
  {
    path: ['falcoctl', 'config', 'driver', 'repos', '*'],
    ignoreCase: true,
    where: FALCOCTL_YAML,
    instead: `falcoctl also reads them from the environment variable FALCOCTL_DRIVER_REPOS, as "<url>;<url>"; ${FALCOCTL_ENV_WAY}`,
  },
  // the string forms falcoctl also reads in the file ("<url>;<url>", "<name>,<url>;..."), refused here before a type
  // error could quote them
  ...(['driver.repos', 'indexes'] as const).map((key): UrlField => ({
    path: ['falcoctl', 'config', ...key.split('.')],
    use: 'url-list',
    ignoreCase: true,
    where: FALCOCTL_YAML,
    instead: `falcoctl reads the same from the environment variable FALCOCTL_${key.replace('.', '_').toUpperCase()}; ${FALCOCTL_ENV_WAY}`,
  })),
];

/** The environment lists of the chart's containers: Falco, falcoctl's two, extra init containers, the driver loader. */
const ENV_LISTS: readonly (readonly string[])[] = [
  ['extra', 'env'],
  ['falcoctl', 'artifact', 'install', 'env'],
  ['falcoctl', 'artifact', 'follow', 'env'],
  ['extra', 'initContainers', '*', 'env'],
  ['driver', 'loader', 'initContainer', 'env'],
];

/** falcoctl's variables that hold URLs (the README's environment table), and how. */
const FALCOCTL_URL_VARIABLES: Readonly<Record<string, UrlUse>> = {
  FALCOCTL_INDEXES: 'url-list',
  FALCOCTL_ARTIFACT_FOLLOW_FALCOVERSIONS: 'url',
  FALCOCTL_DRIVER_REPOS: 'url-list',
};

/** The way out of a literal environment variable, as core/v1 EnvVar.value describes `$(VAR)`. */
const ENV_INSTEAD =
  'set the variable with valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} instead of value, or set the password alone that way in a ' +
  'variable listed before this one and write it here as $(VAR) (the kubelet expands $(VAR) from the variables before it)';

/** An `env[i].value` of a chart container whose variable is a proxy or one of falcoctl's URL variables. */
function chartEnvField(values: unknown, path: YamlPath): UrlField | undefined {
  if (path[path.length - 1] !== 'value' || !ENV_LISTS.some((p) => matchesPath(path.slice(0, -2), p))) return undefined;
  const entry = at(values, path.slice(0, -1));
  const name = isObject(entry) && typeof entry.name === 'string' ? entry.name : '';
  const use = PROXY_VARIABLES.includes(name.toLowerCase()) ? 'url' : FALCOCTL_URL_VARIABLES[name];
  return use && { path: [], use, where: `the ${name} variable of a container in the Deployment`, instead: ENV_INSTEAD };
}

function at(values: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((o, k) => (isObject(o) ? o[k] : Array.isArray(o) ? o[k as number] : undefined), values);
}

function chartUrlField(values: unknown, path: YamlPath): UrlField | undefined {
  return CHART_URL_FIELDS.find((f) => atOrBelow(path, f)) ?? chartEnvField(values, path);
}

/** How falcosecurity/falco uses the string at `path` of `values` as a URL, if it does. @internal */
export function chartUrlUse(values: unknown, path: YamlPath): UrlUse | undefined {
  const field = chartUrlField(values, path);
  return field && (field.use ?? 'url');
}

/**
 * What the chart's own refusal of a certificate or key in the values says better (the chart would render them into a
 * Secret: certs.existingSecret and certs.existingClientSecret are the way out), so the scan leaves them to it.
 */
const CHART_CERT_VALUES = ['certs.server.key', 'certs.server.crt', 'certs.ca.crt', 'certs.client.key', 'certs.client.crt'];

/** The way out of a private key in falcosecurity/falco values (mounts: templates/pod-template.tpl @ 9.1.0). */
const CHART_KEY_WAY =
  "keep the key in a Secret in Falco's namespace (kubectl create secret generic, or a SealedSecret or ExternalSecret you manage) and refer " +
  "to it: Falco's server certificate and key in a Secret named in certs.existingSecret (mounted at /etc/falco/certs), the http output's " +
  'client certificate and key in one named in certs.existingClientSecret (/etc/falco/certs/client); falco.webserver.ssl_certificate and ' +
  'falco.http_output.client_key take the path of the mounted file, not its content';

/** Every secret in falcosecurity/falco values: keys, URL passwords and falcoctl's registry credentials, one per key. */
export function chartValuesSecrets(values: unknown): ValuesSecretProblem[] {
  const findings = scanSecrets(values, {
    urlUse: (path) => chartUrlUse(values, path),
    skip: (path) => path[0] === 'certs' && CHART_CERT_VALUES.includes(path.join('.')),
  });
  const problems = [
    ...findings.flatMap((f) => findingProblem(f, CHART_KEY_WAY, chartUrlField(values, f.path))),
    ...registryCredentials(values),
    ...falcoctlEnvCredentials(values),
  ];
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p.path);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** falcoctl's registry credential settings: its keys, its variable and the form of the variable. */
const REGISTRY_AUTH = {
  basic: { secretKey: 'password', secret: 'password', variable: 'FALCOCTL_REGISTRY_AUTH_BASIC', format: '"<registry>,<username>,<password>"' },
  oauth: {
    secretKey: 'clientsecret',
    secret: 'client secret',
    variable: 'FALCOCTL_REGISTRY_AUTH_OAUTH',
    format: '"<registry>,<client-id>,<client-secret>,<token-url>"',
  },
} as const;

/**
 * `registry.auth.basic` and `registry.auth.oauth` of falcoctl.config as falcoctl reads them: viper folds keys to lower
 * case (and reads a dotted key as its parts), mapstructure matches fields in any case and lifts one mapping into a
 * list, and a string is decoded in the environment variable's form "<registry>,<username>,<password>;..." by the
 * same hook (internal/config/config.go basicAuthListHookFunc and oathAuthListHookFunc, `case reflect.String`, at
 * v0.7.2:377,438 v0.9.0:383,450 v0.11.0:379,446 v0.11.2:379,446 v0.12.1:388,455 v0.12.2:388,455 v0.13.0:388,455).
 * A literal password or client secret, in either form, is refused; the messages never show it.
 */
function registryCredentials(values: unknown): ValuesSecretProblem[] {
  const out: ValuesSecretProblem[] = [];
  for (const { path, kind, value } of registryAuthEntries(at(values, ['falcoctl', 'config', 'registry']))) {
    const auth = REGISTRY_AUTH[kind];
    const literal = (x: unknown) => (typeof x === 'string' ? x !== '' : x !== undefined && x !== null);
    const way =
      `written into ${FALCOCTL_YAML} in the output, which is meant for Git. Remove registry.auth.${kind} from the values: falcoctl also reads ` +
      `it from the environment variable ${auth.variable}, as ${auth.format}; ${FALCOCTL_ENV_WAY}`;
    const entries: [unknown, YamlPath][] = Array.isArray(value) ? value.map((e, i) => [e, [...path, i]]) : [[value, path]];
    for (const [entry, entryPath] of entries) {
      if (typeof entry === 'string' && entry !== '') {
        out.push({
          path: entryPath,
          message: `refused: falcoctl reads a string here as ${auth.format}, registry credentials, which would be ${way}`,
        });
      } else if (isObject(entry)) {
        const key = Object.keys(entry).find((k) => k.toLowerCase() === auth.secretKey && literal(entry[k]));
        if (key !== undefined) out.push({ path: [...entryPath, key], message: `refused: a literal registry ${auth.secret} here would be ${way}` });
      }
    }
  }
  return out;
}

/** The values at `auth.basic` and `auth.oauth` below falcoctl.config.registry, in any case, nested or dotted. */
function registryAuthEntries(registry: unknown): { path: YamlPath; kind: keyof typeof REGISTRY_AUTH; value: unknown }[] {
  const out: { path: YamlPath; kind: keyof typeof REGISTRY_AUTH; value: unknown }[] = [];
  const walk = (v: unknown, path: YamlPath, parts: string[]): void => {
    const key = parts.join('.');
    if (key === 'auth.basic' || key === 'auth.oauth') out.push({ path, kind: parts[1] as keyof typeof REGISTRY_AUTH, value: v });
    else if (isObject(v) && parts.length < 2) for (const k of Object.keys(v)) walk(v[k], [...path, k], [...parts, ...k.toLowerCase().split('.')]);
  };
  walk(registry, ['falcoctl', 'config', 'registry'], []);
  return out;
}

/**
 * FALCOCTL_REGISTRY_AUTH_BASIC and _OAUTH as literal variables of falcoctl's containers: falcoctl reads them over the
 * file (internal/config/config.go `Load`: SetEnvPrefix + AutomaticEnv), and the chart writes env into the Deployment.
 */
function falcoctlEnvCredentials(values: unknown): ValuesSecretProblem[] {
  const out: ValuesSecretProblem[] = [];
  for (const c of ['install', 'follow']) {
    const env = at(values, ['falcoctl', 'artifact', c, 'env']);
    (Array.isArray(env) ? env : []).forEach((e, i) => {
      const literal = isObject(e) && (typeof e.value === 'string' ? e.value !== '' : e.value !== undefined && e.value !== null);
      if (literal && ['FALCOCTL_REGISTRY_AUTH_BASIC', 'FALCOCTL_REGISTRY_AUTH_OAUTH'].includes(e.name as string)) {
        out.push({
          path: ['falcoctl', 'artifact', c, 'env', i, 'value'],
          message:
            `refused: ${String(e.name)} holds registry credentials, and a literal value here would be written into the Deployment in the output, ` +
            `which is meant for Git; set it with valueFrom: {secretKeyRef: {name: <secret>, key: ${String(e.name)}}}, or ${FALCOCTL_ENV_WAY}`,
        });
      }
    });
  }
  return out;
}
