/*
 * The API server's checks on what the values put into Falco's objects, run when the values are loaded so that a
 * refusal points at the key in the values file (the same checks run again on the rendered objects). The values
 * are poured into stand-ins of the objects they reach (the workload with its pod template, the Services, the
 * ServiceAccount, the rules ConfigMap), and each stand-in is checked with the validation layer's own schema and
 * rules, so there is one copy of each rule, and for the fields this tool refuses (lib/validation/field-coverage.ts).
 * scripts/gen-reachable-fields.js finds where the values land in the emitted objects; its test holds the stand-ins
 * to it. Internal.
 */
import { KubernetesVersion } from '../core/kubernetes-version';
import {
  checkAffinity,
  checkAnnotations,
  checkConfigData,
  checkContainerEnv,
  checkContainerImage,
  checkContainerNames,
  checkContainerPorts,
  checkDaemonSetUpdateStrategy,
  checkEnvFrom,
  checkEnvSources,
  checkHostPathTypes,
  checkInitContainers,
  checkLabels,
  checkPodAnnotations,
  checkPodSpecNames,
  checkPrivilegedEscalation,
  checkProbes,
  checkResourceQuantities,
  checkSecurityContexts,
  checkSecurityProfiles,
  checkServicePorts,
  checkServiceSpec,
  checkSysctls,
  checkTerminationMessagePolicy,
  checkTolerations,
  checkVolumeMountOptions,
  checkVolumeMounts,
  checkVolumes,
  checkVolumeMountSubPaths,
  checkVolumeSources,
  checkWorkloadCounts,
  refusedFields,
  SemanticRule,
  validateManifest,
  ValidationItem,
  Violation,
} from '../validation';
import { child, isObject } from '../core/util';
import { formatPath, YamlPath } from '../core/yaml';

/**
 * The rules every stand-in is checked with: every semantic rule about a single object's fields. Left out are the ones
 * about the set and the tool's own wiring (object names, namespaces, duplicate objects, selectors, cluster IPs against
 * the cluster's range), which see the rendered objects.
 */
const STAND_IN_RULES: readonly SemanticRule[] = [
  checkLabels,
  checkAnnotations,
  checkPodAnnotations,
  checkPrivilegedEscalation,
  checkContainerNames,
  checkVolumes,
  checkVolumeSources,
  checkVolumeMounts,
  checkVolumeMountSubPaths,
  checkVolumeMountOptions,
  checkHostPathTypes,
  checkSecurityContexts,
  checkSecurityProfiles,
  checkSysctls,
  checkContainerPorts,
  checkResourceQuantities,
  checkTolerations,
  checkContainerEnv,
  checkEnvSources,
  checkEnvFrom,
  checkContainerImage,
  checkInitContainers,
  checkProbes,
  checkTerminationMessagePolicy,
  checkPodSpecNames,
  checkAffinity,
  checkDaemonSetUpdateStrategy,
  checkWorkloadCounts,
  checkConfigData,
  checkServicePorts,
  checkServiceSpec,
];

/** A values path as messages show it, odd keys quoted: `customRules["../x"]`, `daemonset.env["A=B"]`. */
export function valuesField(path: YamlPath): string {
  return path.reduce<string>((out, part) => child(out, part), '');
}

/** One problem, at a values path. */
export interface ValuesProblem {
  readonly path: YamlPath;
  readonly message: string;
}

type Values = Record<string, any>;

/** Where the stand-in workload's pod spec is. */
const POD = 'spec.template.spec';
/** The namespace and name of the stand-ins (the real ones come from the config; a violation there is not the values'). */
const META = { name: 'falco', namespace: 'falco' };

/** A stand-in object and where its fields came from in the values: a path prefix of the stand-in -> a values path. */
interface Source {
  readonly item: ValidationItem;
  /** Stand-in path prefix -> values path (longest prefix wins). */
  readonly origins: readonly [string, YamlPath][];
}

