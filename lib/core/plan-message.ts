/**
 * What a warning or a note of the plan is about: one stable, kebab-case code each, so that CI and review bots can
 * match on it (`--plan-json`'s `warnings[].code`) while the words of the message may change. The one table of codes:
 * every warning and note the library and the app emit has one of these (test/core/plan-message.test.ts).
 */
export enum PlanMessageCode {
  /** Warning: the API server sends audit events to Falco over plain HTTP; says what travels in clear and how TLS goes on. */
  PLAIN_HTTP_AUDIT = 'plain-http-audit',
  /** Warning: the API server calls Falco at 127.0.0.1:<nodePort>, which some kube-proxy modes do not serve. */
  NODEPORT_LOCALHOST = 'nodeport-localhost',
  /** Warning: a NodePort on a service range without IPv4; kube-proxy serves no NodePort on ::1. */
  NODEPORT_IPV6_ONLY = 'nodeport-ipv6-only',
  /** Warning: the pinned ClusterIP is the address kubeadm gives the cluster DNS Service (the range's tenth). */
  CLUSTER_DNS_ADDRESS = 'cluster-dns-address',
  /** Warning: stable/falco values without image.tag on Kubernetes 1.19+ run the chart's default Falco 0.19.0. */
  LEGACY_FALCO_DEFAULT = 'legacy-falco-default',
  /** Warning: falco.rules_file (deprecated by Falco 0.38) is written as rules_files. */
  RULES_FILE_RENAMED = 'rules-file-renamed',
  /** Warning: the falcoctl follower replaces rules in the running pod, so what runs can change without a change in Git. */
  FALCOCTL_FOLLOW = 'falcoctl-follow',
  /** Warning: falcoctl refs without a full version float to the newest release at every pod start. */
  FLOATING_FALCOCTL_REFS = 'floating-falcoctl-refs',
  /** Warning: more than one Falco replica: each sees only part of the audit events. */
  REPLICAS_SPLIT_EVENTS = 'replicas-split-events',
  /** Warning: zero Falco replicas: the audit events are dropped. */
  REPLICAS_ZERO = 'replicas-zero',
  /** Warning: a --kube-apiserver-arg on the k3s or RKE2 service's command line replaces the list the config files build, ours included. */
  KUBE_APISERVER_ARG_REPLACES = 'kube-apiserver-arg-replaces',
  /** Warning: the audit log is off in the settings, but the distribution (RKE2) writes it itself. */
  DISTRIBUTION_AUDIT_LOG = 'distribution-audit-log',
  /** Warning: several kind ClusterConfiguration patches of one control-plane node set extraVolumes: the last replaces the others. */
  KIND_EXTRA_VOLUMES_REPLACED = 'kind-extra-volumes-replaced',
  /** Note: the values file's chart was read from its keys (the keys that decided are named); `falco.chart` says it. */
  CHART_FROM_KEYS = 'chart-from-keys',
  /** Note: no values file names a Falco, so the newest release this library knows runs. */
  NEWEST_FALCO_DEFAULT = 'newest-falco-default',
}

/** A warning or a note of the plan (`FalcoAudit.warnings`, `FalcoAudit.notes`, `--plan-json`). */
export interface PlanMessage {
  /** What it is about: stable across releases (PlanMessageCode lists them all). */
  readonly code: PlanMessageCode;
  /** What to tell a person; its words may change between releases. */
  readonly message: string;
}

/** A plan message. */
export function planMessage(code: PlanMessageCode, message: string): PlanMessage {
  return { code, message };
}
