/*
 * The API server's checks on what the values put into Falco's objects, run when the values are loaded so that a
 * refusal points at the key in the values file (the same checks run again on the rendered objects). The values
 * are poured into small stand-ins of the objects they reach (the DaemonSet with its pod template, the rules
 * ConfigMap) and checked with the validation layer's own rules, so there is one copy of each rule. Internal.
 */
import { KubernetesVersion } from '../core/kubernetes-version';
import {
  checkAffinity,
  checkConfigData,
  checkContainerEnv,
  checkContainerImage,
  checkContainerNames,
  checkDaemonSetUpdateStrategy,
  checkHostPathTypes,
  checkPodSpecNames,
  checkPrivilegedEscalation,
  checkResourceQuantities,
  checkSecurityContexts,
  checkTolerations,
  checkVolumeMountSubPaths,
  SemanticRule,
  ValidationItem,
  Violation,
} from '../validation';
import { child, isObject } from '../core/util';
import { formatPath, YamlPath } from '../core/yaml';

/** The rules both values formats' stand-in pods are checked with (each format adds what its keys can reach). */
const POD_TEMPLATE_RULES = [checkResourceQuantities, checkTolerations, checkContainerEnv, checkContainerImage, checkPodSpecNames, checkAffinity];

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

/** Where each stand-in field came from in the values: a path prefix of the stand-in -> a values path. */
interface Source {
  readonly item: ValidationItem;
  readonly rules: readonly SemanticRule[];
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

/** The stand-in workload of `kind` around a pod spec, named as the charts name it. */
function workload(kind: string, spec: Values): Values {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'falco', namespace: 'falco' }, spec };
}

/** The scheduling keys both formats put at the top level of the values, in the pod spec's place. */
const SCHEDULING_ORIGINS: [string, YamlPath][] = [
  [`${POD}.nodeSelector`, ['nodeSelector']],
  [`${POD}.tolerations`, ['tolerations']],
  [`${POD}.affinity`, ['affinity']],
];

/** The stand-in workload and the rules ConfigMap (`customRules`), the two sources of either values format. */
function workloadAndRules(v: Values, object: Values, rules: readonly SemanticRule[], origins: readonly [string, YamlPath][]): Source[] {
  return [
    { item: { source: 'values', object }, rules, origins },
    {
      item: { source: 'values', object: { apiVersion: 'v1', kind: 'ConfigMap', data: v.customRules } },
      rules: [checkConfigData],
      origins: [['data', ['customRules']]],
    },
  ];
}