/** `spec.containers[0].env[2].name` -> ['spec', 'containers', 0, 'env', 2, 'name'] (the validation layer's `child` form). */
export function parseRulePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const token = /(?:^|\.)([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (token.lastIndex < path.length && (m = token.exec(path)) !== null) {
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
  }
  return out;
}

function sameStart(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/** The pod's service account as both charts set it: a non-empty `serviceAccount.name`, else none. */
function serviceAccountName(v: Values): string | undefined {
  return typeof v.serviceAccount?.name === 'string' && v.serviceAccount.name !== '' ? v.serviceAccount.name : undefined;
}

/** A mapping, or undefined when it is empty or no mapping (the charts leave those out). */
function nonEmpty(v: unknown): Values | undefined {
  return isObject(v) && Object.keys(v).length > 0 ? v : undefined;
}

/** The stand-in workload of `kind` around a pod template; its selector selects the template (both the charts' own). */
function workload(kind: string, spec: Values, template: { labels?: Values; annotations?: Values; spec: Values }, metadata: Values = {}): Values {
  const selector = { app: 'falco', ...(metadata.selector ?? {}) };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { ...META, labels: metadata.labels, annotations: metadata.annotations },
    spec: {
      ...spec,
      selector: { matchLabels: selector },
      template: { metadata: { labels: { ...(template.labels ?? {}), ...selector }, annotations: template.annotations }, spec: template.spec },
    },
  };
}

/** The scheduling keys both formats put at the top level of the values, in the pod spec's place. */
const SCHEDULING_ORIGINS: [string, YamlPath][] = [
  [`${POD}.nodeSelector`, ['nodeSelector']],
  [`${POD}.tolerations`, ['tolerations']],
  [`${POD}.affinity`, ['affinity']],
];

/** The rules ConfigMap (`customRules`), which both values formats fill. */
function rulesConfigMap(v: Values): Source {
  return {
    item: { source: 'values', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: META, data: v.customRules } },
    origins: [['data', ['customRules']]],
  };
}

/** The stand-in container env for the values in the chart's order (shape-context valuesEnv), and where each name came from. */
function legacyEnv(v: Values): { env: { name: string; value: string }[]; envFrom: [string, YamlPath][] } {
  const env: { name: string; value: string }[] = [];
  const envFrom: [string, YamlPath][] = [];
  const addEnv = (name: string, value: unknown, from: YamlPath) => {
    envFrom.push([`${POD}.containers[0].env[${env.length}].name`, from], [`${POD}.containers[0].env[${env.length}].value`, from]);
    env.push({ name, value: String(value) });
  };
  // the chart's order (shape-context valuesEnv): proxy, TZ, then daemonset.env by name
  if (v.proxy?.httpProxy) addEnv('http_proxy', v.proxy.httpProxy, ['proxy', 'httpProxy']);
  if (v.proxy?.httpsProxy) addEnv('https_proxy', v.proxy.httpsProxy, ['proxy', 'httpsProxy']);
  if (v.proxy?.noProxy) addEnv('no_proxy', v.proxy.noProxy, ['proxy', 'noProxy']);
  if (v.timezone) addEnv('TZ', v.timezone, ['timezone']);
  for (const key of Object.keys(v.daemonset?.env ?? {}).sort()) addEnv(key, v.daemonset.env[key], ['daemonset', 'env', key]);
  return { env, envFrom };
}

/** The event generator's Deployment: its replicas, when it is on. */
function eventGenerator(v: Values): Source[] {
  if (v.fakeEventGenerator?.enabled !== true) return [];
  const object = workload(
    'Deployment',
    { replicas: v.fakeEventGenerator.replicas },
    { spec: { containers: [{ name: 'event-generator', image: 'event-generator' }] } },
  );
  return [{ item: { source: 'values', object }, origins: [['spec.replicas', ['fakeEventGenerator', 'replicas']]] }];
}

/**
 * The sidecars of the integrations that are on (legacy-shape.ts sidecarContainers): their arguments, and the Secrets
 * their environment reads, each at its values key.
 */
