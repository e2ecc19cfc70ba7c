import { UserError, UserErrors } from '../core/errors';
import { formatPath, LoadedYaml, readYamlFile, YamlPath } from '../core/yaml';
import { clone, closest, deepFreeze, describeValue as describe, isObject } from '../core/util';
import { CHART_9_DEFAULTS, CHART_9_VERSION } from './chart-9.1.0-values';
import { KubernetesVersion } from '../core/kubernetes-version';
import { FALCO_VALUES_SCHEMA, FalcoChartValues, loadFalcoValues, LoadFalcoValuesOptions } from './values';
import { chartValuesSecrets, inFileOrder } from './values-secrets';
import { chartApiServerValueProblems } from './values-api-checks';
import { schemaFromDefaults } from './values-schema';
import { checkLeavingOut } from './values-repair';

/** The chart a values file is written for. */
export enum FalcoChart {
  /** The legacy `stable/falco` chart 1.1.x (Falco up to 0.31 as a DaemonSet, or this tool's plugin shape). */
  STABLE_FALCO_1_1_1 = 'stable/falco@1.1.1',
  /** The `falcosecurity/falco` chart 9.1.0 (Falco 0.44.1): `driver`, `collectors`, `controller`, `falcoctl`, `services`, `falco.*`. */
  FALCOSECURITY_FALCO_9_1_0 = 'falcosecurity/falco@9.1.0',
}

/** How messages name the falcosecurity/falco values. */
export const CHART_VALUES_NAME = `falcosecurity/falco ${CHART_9_VERSION} values`;

/** The image of a falcosecurity/falco chart value (`image`, `falcoctl.image`). */
export interface ChartImageValues {
  /** @default IfNotPresent */ readonly pullPolicy?: string;
  /** @default docker.io */ readonly registry?: string;
  /** @default falcosecurity/falco (falcoctl: falcosecurity/falcoctl) */ readonly repository?: string;
  /** @default - the chart's appVersion, 0.44.1 (falcoctl: 0.13.0) */ readonly tag?: string;
}

/** One falcoctl container of the chart (`falcoctl.artifact.install`, `falcoctl.artifact.follow`). */
export interface ChartFalcoctlContainerValues {
  /** The init container (install) or the sidecar (follow). The install container is required from Falco 0.37. */
  readonly enabled?: boolean;
  readonly env?: Record<string, unknown>[];
  readonly envFrom?: Record<string, unknown>[];
  /** @default ['--log-format=json'] */ readonly args?: string[];
  readonly resources?: Record<string, unknown>;
  /** @default - this tool's restricted context (no capabilities, no privilege escalation) */
  readonly securityContext?: Record<string, unknown>;
  readonly mounts?: ChartFalcoctlMountsValues;
}

/** The `mounts` of a falcoctl container: extra volume mounts. */
export interface ChartFalcoctlMountsValues {
  readonly volumeMounts?: Record<string, unknown>[];
}

