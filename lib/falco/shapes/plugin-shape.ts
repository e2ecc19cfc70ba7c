import { ApiObject } from 'cdk8s';
import { UserError } from '../../core/errors';
import { dumpYaml } from '../../core/yaml';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { falcoctlConfig, FalcoctlArtifacts, K8sAuditListener, pluginFalcoConfig, PLUGIN_RULES_FILES } from './falco-config';
import { HostRootHandling, ProbeStyle } from '../releases/falco-releases';
import { FalcoVersion } from '../releases/falco-version';
import {
  checksum,
  customRulesConfigMap,
  customRulesMount,
  customRulesVolume,
  falcoImage,
  falcoYamlMount,
  falcoYamlVolume,
  nonEmpty,
  RESTRICTED_CONTAINER,
  serviceSpec,
  ShapeContext,
  ShapeResult,
  valuesEnv,
} from './shape-context';
import { FALCO_CHART_DEFAULTS, ResolvedFalcoValues } from '../values/values';

/** falcoctl settings for the plugin shape, resolved. @internal */
export interface ResolvedFalcoctl extends FalcoctlArtifacts {
  readonly image: string;
}

/**
 * The audit-only Falco of Falco 0.32+: one-replica Deployment with the k8saudit and json plugins,
 * no privileges, no RBAC, no host mounts; from 0.37 a falcoctl init container installs the plugins
 * and the audit rules. @internal
 */
export function buildPluginShape(ctx: ShapeContext, listener: K8sAuditListener, falcoctl: ResolvedFalcoctl): ShapeResult {
  const { fullname, namespace, values: v, falcoVersion: version } = ctx;
  refuseLegacyOnlyValues(ctx);

  const labels = pluginLabels(ctx);
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });
  const podSelector = { app: fullname, role: 'k8saudit' };
  const installs = version.needsFalcoctl;

  if (v.serviceAccount.create) buildServiceAccount(ctx, meta(ctx.serviceAccountName));

  const { falcoConfig, configData, configMap } = buildConfigMap(ctx, listener, meta(fullname));

  const rulesData = customRulesConfigMap(ctx, meta(`${fullname}-rules`));

  const falcoctlData = buildFalcoctlConfigMap(ctx, falcoctl, meta(`${fullname}-falcoctl`));

  const serviceName = auditServiceName(fullname);
  const serviceObject = buildService(ctx, meta(serviceName), podSelector, listener);

  const annotations: Record<string, string> = { 'checksum/config': checksum(configData), 'checksum/rules': checksum(rulesData) };
  if (installs) annotations['checksum/falcoctl'] = checksum(falcoctlData);
  const workload = buildDeployment(ctx, meta(fullname), {
    selector: podSelector,
    annotations,
    listener,
    falcoctl,
    installs,
    customRules: Object.keys(v.customRules).length > 0,
  });

  return { workload, serviceObject, serviceName, servicePort: listener.port, podSelector, configMap, falcoConfig };
}

/** The release's recommended labels (app.kubernetes.io/*), on every object. */
function pluginLabels(ctx: ShapeContext): Record<string, string> {
  return {
    'app.kubernetes.io/name': ctx.name,
    'app.kubernetes.io/instance': ctx.releaseName,
    // the release, not the tag: a label value has at most 63 characters and no '@' or '+' (a digest-pinned tag)
    'app.kubernetes.io/version': ctx.falcoVersion.toString(),
    'app.kubernetes.io/component': 'k8saudit',
    'app.kubernetes.io/managed-by': 'cdk8s-falco-audit',
  };
}

/** The service account Falco runs as, when the values create it; Falco calls no API, so it mounts no token. */
function buildServiceAccount(ctx: ShapeContext, metadata: Record<string, unknown>): void {
  new ApiObject(ctx.scope, 'ServiceAccount', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata,
    automountServiceAccountToken: false,
  });
}

