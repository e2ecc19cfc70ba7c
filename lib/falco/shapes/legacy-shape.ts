import { ApiObject } from 'cdk8s';
import { clusterScoped } from '../../core/cluster-scoped';
import { UserError } from '../../core/errors';
import { dumpYaml } from '../../core/yaml';
import { CHART_NAME, CHART_VERSION } from './chart-names';
import { INTEGRATION_PIPE, INTEGRATION_PIPE_DIR, legacyFalcoConfig, pipeIntegrationEnabled } from './falco-config';
import { checkAuditPath } from '../sources/k8saudit-open-params';
import {
  checksum,
  customRulesConfigMap,
  customRulesMount,
  customRulesVolume,
  falcoImage,
  falcoYamlMount,
  falcoYamlVolume,
  nonEmpty,
  serviceSpec,
  ShapeContext,
  ShapeResult,
  valuesEnv,
} from './shape-context';
import { ResolvedFalcoValues } from '../values/values';

/** Where Falco reads its service account token (`-K`), as the chart passes it. */
const TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The Falco container's variable that holds gcscc's token when it comes from `integrations.gcscc.existingSecret`. */
export const GCSCC_TOKEN_ENV = 'GCSCC_WEBHOOK_AUTHENTICATION_TOKEN';

/**
 * Requires `existingSecret` for an enabled sidecar that reads credentials: no Secret is rendered (its data would
 * be in Git), and an empty one named like the chart's would overwrite a migrated release's real credentials.
 */
function requireExistingSecret(enabled: boolean, existingSecret: string | null, section: string, keys: string): void {
  if (enabled && !existingSecret) {
    throw new UserError(
      `is true, but the sidecar's credentials must come from a Secret you create (the output, meant for Git, holds no ` +
        `Secret): set integrations.${section}.existingSecret to a Secret in Falco's namespace with the keys ${keys} ` +
        '(a release installed by the chart has them in its Secret <fullname>)',
      { field: `integrations.${section}.enabled` },
    );
  }
}

/** The chart's PodSecurityPolicy, refused on a Kubernetes that no longer serves policy/v1beta1. */
function buildPodSecurityPolicy(ctx: ShapeContext, labels: Record<string, string>): void {
  if (!ctx.kubernetesVersion.servesPodSecurityPolicy) {
    throw new UserError(
      `is true but Kubernetes ${ctx.kubernetesVersion} no longer serves policy/v1beta1 PodSecurityPolicy ` +
        `(removed in 1.25); set it to false and use Pod Security Admission (namespace ${ctx.namespace} needs the "privileged" level)`,
      { field: 'podSecurityPolicy.create' },
    );
  }
  clusterScoped(
    new ApiObject(ctx.scope, 'PodSecurityPolicy', {
      apiVersion: 'policy/v1beta1',
      kind: 'PodSecurityPolicy',
      metadata: { name: ctx.fullname, labels: { ...labels } },
      spec: {
        privileged: true,
        hostNetwork: true,
        allowedCapabilities: ['*'],
        fsGroup: { rule: 'RunAsAny' },
        runAsUser: { rule: 'RunAsAny' },
        seLinux: { rule: 'RunAsAny' },
        supplementalGroups: { rule: 'RunAsAny' },
        volumes: ['*'],
      },
    }),
  );
}

/** The chart's ClusterRole (read access for Falco's Kubernetes metadata) and its binding to Falco's service account. */
function buildClusterRbac(ctx: ShapeContext, labels: Record<string, string>): void {
  const fullname = ctx.fullname;
  const rules: Record<string, unknown>[] = [
    {
      apiGroups: ['extensions', ''],
      resources: [
        'nodes',
        'namespaces',
        'pods',
        'replicationcontrollers',
        'replicasets',
        'services',
        'daemonsets',
        'deployments',
        'events',
        'configmaps',
      ],
      verbs: ['get', 'list', 'watch'],
    },
    { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
    { nonResourceURLs: ['/healthz', '/healthz/*'], verbs: ['get'] },
  ];
  if (ctx.values.podSecurityPolicy.create) {
    rules.push({ apiGroups: ['policy'], resources: ['podsecuritypolicies'], resourceNames: [fullname], verbs: ['use'] });
  }
  clusterScoped(
    new ApiObject(ctx.scope, 'ClusterRole', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: fullname, labels: { ...labels } },
      rules,
    }),
  );
  clusterScoped(
    new ApiObject(ctx.scope, 'ClusterRoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: fullname, labels: { ...labels } },
      subjects: [{ kind: 'ServiceAccount', name: ctx.serviceAccountName, namespace: ctx.namespace }],
      roleRef: { kind: 'ClusterRole', name: fullname, apiGroup: 'rbac.authorization.k8s.io' },
    }),
  );
}