function integrationSidecars(v: Values, origins: [string, YamlPath][]): Values[] {
  const out: Values[] = [];
  for (const [name, arg, secretKey] of [
    ['natsOutput', 'natsUrl', undefined],
    ['snsOutput', 'topic', 'aws_access_key_id'],
    ['pubsubOutput', 'topic', 'gcp-project-id'],
    ['gcscc', undefined, 'webhook-authentication-token'],
  ] as const) {
    const section: Values = isObject(v.integrations?.[name]) ? v.integrations[name] : {};
    if (section.enabled !== true) continue;
    const at = `${POD}.containers[${out.length + 1}]`;
    if (arg) origins.push([`${at}.args[0]`, ['integrations', name, arg]]);
    if (secretKey && typeof section.existingSecret === 'string')
      origins.push([`${at}.env[0].valueFrom.secretKeyRef.name`, ['integrations', name, 'existingSecret']]);
    out.push({
      name: `falco-${name.toLowerCase()}`,
      image: 'sidecar',
      args: arg ? [String(section[arg])] : undefined,
      env:
        secretKey && typeof section.existingSecret === 'string'
          ? [{ name: 'SECRET', valueFrom: { secretKeyRef: { name: section.existingSecret, key: secretKey } } }]
          : undefined,
    });
  }
  return out;
}

/** Falco's legacy pod spec (legacy-shape.ts legacyPodSpec): what the values set in it, recorded in `origins`. */
function legacyPodSpec(v: Values, origins: [string, YamlPath][]): Values {
  const { env, envFrom } = legacyEnv(v);
  const port = v.falco?.webserver?.listenPort;
  origins.push(
    [`${POD}.volumes[0].hostPath.path`, ['docker', 'socket']],
    [`${POD}.volumes[1].hostPath.path`, ['containerd', 'socket']],
    [`${POD}.containers[0].resources`, ['resources']],
    [`${POD}.containers[0].imagePullPolicy`, ['image', 'pullPolicy']],
    [`${POD}.containers[0].args`, ['extraArgs']],
    [`${POD}.containers[0].ports[0].containerPort`, ['falco', 'webserver', 'listenPort']],
    [`${POD}.hostNetwork`, ['ebpf', 'settings', 'hostNetwork']],
    ...envFrom,
    ...SCHEDULING_ORIGINS,
    [`${POD}.serviceAccountName`, ['serviceAccount', 'name']],
    [`${POD}.priorityClassName`, ['priorityClassName']],
  );
  // the plugin shape's probes call the webserver's port (plugin-shape.ts healthProbes)
  const probes: Values = {};
  for (const kind of typeof port === 'number' ? ['livenessProbe', 'readinessProbe', 'startupProbe'] : []) {
    probes[kind] = { httpGet: { path: '/healthz', port } };
    origins.push([`${POD}.containers[0].${kind}.httpGet.port`, ['falco', 'webserver', 'listenPort']]);
  }
  const falco = { name: 'falco', image: 'falco', imagePullPolicy: v.image?.pullPolicy, resources: v.resources, env, args: v.extraArgs, ...probes };
  return {
    serviceAccountName: serviceAccountName(v),
    priorityClassName: v.priorityClassName || undefined,
    hostNetwork: v.ebpf?.enabled === true && v.ebpf.settings?.hostNetwork === true ? true : undefined,
    nodeSelector: v.nodeSelector,
    affinity: v.affinity,
    tolerations: v.tolerations,
    containers: [
      { ...falco, ports: typeof port === 'number' ? [{ name: 'web', containerPort: port }] : undefined },
      ...integrationSidecars(v, origins),
    ],
    // the sockets' hostPath volumes, where the values say a path (the charts' defaults always do)
    volumes: [
      { name: 'docker-socket', hostPath: typeof v.docker?.socket === 'string' ? { path: v.docker.socket } : undefined },
      { name: 'containerd-socket', hostPath: typeof v.containerd?.socket === 'string' ? { path: v.containerd.socket } : undefined },
    ],
  };
}

/** The audit Service (webserver port) and the SNS region in Falco's ConfigMap, for stable/falco values. */
function legacyExtras(v: Values): Source[] {
  const out: Source[] = [];
  const port = v.falco?.webserver?.listenPort;
  if (typeof port === 'number') {
    const object = { apiVersion: 'v1', kind: 'Service', metadata: META, spec: { selector: { app: 'falco' }, ports: [{ protocol: 'TCP', port }] } };
    out.push({ item: { source: 'values', object }, origins: [['spec.ports[0].port', ['falco', 'webserver', 'listenPort']]] });
  }
  const region = v.integrations?.snsOutput?.aws_default_region;
  if (v.integrations?.snsOutput?.enabled === true && typeof region === 'string') {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: META, data: { aws_default_region: region } };
    out.push({ item: { source: 'values', object }, origins: [['data.aws_default_region', ['integrations', 'snsOutput', 'aws_default_region']]] });
  }
  return out;
}

