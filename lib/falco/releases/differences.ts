import { CHART_9_APP_VERSION, CHART_9_VERSION } from '../values/chart-9.1.0-values';
import { NEWEST_FALCO_RELEASE } from './falco-releases';

/** The audit rules ref the newest release pins (`k8saudit-rules:0.16.1`): the texts name the pin the code uses. */
const NEWEST_RULES_REF = NEWEST_FALCO_RELEASE.defaultRefs!.find((r) => r.startsWith('k8saudit-rules:'))!;

/** `k8saudit-rules:0.16.1` -> `0.16`, `0.44.1` -> `0.44`: the floating minor of a pinned version. */
function minorOf(pinned: string): string {
  return pinned
    .slice(pinned.indexOf(':') + 1)
    .split('.')
    .slice(0, 2)
    .join('.');
}

/**
 * One deliberate difference from what `helm template` of stable/falco 1.1.1 renders for the same
 * values, with its reason. The parity tests allow exactly these and nothing else.
 */
export interface FalcoDifference {
  /** A short id, used by the parity tests' allow-list. */
  readonly id: string;
  /** What differs. */
  readonly what: string;
  /** Why. */
  readonly why: string;
  /** The source (file and line at a release tag) that shows the difference is safe, where one does. */
  readonly source?: string;
}

/** Every deliberate difference of the legacy shape from stable/falco 1.1.1 (for the README). */
export const DIFFERENCES: readonly FalcoDifference[] = Object.freeze([
  {
    id: 'rbac-v1',
    what: 'ClusterRole and ClusterRoleBinding use rbac.authorization.k8s.io/v1 instead of v1beta1',
    why: 'v1 is served on every supported Kubernetes version; v1beta1 is gone in 1.22',
  },
  {
    id: 'apps-watch',
    what: 'the ClusterRole also grants get/list/watch on daemonsets, deployments and replicasets in the apps group',
    why: "since Kubernetes 1.16 these live only in apps; Falco's metadata client needs them (falcosecurity/falco#1064)",
  },
  {
    id: 'no-bundled-rules',
    what: 'the ConfigMap holds falco.yaml only (not falco_rules.yaml, falco_rules.local.yaml, application_rules.yaml, k8s_audit_rules.yaml); it is mounted at /etc/falco/falco.yaml with subPath, user customRules go to /etc/falco/rules.d',
    why: "the chart's copies of Falco's rules drifted from the engine version (falcosecurity/charts#138, #91); the image ships the rules that match it",
  },
  {
    id: 'falco-yaml-text',
    what: "falco.yaml is rendered from the values as plain YAML without the chart's comments (every key carries the chart's value)",
    why: 'deterministic output from a typed object instead of text templating',
  },
  {
    id: 'checksums',
    what: 'checksum/config and checksum/rules are sha256 of the canonical JSON of the data they guard (falco.yaml, custom rules), not of a whole rendered template',
    why: "they change only when the guarded data changes, never with this project's version or the chart text",
  },
  {
    id: 'event-generator-selector',
    what: 'the event generator Deployment has spec.selector.matchLabels {app: <fullname>-event-generator}',
    why: "apps/v1 requires a selector; the chart's Deployment is rejected without one",
  },
  {
    id: 'cluster-scoped-no-namespace',
    what: 'ClusterRole, ClusterRoleBinding and PodSecurityPolicy carry no metadata.namespace; every namespaced object carries it explicitly',
    why: 'cluster-scoped objects have no namespace; the namespace must not depend on the enclosing cdk8s Chart',
  },
  {
    id: 'service-always',
    what: 'the audit Service is rendered even when auditLog.enabled is false (optionally with a pinned clusterIP or a nodePort)',
    why: 'this project exists to wire audit events to Falco; the API server needs an address to call',
  },
  {
    id: 'psp-use-rule',
    what: 'with podSecurityPolicy.create, the ClusterRole grants "use" on the PodSecurityPolicy; an error on Kubernetes 1.25+',
    why: 'a PodSecurityPolicy nobody may use admits nothing; policy/v1beta1 is gone in 1.25',
  },
  {
    id: 'container-port',
    what: 'the Falco container declares its webserver port (ports: [{name: web, containerPort: <listenPort>, protocol: TCP}])',
    why: 'the audit Service targets that port; declaring it lets validation prove the Service reaches a port Falco serves',
  },
  {
    id: 'control-plane-toleration',
    what: 'on Kubernetes 1.24+, unless tolerations are set, the pods also tolerate NoSchedule on node-role.kubernetes.io/control-plane',
    why: 'kubeadm taints control-plane nodes with that key from 1.24 (only that key from 1.25); the chart tolerates only the old master key',
  },
  {
    id: 'auditsink-by-backend',
    what: 'auditLog.dynamicBackend.enabled does not decide whether an AuditSink is rendered; the audit backend does (FalcoAuditSink, dynamic on 1.13-1.18), with a url instead of the service reference',
    why: "an AuditSink exists only where the API server has dynamic auditing, and the chart's service reference is called over HTTPS that Falco does not speak (falcosecurity/falco#1026)",
  },
  {
    id: 'secrets-by-reference',
    what: "no Secret is rendered: the SNS and Pub/Sub sidecars read the chart's keys from the Secret named in integrations.<name>.existingSecret (required when enabled), gcscc's token can come from integrations.gcscc.existingSecret through an environment variable, and literal credentials are refused",
    why: "the output is meant for Git, where a Secret's base64 data or a token in a ConfigMap is readable by everyone with the repository",
  },
  {
    id: 'ebpf-probe-empty',
    what: 'with ebpf.enabled, SYSDIG_BPF_PROBE has value "" where the chart writes an empty (null) value',
    why: 'same meaning for the kubelet (an empty variable); an explicit string is valid for every client-side validator',
  },
]);