/** The stand-in container env for the values in the chart's order (shape-context valuesEnv), and where each name came from. */
function legacyEnv(v: Values): { env: { name: string; value: string }[]; envFrom: [string, YamlPath][] } {
  const env: { name: string; value: string }[] = [];
  const envFrom: [string, YamlPath][] = [];
  const addEnv = (name: string, value: unknown, from: YamlPath) => {
    envFrom.push([`${POD}.containers[0].env[${env.length}].name`, from]);
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

/** The stand-in objects for the values (merged over the chart defaults) and where their fields came from. */
function sources(v: Values): Source[] {
  const { env, envFrom } = legacyEnv(v);
  // Falco's legacy workload, a DaemonSet: the rules check its pod template as they check a Pod
  const podSpec = {
    serviceAccountName: serviceAccountName(v),
    priorityClassName: v.priorityClassName || undefined,
    nodeSelector: v.nodeSelector,
    affinity: v.affinity,
    tolerations: v.tolerations,
    containers: [{ name: 'falco', image: 'falco', imagePullPolicy: v.image?.pullPolicy, resources: v.resources, env }],
    volumes: [
      { name: 'docker-socket', hostPath: { path: v.docker?.socket } },
      { name: 'containerd-socket', hostPath: { path: v.containerd?.socket } },
    ],
  };
  const daemonSet = workload('DaemonSet', { updateStrategy: v.daemonset?.updateStrategy, template: { spec: podSpec } });
  return workloadAndRules(
    v,
    daemonSet,
    [checkHostPathTypes, ...POD_TEMPLATE_RULES, checkDaemonSetUpdateStrategy],
    [
      [`${POD}.volumes[0].hostPath.path`, ['docker', 'socket']],
      [`${POD}.volumes[1].hostPath.path`, ['containerd', 'socket']],
      [`${POD}.containers[0].resources`, ['resources']],
      [`${POD}.containers[0].imagePullPolicy`, ['image', 'pullPolicy']],
      ...envFrom,
      ...SCHEDULING_ORIGINS,
      [`${POD}.serviceAccountName`, ['serviceAccount', 'name']],
      [`${POD}.priorityClassName`, ['priorityClassName']],
      ['spec.updateStrategy', ['daemonset', 'updateStrategy']],
    ],
  );
}

/** A falcoctl container (install, follow) at `at`: its own security context, resources, mounts and env, recorded in `origins`. */
function falcoctlContainer(fc: Values, at: string, name: string, from: YamlPath, c: Values, origins: [string, YamlPath][]): Values {
  origins.push(
    [`${at}.securityContext`, [...from, 'securityContext']],
    [`${at}.resources`, [...from, 'resources']],
    [`${at}.volumeMounts`, [...from, 'mounts', 'volumeMounts']],
    [`${at}.env`, [...from, 'env']],
    [`${at}.imagePullPolicy`, ['falcoctl', 'image', 'pullPolicy']],
  );
  return {
    name,
    image: 'falcoctl',
    imagePullPolicy: fc.image?.pullPolicy,
    securityContext: c.securityContext,
    resources: c.resources,
    volumeMounts: c.mounts?.volumeMounts,
    env: c.env,
  };
}

/** The Falco container: containerSecurityContext, resources, mounts.volumeMounts and extra.env sit at the top level. */
function chartFalcoContainer(v: Values, origins: [string, YamlPath][]): Values {
  origins.push(
    [`${POD}.containers[0].securityContext`, ['containerSecurityContext']],
    [`${POD}.containers[0].resources`, ['resources']],
    [`${POD}.containers[0].volumeMounts`, ['mounts', 'volumeMounts']],
    [`${POD}.containers[0].env`, ['extra', 'env']],
    [`${POD}.containers[0].imagePullPolicy`, ['image', 'pullPolicy']],
  );
  return {
    name: 'falco',
    image: 'falco',
    imagePullPolicy: v.image?.pullPolicy,
    securityContext: v.containerSecurityContext,
    resources: v.resources,
    volumeMounts: v.mounts?.volumeMounts,
    env: v.extra?.env,
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
    containers.push(falcoctlContainer(fc, `${POD}.containers[1]`, 'falcoctl-artifact-follow', ['falcoctl', 'artifact', 'follow'], follow, origins));
  }
  // the installer first, so that a user's init container of its name is the repeat reported
  const initContainers = [
    falcoctlContainer(fc, `${POD}.initContainers[0]`, 'falcoctl-artifact-install', ['falcoctl', 'artifact', 'install'], install, origins),
    ...extraInit,
  ];
  extraInit.forEach((_c, i) => origins.push([`${POD}.initContainers[${i + 1}]`, ['extra', 'initContainers', i]]));
  return { containers, initContainers };
}

/**
 * The stand-in for falcosecurity/falco 9.1.0 values (merged over the chart's defaults): the Deployment's pod spec with
 * what the values put there, in the chart's places (templates/pod-template.tpl @ chart 9.1.0): the pod's security
 * context, volumes and scheduling keys; the Falco container's security context, resources, mounts and env; the
 * falcoctl containers' own; the user's init containers as written. The chart's own mounts and env are left out: a
 * violation there is this tool's, and the rendered objects are checked again.
 */
function chartSources(v: Values): Source[] {
  const origins: [string, YamlPath][] = [];
  const { containers, initContainers } = chartContainers(v, origins);
  origins.push(
    [`${POD}.securityContext`, ['podSecurityContext']],
    [`${POD}.volumes`, ['mounts', 'volumes']],
    ...SCHEDULING_ORIGINS,
    [`${POD}.priorityClassName`, ['podPriorityClassName']],
    [`${POD}.serviceAccountName`, ['serviceAccount', 'name']],
  );
  const podSpec = {
    serviceAccountName: serviceAccountName(v),
    priorityClassName: v.podPriorityClassName || undefined,
    securityContext: v.podSecurityContext,
    nodeSelector: v.nodeSelector,
    affinity: v.affinity,
    tolerations: v.tolerations,
    containers,
    initContainers,
    volumes: v.mounts?.volumes,
  };
  const deployment = workload('Deployment', { template: { spec: podSpec } });
  return workloadAndRules(
    v,
    deployment,
    [checkSecurityContexts, checkVolumeMountSubPaths, checkHostPathTypes, checkPrivilegedEscalation, checkContainerNames, ...POD_TEMPLATE_RULES],
    origins,
  );
}

/** The violations of one version, each with its values path, keyed by rule and path. */
function problemsFor(v: Values, version: KubernetesVersion, standIns: (v: Values) => Source[] = sources): Map<string, ValuesProblem> {
  const out = new Map<string, ValuesProblem>();
  for (const source of standIns(v)) {
    const origins = source.origins.map(([prefix, to]) => [parseRulePath(prefix), to] as const).sort((a, b) => b[0].length - a[0].length);
    const envOrigin = (index: number) => source.origins.find(([p]) => p === `${POD}.containers[0].env[${index}].name`)?.[1];
    const violations: Violation[] = source.rules.flatMap((rule) => rule(source.item, { version, items: [source.item] }));
    for (const violation of violations) {
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
 * would refuse in the pod spec and the rules ConfigMap the values reach, each at its values path.
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
