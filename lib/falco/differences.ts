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
    why: 'since Kubernetes 1.16 these live only in apps; Falco\'s metadata client needs them (falcosecurity/falco#1064)',
  },
  {
    id: 'no-bundled-rules',
    what: 'the ConfigMap holds falco.yaml only (not falco_rules.yaml, falco_rules.local.yaml, application_rules.yaml, k8s_audit_rules.yaml); it is mounted at /etc/falco/falco.yaml with subPath, user customRules go to /etc/falco/rules.d',
    why: 'the chart\'s copies of Falco\'s rules drifted from the engine version (falcosecurity/charts#138, #91); the image ships the rules that match it',
  },
  {
    id: 'falco-yaml-text',
    what: 'falco.yaml is rendered from the values as plain YAML without the chart\'s comments (every key carries the chart\'s value)',
    why: 'deterministic output from a typed object instead of text templating',
  },
  {
    id: 'checksums',
    what: 'checksum/config and checksum/rules are sha256 of the canonical JSON of the data they guard (falco.yaml, custom rules), not of a whole rendered template',
    why: 'they change only when the guarded data changes, never with this project\'s version or the chart text',
  },
  {
    id: 'event-generator-selector',
    what: 'the event generator Deployment has spec.selector.matchLabels {app: <fullname>-event-generator}',
    why: 'apps/v1 requires a selector; the chart\'s Deployment is rejected without one',
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
    why: 'an AuditSink exists only where the API server has dynamic auditing, and the chart\'s service reference is called over HTTPS that Falco does not speak (falcosecurity/falco#1026)',
  },
  {
    id: 'secrets-by-reference',
    what: 'no Secret is rendered: the SNS and Pub/Sub sidecars read the chart\'s keys from the Secret named in integrations.<name>.existingSecret (required when enabled), gcscc\'s token can come from integrations.gcscc.existingSecret through an environment variable, and literal credentials are refused',
    why: 'the output is meant for Git, where a Secret\'s base64 data or a token in a ConfigMap is readable by everyone with the repository',
  },
  {
    id: 'ebpf-probe-empty',
    what: 'with ebpf.enabled, SYSDIG_BPF_PROBE has value "" where the chart writes an empty (null) value',
    why: 'same meaning for the kubelet (an empty variable); an explicit string is valid for every client-side validator',
  },
]);

/** What the plugin shape (Falco 0.32+) leaves out of falco chart 9.1.0's k8saudit render, and why. */
export const PLUGIN_SHAPE_OMISSIONS: readonly FalcoDifference[] = Object.freeze([
  {
    id: 'no-role',
    what: 'no Role/RoleBinding (chart 9.1.0 grants configmaps get/list/update)',
    why: 'an audit-only Falco reads nothing from the API: least privilege; the service account token is not even mounted',
  },
  {
    id: 'no-follow-sidecar',
    what: 'no falcoctl-artifact-follow sidecar',
    why: 'it swaps rules in a running pod from the internet; pinned refs installed at start keep what runs equal to what Git says',
  },
  {
    id: 'no-host-proc',
    what: 'no /proc hostPath and no /root/.falco emptyDir',
    why: 'with the syscall source disabled Falco reads no host state and writes no driver',
  },
  {
    id: 'restricted-security-context',
    what: 'containers drop ALL capabilities and disallow privilege escalation; RuntimeDefault seccomp from Kubernetes 1.19',
    why: 'plugins need no privileges (the chart renders an empty securityContext)',
  },
  {
    id: 'selector-labels',
    what: 'pods are selected by {app: <fullname>, role: k8saudit}, not by app.kubernetes.io/instance',
    why: 'Argo CD\'s label tracking writes app.kubernetes.io/instance, which must not be part of an immutable selector',
  },
  {
    id: 'cluster-ip-service',
    what: 'the Service is a ClusterIP Service unless a nodePort is given (chart 9.1.0 preset: NodePort 30007)',
    why: 'a node port opens the audit endpoint on every node; pin it only when the API server must use 127.0.0.1:<nodePort>',
  },
]);