/** The ConfigMap with falco.yaml (and SNS's region); a gcscc token from a Secret is swapped for its variable. */
function buildConfigMap(ctx: ShapeContext, metadata: Record<string, unknown>, gcsccSecret: string | null) {
  const v = ctx.values;
  const gcscc = v.integrations.gcscc;
  const sns = v.integrations.snsOutput;
  // With the token in a Secret, falco.yaml names the variable instead: Falco runs the program with popen(3), i.e.
  // through /bin/sh -c with its own environment (falco 0.19.0 userspace/falco/lua/output.lua `io.popen`;
  // 0.31.1 userspace/falco/outputs_program.cpp `popen`). The chart's line puts the token inside single quotes,
  // so the value closes them, expands the variable in double quotes and reopens them.
  const configValues = gcsccSecret
    ? { ...v, integrations: { ...v.integrations, gcscc: { ...gcscc, webhookAuthenticationToken: `'"$${GCSCC_TOKEN_ENV}"'` } } }
    : v;
  const falcoConfig = legacyFalcoConfig(configValues);
  const configData: Record<string, string> = { 'falco.yaml': dumpYaml(falcoConfig) };
  if (sns.enabled) configData.aws_default_region = sns.aws_default_region;
  const configMap = new ApiObject(ctx.scope, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: configData });
  return { falcoConfig, configData, configMap };
}

/** The Falco container's variables: the eBPF switch, the values' `env` and gcscc's token from its Secret. */
function falcoEnv(ctx: ShapeContext, gcsccSecret: string | null): Record<string, unknown>[] {
  const v = ctx.values;
  const ebpf = v.ebpf.enabled;
  const env: Record<string, unknown>[] = [];
  if (ebpf) env.push({ name: 'SYSDIG_BPF_PROBE', value: '' });
  env.push(...valuesEnv(v));
  if (gcsccSecret) env.push({ name: GCSCC_TOKEN_ENV, valueFrom: { secretKeyRef: { name: gcsccSecret, key: 'webhook-authentication-token' } } });
  return env;
}

/** The Falco container's mounts, in the chart's order: host paths, config, rules, the sidecars' pipe, webserver TLS. */
function falcoMounts(ctx: ShapeContext, customRules: boolean, pipe: boolean): Record<string, unknown>[] {
  const v = ctx.values;
  const ebpf = v.ebpf.enabled;
  const mounts: Record<string, unknown>[] = [];
  if (v.docker.enabled) mounts.push({ mountPath: '/host/var/run/docker.sock', name: 'docker-socket' });
  if (v.containerd.enabled) mounts.push({ mountPath: '/host/run/containerd/containerd.sock', name: 'containerd-socket' });
  mounts.push(
    { mountPath: '/host/dev', name: 'dev-fs', readOnly: true },
    { mountPath: '/host/proc', name: 'proc-fs', readOnly: true },
    { mountPath: '/host/boot', name: 'boot-fs', readOnly: true },
    { mountPath: '/host/lib/modules', name: 'lib-modules', readOnly: true },
    { mountPath: '/host/usr', name: 'usr-fs', readOnly: true },
    { mountPath: '/dev/shm', name: 'dshm' },
  );
  if (ebpf && v.ebpf.settings.mountEtcVolume) mounts.push({ mountPath: '/host/etc', name: 'etc-fs', readOnly: true });
  mounts.push(falcoYamlMount('config-volume'));
  if (customRules) mounts.push(customRulesMount());
  if (pipe) mounts.push({ mountPath: INTEGRATION_PIPE_DIR, name: 'shared-pipe', readOnly: false });
  if (ctx.webserverTlsSecret) {
    mounts.push({ mountPath: v.falco.webserver.sslCertificate, name: 'webserver-tls', subPath: 'falco.pem', readOnly: true });
  }
  return mounts;
}

