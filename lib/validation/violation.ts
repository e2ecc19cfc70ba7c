import { KubernetesVersion } from '../core/kubernetes-version';

/** One reason the target cluster would refuse an object (or a host file). */
export interface Violation {
  /** What was validated, as the caller named it, e.g. `DaemonSet falco` or `node/kube-apiserver.yaml`. */
  readonly source: string;
  /** Where in the object, dotted with indexes: `spec.template.spec.containers[0].securityContext`; `''` for the whole object. */
  readonly path: string;
  /** The rule that failed, e.g. `schema.unknown-field` or `privileged-escalation`. */
  readonly rule: string;
  /** What is wrong, lowercase, including the bad value. */
  readonly message: string;
  /** The offending value, where there is one. */
  readonly value?: unknown;
}

/** One object to validate and a name for it that the user recognises. */
export interface ValidationItem {
  /** Names the object in messages (a file, or `<kind> <name>`). */
  readonly source: string;
  /** The object as it will be written (plain JSON data). */
  readonly object: unknown;
}

/** Cluster facts that some rules need. */
export interface ValidationContext {
  /**
   * The API server's `--service-cluster-ip-range` (one CIDR, or an IPv4 and an IPv6 CIDR separated
   * by a comma). When set, pinned Service cluster IPs must lie inside it.
   * @default - cluster IPs are only checked to be IP addresses
   */
  readonly serviceClusterIPRange?: string;
  /**
   * The API server's `--service-node-port-range` (`30000-32767`). Service `nodePort`s must lie inside it.
   * @default '30000-32767' (the API server's default)
   */
  readonly serviceNodePortRange?: string;
}

/** What a semantic rule sees besides the object: the version and every object validated with it. */
export interface RuleContext extends ValidationContext {
  /** The target Kubernetes version. */
  readonly version: KubernetesVersion;
  /** Every item validated together (a Service's selector is checked against these). */
  readonly items: readonly ValidationItem[];
}

/** A check the API server makes that a schema cannot express. Never throws; returns the violations found. */
export type SemanticRule = (item: ValidationItem, context: RuleContext) => Violation[];

/** `<source>: <path>: <message> (<rule>)`, leaving out an empty path. */
export function formatViolation(v: Violation): string {
  return v.path ? `${v.source}: ${v.path}: ${v.message} (${v.rule})` : `${v.source}: ${v.message} (${v.rule})`;
}
