import { apiVersionOf, describeKind, isObject, kindOf, metadataOf, obj, show, str } from '../../core/util';
import { dns1123LabelProblems, dns1123SubdomainProblems } from '../names';
import { Violation } from '../violation';
import { ManagedKindData, managedIndex, schemaViolations } from './managed-data';

/*
 * What every cloud object is checked for, before its kind's own rules: a kind the vendored data knows, the API server's
 * metadata rules for a custom resource, the kind's schema (CRD, structure.txt or samples), and ACK's API patterns.
 */

/** Options of the cloud object validators. */
export interface CloudObjectOptions {
  /** Names the object in violations. @default '<kind> <metadata.name>' */
  readonly source?: string;
  /**
   * Check the object as the Falco side emits it for the audit feed, besides its schema: e.g. a DiagnosticSetting must
   * stream an audit category to an Event Hub, an authorization rule must be Listen-only. Off for other objects of the
   * kind, such as the upstream samples.
   * @default true
   */
  readonly forFalco?: boolean;
}

/** A violation builder bound to one object. */
export type Report = (path: string, rule: string, message: string, value?: unknown) => void;

/** The result of the common checks: the violations so far, and how to add more. */
export interface CloudCheck {
  readonly source: string;
  readonly kind?: ManagedKindData;
  readonly violations: Violation[];
  readonly report: Report;
}

/** `Kind name`, for messages. */
export function describeObject(object: unknown): string {
  const name = str(metadataOf(object).name);
  return `${kindOf(object) || 'object'}${name ? ` ${name}` : ''}`;
}

/** The value at a dotted path (`spec.name`), or undefined. */
export function valueAt(object: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((cur, key) => (isObject(cur) ? cur[key] : undefined), object);
}

/**
 * A custom resource's metadata as the API server checks it: a name that is a DNS-1123 subdomain and, for a namespaced
 * kind, a namespace that is a DNS-1123 label when given (apiextensions-apiserver pkg/registry/customresource/validator.go:
 * ValidateObjectMetaAccessor(..., NameIsDNSSubdomain, ...), kubernetes/kubernetes @ 054d429d).
 */
function metadataViolations(object: unknown, report: Report): void {
  const meta = metadataOf(object);
  const name = meta.name;
  if (typeof name !== 'string' || name === '')
    return report('metadata.name', 'schema.required', 'required field "metadata.name" is missing or not a string');
  for (const p of dns1123SubdomainProblems(name)) report('metadata.name', 'metadata.name', `${show(name)} ${p}`, name);
  if (meta.namespace !== undefined) {
    const ns = meta.namespace;
    if (typeof ns !== 'string') report('metadata.namespace', 'schema.type', `must be a string, not ${describeKind(ns)}`, ns);
    else for (const p of dns1123LabelProblems(ns)) report('metadata.namespace', 'metadata.namespace', `${show(ns)} ${p}`, ns);
  }
}

/** The "Regex Pattern" lines of an ACK CRD: what the AWS API accepts, which the CRD schema itself does not check. */
function apiPatternViolations(object: unknown, kind: ManagedKindData, report: Report): void {
  for (const p of kind.apiPatterns) {
    if (!p.path.startsWith('spec.')) continue;
    const value = valueAt(object, p.path);
    if (typeof value !== 'string' || new RegExp(p.pattern).test(value)) continue;
    report(p.path, 'aws.pattern', `${show(value)} does not match ${p.pattern}, which the AWS API requires (${kind.source}:${p.line})`, value);
  }
}

/**
 * The checks every cloud object gets. `expect` is the kind the caller validates; `part` validates only that part of the
 * spec (a patch) against its own validator.
 */