/** The stand-in objects for stable/falco values (merged over the chart defaults) and where their fields came from. */
function sources(v: Values): Source[] {
  // Falco's legacy workload, a DaemonSet: the rules check its pod template as they check a Pod
  const origins: [string, YamlPath][] = [['spec.updateStrategy', ['daemonset', 'updateStrategy']], ...nameLabelOrigin(v)];
  const podSpec = legacyPodSpec(v, origins);
  const daemonSet = workload('DaemonSet', { updateStrategy: v.daemonset?.updateStrategy }, { spec: podSpec }, { labels: nameLabel(v) });
  return [{ item: { source: 'values', object: daemonSet }, origins }, rulesConfigMap(v), ...eventGenerator(v), ...legacyExtras(v)];
}

/** The label both charts name their objects' app with (app.kubernetes.io/name): nameOverride, when set. */
function nameLabel(v: Values): Values | undefined {
  return typeof v.nameOverride === 'string' && v.nameOverride !== '' ? { 'app.kubernetes.io/name': v.nameOverride } : undefined;
}

/** Where the name label sits in a stand-in: the object's labels, and a workload's selector and template too. */
function nameLabelOrigin(v: Values, at: string[] = ['metadata.labels']): [string, YamlPath][] {
  return nameLabel(v) ? at.map((prefix) => [`${prefix}["app.kubernetes.io/name"]`, ['nameOverride']]) : [];
}

/**
 * A falcoctl container (install, follow) at `at`: the chart's mounts at the folders falcoctl.config names first
 * (chart-shape.ts chartFalcoctlContainers), then its own security context, resources, mounts, env and args, recorded
 * in `origins`.
 */
function falcoctlContainer(fc: Values, at: string, verb: 'install' | 'follow', c: Values, origins: [string, YamlPath][]): Values {
  const from = ['falcoctl', 'artifact', verb];
  const dirs: Values = isObject(fc.config?.artifact?.[verb]) ? fc.config.artifact[verb] : {};
  // a folder that is no string is refused by the shape (it must be an absolute path)
  const chartMounts = [
    { name: 'plugins-install-dir', mountPath: dirs.pluginsDir, from: 'pluginsDir' },
    { name: 'rulesfiles-install-dir', mountPath: dirs.rulesfilesDir, from: 'rulesfilesDir' },
    { name: 'falcoctl-config-volume', mountPath: '/etc/falcoctl' },
    { name: 'artifact-state-dir', mountPath: dirs.stateDir, from: 'stateDir' },
  ].filter((m) => typeof m.mountPath === 'string');
  chartMounts.forEach((m, i) => m.from && origins.push([`${at}.volumeMounts[${i}].mountPath`, ['falcoctl', 'config', 'artifact', verb, m.from]]));
  const userMounts: unknown[] = Array.isArray(c.mounts?.volumeMounts) ? c.mounts.volumeMounts : [];
  userMounts.forEach((_m, i) => origins.push([`${at}.volumeMounts[${chartMounts.length + i}]`, [...from, 'mounts', 'volumeMounts', i]]));
  origins.push(
    [`${at}.securityContext`, [...from, 'securityContext']],
    [`${at}.resources`, [...from, 'resources']],
    [`${at}.env`, [...from, 'env']],
    [`${at}.envFrom`, [...from, 'envFrom']],
    [`${at}.args`, [...from, 'args']],
    [`${at}.imagePullPolicy`, ['falcoctl', 'image', 'pullPolicy']],
  );
  return {
    name: `falcoctl-artifact-${verb}`,
    image: 'falcoctl',
    imagePullPolicy: fc.image?.pullPolicy,
    args: c.args,
    securityContext: c.securityContext,
    resources: c.resources,
    volumeMounts: [...chartMounts.map(({ name, mountPath }) => ({ name, mountPath })), ...userMounts],
    env: c.env,
    envFrom: c.envFrom,
  };
}

/**
 * The health probes and the webserver's port of the Falco container: the values' timings around the webserver's port and
 * /healthz path as falco.webserver sets them (chart-shape.ts chartProbes, checkWebserver).
 */