/** One entry of `services`: a Service `<fullname>-<name>` with the rest of the entry as its spec. */
export interface ChartServiceValues {
  readonly name: string;
  readonly type?: string;
  readonly ports?: Record<string, unknown>[];
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/**
 * `falco.*`: falco.yaml itself, passed through and validated against the Falco release's own schema. Its snake_case
 * keys are not in the jsii API (jsii wants camelCase; these are falco.yaml's names): from other languages, give them
 * in a values file.
 */
export interface ChartFalcoYamlValues {
  /**
   * @default [/etc/falco/falco_rules.yaml, /etc/falco/falco_rules.local.yaml, /etc/falco/rules.d]
   * @jsii ignore
   */
  readonly rules_files?: string[];
  /** One entry must be the k8saudit plugin; its `open_params` decides the audit endpoint. @default [] */
  readonly plugins?: Record<string, unknown>[];
  /**
   * Must name k8saudit.
   * @default []
   * @jsii ignore
   */
  readonly load_plugins?: string[];
  /** @jsii ignore */
  readonly json_output?: boolean;
  /** @jsii ignore */
  readonly http_output?: Record<string, unknown>;
  readonly webserver?: Record<string, unknown>;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/**
 * Values in the format of the `falcosecurity/falco` chart 9.1.0, for an audit-only Falco as its `values-k8saudit.yaml`
 * preset deploys it. Every key is optional and merged over the chart's own values.yaml ({@link CHART_9_DEFAULTS}) the
 * way Helm merges; `driver.enabled: false`, `collectors.enabled: false` and `controller.kind: deployment` are
 * required. Keys the chart has that are not typed here are still checked (an unknown key is an error).
 */
export interface FalcosecurityChartValues {
  readonly image?: ChartImageValues;
  readonly imagePullSecrets?: Record<string, unknown>[];
  readonly nameOverride?: string;
  readonly fullnameOverride?: string;
  /** Must be empty or the namespace the config names. */
  readonly namespaceOverride?: string;
  readonly podAnnotations?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
  readonly serviceAccount?: ChartServiceAccountValues;
  readonly rbac?: ChartRbacValues;
  readonly podPriorityClassName?: string;
  readonly podSecurityContext?: Record<string, unknown>;
  readonly containerSecurityContext?: Record<string, unknown>;
  readonly resources?: Record<string, unknown>;
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: Record<string, unknown>;
  readonly tolerations?: Record<string, unknown>[];
  readonly healthChecks?: Record<string, Record<string, number>>;
  readonly tty?: boolean;
  readonly controller?: ChartControllerValues;
  readonly services?: ChartServiceValues[];
  /** Must be false (the default): no kernel driver. @default true */
  readonly driver?: ChartDriverValues;
  /** Must be off: no syscall events to enrich. @default enabled */
  readonly collectors?: ChartCollectorsValues;
  readonly mounts?: ChartMountsValues;
  readonly extra?: ChartExtraValues;
  readonly falcoHostnameEnv?: boolean;
  /** `existingSecret` / `existingClientSecret` are honoured; certificates and keys in the values are refused. */
  readonly certs?: ChartCertsValues;
  readonly customRules?: Record<string, string>;
  readonly falcoctl?: ChartFalcoctlValues;
  readonly falco?: ChartFalcoYamlValues;
  readonly metrics?: ChartMetricsValues;
  readonly serviceMonitor?: ChartServiceMonitorValues;
  readonly grafana?: Record<string, unknown>;
  readonly falcosidekick?: ChartFalcosidekickValues;
  readonly responseActions?: ChartResponseActionsValues;
  readonly scc?: ChartSccValues;
  readonly podHostname?: string;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `serviceAccount`: the service account Falco runs as. */
export interface ChartServiceAccountValues {
  readonly create?: boolean;
  readonly name?: string;
  readonly annotations?: Record<string, string>;
  readonly imagePullSecrets?: Record<string, unknown>[];
}

/** `rbac`: the chart's Role and RoleBinding (to list and update ConfigMaps in Falco's namespace). */
export interface ChartRbacValues {
  readonly create?: boolean;
}

/** `controller`: the workload that runs Falco. */
export interface ChartControllerValues {
  /** Must be `deployment`. @default daemonset */
  readonly kind?: string;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly deployment?: ChartControllerDeploymentValues;
  readonly daemonset?: Record<string, unknown>;
}

/** `controller.deployment`: the Deployment's replicas and history. */
export interface ChartControllerDeploymentValues {
  readonly replicas?: number;
  readonly revisionHistoryLimit?: number;
}

/** `driver`: the kernel driver, which this tool leaves off. Other keys are the chart's, checked but not typed here. */
export interface ChartDriverValues {
  readonly enabled?: boolean;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `collectors`: the container metadata collectors, which this tool leaves off. Other keys are checked, not typed. */
export interface ChartCollectorsValues {
  readonly enabled?: boolean;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `mounts`: extra volumes of the pod and volume mounts of the Falco container. */
export interface ChartMountsValues {
  readonly volumes?: Record<string, unknown>[];
  readonly volumeMounts?: Record<string, unknown>[];
}

/** `extra`: extra environment, arguments and init containers for Falco. */
export interface ChartExtraValues {
  readonly env?: Record<string, unknown>[];
  readonly args?: string[];
  readonly initContainers?: Record<string, unknown>[];
}

/** `certs`: the Secrets with the webserver's certificates and the http output's mTLS client certificate. Other keys are checked, not typed. */
export interface ChartCertsValues {
  readonly existingSecret?: string;
  readonly existingClientSecret?: string;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `falcoctl`: the falcoctl image, its containers and falcoctl.yaml. */
export interface ChartFalcoctlValues {
  readonly image?: ChartImageValues;
  readonly artifact?: ChartFalcoctlArtifactValues;
  /** falcoctl.yaml: `indexes`, `artifact.allowedTypes`, `artifact.install.refs` / `resolveDeps`, `artifact.follow.*`. */
  readonly config?: Record<string, unknown>;
}

/** `falcoctl.artifact`: the install init container and the follow sidecar. */
export interface ChartFalcoctlArtifactValues {
  readonly install?: ChartFalcoctlContainerValues;
  readonly follow?: ChartFalcoctlContainerValues;
}

/** `metrics`: Falco's metrics endpoint. Other keys are checked, not typed. */
export interface ChartMetricsValues {
  readonly enabled?: boolean;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `serviceMonitor`: a Prometheus ServiceMonitor. Other keys are checked, not typed. */
export interface ChartServiceMonitorValues {
  readonly create?: boolean;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `falcosidekick`: the falcosidekick subchart. Other keys are checked, not typed. */
export interface ChartFalcosidekickValues {
  readonly enabled?: boolean;
  /** @jsii ignore */
  readonly [key: string]: unknown;
}

/** `responseActions`: the falco-talon subchart. */
export interface ChartResponseActionsValues {
  readonly enabled?: boolean;
}

/** `scc`: an OpenShift SecurityContextConstraints object. */
export interface ChartSccValues {
  readonly create?: boolean;
}

/** The values after merging over the chart's defaults (plain data). */
export type ResolvedChartValues = Readonly<Record<string, any>>;

/** The type a chart values key must have. */
type KeyType =
  | 'string'
  | 'nullable-string'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'scalar'
  | 'list'
  | 'string-list'
  | 'map-list'
  | 'string-map'
  | 'open'
  | 'section';

/**
 * Keys whose type is not the one their default in values.yaml suggests: free-form Kubernetes data (`open`, not
 * descended into), lists of objects, `null` defaults, and keys the templates or falcoctl read that values.yaml does
 * not list (falcoctl internal/config/config.go:87-149 @ v0.13.0 for falcoctl.yaml; `revisionHistoryLimit`:
 * templates/deployment.yaml @ chart 9.1.0). `falco` is falco.yaml, checked against Falco's own schema instead.
 */
const KEY_OVERRIDES: Readonly<Record<string, KeyType>> = {
  global: 'open',
  imagePullSecrets: 'map-list',
  podAnnotations: 'string-map',
  podLabels: 'string-map',
  'serviceAccount.imagePullSecrets': 'map-list',
  'serviceAccount.annotations': 'string-map',
  podPriorityClassName: 'nullable-string',
  podSecurityContext: 'open',
  containerSecurityContext: 'open',
  resources: 'open',
  nodeSelector: 'string-map',
  affinity: 'open',
  tolerations: 'map-list',
  'controller.annotations': 'string-map',
  'controller.labels': 'string-map',
  'controller.daemonset.updateStrategy': 'open',
  'controller.deployment.revisionHistoryLimit': 'integer',
  services: 'map-list',
  'metrics.service.labels': 'string-map',
  'metrics.service.annotations': 'string-map',
  'metrics.service.ports': 'open',
  'mounts.volumes': 'map-list',
  'mounts.volumeMounts': 'map-list',
  'driver.loader.initContainer.env': 'map-list',
  'driver.loader.initContainer.args': 'string-list',
  'driver.loader.initContainer.resources': 'open',
  'driver.loader.initContainer.securityContext': 'open',
  'collectors.containerEngine.hooks': 'string-list',
  'collectors.containerEngine.engines': 'open',
  'collectors.kubernetes.collectorPort': 'scalar',
  'extra.env': 'map-list',
  'extra.args': 'string-list',
  'extra.initContainers': 'map-list',
  podHostname: 'nullable-string',
  customRules: 'string-map',
  falcosidekick: 'open',
  'falco-talon': 'open',
  'k8s-metacollector': 'open',
  'falcoctl.artifact.install.env': 'map-list',
  'falcoctl.artifact.install.envFrom': 'map-list',
  'falcoctl.artifact.install.args': 'string-list',
  'falcoctl.artifact.install.resources': 'open',
  'falcoctl.artifact.install.securityContext': 'open',
  'falcoctl.artifact.install.mounts.volumeMounts': 'map-list',
  'falcoctl.artifact.follow.env': 'map-list',
  'falcoctl.artifact.follow.envFrom': 'map-list',
  'falcoctl.artifact.follow.args': 'string-list',
  'falcoctl.artifact.follow.resources': 'open',
  'falcoctl.artifact.follow.securityContext': 'open',
  'falcoctl.artifact.follow.mounts.volumeMounts': 'map-list',
  'falcoctl.config.indexes': 'map-list',
  'falcoctl.config.registry': 'open',
  'falcoctl.config.driver': 'open',
  'falcoctl.config.artifact.allowedTypes': 'string-list',
  'falcoctl.config.artifact.noVerify': 'boolean',
  'falcoctl.config.artifact.install.refs': 'string-list',
  'falcoctl.config.artifact.install.assetsDir': 'string',
  'falcoctl.config.artifact.follow.refs': 'string-list',
  'falcoctl.config.artifact.follow.cron': 'string',
  'falcoctl.config.artifact.follow.startupBehavior': 'string',
  'falcoctl.config.artifact.follow.assetsDir': 'string',
  'falcoctl.config.artifact.follow.tmpDir': 'string',
  'serviceMonitor.labels': 'string-map',
  'serviceMonitor.selector': 'open',
  'serviceMonitor.tlsConfig': 'open',
  'serviceMonitor.relabelings': 'map-list',
  'serviceMonitor.targetLabels': 'string-list',
  'grafana.dashboards.configMaps': 'open',
  falco: 'open',
};

// the vendored defaults are shared data: nobody may change them
deepFreeze(CHART_9_DEFAULTS);

/** Every key of the chart's values: dotted path -> type, from values.yaml's defaults and {@link KEY_OVERRIDES}. */
export const CHART_VALUES_SCHEMA: Readonly<Record<string, KeyType>> = Object.freeze(
  schemaFromDefaults(CHART_9_DEFAULTS, KEY_OVERRIDES, {
    string: 'string',
    boolean: 'boolean',
    integer: 'integer',
    number: 'number',
    list: 'list',
    section: 'section',
  }),
);

const EXPECTED: Record<KeyType, string> = {
  string: 'a string',
  'nullable-string': 'a string (or null)',
  boolean: 'a boolean (true or false)',
  integer: 'a non-negative integer',
  number: 'a number',
  scalar: 'a string or a number',
  list: 'a list',
  'string-list': 'a list of strings',
  'map-list': 'a list of mappings',
  'string-map': 'a mapping of strings to strings',
  open: 'a mapping',
  section: 'a mapping',
};

/** One problem with a values key: the values path and the message (without the path). */
export interface ChartValuesProblem {
  readonly path: YamlPath;
  readonly message: string;
}

/** Locates a values path for an error message. */
export type ChartValuesLocator = (path: YamlPath) => { file?: string; field?: string; line?: number; column?: number };

const fieldOnly: ChartValuesLocator = (p) => ({ field: formatPath(p) || undefined });

/** Throws every problem at once: one `UserError` at its line, or a `UserErrors` listing them. */
export function throwChartProblems(problems: readonly ChartValuesProblem[], locate: ChartValuesLocator = fieldOnly): void {
  if (problems.length === 0) return;
  if (problems.length === 1) throw new UserError(problems[0].message, locate(problems[0].path));
  const errors = problems.map((p) => new UserError(p.message, locate(p.path)));
  const file = locate([]).file;
  throw new UserErrors(`${problems.length} problems in the ${CHART_VALUES_NAME}:`, errors, file ? { file } : {});
}

/**
 * Checks values against the chart's keys ({@link CHART_VALUES_SCHEMA}): every unknown key (with "did you mean") and
 * every mistyped one, and every key this tool refuses, each with its reason. All problems are reported at once.
 * `falco.*` is falco.yaml and is checked against the Falco release's schema when Falco is built.
 */
export function checkChartValues(
  value: unknown,
  locate: ChartValuesLocator = fieldOnly,
  kubernetesVersion?: KubernetesVersion,
): FalcosecurityChartValues {
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw new UserError(`values must be a mapping of chart keys, got ${describe(value)}`, locate([]));
  // secrets first, and alone: a later message could echo part of one
  throwChartProblems(inFileOrder(chartValuesSecrets(value), locate), locate);
  const problems: ChartValuesProblem[] = [];
  walkSection(value, [], problems);
  if (problems.length === 0) {
    const merged = resolveChartValues(value, false);
    problems.push(...refusals(value, merged));
    // what the API server would refuse in the fields the values reach, at the values' lines
    const refused = chartApiServerValueProblems(merged, kubernetesVersion).map((p, i) => ({ p, i, line: locate(p.path).line ?? Infinity }));
    problems.push(...refused.sort((a, b) => a.line - b.line || a.i - b.i).map((x) => x.p));
  }
  throwChartProblems(problems, locate);
  return value as FalcosecurityChartValues;
}

/** Keys chart 9 removed; the chart fails on them (templates/_helpers.tpl `falco.removedConfigGuard` @ chart 9.1.0). */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  'driver.ebpf': 'the legacy eBPF probe was removed in chart 9 (BREAKING-CHANGES.md)',
  'driver.gvisor': 'gVisor support was removed in chart 9 (BREAKING-CHANGES.md)',
};

function walkSection(obj: Record<string, unknown>, path: string[], problems: ChartValuesProblem[]): void {
  for (const [key, child] of Object.entries(obj)) {
    const childPath = [...path, key];
    const dotted = childPath.join('.');
    const type = CHART_VALUES_SCHEMA[dotted];
    if (type === undefined) {
      problems.push({ path: childPath, message: unknownKeyMessage(dotted, path, key) });
      continue;
    }
    // Helm: null removes the key (and with it the chart default)
    if (child === null || child === undefined) continue;
    const problem = typeProblem(child, type, childPath);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (type === 'section') walkSection(child as Record<string, unknown>, childPath, problems);
  }
}

function unknownKeyMessage(dotted: string, parent: string[], key: string): string {
  if (REMOVED_KEYS[dotted]) return `"${dotted}" is no longer a chart key: ${REMOVED_KEYS[dotted]}; remove it`;
  const prefix = parent.length ? `${parent.join('.')}.` : '';
  const siblings = Object.keys(CHART_VALUES_SCHEMA)
    .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'))
    .map((k) => k.slice(prefix.length));
  // a key one level too high (controller.replicas for controller.deployment.replicas) is found below
  const deeper = Object.keys(CHART_VALUES_SCHEMA).filter((k) => k.startsWith(prefix) && k.slice(prefix.length).includes('.'));
  const deepHint = closest(
    key,
    deeper.map((k) => k.slice(k.lastIndexOf('.') + 1)),
  );
  const sibling = closest(key, siblings);
  const hint = sibling ?? (deepHint && deeper.find((k) => k.endsWith(`.${deepHint}`))!.slice(prefix.length));
  // a stable/falco 1.1.x key in a falcosecurity/falco file: say where it went
  const legacy =
    parent.length === 0 && dotted in FALCO_VALUES_SCHEMA && !(dotted in CHART_VALUES_SCHEMA)
      ? ` ("${dotted}" is a stable/falco 1.1.x key: this file has falcosecurity/falco keys, and one file cannot mix the two; see the README, "Coming from the falco chart")`
      : '';
  return (
    `unknown key "${dotted}" for the ${CHART_VALUES_NAME}${legacy}` +
    (hint ? `; did you mean "${prefix}${hint}"?` : '') +
    (parent.length ? `; known keys here: ${siblings.join(', ')}` : '')
  );
}

function typeProblem(v: unknown, type: KeyType, path: string[]): ChartValuesProblem | undefined {
  const fail = (what = EXPECTED[type], at: YamlPath = path): ChartValuesProblem => {
    const quote = typeof v === 'number' && (type === 'string' || type === 'nullable-string') ? ` (quote it: unquoted YAML ${v} is a number)` : '';
    return { path: at, message: `expected ${what}, got ${describe(v)}${quote}` };
  };
  switch (type) {
    case 'string':
    case 'nullable-string':
      return typeof v === 'string' ? undefined : fail();
    case 'boolean':
      return typeof v === 'boolean' ? undefined : fail();
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : fail();
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : fail();
    case 'scalar':
      return typeof v === 'string' || typeof v === 'number' ? undefined : fail();
    case 'list':
      return Array.isArray(v) ? undefined : fail();
    case 'string-list':
    case 'map-list': {
      if (!Array.isArray(v)) return fail();
      const item = type === 'string-list' ? 'a string' : 'a mapping';
      const bad = v.findIndex((x) => (type === 'string-list' ? typeof x !== 'string' : !isObject(x)));
      return bad < 0 ? undefined : { path: [...path, bad], message: `expected ${item} (an item of ${EXPECTED[type]}), got ${describe(v[bad])}` };
    }
    case 'string-map': {
      if (!isObject(v)) return fail();
      const bad = Object.entries(v).find(([, x]) => typeof x !== 'string');
      return bad ? { path: [...path, bad[0]], message: `expected a string (a value of ${EXPECTED[type]}), got ${describe(bad[1])}` } : undefined;
    }
    case 'open':
    case 'section':
      return isObject(v) ? undefined : fail();
  }
}

/** Why this tool renders an audit-only Falco; every refusal of a syscall feature ends with it. */
export const AUDIT_ONLY_WHY =
  "this tool renders an audit-only Falco (the k8saudit plugin in one Deployment, as the chart's values-k8saudit.yaml does), " +
  'which needs no driver, no privileges and no host mounts';

/**
 * The keys this tool refuses, each with its reason: what would load a kernel driver or a syscall source, and what
 * the chart would render beside Falco that this tool does not (subcharts, metrics, certificates in Git).
 */
function refusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  return [
    ...driverRefusals(user, v),
    ...collectorRefusals(user, v),
    ...controllerRefusals(user, v),
    ...notRenderedRefusals(user, v),
    ...privilegeRefusals(v),
    ...falcoKeyRefusals(user, v),
  ];
}

/** The problem list one group of refusals fills, with its helpers: whether the user set a key, and a key's state. */
function refuser(user: Record<string, any>) {
  const out: ChartValuesProblem[] = [];
  const set = (path: string) => has(user, path.split('.'));
  const add = (path: string, message: string) => out.push({ path: path.split('.'), message });
  const state = (path: string, value: unknown) => `is ${JSON.stringify(value)}${set(path) ? '' : " (the chart's default)"}`;
  return { out, set, add, state };
}

/** A kernel driver (on by default) and driver kinds chart 9 dropped. */
function driverRefusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  const { out, add, state } = refuser(user);
  if (v.driver?.enabled !== false) {
    add(
      'driver.enabled',
      `${state('driver.enabled', v.driver?.enabled ?? true)}, but a kernel driver reads system calls on every node from a privileged ` +
        `DaemonSet, and ${AUDIT_ONLY_WHY}; set driver.enabled: false`,
    );
  }
  if (['ebpf', 'gvisor'].includes(v.driver?.kind)) {
    add('driver.kind', `is "${v.driver.kind}", which chart 9 no longer supports (BREAKING-CHANGES.md; the chart itself fails on it); remove it`);
  }
  return out;
}

/** The syscall enrichment collectors (container plugin, k8smeta), on by default. */
function collectorRefusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  const { out, set, add } = refuser(user);
  if (v.collectors?.enabled !== false) {
    for (const c of ['containerEngine', 'kubernetes']) {
      if (v.collectors?.[c]?.enabled !== false) {
        add(
          set(`collectors.${c}.enabled`) ? `collectors.${c}.enabled` : 'collectors.enabled',
          `collectors.${c} is on${set('collectors.enabled') || set(`collectors.${c}.enabled`) ? '' : " (the chart's default)"}, but ` +
            `${c === 'kubernetes' ? 'the k8smeta plugin and the k8s-metacollector subchart enrich' : 'the container plugin enriches'} syscall events, ` +
            `and ${AUDIT_ONLY_WHY}; set collectors.enabled: false`,
        );
      }
    }
  }
  return out;
}

/** A controller other than a Deployment, and the userspace-instrumentation arguments that keep the syscall source on. */
function controllerRefusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  const { out, add, state } = refuser(user);
  if (v.controller?.kind !== 'deployment') {
    const kind = v.controller?.kind ?? 'daemonset';
    add(
      'controller.kind',
      `${state('controller.kind', kind)}, but ${kind === 'daemonset' ? 'a DaemonSet runs one Falco per node for syscalls, and ' : ''}` +
        `${AUDIT_ONLY_WHY}; set controller.kind: deployment`,
    );
  }
  for (const arg of ['-u', '--userspace']) {
    const i = (v.extra?.args ?? []).indexOf(arg);
    if (i >= 0) {
      out.push({
        path: ['extra', 'args', i],
        message: `"${arg}" keeps the syscall source on (userspace instrumentation), and ${AUDIT_ONLY_WHY}; remove it`,
      });
    }
  }
  return out;
}

/** What the chart would render beside Falco that this tool does not: metrics, dashboards, subcharts, certificates in Git. */
function notRenderedRefusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  const { out, add } = refuser(user);
  const notRendered = (path: string, value: unknown, what: string, instead: string) => {
    add(path, `is ${JSON.stringify(value)}, but ${what} is not rendered by this tool; ${instead}`);
  };
  if (v.metrics?.enabled === true) {
    notRendered(
      'metrics.enabled',
      true,
      'the metrics Service',
      "set falco.metrics and falco.webserver.prometheus_metrics_enabled in falco.* for Falco's /metrics, or set metrics.enabled: false",
    );
  }
  if (v.serviceMonitor?.create === true) {
    notRendered('serviceMonitor.create', true, 'a Prometheus ServiceMonitor (it needs the metrics Service)', 'set serviceMonitor.create: false');
  }
  if (v.grafana?.dashboards?.enabled === true) {
    notRendered('grafana.dashboards.enabled', true, 'the Grafana dashboard ConfigMap', 'set grafana.dashboards.enabled: false');
  }
  if (v.falcosidekick?.enabled === true) {
    notRendered(
      'falcosidekick.enabled',
      true,
      'the falcosidekick subchart',
      'deploy falcosidekick on its own and point falco.http_output.url at it, or set falcosidekick.enabled: false',
    );
  }
  if (v.responseActions?.enabled === true) {
    notRendered('responseActions.enabled', true, 'the falco-talon subchart', 'deploy falco-talon on its own, or set responseActions.enabled: false');
  }
  for (const p of ['certs.server.key', 'certs.server.crt', 'certs.ca.crt', 'certs.client.key', 'certs.client.crt']) {
    const [, a, b] = p.split('.');
    if (v.certs?.[a]?.[b]) {
      add(
        p,
        `holds a certificate or key, which the chart would put in a Secret it renders; a private key does not belong in Git: create the Secret yourself ` +
          `and name it in certs.${a === 'client' ? 'existingClientSecret' : 'existingSecret'}`,
      );
    }
  }
  return out;
}

/** `podHostname` the chart never reads, and `falco.*` keys that mount host state, were removed, or are no falco.yaml key. */
function falcoKeyRefusals(user: Record<string, any>, v: ResolvedChartValues): ChartValuesProblem[] {
  const { out, add } = refuser(user);
  if (typeof v.podHostname === 'string' && v.podHostname !== '') {
    add(
      'podHostname',
      'is set, but chart 9.1.0 never reads it (templates/pod-template.tpl reads falco.podHostname, which would also land in falco.yaml); remove it',
    );
  }
  const f = user.falco;
  if (isObject(f)) {
    if (f.plugins_hostinfo === true) {
      add(
        'falco.plugins_hostinfo',
        "is true, so the chart mounts the host's /proc (hostPath); an audit-only Falco needs no host state, and this tool sets it to false on " +
          'Falco 0.40+ (an empty HOST_ROOT on 0.39) instead; remove it',
      );
    }
    for (const key of ['grpc', 'grpc_output']) {
      if (key in f) add(`falco.${key}`, 'was removed in chart 9 (BREAKING-CHANGES.md; the chart itself fails on it); remove it');
    }
    if ('podHostname' in f)
      add(
        'falco.podHostname',
        "is not a falco.yaml key; the chart would also set the pod's hostname from it, which an audit-only Falco does not need; remove it",
      );
  }
  return out;
}

/**
 * A privileged container, added capabilities and hostPath volumes: an audit-only Falco needs none of them (kernel
 * module and legacy eBPF drivers need privileged, modern eBPF needs BPF, SYS_RESOURCE, PERFMON and SYS_PTRACE; plugins
 * with no syscall source need nothing: ../shared/FACTS.md section 5, "Privileges"), so each is refused at its key.
 */
function privilegeRefusals(v: ResolvedChartValues): ChartValuesProblem[] {
  const out: ChartValuesProblem[] = [];
  const contexts: [YamlPath, unknown][] = [
    [['containerSecurityContext'], v.containerSecurityContext],
    [['falcoctl', 'artifact', 'install', 'securityContext'], v.falcoctl?.artifact?.install?.securityContext],
    [['falcoctl', 'artifact', 'follow', 'securityContext'], v.falcoctl?.artifact?.follow?.securityContext],
    ...(Array.isArray(v.extra?.initContainers) ? v.extra.initContainers : []).map((c: unknown, i: number): [YamlPath, unknown] => [
      ['extra', 'initContainers', i, 'securityContext'],
      isObject(c) ? c.securityContext : undefined,
    ]),
  ];
  for (const [path, sc] of contexts) {
    if (!isObject(sc)) continue;
    if (sc.privileged === true) {
      out.push({
        path: [...path, 'privileged'],
        message: `is true, but a privileged container is what a kernel driver needs, and ${AUDIT_ONLY_WHY}; remove it`,
      });
    }
    const add = isObject(sc.capabilities) ? sc.capabilities.add : undefined;
    if (Array.isArray(add) && add.length > 0) {
      out.push({
        path: [...path, 'capabilities', 'add'],
        message:
          `adds ${add.map((c) => JSON.stringify(c)).join(', ')}, but capabilities are what a syscall driver needs (modern eBPF: BPF, SYS_RESOURCE, PERFMON, ` +
          `SYS_PTRACE), and ${AUDIT_ONLY_WHY}; remove them`,
      });
    }
  }
  (Array.isArray(v.mounts?.volumes) ? v.mounts.volumes : []).forEach((vol: unknown, i: number) => {
    if (isObject(vol) && vol.hostPath !== undefined) {
      out.push({
        path: ['mounts', 'volumes', i, 'hostPath'],
        message: `mounts a folder of the node, and ${AUDIT_ONLY_WHY}; the audit events arrive over the network; use a configMap, secret or emptyDir volume instead`,
      });
    }
  });
  return out;
}

function has(obj: unknown, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isObject(cur) || !(p in cur)) return false;
    cur = cur[p];
  }
  return true;
}