/**
 * Every deliberate difference of the plugin shape (Falco 0.32+) from the k8saudit preset (`values-k8saudit.yaml`) of
 * the falcosecurity/falco chart release that shipped each Falco minor 0.36-0.44 (../shared/reference/k8saudit-by-falco).
 * The release parity test allows exactly these, each removed by a named normalization that must apply.
 */
export const PLUGIN_SHAPE_DIFFERENCES: readonly FalcoDifference[] = Object.freeze([
  {
    id: 'no-role',
    what: 'no Role/RoleBinding (charts 4.4+ grant configmaps get/list/update) and no ClusterRole/ClusterRoleBinding (chart 3.8.7)',
    why: 'an audit-only Falco reads nothing from the API: least privilege; the service account token is not even mounted',
  },
  {
    id: 'own-service-account',
    what: "a ServiceAccount with automountServiceAccountToken: false is always rendered (chart 4.3.1's preset used the namespace's default account)",
    why: 'the pod gets no token and no permissions someone gave the default account',
  },
  {
    id: 'no-follow-sidecar',
    what: 'no falcoctl-artifact-follow sidecar and no follow section in falcoctl.yaml',
    why: 'it swaps rules in a running pod from the internet; pinned refs installed at start keep what runs equal to what Git says',
  },
  {
    id: 'pinned-refs',
    what: `falcoctl installs refs pinned to full versions (${NEWEST_RULES_REF}, not ${minorOf(NEWEST_RULES_REF)}); for Falco 0.37-0.38 the k8saudit plugin is named beside the rules`,
    why: 'a floating ref changes what runs without a change in Git; the named plugin is the one resolveDeps installs for those rules anyway',
    source: 'falcoctl cmd/artifact/install/deps.go:184 @ v0.7.2 (a dependency is pulled at exactly the version the rules require)',
  },
  {
    id: 'plugins-from-image',
    what: 'Falco 0.36: no falcoctl (chart 3.8.7 installs k8saudit-rules:0.6 over /etc/falco); the rules and plugins the image bundles are used',
    why: 'the 0.36 image ships k8saudit 0.6.1 and its k8s_audit_rules.yaml, the same release the chart installs, with no download at start',
    source: 'falcosecurity/falco cmake/modules/plugins.cmake:27,52 @ 0.36.2',
  },
  {
    id: 'no-host-proc',
    what: 'no /proc hostPath at /host/proc: Falco 0.40+ gets plugins_hostinfo: false, 0.39 an empty HOST_ROOT',
    why: 'an audit-only Falco needs no host state; the host-info plugin platform is what reads $HOST_ROOT/proc',
    source:
      'falco userspace/falco/app/actions/helpers_inspector.cpp:66-68 and configuration.cpp:623 @ 0.40.0; helpers_inspector.cpp:64-66 @ 0.39.2 ' +
      'with libs userspace/libscap/scap.c:455-465 (HOST_ROOT read by getenv) @ 0.18.2',
  },
  {
    id: 'no-root-falco',
    what: 'no /root/.falco emptyDir',
    why: 'only the driver loader writes there, and no driver is loaded',
    source: 'falco docker/falco/docker-entrypoint.sh:47-132 @ 0.37.1 (skipped with SKIP_DRIVER_LOADER); the 0.40+ images have no loader',
  },
  {
    id: 'skip-driver-loader',
    what: 'the Falco container sets SKIP_DRIVER_LOADER=true',
    why: "the falcosecurity/falco image's entrypoint (up to 0.39) otherwise tries to build or download a kernel driver it cannot use",
    source: 'falco docker/falco/docker-entrypoint.sh:22 @ 0.36.2',
  },
  {
    id: 'no-k8s-node-name',
    what: 'no FALCO_K8S_NODE_NAME',
    why: "only the chart's k8smeta plugin config reads it, and that plugin is not loaded",
    source: 'falco chart/falco/templates/_helpers.tpl:293 @ 0.44.1 (the only reader)',
  },
  {
    id: 'falco-hostname',
    what: 'Falco 0.36: FALCO_HOSTNAME from spec.nodeName (chart 3.8.7 sets none; later charts do)',
    why: 'alerts then name the node, not the pod',
    source: 'falco userspace/falco/app/actions/init_outputs.cpp:35 @ 0.36.2',
  },
  {
    id: 'falco-yaml-defaults',
    what: "falco.yaml leaves out webserver keys the chart sets to Falco's own defaults (threadiness 0, listen_address 0.0.0.0, prometheus_metrics_enabled false)",
    why: 'the same values, fewer keys that differ between releases',
    source: 'falco userspace/falco/configuration.cpp:498-518 @ 0.40.0',
  },
  {
    id: 'no-outputs-rate',
    what: 'Falco 0.37-0.38: no outputs.rate/max_burst (the chart still writes them)',
    why: 'Falco 0.37 removed the outputs rate limiter; the keys do nothing there',
    source: 'falcosecurity/falco#2841',
  },
  {
    id: 'restricted-security-context',
    what: 'containers drop ALL capabilities and disallow privilege escalation; RuntimeDefault seccomp from Kubernetes 1.19',
    why: 'plugins need no privileges (the chart renders an empty securityContext)',
  },
  {
    id: 'declared-ports',
    what: 'the Falco container declares the k8saudit port (and, before chart 4.21, the web port)',
    why: 'the audit Service targets the k8saudit port; declaring it lets validation prove the Service reaches a port Falco serves',
  },
  {
    id: 'selector-labels',
    what: 'pods are selected by {app: <fullname>, role: k8saudit}, not by app.kubernetes.io/instance',
    why: "Argo CD's label tracking writes app.kubernetes.io/instance, which must not be part of an immutable selector",
  },
  {
    id: 'cluster-ip-service',
    what: 'the Service is a ClusterIP Service unless a nodePort is given (the preset: NodePort 30007)',
    why: 'a node port opens the audit endpoint on every node; pin it only when the API server must use 127.0.0.1:<nodePort>',
  },
]);