function chartProbes(v: Values, origins: [string, YamlPath][]): Values {
  const web: Values = isObject(v.falco?.webserver) ? v.falco.webserver : {};
  const port = web.listen_port ?? 8765;
  const path = typeof web.k8s_healthz_endpoint === 'string' ? web.k8s_healthz_endpoint : '/healthz';
  const probes: Values = { ports: [{ name: 'web', containerPort: port }] };
  origins.push([`${POD}.containers[0].ports[0].containerPort`, ['falco', 'webserver', 'listen_port']]);
  for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const p: Values = isObject(v.healthChecks?.[kind]) ? v.healthChecks[kind] : {};
    probes[kind] = { ...p, httpGet: { path, port } };
    origins.push(
      [`${POD}.containers[0].${kind}`, ['healthChecks', kind]],
      [`${POD}.containers[0].${kind}.httpGet.port`, ['falco', 'webserver', 'listen_port']],
      [`${POD}.containers[0].${kind}.httpGet.path`, ['falco', 'webserver', 'k8s_healthz_endpoint']],
    );
  }
  return probes;
}

/** The Falco container: containerSecurityContext, resources, mounts.volumeMounts, extra.env and extra.args sit at the top level. */
function chartFalcoContainer(v: Values, origins: [string, YamlPath][]): Values {
  origins.push(
    [`${POD}.containers[0].securityContext`, ['containerSecurityContext']],
    [`${POD}.containers[0].resources`, ['resources']],
    [`${POD}.containers[0].volumeMounts`, ['mounts', 'volumeMounts']],
    [`${POD}.containers[0].env`, ['extra', 'env']],
    [`${POD}.containers[0].args`, ['extra', 'args']],
    [`${POD}.containers[0].imagePullPolicy`, ['image', 'pullPolicy']],
    [`${POD}.containers[0].tty`, ['tty']],
  );
  return {
    name: 'falco',
    image: 'falco',
    imagePullPolicy: v.image?.pullPolicy,
    args: v.extra?.args,
    securityContext: v.containerSecurityContext,
    resources: v.resources,
    volumeMounts: v.mounts?.volumeMounts,
    env: v.extra?.env,
    tty: v.tty,
    ...chartProbes(v, origins),
  };
}

/** The chart's containers and init containers for the values: Falco, falcoctl's follower and installer, the user's init containers. */
function chartContainers(v: Values, origins: [string, YamlPath][]): { containers: unknown[]; initContainers: unknown[] } {
  const fc: Values = isObject(v.falcoctl) ? v.falcoctl : {};
  const install: Values = isObject(fc.artifact?.install) ? fc.artifact.install : {};
  const follow: Values = isObject(fc.artifact?.follow) ? fc.artifact.follow : {};
  const extraInit: unknown[] = Array.isArray(v.extra?.initContainers) ? v.extra.initContainers : [];
  const containers: unknown[] = [chartFalcoContainer(v, origins)];
  if (follow.enabled === true) {
    containers.push(falcoctlContainer(fc, `${POD}.containers[1]`, 'follow', follow, origins));
  }
  // the installer first, so that a user's init container of its name is the repeat reported
  const initContainers = [falcoctlContainer(fc, `${POD}.initContainers[0]`, 'install', install, origins), ...extraInit];
  extraInit.forEach((_c, i) => origins.push([`${POD}.initContainers[${i + 1}]`, ['extra', 'initContainers', i]]));
  return { containers, initContainers };
}

/**
 * The volumes the chart renders before the user's (chart-shape.ts chartVolumes), so that mounts may name them and a
 * user's volume of the same name is the repeat reported; then the user's, each at its values index.
 */
function chartVolumes(v: Values, origins: [string, YamlPath][]): unknown[] {
  const chart: Values[] = ['plugins-install-dir', 'rulesfiles-install-dir', 'artifact-state-dir', 'falcoctl-config-volume', 'falco-yaml'].map(
    (name) => ({
      name,
      emptyDir: {},
    }),
  );
  if (nonEmpty(v.customRules)) chart.push({ name: 'rules-volume', emptyDir: {} });
  for (const [name, key] of [
    ['certs-volume', 'existingSecret'],
    ['client-certs-volume', 'existingClientSecret'],
  ]) {
    const secretName = v.certs?.[key];
    if (!secretName) continue;
    origins.push([`${POD}.volumes[${chart.length}].secret.secretName`, ['certs', key]]);
    chart.push({ name, secret: { secretName } });
  }
  const user: unknown[] = Array.isArray(v.mounts?.volumes) ? v.mounts.volumes : [];
  user.forEach((_vol, i) => origins.push([`${POD}.volumes[${chart.length + i}]`, ['mounts', 'volumes', i]]));
  return [...chart, ...user];
}