/**
 * Merges values over the chart's defaults the way Helm does: mappings merge key by key, lists and scalars replace,
 * and `null` removes the key, default included (helm v3 pkg/chartutil/coalesce.go; checked with `helm template` of helm
 * v4.1.4: `falco.http_output: null` leaves http_output out of falco.yaml). The values are checked first.
 */
export function resolveChartValues(values: FalcosecurityChartValues = {}, check = true): ResolvedChartValues {
  if (check) checkChartValues(values);
  const resolved = deepFreeze(merge(CHART_9_DEFAULTS, values) as ResolvedChartValues);
  // problems found in the merged values point at the user's file too
  const locate = LOCATORS.get(values);
  if (locate) LOCATORS.set(resolved, locate);
  return resolved;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (isObject(base) && isObject(over)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(base)) out[k] = clone(base[k]);
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? merge(base[k], v) : clone(v);
    }
    return out;
  }
  return clone(over);
}

/** What a values file's keys say about the chart it is written for. @internal */
export interface ChartEvidence {
  /** The chart most of the telling keys belong to (stable/falco 1.1.1 on a tie, and for no values). */
  readonly chart: FalcoChart;
  /** The keys (dotted, at every depth) only falcosecurity/falco 9.1.0 has, in file order. */
  readonly chartKeys: string[];
  /** The keys only stable/falco 1.1.x has, in file order. */
  readonly stableKeys: string[];
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** True when chart 9.1.0 has the key: a values key, or a falco.yaml key its values.yaml sets (`falco.json_output`). */
function chartHasKey(dotted: string): boolean {
  if (hasOwn(CHART_VALUES_SCHEMA, dotted)) return true;
  if (!dotted.startsWith('falco.')) return false;
  let cur: unknown = CHART_9_DEFAULTS.falco;
  for (const part of dotted.slice('falco.'.length).split('.')) {
    if (!isObject(cur) || !hasOwn(cur, part)) return false;
    cur = cur[part];
  }
  return true;
}

/**
 * The evidence of every key: each key only one chart has (at any depth, inside the sections the charts know) counts
 * for that chart, a key both have or neither has for none; the chart with more keys wins. A stable/falco file
 * (`auditLog`, camelCase `falco.jsonOutput`) with one falcosecurity/falco key left in is still stable/falco's.
 * @internal
 */
export function _chartEvidence(values: unknown): ChartEvidence {
  const chartKeys: string[] = [];
  const stableKeys: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const dotted = prefix ? `${prefix}.${k}` : k;
      const stable = hasOwn(FALCO_VALUES_SCHEMA, dotted);
      const chart = chartHasKey(dotted);
      if (stable !== chart) (stable ? stableKeys : chartKeys).push(dotted);
      if ((stable || chart) && isObject(v)) walk(v, dotted);
    }
  };
  if (isObject(values)) walk(values, '');
  const chart = chartKeys.length > stableKeys.length ? FalcoChart.FALCOSECURITY_FALCO_9_1_0 : FalcoChart.STABLE_FALCO_1_1_1;
  return { chart, chartKeys, stableKeys };
}

