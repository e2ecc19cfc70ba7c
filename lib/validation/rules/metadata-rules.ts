import { arr, child, cut, isObject, Json, kindOf, metadataOf, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import {
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  labelValueProblems,
  pathSegmentNameProblems,
  qualifiedNameProblems,
} from '../names';
import { CLUSTER_SCOPED_KINDS, NAMESPACED_KINDS, reporter, selectorMatches, selectorString } from './support';

/** The name format the API server checks per kind (ValidateXName in pkg/apis/.../validation). */
const NAME_FORMAT: Record<string, { what: string; check: (name: string) => string[] }> = {
  Service: { what: 'DNS-1035 label', check: dns1035LabelProblems },
  Namespace: { what: 'DNS-1123 label', check: dns1123LabelProblems },
  ClusterRole: { what: 'path segment', check: pathSegmentNameProblems },
  ClusterRoleBinding: { what: 'path segment', check: pathSegmentNameProblems },
  Role: { what: 'path segment', check: pathSegmentNameProblems },
  RoleBinding: { what: 'path segment', check: pathSegmentNameProblems },
};
const SUBDOMAIN = { what: 'DNS-1123 subdomain', check: dns1123SubdomainProblems };

function isApiObject(object: unknown): boolean {
  const kind = kindOf(object);
  return NAMESPACED_KINDS.has(kind) || CLUSTER_SCOPED_KINDS.has(kind);
}

/**
 * `metadata.name` is set and has the format the API uses for the kind: DNS-1035 label for a
 * Service, DNS-1123 label for a Namespace, a path segment for RBAC objects, DNS-1123 subdomain
 * for the rest. `metadata.namespace`, when set, is a DNS-1123 label.
 */
export function checkObjectName(item: ValidationItem, _context?: RuleContext): Violation[] {
  if (!isApiObject(item.object)) return [];
  const r = reporter(item, 'object-name');
  const meta = metadataOf(item.object);
  const kind = kindOf(item.object);
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    r.add('metadata.name', `${kind} has no metadata.name; the project always names its objects`, name);
  } else {
    const format = NAME_FORMAT[kind] ?? SUBDOMAIN;
    for (const p of format.check(name)) r.add('metadata.name', `${kind} name "${cut(name)}" ${p}`, name);
  }
  if (typeof meta.namespace === 'string') {
    for (const p of dns1123LabelProblems(meta.namespace)) r.add('metadata.namespace', `namespace "${cut(meta.namespace)}" ${p}`, meta.namespace);
  }
  return r.found;
}

/** Cluster-scoped kinds have no `metadata.namespace`; namespaced kinds have one (Argo CD needs it explicit). */
export function checkNamespaceScope(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  const r = reporter(item, 'namespace-scope');
  const ns = metadataOf(item.object).namespace;
  if (CLUSTER_SCOPED_KINDS.has(kind) && ns !== undefined) {
    r.add('metadata.namespace', `${kind} is cluster-scoped and must not have a namespace, got ${show(ns)}`, ns);
  }
  if (NAMESPACED_KINDS.has(kind) && (typeof ns !== 'string' || ns === '')) {
    r.add('metadata.namespace', `${kind} is namespaced and needs an explicit metadata.namespace`, ns);
  }
  return r.found;
}

function checkLabelMap(r: ReturnType<typeof reporter>, path: string, labels: unknown, what: string): void {
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(key)) r.add(child(path, key), `${what} key "${cut(key)}": ${p}`, key);
    if (typeof value === 'string') {
      for (const p of labelValueProblems(value)) r.add(child(path, key), `${what} value "${cut(value)}" ${p}`, value);
    }
  }
}