/**
 * The stand-in for falcosecurity/falco 9.1.0 values (merged over the chart's defaults): the Deployment's pod spec with
 * what the values put there, in the chart's places (templates/pod-template.tpl @ chart 9.1.0): the pod's security
 * context, volumes, image pull secrets and scheduling keys; the Falco container's security context, resources, mounts,
 * env, args and probe timings; the falcoctl containers' own; the user's init containers as written; the Deployment's
 * labels, annotations, replicas and history. The chart's own mounts and env are left out: a violation there is this
 * tool's, and the rendered objects are checked again.
 */
function chartDeployment(v: Values): Source {
  const origins: [string, YamlPath][] = [];
  const { containers, initContainers } = chartContainers(v, origins);
  origins.push(
    [`${POD}.securityContext`, ['podSecurityContext']],
    ...SCHEDULING_ORIGINS,
    [`${POD}.priorityClassName`, ['podPriorityClassName']],
    [`${POD}.serviceAccountName`, ['serviceAccount', 'name']],
    [`${POD}.imagePullSecrets`, ['imagePullSecrets']],
    ['spec.template.metadata.labels', ['podLabels']],
    ['spec.template.metadata.annotations', ['podAnnotations']],
    ['metadata.labels', ['controller', 'labels']],
    // controller.labels may set the name label over nameOverride's
    ...(isObject(v.controller?.labels) && 'app.kubernetes.io/name' in v.controller.labels ? [] : nameLabelOrigin(v)),
    ...nameLabelOrigin(v, ['spec.selector.matchLabels', 'spec.template.metadata.labels']),
    ['metadata.annotations', ['controller', 'annotations']],
    ['spec.replicas', ['controller', 'deployment', 'replicas']],
    ['spec.revisionHistoryLimit', ['controller', 'deployment', 'revisionHistoryLimit']],
  );
  const podSpec = {
    serviceAccountName: serviceAccountName(v),
    priorityClassName: v.podPriorityClassName || undefined,
    securityContext: nonEmpty(v.podSecurityContext),
    nodeSelector: v.nodeSelector,
    affinity: v.affinity,
    tolerations: v.tolerations,
    imagePullSecrets: v.imagePullSecrets,
    containers,
    initContainers,
    volumes: chartVolumes(v, origins),
  };
  const controller: Values = isObject(v.controller) ? v.controller : {};
  const deployment = workload(
    'Deployment',
    { replicas: controller.deployment?.replicas, revisionHistoryLimit: controller.deployment?.revisionHistoryLimit },
    { labels: v.podLabels, annotations: v.podAnnotations, spec: podSpec },
    { labels: { ...nameLabel(v), ...controller.labels }, annotations: nonEmpty(controller.annotations), selector: nameLabel(v) },
  );
  return { item: { source: 'values', object: deployment }, origins };
}

/** One Service per `services[]` entry: the entry but its name and selector is the spec (chart-shape.ts chartServices). */
function chartServices(v: Values): Source[] {
  const services: unknown[] = Array.isArray(v.services) ? v.services : [];
  return services.flatMap((s, i): Source[] => {
    if (!isObject(s)) return [];
    const { name: _name, selector: _selector, ...spec } = s;
    const object = { apiVersion: 'v1', kind: 'Service', metadata: META, spec: { ...spec, selector: { app: 'falco', ...nameLabel(v) } } };
    return [{ item: { source: 'values', object }, origins: [...nameLabelOrigin(v, ['spec.selector']), ['spec', ['services', i]]] }];
  });
}

/** The ServiceAccount the chart creates: the values' annotations and image pull secrets. */
function chartServiceAccount(v: Values): Source[] {
  const sa: Values = isObject(v.serviceAccount) ? v.serviceAccount : {};
  if (sa.create !== true) return [];
  const object = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { ...META, annotations: nonEmpty(sa.annotations) },
    imagePullSecrets: sa.imagePullSecrets,
  };
  return [
    {
      item: { source: 'values', object },
      origins: [
        ['metadata.annotations', ['serviceAccount', 'annotations']],
        ['imagePullSecrets', ['serviceAccount', 'imagePullSecrets']],
      ],
    },
  ];
}