/** The nats, sns and pubsub sidecars, each reading Falco's output from the shared pipe. */
function sidecarContainers(ctx: ShapeContext): Record<string, unknown>[] {
  const { fullname, values: v } = ctx;
  const sns = v.integrations.snsOutput;
  const pubsub = v.integrations.pubsubOutput;
  const containers: Record<string, unknown>[] = [];
  const pipeMount = { mountPath: INTEGRATION_PIPE_DIR, name: 'shared-pipe' };
  if (v.integrations.natsOutput.enabled) {
    containers.push({
      name: `${CHART_NAME}-nats`,
      image: 'sysdig/falco-nats:latest',
      imagePullPolicy: 'Always',
      args: ['/bin/falco-nats', '-s', v.integrations.natsOutput.natsUrl],
      volumeMounts: [pipeMount],
    });
  }
  if (sns.enabled) {
    containers.push({
      name: `${CHART_NAME}-sns`,
      image: 'sysdig/falco-sns:latest',
      imagePullPolicy: 'Always',
      args: ['/bin/falco-sns', '-t', sns.topic],
      volumeMounts: [pipeMount],
      env: [
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: sns.existingSecret, key: 'aws_access_key_id' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: sns.existingSecret, key: 'aws_secret_access_key' } } },
        { name: 'AWS_DEFAULT_REGION', valueFrom: { configMapKeyRef: { name: fullname, key: 'aws_default_region' } } },
      ],
    });
  }
  if (pubsub.enabled) {
    containers.push({
      name: `${CHART_NAME}-pubsub`,
      image: 'sysdiglabs/falco-pubsub:latest',
      imagePullPolicy: 'Always',
      args: ['/bin/falco-pubsub', '-t', pubsub.topic],
      volumeMounts: [pipeMount],
      env: [
        { name: 'GOOGLE_PROJECT_ID', valueFrom: { secretKeyRef: { name: pubsub.existingSecret, key: 'gcp-project-id' } } },
        { name: 'GOOGLE_CREDENTIALS_DATA', valueFrom: { secretKeyRef: { name: pubsub.existingSecret, key: 'gcp-credentials-data' } } },
      ],
    });
  }
  return containers;
}

/**
 * The objects stable/falco 1.1.1 renders, with the same names, labels, selectors and pod spec,
 * apart from the documented deliberate differences (see `DIFFERENCES`). @internal
 */
export function buildLegacyShape(ctx: ShapeContext): ShapeResult {
  const { fullname, namespace, values: v } = ctx;
  const labels = legacyLabels(ctx);
  const meta = (name: string) => ({ name, namespace, labels: { ...labels } });

  checkWebserverEndpoint(v);

  if (v.serviceAccount.create) buildServiceAccount(ctx, meta(ctx.serviceAccountName));

  requireSidecarSecrets(v);
  const gcscc = v.integrations.gcscc;
  const gcsccSecret = gcscc.enabled ? gcscc.existingSecret : null;
  const { falcoConfig, configData, configMap } = buildConfigMap(ctx, meta(fullname), gcsccSecret);

  const rulesData = customRulesConfigMap(ctx, meta(`${fullname}-rules`));

  // No Secret: the chart's (templates/secret.yaml) would carry the credentials into Git; the sidecars read the
  // user's existingSecret, with the chart's key names.

  if (v.podSecurityPolicy.create) buildPodSecurityPolicy(ctx, labels);

  if (v.rbac.create) buildClusterRbac(ctx, labels);

  const serviceObject = buildService(ctx, meta(fullname));

  const podSelector = { app: fullname, role: 'security' };
  const workload = buildDaemonSet(ctx, meta(fullname), {
    selector: podSelector,
    annotations: { 'checksum/config': checksum(configData), 'checksum/rules': checksum(rulesData) },
    gcsccSecret,
    customRules: Object.keys(v.customRules).length > 0,
    pipe: pipeIntegrationEnabled(v),
  });

  if (v.fakeEventGenerator.enabled) buildEventGenerator(ctx, labels);

  const servicePort = v.falco.webserver.listenPort;
  return { workload, serviceObject, serviceName: fullname, servicePort, podSelector, configMap, falcoConfig };
}

