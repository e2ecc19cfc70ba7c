import { ApiObject } from 'cdk8s';
import { UserError } from '../core/errors';
import { dumpYaml } from '../core/yaml';
import { KubernetesVersion } from '../core/kubernetes-version';
import { falcoctlConfig, FalcoctlArtifacts, K8sAuditListener, pluginFalcoConfig, PLUGIN_RULES_FILES } from './falco-config';
import { HostRootHandling, ProbeStyle } from './falco-releases';
import { FalcoVersion } from './falco-version';
import { checksum, customRulesConfigMap, falcoImage, nonEmpty, serviceSpec, ShapeContext, ShapeResult, valuesEnv } from './shape-context';
import { FALCO_CHART_DEFAULTS } from './values';

/** falcoctl settings for the plugin shape, resolved. @internal */
export interface ResolvedFalcoctl extends FalcoctlArtifacts {
  readonly image: string;
}

/** Drop everything: an audit-only Falco opens no driver and reads no host state. */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

/**
 * The audit-only Falco of Falco 0.32+: one-replica Deployment with the k8saudit and json plugins,
 * no privileges, no RBAC, no host mounts; from 0.37 a falcoctl init container installs the plugins
 * and the audit rules. @internal
 */
// eslint-disable-next-line max-lines-per-function -- 102 lines, still to split (issue 11)
export function buildPluginShape(ctx: ShapeContext, listener: K8sAuditListener, falcoctl: ResolvedFalcoctl): ShapeResult {
  const { scope, fullname, namespace, values: v, falcoVersion: version } = ctx;
  refuseLegacyOnlyValues(ctx);

  const labels = {
    'app.kubernetes.io/name': ctx.name,
    'app.kubernetes.io/instance': ctx.releaseName,
    // the release, not the tag: a label value has at most 63 characters and no '@' or '+' (a digest-pinned tag)
    'app.kubernetes.io/version': version.toString(),
    'app.kubernetes.io/component': 'k8saudit',
    'app.kubernetes.io/managed-by': 'cdk8s-falco-audit',
  };
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });
  const podSelector = { app: fullname, role: 'k8saudit' };
  const customRules = Object.keys(v.customRules).length > 0;
  const installs = version.needsFalcoctl;

  if (v.serviceAccount.create) {
    new ApiObject(scope, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(ctx.serviceAccountName),
      automountServiceAccountToken: false,
    });
  }

  const defaultRules = JSON.stringify(v.falco.rulesFile) === JSON.stringify(FALCO_CHART_DEFAULTS.falco.rulesFile);
  const config = pluginFalcoConfig(v, version, listener, defaultRules ? PLUGIN_RULES_FILES : v.falco.rulesFile);
  const configData = { 'falco.yaml': dumpYaml(config) };
  const configMap = new ApiObject(scope, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(fullname), data: configData });

  const rulesData = customRulesConfigMap(ctx, meta(`${fullname}-rules`));

  const falcoctlData = { 'falcoctl.yaml': dumpYaml(falcoctlConfig(falcoctl)) };
  if (installs) {
    new ApiObject(scope, 'FalcoctlConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${fullname}-falcoctl`),
      data: falcoctlData,
    });
  }

  const serviceName = `${fullname}-k8saudit-webhook`;
  if (serviceName.length > 63) {
    throw new UserError(`the audit Service name "${serviceName}" is longer than 63 characters; set fullnameOverride (or a shorter release name)`, {
      field: 'fullnameOverride',
    });
  }
  const serviceObject = new ApiObject(scope, 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(serviceName),
    spec: serviceSpec(ctx, podSelector, { name: 'k8saudit', protocol: 'TCP', port: listener.port, targetPort: listener.port }),
  });

  const webPort = v.falco.webserver.listenPort;
  const args = ['/usr/bin/falco'];
  if (version.supportsDisableSource) args.push('--disable-source', 'syscall');
  args.push(...v.extraArgs);

  const mounts = pluginMounts(installs, customRules);
  const volumes = pluginVolumes(fullname, installs, customRules, falcoctl);

  const annotations: Record<string, string> = { 'checksum/config': checksum(configData), 'checksum/rules': checksum(rulesData) };
  if (installs) annotations['checksum/falcoctl'] = checksum(falcoctlData);

  const workload = new ApiObject(scope, 'Deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(fullname),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...podSelector } },
      template: {
        metadata: { labels: { ...podSelector }, annotations },
        spec: {
          serviceAccountName: ctx.serviceAccountName,
          automountServiceAccountToken: false,
          ...(ctx.kubernetesVersion.supportsSeccompProfileField ? { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } : {}),
          ...(v.priorityClassName ? { priorityClassName: v.priorityClassName } : {}),
          nodeSelector: nonEmpty(v.nodeSelector),
          affinity: nonEmpty(v.affinity),
          tolerations: v.tolerations,
          ...(installs
            ? {
                initContainers: [falcoctlInstallContainer(falcoctl)],
              }
            : {}),
          containers: [
            {
              name: 'falco',
              image: falcoImage(v),
              imagePullPolicy: v.image.pullPolicy,
              resources: v.resources,
              securityContext: RESTRICTED_CONTAINER,
              args,
              env: [...startupEnv(version), ...valuesEnv(v)],
              ports: [
                { name: 'k8saudit', containerPort: listener.port, protocol: 'TCP' },
                { name: 'web', containerPort: webPort, protocol: 'TCP' },
              ],
              ...healthProbes(version, ctx.kubernetesVersion, webPort),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  });

  return { workload, serviceObject, serviceName, servicePort: listener.port, podSelector, configMap, falcoConfig: config };
}

/** The Falco container's mounts: falcoctl's install folders, falco.yaml and the custom rules. */
function pluginMounts(installs: boolean, customRules: boolean): Record<string, unknown>[] {
  const mounts: Record<string, unknown>[] = [];
  if (installs) {
    mounts.push({ mountPath: '/etc/falco', name: 'rulesfiles-install-dir' }, { mountPath: '/usr/share/falco/plugins', name: 'plugins-install-dir' });
  }
  mounts.push({ mountPath: '/etc/falco/falco.yaml', name: 'falco-yaml', subPath: 'falco.yaml' });
  if (customRules) mounts.push({ mountPath: '/etc/falco/rules.d', name: 'rules-volume' });
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
  volumes.push({ name: 'falco-yaml', configMap: { name: fullname, items: [{ key: 'falco.yaml', path: 'falco.yaml' }] } });
  if (customRules) volumes.push({ name: 'rules-volume', configMap: { name: `${fullname}-rules` } });
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