/** The ConfigMap with falco.yaml: the k8saudit listener, the json plugin and the rules files to load. */
function buildConfigMap(ctx: ShapeContext, listener: K8sAuditListener, metadata: Record<string, unknown>) {
  const falcoConfig = pluginFalcoConfig(ctx.values, ctx.falcoVersion, listener, pluginRulesFiles(ctx.values));
  const configData = { 'falco.yaml': dumpYaml(falcoConfig) };
  const configMap = new ApiObject(ctx.scope, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: configData });
  return { falcoConfig, configData, configMap };
}

/** The rules files Falco loads: the audit rules in place of the chart's syscall defaults, else the values' own list. */
function pluginRulesFiles(v: ResolvedFalcoValues): readonly string[] {
  const defaultRules = JSON.stringify(v.falco.rulesFile) === JSON.stringify(FALCO_CHART_DEFAULTS.falco.rulesFile);
  return defaultRules ? PLUGIN_RULES_FILES : v.falco.rulesFile;
}

/**
 * falcoctl.yaml (what to install, from which indexes) and, when falcoctl installs the plugins (0.37+), the
 * `<fullname>-falcoctl` ConfigMap that holds it. Returns the data, which `checksum/falcoctl` hashes.
 */
function buildFalcoctlConfigMap(ctx: ShapeContext, falcoctl: ResolvedFalcoctl, metadata: Record<string, unknown>): Record<string, string> {
  const falcoctlData = { 'falcoctl.yaml': dumpYaml(falcoctlConfig(falcoctl)) };
  if (ctx.falcoVersion.needsFalcoctl) {
    new ApiObject(ctx.scope, 'FalcoctlConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      data: falcoctlData,
    });
  }
  return falcoctlData;
}

/** The audit Service's name, the chart's `<fullname>-k8saudit-webhook`, refused past a Service name's 63 characters. */
function auditServiceName(fullname: string): string {
  const serviceName = `${fullname}-k8saudit-webhook`;
  if (serviceName.length > 63) {
    throw new UserError(`the audit Service name "${serviceName}" is longer than 63 characters; set fullnameOverride (or a shorter release name)`, {
      field: 'fullnameOverride',
    });
  }
  return serviceName;
}

/** The Service the API server sends audit events to: the k8saudit plugin's listener on the Deployment's pod. */
function buildService(ctx: ShapeContext, metadata: Record<string, unknown>, selector: Record<string, string>, listener: K8sAuditListener): ApiObject {
  return new ApiObject(ctx.scope, 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: serviceSpec(ctx, selector, { name: 'k8saudit', protocol: 'TCP', port: listener.port, targetPort: listener.port }),
  });
}

/** What the Deployment's pod is built from beside the context. */
interface PluginPod {
  readonly selector: Record<string, string>;
  /** The checksums of the ConfigMaps, so a changed config rolls the pod. */
  readonly annotations: Record<string, string>;
  readonly listener: K8sAuditListener;
  readonly falcoctl: ResolvedFalcoctl;
  /** Whether falcoctl installs the plugins and rules (Falco 0.37+). */
  readonly installs: boolean;
  /** Whether the custom rules ConfigMap is mounted. */
  readonly customRules: boolean;
}

/** The one-replica Deployment that runs the audit-only Falco. */
function buildDeployment(ctx: ShapeContext, metadata: Record<string, unknown>, pod: PluginPod): ApiObject {
  return new ApiObject(ctx.scope, 'Deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...pod.selector } },
      template: {
        metadata: { labels: { ...pod.selector }, annotations: pod.annotations },
        spec: pluginPodSpec(ctx, pod),
      },
    },
  });
}

/** The Deployment's pod spec: no token, RuntimeDefault seccomp where the field exists, scheduling, falcoctl's init container, Falco. */
function pluginPodSpec(ctx: ShapeContext, pod: PluginPod): Record<string, unknown> {
  const v = ctx.values;
  return {
    serviceAccountName: ctx.serviceAccountName,
    automountServiceAccountToken: false,
    ...(ctx.kubernetesVersion.supportsSeccompProfileField ? { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } : {}),
    ...(v.priorityClassName ? { priorityClassName: v.priorityClassName } : {}),
    nodeSelector: nonEmpty(v.nodeSelector),
    affinity: nonEmpty(v.affinity),
    tolerations: v.tolerations,
    ...(pod.installs ? { initContainers: [falcoctlInstallContainer(pod.falcoctl)] } : {}),
    containers: [falcoContainer(ctx, pod)],
    volumes: pluginVolumes(ctx.fullname, pod.installs, pod.customRules, pod.falcoctl),
  };
}