/** The chart's labels, on every object it renders. */
function legacyLabels(ctx: ShapeContext): Record<string, string> {
  return {
    app: ctx.fullname,
    chart: `${CHART_NAME}-${CHART_VERSION}`,
    release: ctx.releaseName,
    heritage: 'Helm',
  };
}

/** Falco up to 0.31 receives audit events on its webserver: it must be on, and serve a path the API server can call. */
function checkWebserverEndpoint(v: ResolvedFalcoValues): void {
  if (!v.falco.webserver.enabled) {
    throw new UserError(
      'falco.webserver.enabled is false, so Falco would serve no audit endpoint; set it to true (Falco up to 0.31 receives audit events on its webserver)',
      { field: 'falco.webserver.enabled' },
    );
  }
  checkAuditPath(v.falco.webserver.k8sAuditEndpoint, 'falco.webserver.k8sAuditEndpoint');
}

/** The service account Falco runs as, when the values create it. */
function buildServiceAccount(ctx: ShapeContext, metadata: Record<string, unknown>): void {
  new ApiObject(ctx.scope, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata });
}

/** The sns and pubsub sidecars read their credentials from the user's Secret: one must be named when they are on. */
function requireSidecarSecrets(v: ResolvedFalcoValues): void {
  const sns = v.integrations.snsOutput;
  const pubsub = v.integrations.pubsubOutput;
  requireExistingSecret(sns.enabled, sns.existingSecret, 'snsOutput', 'aws_access_key_id and aws_secret_access_key');
  requireExistingSecret(pubsub.enabled, pubsub.existingSecret, 'pubsubOutput', 'gcp-credentials-data and gcp-project-id');
}

/** The Service the API server sends audit events to: Falco's webserver port on the DaemonSet's pods. */
function buildService(ctx: ShapeContext, metadata: Record<string, unknown>): ApiObject {
  const serviceSelector = { app: ctx.fullname };
  return new ApiObject(ctx.scope, 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: serviceSpec(ctx, serviceSelector, { protocol: 'TCP', port: ctx.values.falco.webserver.listenPort }),
  });
}

/** What the DaemonSet's pod is built from beside the context. */
interface LegacyPod {
  readonly selector: Record<string, string>;
  /** The checksums of the ConfigMaps, so a changed config rolls the pods. */
  readonly annotations: Record<string, string>;
  /** The Secret holding gcscc's token, or null. */
  readonly gcsccSecret: string | null;
  /** Whether the custom rules ConfigMap is mounted. */
  readonly customRules: boolean;
  /** Whether the sidecars read Falco's output from the shared pipe. */
  readonly pipe: boolean;
}

/** The privileged DaemonSet that runs Falco, and the chart's sidecars, on every node. */
function buildDaemonSet(ctx: ShapeContext, metadata: Record<string, unknown>, pod: LegacyPod): ApiObject {
  return new ApiObject(ctx.scope, 'DaemonSet', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      selector: { matchLabels: { ...pod.selector } },
      template: {
        metadata: { name: ctx.fullname, labels: { ...pod.selector }, annotations: pod.annotations },
        spec: legacyPodSpec(ctx, pod),
      },
      updateStrategy: ctx.values.daemonset.updateStrategy,
    },
  });
}