/** Label keys and values (object, pod template, selectors) have valid syntax. */
export function checkLabels(item: ValidationItem, _context?: RuleContext): Violation[] {
  const r = reporter(item, 'labels');
  const o = obj(item.object);
  checkLabelMap(r, 'metadata.labels', metadataOf(item.object).labels, 'label');
  const spec = obj(o.spec);
  const kind = kindOf(item.object);
  if (kind === 'DaemonSet' || kind === 'Deployment') {
    checkLabelMap(r, 'spec.template.metadata.labels', obj(obj(spec.template).metadata).labels, 'label');
    const selector = obj(spec.selector);
    checkLabelMap(r, 'spec.selector.matchLabels', selector.matchLabels, 'selector');
    arr(selector.matchExpressions).forEach((e, i) => {
      const path = child(child('spec.selector.matchExpressions', i), 'key');
      const key = str(obj(e).key);
      if (key !== undefined) for (const p of qualifiedNameProblems(key)) r.add(path, `selector key "${cut(key)}": ${p}`, key);
    });
  }
  if (kind === 'Service') checkLabelMap(r, 'spec.selector', spec.selector, 'selector');
  return r.found;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** Annotation keys are qualified names and all annotations together stay under 256 KiB. */
export function checkAnnotations(item: ValidationItem, _context?: RuleContext): Violation[] {
  const r = reporter(item, 'annotations');
  const check = (path: string, annotations: unknown) => {
    if (!isObject(annotations)) return;
    let size = 0;
    for (const [key, value] of Object.entries(annotations)) {
      for (const p of qualifiedNameProblems(key.toLowerCase())) r.add(child(path, key), `annotation key "${cut(key)}": ${p}`, key);
      size += key.length + (typeof value === 'string' ? value.length : 0);
    }
    if (size > TOTAL_ANNOTATION_SIZE) r.add(path, `annotations total ${size} bytes, more than the ${TOTAL_ANNOTATION_SIZE} the API allows`);
  };
  check('metadata.annotations', metadataOf(item.object).annotations);
  const kind = kindOf(item.object);
  if (kind === 'DaemonSet' || kind === 'Deployment') {
    check('spec.template.metadata.annotations', obj(obj(obj(obj(item.object).spec).template).metadata).annotations);
  }
  return r.found;
}

/**
 * A DaemonSet's or Deployment's `spec.selector` is not empty and selects its own pod template's
 * labels (the API server refuses "selector does not match template labels").
 */
export function checkWorkloadSelector(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  if (kind !== 'DaemonSet' && kind !== 'Deployment') return [];
  const r = reporter(item, 'workload-selector');
  const spec = obj(obj(item.object).spec);
  const selector: Json = obj(spec.selector);
  const labels = obj(obj(obj(spec.template).metadata).labels);
  const empty = Object.keys(obj(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
  if (empty) {
    r.add('spec.selector', `empty selector is invalid for a ${kind}: it would select every pod`, spec.selector);
    return r.found;
  }
  arr(selector.matchExpressions).forEach((e, i) => {
    const expr = obj(e);
    const path = child('spec.selector.matchExpressions', i);
    const op = expr.operator;
    const values = arr(expr.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) r.add(child(path, 'values'), `operator ${op} needs at least one value`);
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) r.add(child(path, 'values'), `operator ${op} takes no values`, expr.values);
    } else {
      r.add(child(path, 'operator'), `operator ${show(op)} is not one of In, NotIn, Exists, DoesNotExist`, op);
    }
  });
  if (!selectorMatches(selector, labels)) {
    const labelText =
      Object.entries(labels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || 'none';
    r.add('spec.selector', `selector "${cut(selectorString(selector))}" does not match the template labels (${labelText})`, selector);
  }
  return r.found;
}

/**
 * No two objects of the set share kind, namespace and name: the second would overwrite the first
 * when applied (and Argo CD reports a shared resource).
 */
export function checkDuplicateObjects(item: ValidationItem, context?: RuleContext): Violation[] {
  if (!isApiObject(item.object)) return [];
  const key = (o: unknown) => {
    const meta = metadataOf(o);
    const group = (str(obj(o).apiVersion) ?? '').split('/').slice(0, -1).join('/');
    return `${group}/${kindOf(o)}/${str(meta.namespace) ?? ''}/${str(meta.name) ?? ''}`;
  };
  const mine = key(item.object);
  const items = context?.items ?? [];
  const first = items.find((other) => isApiObject(other.object) && key(other.object) === mine);
  if (!first || first === item || first.object === item.object) return [];
  const r = reporter(item, 'duplicate-object');
  r.add(
    'metadata.name',
    `another ${kindOf(item.object)} with the same name and namespace is in the output (${first.source}); one would overwrite the other`,
  );
  return r.found;
}