/** The unprivileged Falco container: the k8saudit listener, the webserver's /healthz probes. */
function falcoContainer(ctx: ShapeContext, pod: PluginPod): Record<string, unknown> {
  const { values: v, falcoVersion: version } = ctx;
  const webPort = v.falco.webserver.listenPort;
  return {
    name: 'falco',
    image: falcoImage(v),
    imagePullPolicy: v.image.pullPolicy,
    resources: v.resources,
    securityContext: RESTRICTED_CONTAINER,
    args: falcoArgs(ctx),
    env: [...startupEnv(version), ...valuesEnv(v)],
    ports: [
      { name: 'k8saudit', containerPort: pod.listener.port, protocol: 'TCP' },
      { name: 'web', containerPort: webPort, protocol: 'TCP' },
    ],
    ...healthProbes(version, ctx.kubernetesVersion, webPort),
    volumeMounts: pluginMounts(pod.installs, pod.customRules),
  };
}

/** Falco's command line: the syscall source turned off where the release can, then the values' extraArgs. */
function falcoArgs(ctx: ShapeContext): string[] {
  const args = ['/usr/bin/falco'];
  if (ctx.falcoVersion.supportsDisableSource) args.push('--disable-source', 'syscall');
  args.push(...ctx.values.extraArgs);
  return args;
}

/** The Falco container's mounts: falcoctl's install folders, falco.yaml and the custom rules. */
function pluginMounts(installs: boolean, customRules: boolean): Record<string, unknown>[] {
  const mounts: Record<string, unknown>[] = [];
  if (installs) {
    mounts.push({ mountPath: '/etc/falco', name: 'rulesfiles-install-dir' }, { mountPath: '/usr/share/falco/plugins', name: 'plugins-install-dir' });
  }
  mounts.push(falcoYamlMount('falco-yaml'));
  if (customRules) mounts.push(customRulesMount());
  return mounts;
}

/** The pod's volumes behind {@link pluginMounts} and the falcoctl init container's mounts. */
function pluginVolumes(fullname: string, installs: boolean, customRules: boolean, falcoctl: ResolvedFalcoctl): Record<string, unknown>[] {
  const volumes: Record<string, unknown>[] = [];
  if (installs) {
    volumes.push(
      { name: 'plugins-install-dir', emptyDir: {} },
      { name: 'rulesfiles-install-dir', emptyDir: {} },
      ...(falcoctl.stateDir === false ? [] : [{ name: 'artifact-state-dir', emptyDir: {} }]),
      { name: 'falcoctl-config-volume', configMap: { name: `${fullname}-falcoctl`, items: [{ key: 'falcoctl.yaml', path: 'falcoctl.yaml' }] } },
    );
  }
  volumes.push(falcoYamlVolume('falco-yaml', fullname));
  if (customRules) volumes.push(customRulesVolume(fullname));
  return volumes;
}

/** The init container that installs the plugins and rules with falcoctl (Falco 0.37+ bundles none). */
function falcoctlInstallContainer(falcoctl: ResolvedFalcoctl): Record<string, unknown> {
  return {
    name: 'falcoctl-artifact-install',
    image: falcoctl.image,
    imagePullPolicy: 'IfNotPresent',
    args: ['artifact', 'install', '--log-format=json'],
    securityContext: RESTRICTED_CONTAINER,
    volumeMounts: [
      { mountPath: '/plugins', name: 'plugins-install-dir' },
      { mountPath: '/rulesfiles', name: 'rulesfiles-install-dir' },
      { mountPath: '/etc/falcoctl', name: 'falcoctl-config-volume' },
      ...(falcoctl.stateDir === false ? [] : [{ mountPath: '/artifactstate', name: 'artifact-state-dir' }]),
    ],
  };
}