/** The DaemonSet's pod spec, in the chart's order: scheduling, the containers, the pipe's init container, the volumes. */
function legacyPodSpec(ctx: ShapeContext, pod: LegacyPod): Record<string, unknown> {
  const v = ctx.values;
  return {
    serviceAccountName: ctx.serviceAccountName,
    ...(v.ebpf.enabled && v.ebpf.settings.hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
    ...(v.priorityClassName ? { priorityClassName: v.priorityClassName } : {}),
    nodeSelector: nonEmpty(v.nodeSelector),
    affinity: nonEmpty(v.affinity),
    tolerations: v.tolerations,
    containers: [falcoContainer(ctx, pod), ...sidecarContainers(ctx)],
    ...(pod.pipe ? { initContainers: [pipeInitContainer()] } : {}),
    volumes: legacyVolumes(ctx, pod.customRules, pod.pipe),
  };
}

/** The privileged Falco container, its webserver serving the audit endpoint. */
function falcoContainer(ctx: ShapeContext, pod: LegacyPod): Record<string, unknown> {
  const v = ctx.values;
  const env = falcoEnv(ctx, pod.gcsccSecret);
  return {
    name: CHART_NAME,
    image: falcoImage(v),
    imagePullPolicy: v.image.pullPolicy,
    resources: v.resources,
    securityContext: { privileged: true },
    args: falcoArgs(v),
    env: env.length ? env : undefined,
    // Declared so the Service's targetPort provably names a port of the selected pods (the chart declares none).
    ports: [{ name: 'web', containerPort: v.falco.webserver.listenPort, protocol: 'TCP' }],
    volumeMounts: falcoMounts(ctx, pod.customRules, pod.pipe),
  };
}

/** Falco's command line, as the chart's: containerd's socket, Kubernetes metadata read with the pod's token, extraArgs. */
function falcoArgs(v: ResolvedFalcoValues): string[] {
  const args = ['/usr/bin/falco'];
  if (v.containerd.enabled) args.push('--cri', '/host/run/containerd/containerd.sock');
  args.push('-K', TOKEN_FILE, '-k', 'https://$(KUBERNETES_SERVICE_HOST)', '-pk', ...v.extraArgs);
  return args;
}

/** The init container that makes the named pipe Falco writes its alerts to and the sidecars read. */
function pipeInitContainer(): Record<string, unknown> {
  return {
    name: 'init-pipe',
    image: 'busybox',
    command: ['mkfifo', INTEGRATION_PIPE],
    volumeMounts: [{ mountPath: INTEGRATION_PIPE_DIR, name: 'shared-pipe', readOnly: false }],
  };
}

/** The pod's volumes behind {@link falcoMounts}, in the chart's order. */
function legacyVolumes(ctx: ShapeContext, customRules: boolean, pipe: boolean): Record<string, unknown>[] {
  const { fullname, values: v } = ctx;
  const volumes: Record<string, unknown>[] = [{ name: 'dshm', emptyDir: { medium: 'Memory' } }];
  if (v.docker.enabled) volumes.push({ name: 'docker-socket', hostPath: { path: v.docker.socket } });
  if (v.containerd.enabled) volumes.push({ name: 'containerd-socket', hostPath: { path: v.containerd.socket } });
  volumes.push(
    { name: 'dev-fs', hostPath: { path: '/dev' } },
    { name: 'proc-fs', hostPath: { path: '/proc' } },
    { name: 'boot-fs', hostPath: { path: '/boot' } },
    { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
    { name: 'usr-fs', hostPath: { path: '/usr' } },
  );
  if (v.ebpf.enabled && v.ebpf.settings.mountEtcVolume) volumes.push({ name: 'etc-fs', hostPath: { path: '/etc' } });
  volumes.push(falcoYamlVolume('config-volume', fullname));
  if (customRules) volumes.push(customRulesVolume(fullname));
  if (pipe) volumes.push({ name: 'shared-pipe', emptyDir: {} });
  if (ctx.webserverTlsSecret) {
    volumes.push({ name: 'webserver-tls', secret: { secretName: ctx.webserverTlsSecret, items: [{ key: 'falco.pem', path: 'falco.pem' }] } });
  }
  return volumes;
}

/** The chart's fake event generator: a Deployment that makes suspicious activity for Falco to alert on. */
function buildEventGenerator(ctx: ShapeContext, labels: Record<string, string>): void {
  const app = `${ctx.fullname}-event-generator`;
  new ApiObject(ctx.scope, 'EventGenerator', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ctx.namespace, labels: { ...labels, app } },
    spec: {
      replicas: ctx.values.fakeEventGenerator.replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: app, image: 'sysdig/falco-event-generator:latest' }] },
      },
    },
  });
}