/** @deprecated the same list as {@link PLUGIN_SHAPE_DIFFERENCES}, under its first name. */
export const PLUGIN_SHAPE_OMISSIONS: readonly FalcoDifference[] = PLUGIN_SHAPE_DIFFERENCES;

/**
 * Every deliberate difference of what falcosecurity/falco 9.1.0 values synthesize from `helm template` of chart 9.1.0
 * with the same values (../shared/reference/charts/falco-9.1.0). The chart parity test (test/falco/chart-parity.test.ts)
 * renders each values file of its matrix with a real helm and allows exactly these, each removed by a named
 * normalization that must apply to at least one file.
 */
export const CHART_VALUES_DIFFERENCES: readonly FalcoDifference[] = Object.freeze([
  {
    id: 'no-role',
    what: 'no Role/RoleBinding (the chart renders them whenever rbac.create and driver.kind is auto, its default, even with the driver off)',
    why: 'they let the driver loader update the Falco ConfigMap; no driver is loaded, and an audit-only Falco reads nothing from the API',
    source: 'falco chart templates/role.yaml:1 and _helpers.tpl driverLoader.enabled @ 9.1.0',
  },
  {
    id: 'pinned-service-address',
    what: 'the k8saudit Service of services[] gets spec.clusterIP from falco.clusterIP; with falco.nodePort and no nodePort in services[], its port gets that nodePort (and type NodePort)',
    why: 'kube-apiserver runs on the host network and cannot resolve *.svc names, so it calls an address known before anything is applied (falcosecurity/charts#7)',
  },
  {
    id: 'no-host-proc',
    what: "no /proc hostPath at /host/proc: falco.yaml gets plugins_hostinfo: false on Falco 0.40+ (the chart's default, true, is what mounts it), an empty HOST_ROOT on 0.39",
    why: 'an audit-only Falco needs no host state; the host-info plugin platform is what reads $HOST_ROOT/proc',
    source:
      'falco chart templates/_helpers.tpl falco.procfsMount.enabled @ 9.1.0; falco userspace/falco/app/actions/helpers_inspector.cpp:66-68 and configuration.cpp:623 @ 0.40.0',
  },
  {
    id: 'no-root-falco',
    what: 'no /root/.falco emptyDir',
    why: 'only the driver loader writes there, and no driver is loaded',
    source: 'falco docker/falco/docker-entrypoint.sh:47-132 @ 0.37.1 (skipped with SKIP_DRIVER_LOADER); the 0.40+ images have no loader',
  },
  {
    id: 'skip-driver-loader',
    what: 'the Falco container sets SKIP_DRIVER_LOADER=true (unless extra.env sets it)',
    why: "the falcosecurity/falco image's entrypoint (up to 0.39) otherwise tries to build or download a kernel driver it cannot use",
    source: 'falco docker/falco/docker-entrypoint.sh:22 @ 0.36.2',
  },
  {
    id: 'no-k8s-node-name',
    what: 'no FALCO_K8S_NODE_NAME',
    why: "only the chart's k8smeta plugin config reads it, and that plugin is not loaded (collectors are off)",
    source: 'falco chart templates/_helpers.tpl k8smeta.configuration @ 9.1.0 (the only reader)',
  },
  {
    id: 'restricted-security-context',
    what: 'unless containerSecurityContext, podSecurityContext or falcoctl.artifact.*.securityContext are set, containers drop ALL capabilities and disallow privilege escalation, and the pod gets RuntimeDefault seccomp from Kubernetes 1.19',
    why: 'plugins need no privileges (with the driver off the chart renders empty security contexts)',
  },
  {
    id: 'no-token',
    what: 'the pod sets automountServiceAccountToken: false',
    why: 'an audit-only Falco calls no API; no token in the pod, whatever the service account may do',
  },
  {
    id: 'declared-ports',
    what: "the Falco container declares the k8saudit port from open_params beside the chart's web port",
    why: 'the Service targets the k8saudit port; declaring it lets validation prove the Service reaches a port Falco serves',
  },
  {
    id: 'checksums',
    what: 'checksum/config and checksum/rules are sha256 of the canonical JSON of the data they guard, checksum/falcoctl is added, and there is no checksum/certs',
    why: 'they change only when the guarded data changes (a refs change rolls the pods too); no certificates Secret is rendered, so there is nothing to guard',
  },
  {
    id: 'older-falco-yaml',
    what:
      `with an image.tag (or falco.version) older than the chart's ${CHART_9_APP_VERSION}: chart defaults that release's falco.yaml ` +
      'schema does not know are left out, and on 0.37 rules_files is written as rules_file',
    why:
      `chart ${CHART_9_VERSION} writes ${minorOf(CHART_9_APP_VERSION)}'s keys; an older Falco ignores the unknown ones (0.37 reads only ` +
      'rules_file and exits with no rules); keys the values set are checked, not dropped',
    source: 'falco userspace/falco/config_json_schema.h @ 0.39.2-0.44.1; configuration.cpp:193 @ 0.37.0',
  },
  {
    id: 'no-startup-probe-before-1.18',
    what: 'on Kubernetes before 1.18: no startupProbe; liveness and readiness wait at least 60 s and 30 s',
    why: 'startupProbe is unknown to those API servers; the delay gives Falco the same minute to load its plugins and rules',
  },
]);