/**
 * The environment the release needs to start, in the chart's order: HOST_ROOT where falcoctl installs the
 * plugins (the chart's /host, or "" on 0.39, see {@link HostRootHandling.EMPTY_HOST_ROOT}), FALCO_HOSTNAME from the
 * node name so alerts name the node and not the pod (read from 0.33), and SKIP_DRIVER_LOADER: the falcosecurity/falco
 * image's entrypoint runs falco-driver-loader unless it is set (docker/falco/docker-entrypoint.sh @ 0.36.2).
 */
function startupEnv(version: FalcoVersion): Record<string, unknown>[] {
  const env: Record<string, unknown>[] = [];
  if (version.needsFalcoctl) env.push({ name: 'HOST_ROOT', value: version.hostRoot === HostRootHandling.EMPTY_HOST_ROOT ? '' : '/host' });
  if (version.readsFalcoHostname) env.push({ name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  env.push({ name: 'SKIP_DRIVER_LOADER', value: 'true' });
  return env;
}

/**
 * The chart's `/healthz` probes for the release. A startup probe needs its feature gate on (Kubernetes 1.18+);
 * before that the delayed liveness probe gives Falco the same minute to load its plugins and rules.
 */
function healthProbes(version: FalcoVersion, kubernetes: KubernetesVersion, port: number): Record<string, unknown> {
  const httpGet = { path: '/healthz', port };
  if (version.release.probes === ProbeStyle.STARTUP && kubernetes.supportsStartupProbe) {
    const every15s = { initialDelaySeconds: 0, timeoutSeconds: 5, periodSeconds: 15, failureThreshold: 3, httpGet };
    return {
      startupProbe: { initialDelaySeconds: 3, timeoutSeconds: 5, periodSeconds: 5, failureThreshold: 20, httpGet },
      livenessProbe: every15s,
      readinessProbe: { ...every15s },
    };
  }
  return {
    livenessProbe: { initialDelaySeconds: 60, timeoutSeconds: 5, periodSeconds: 15, httpGet },
    readinessProbe: { initialDelaySeconds: 30, timeoutSeconds: 5, periodSeconds: 15, httpGet },
  };
}

/** Values that only mean something for a syscall-reading, privileged Falco: an error, not a silent no-op. */
function refuseLegacyOnlyValues(ctx: ShapeContext): void {
  const v = ctx.values;
  const why = `Falco ${ctx.falcoVersion} runs as an audit-only Deployment with the k8saudit plugin`;
  const refuse = (field: string, fix: string, state = 'is true') => {
    throw new UserError(`${field} ${state}, but ${why}; ${fix}`, { field });
  };
  if (v.ebpf.enabled) refuse('ebpf.enabled', 'it reads no system calls, so no driver is loaded: set ebpf.enabled to false');
  if (v.fakeEventGenerator.enabled) {
    refuse('fakeEventGenerator.enabled', 'the event generator makes system call events it would not see: set fakeEventGenerator.enabled to false');
  }
  if (v.podSecurityPolicy.create)
    refuse('podSecurityPolicy.create', 'its pod needs no privileges, so no PodSecurityPolicy: set podSecurityPolicy.create to false');
  for (const name of ['gcscc', 'natsOutput', 'snsOutput', 'pubsubOutput'] as const) {
    if (v.integrations[name].enabled) {
      refuse(
        `integrations.${name}.enabled`,
        "the chart's integration sidecars exist for Falco up to 0.31 only: use falco.httpOutput or falco.programOutput instead",
      );
    }
  }
  if (v.falco.webserver.sslEnabled) {
    refuse(
      'falco.webserver.sslEnabled',
      "its webserver only serves /healthz (the audit endpoint is the k8saudit plugin's listener): set falco.webserver.sslEnabled to false",
    );
  }
  if (!v.falco.webserver.enabled) {
    refuse('falco.webserver.enabled', 'its health probes need the webserver: set falco.webserver.enabled to true', 'is false');
  }
}