/** The stand-ins for falcosecurity/falco 9.1.0 values. */
function chartSources(v: Values): Source[] {
  return [chartDeployment(v), ...chartServices(v), ...chartServiceAccount(v), rulesConfigMap(v)];
}

/** Everything the API server of `version` (or this tool) would refuse in one stand-in. */
function violationsOf(source: Source, version: KubernetesVersion): Violation[] {
  // the cluster's node port range comes from the config: the rendered Service is checked against it
  const context = { version, items: [source.item], serviceNodePortRange: '1-65535' };
  return [
    ...validateManifest(source.item.object, version, source.item.source),
    ...STAND_IN_RULES.flatMap((rule) => rule(source.item, context)),
    ...refusedFields(source.item),
  ];
}

/** The violations of one version, each with its values path, keyed by rule and path. */
function problemsFor(v: Values, version: KubernetesVersion, standIns: (v: Values) => Source[] = sources): Map<string, ValuesProblem> {
  const out = new Map<string, ValuesProblem>();
  for (const source of standIns(v)) {
    const origins = source.origins.map(([prefix, to]) => [parseRulePath(prefix), to] as const).sort((a, b) => b[0].length - a[0].length);
    const envOrigin = (index: number) => source.origins.find(([p]) => p === `${POD}.containers[0].env[${index}].name`)?.[1];
    for (const violation of violationsOf(source, version)) {
      const at = parseRulePath(violation.path);
      const origin = origins.find(([prefix]) => sameStart(at, prefix));
      if (!origin) continue; // a field of the stand-in itself, not of the values
      const path = [...origin[1], ...at.slice(origin[0].length)];
      // a repeated environment variable names the values key it repeats, not a stand-in index
      const message = violation.message.replace(/is also env\[(\d+)\]/, (text, n) => {
        const first = envOrigin(Number(n));
        return first ? `is also set by ${valuesField(first)}` : text;
      });
      const key = `${violation.rule} ${formatPath(path)}`;
      if (!out.has(key)) out.set(key, { path, message });
    }
  }
  return out;
}

/**
 * What the API server of `version` would refuse among the values (merged over the chart defaults), in values order.
 * Without a version: what every supported version refuses (the checks of the oldest and the newest supported
 * minors agree on it; the rules that differ by version only grow more permissive).
 */
export function apiServerValueProblems(merged: Values, version?: KubernetesVersion): ValuesProblem[] {
  return valueProblems(merged, version, sources);
}

/**
 * The same for falcosecurity/falco 9.1.0 values (merged over that chart's defaults): what the API server of `version`
 * would refuse in the objects the values reach, each at its values path.
 */
export function chartApiServerValueProblems(merged: Values, version?: KubernetesVersion): ValuesProblem[] {
  return valueProblems(merged, version, chartSources);
}

function valueProblems(merged: Values, version: KubernetesVersion | undefined, standIns: (v: Values) => Source[]): ValuesProblem[] {
  if (!isObject(merged)) return [];
  if (version) return [...problemsFor(merged, version, standIns).values()];
  const minors = KubernetesVersion.SUPPORTED_MINORS;
  const newest = problemsFor(merged, KubernetesVersion.of(`1.${minors[minors.length - 1]}.0`), standIns);
  const oldest = problemsFor(merged, KubernetesVersion.of(`1.${minors[0]}.0`), standIns);
  return [...newest].filter(([key]) => oldest.has(key)).map(([, problem]) => problem);
}

/** The stand-ins' origins for each values format: which values path fills which field of which kind (for the reach test). @internal */
export function _standInOrigins(merged: Values, chart: 'stable' | 'chart'): { kind: string; field: string; values: YamlPath }[] {
  const list = chart === 'stable' ? sources(merged) : chartSources(merged);
  return list.flatMap((s) => {
    const o = s.item.object as Values;
    return s.origins.map(([field, values]) => ({ kind: `${o.apiVersion}/${o.kind}`, field, values }));
  });
}
