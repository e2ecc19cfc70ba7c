/* Shared pieces of the semantic rules. Internal. */
import { arr, child, isObject, Json, kindOf, metadataOf, obj, str } from '../../core/util';
import { ValidationItem, Violation } from '../violation';

/** Kinds whose objects live in a namespace. */
export const NAMESPACED_KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'Service',
  'DaemonSet',
  'Deployment',
  'Role',
  'RoleBinding',
]);

/** Kinds without a namespace (registry strategy `NamespaceScoped() == false`). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PodSecurityPolicy',
  'AuditSink',
]);

/** A pod spec inside an object: where it is and what it says. */
export interface PodSpecAt {
  readonly path: string;
  readonly spec: Json;
  /** The labels the pods get (template labels for workloads). */
  readonly labels: Json;
  readonly namespace?: string;
}

/** The pod spec of a Pod, or of a DaemonSet/Deployment template; undefined for other kinds. */
export function podSpecOf(object: unknown): PodSpecAt | undefined {
  const o = obj(object);
  const namespace = str(metadataOf(object).namespace);
  switch (kindOf(object)) {
    case 'Pod':
      return { path: 'spec', spec: obj(o.spec), labels: obj(metadataOf(object).labels), namespace };
    case 'DaemonSet':
    case 'Deployment': {
      const template = obj(obj(o.spec).template);
      return { path: 'spec.template.spec', spec: obj(template.spec), labels: obj(obj(template.metadata).labels), namespace };
    }
    default:
      return undefined;
  }
}

/** Every container of a pod spec with its path: init, regular and ephemeral. */
export function containersOf(at: PodSpecAt): { path: string; container: Json }[] {
  const out: { path: string; container: Json }[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    arr(at.spec[field]).forEach((c, i) => {
      if (isObject(c)) out.push({ path: child(child(at.path, field), i), container: c });
    });
  }
  return out;
}

/** A violation builder bound to one item and rule. */
export function reporter(item: ValidationItem, rule: string) {
  const found: Violation[] = [];
  return {
    found,
    add(path: string, message: string, value?: unknown): void {
      found.push(value === undefined ? { source: item.source, path, rule, message } : { source: item.source, path, rule, message, value });
    },
  };
}

/** A label selector (`matchLabels` + `matchExpressions`) matches a label set. */
export function selectorMatches(selector: Json, labels: Json): boolean {
  for (const [k, v] of Object.entries(obj(selector.matchLabels))) {
    if (labels[k] !== v) return false;
  }
  for (const e of arr(selector.matchExpressions)) {
    const expr = obj(e);
    const key = str(expr.key) ?? '';
    const values = arr(expr.values);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A selector as kubectl writes it: `app=falco,role in (a,b),!debug`. */
export function selectorString(selector: Json): string {
  const parts = Object.entries(obj(selector.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arr(selector.matchExpressions)) {
    const expr = obj(e);
    const key = String(expr.key);
    const values = arr(expr.values).map(String).join(',');
    switch (expr.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        parts.push(`${key} ${String(expr.operator)} (${values})`);
    }
  }
  return parts.join(',');
}