export function checkCloudObject(object: unknown, expect: string, options: CloudObjectOptions, part?: string): CloudCheck {
  const source = options.source ?? describeObject(object);
  const violations: Violation[] = [];
  const report: Report = (path, rule, message, value) =>
    void violations.push(value === undefined ? { source, path, rule, message } : { source, path, rule, message, value });
  if (!isObject(object)) {
    report('', 'schema.type', `must be a mapping, not ${describeKind(object)}`);
    return { source, violations, report };
  }
  const key = `${apiVersionOf(object)}/${kindOf(object)}`;
  const kind = managedIndex().kinds[key];
  if (!kind || kindOf(object) !== expect) {
    const known = Object.keys(managedIndex().kinds).filter((k) => k.endsWith(`/${expect}`));
    report('', 'unknown-kind', `${show(key)} is not ${expect} of a vendored API version (${known.join(', ')})`, key);
    return { source, violations, report };
  }
  metadataViolations(object, report);
  const what = kind.derivedFrom === 'samples' ? `${kindOf(object)} samples (no schema of this kind is vendored)` : `${key} (${kind.source})`;
  const check = { file: kind.file, what, exclusive: kind.exclusive };
  const schema = part
    ? schemaViolations(valueAt(object, part), source, { ...check, name: kind.parts[part], prefix: part })
    : schemaViolations(object, source, { ...check, name: kind.validator });
  // a kind known only from samples: a field the samples do not use may well exist; the rule says how little is known
  const sampled = (v: Violation) =>
    kind.derivedFrom === 'samples' && v.rule === 'schema.unknown-field' ? { ...v, rule: 'sample-schema.unknown-field' } : v;
  violations.push(...schema.map(sampled));
  apiPatternViolations(object, kind, report);
  return { source, kind, violations, report };
}

/** The name the cloud API sees: `spec.<field>` when set, else `metadata.name` (ASO azureName, KCC resourceID). */
export function cloudName(object: unknown, field: string): { name?: string; path: string } {
  const own = obj(obj(object).spec)[field];
  if (typeof own === 'string') return { name: own, path: `spec.${field}` };
  const name = metadataOf(object).name;
  return { name: typeof name === 'string' ? name : undefined, path: 'metadata.name' };
}

/** A string field of a spec as a name to check, with its path. */
export function specString(spec: Record<string, unknown>, field: string): { name?: string; path: string } {
  return { name: typeof spec[field] === 'string' ? (spec[field] as string) : undefined, path: `spec.${field}` };
}

/**
 * Reports each problem of a name, with the rule and where the rule comes from. A name rule includes the ACK API
 * pattern of the same field, so that field's `aws.pattern` violation goes (one violation per mistake).
 */
export function nameViolations(check: CloudCheck, at: { name?: string; path: string }, problems: (n: string) => string[], what: string): void {
  if (at.name === undefined) return;
  const found = problems(at.name);
  if (found.length === 0) return;
  const pattern = check.violations.findIndex((v) => v.path === at.path && v.rule === 'aws.pattern');
  if (pattern >= 0) check.violations.splice(pattern, 1);
  for (const p of found) check.report(at.path, 'cloud.name', `${show(at.name)} is not a valid ${what}: ${p}`, at.name);
}

/** JSON with sorted keys: two values are equal as the API server compares them when their canonical forms are. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * The CEL transition rules a CRD of these kinds declares are all `self == oldSelf` (the value is immutable once set:
 * ACK Cluster spec.name, eks.services.k8s.aws_clusters.yaml:274; IAMPolicyMember condition, member, memberFrom,
 * resourceRef and role, iampolicymembers...yaml:84, 91, 179, 226, 234). The API server evaluates them on update only,
 * so an object alone cannot break them: this compares the next version of an object with the one in the cluster, and
 * reports each immutable field that changed (such a change must be a delete and a create).
 */
export function immutableFieldChanges(previous: unknown, next: unknown, source = describeObject(next)): Violation[] {
  const kind = managedIndex().kinds[`${apiVersionOf(next)}/${kindOf(next)}`];
  if (!kind) return [];
  const out: Violation[] = [];
  for (const rule of kind.cel) {
    if (rule.rule !== 'self == oldSelf') continue;
    const before = valueAt(previous, rule.path);
    const after = valueAt(next, rule.path);
    if (before === undefined || after === undefined || canonical(before) === canonical(after)) continue;
    out.push({
      source,
      path: rule.path,
      rule: 'cel.immutable',
      message: `${rule.message}: changed from ${show(before)} to ${show(after)} (${kind.source}:${rule.line})`,
      value: after,
    });
  }
  return out;
}