/**
 * Which chart a values object is written for, by the evidence of its keys ({@link _chartEvidence}): the chart more of
 * its keys belong to; stable/falco 1.1.1 on a tie, which is also the answer for no values.
 */
export function detectFalcoChart(values: unknown): FalcoChart {
  return _chartEvidence(values).chart;
}

/** The outermost keys of each section (`driver`, not also `driver.enabled`). @internal */
export function _outerKeys(keys: readonly string[]): string[] {
  return keys.filter((k) => !keys.some((o) => k.startsWith(`${o}.`)));
}

/** Keys as a message names them: the outermost of each section, the first few. @internal */
export function _namedKeys(keys: readonly string[], max = 8): string {
  const outer = _outerKeys(keys);
  return outer.length > max ? `${outer.slice(0, max).join(', ')} and ${outer.length - max} more` : outer.join(', ');
}

/** Where each values object the loader returned came from, for errors found later (by Falco). */
const LOCATORS = new WeakMap<object, ChartValuesLocator>();

/**
 * Reads a values file (YAML or JSON) in the falcosecurity/falco 9.1.0 format and checks it (see
 * {@link checkChartValues}): every problem names the key, the file, its line and the reason.
 * @returns the user's values (not merged)
 */
export function loadFalcosecurityValues(file: string, shownAs: string = file, options: LoadFalcoValuesOptions = {}): FalcosecurityChartValues {
  return checkLoaded(readYamlFile(file, { what: 'Falco values file', file: shownAs }), options);
}

function checkLoaded(loaded: LoadedYaml, options: LoadFalcoValuesOptions): FalcosecurityChartValues {
  const locate: ChartValuesLocator = (p) => loaded.locate(p);
  const check = (v: unknown) => checkChartValues(v, locate, options.kubernetesVersion);
  const values = checkLeavingOut(loaded, check, (n) => `${n} problems in the ${CHART_VALUES_NAME}:`, options._problems);
  LOCATORS.set(values, locate);
  return values;
}

/** A values file and the chart it is for. */
export interface LoadedFalcoValues {
  readonly chart: FalcoChart;
  /** True when the chart was read from the file's keys, not stated. */
  readonly detected: boolean;
  readonly values: FalcoChartValues | FalcosecurityChartValues;
}

/**
 * Reads a values file for `chart`, or, when the chart is not stated, for the chart its keys are written for
 * ({@link detectFalcoChart}). stable/falco values are read by `loadFalcoValues`, exactly as before.
 */
export function loadFalcoValuesFile(
  file: string,
  shownAs: string = file,
  chart?: FalcoChart,
  options: LoadFalcoValuesOptions = {},
): LoadedFalcoValues {
  if (chart === FalcoChart.STABLE_FALCO_1_1_1) return { chart, detected: false, values: loadFalcoValues(file, shownAs, options) };
  const loaded = readYamlFile(file, { what: 'Falco values file', file: shownAs });
  const evidence = _chartEvidence(loaded.value);
  const which = chart ?? evidence.chart;
  if (which === FalcoChart.STABLE_FALCO_1_1_1)
    return { chart: which, detected: true, values: loadStableByEvidence(file, shownAs, options, evidence) };
  return { chart: which, detected: chart === undefined, values: checkLoaded(loaded, options) };
}

/**
 * stable/falco values the keys decided on: a falcosecurity/falco key in them is unknown, and its message names the keys
 * that decided, so that a file of the other chart with a few stable/falco keys can be told apart from a stray key.
 */
function loadStableByEvidence(file: string, shownAs: string, options: LoadFalcoValuesOptions, evidence: ChartEvidence): FalcoChartValues {
  if (evidence.chartKeys.length === 0) return loadFalcoValues(file, shownAs, options);
  const others = _outerKeys(evidence.chartKeys);
  const hint =
    ` (a ${CHART_VALUES_NAME.replace(' values', '')} key: the file is read as stable/falco values by its keys ${_namedKeys(evidence.stableKeys)}, ` +
    `against ${_namedKeys(evidence.chartKeys)}; one file cannot mix the two; set falco.chart (library: chart) to say which chart it is for)`;
  const told = (e: UserError) =>
    e.location.field !== undefined && others.includes(e.location.field) ? new UserError(`${e.detail}${hint}`, e.location) : e;
  const tell = (err: UserError) =>
    UserErrors.isUserErrors(err) && err.errors.length === err.problems.length && err.errors.length > 0
      ? new UserErrors(err.detail.split('\n')[0], err.errors.map(told), err.location)
      : told(err);
  const found: UserError[] | undefined = options._problems && [];
  try {
    return loadFalcoValues(file, shownAs, { ...options, _problems: found });
  } catch (err) {
    throw UserError.isUserError(err) ? tell(err) : err;
  } finally {
    options._problems?.push(...(found ?? []).map(tell));
  }
}

/** The locator of values the loader returned (or their merge), else one that names the field only. @internal */
export function chartValuesLocator(values: unknown): ChartValuesLocator {
  return (isObject(values) && LOCATORS.get(values)) || fieldOnly;
}

/**
 * An error about a values key (its `field` a values path such as `services[0].ports[0].nodePort`) found after loading,
 * pointed at that key's file and line when the values came from {@link loadFalcosecurityValues}.
 */
export function locateChartValuesError(values: unknown, err: unknown): unknown {
  if (!(err instanceof UserError) || !isObject(values) || err.location.file || !err.location.field) return err;
  const locate = LOCATORS.get(values);
  if (!locate) return err;
  const path = fieldPath(err.location.field);
  if (!(String(path[0]) in CHART_VALUES_SCHEMA)) return err;
  return new UserError(err.detail, locate(path));
}

/** `a.b[2].c` -> ['a', 'b', 2, 'c']. */
export function fieldPath(field: string): (string | number)[] {
  return field
    .split(/\.|(?=\[)/)
    .filter(Boolean)
    .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}
