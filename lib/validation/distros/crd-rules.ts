import { child, isObject, quote } from '../../core/util';
import { Violation } from '../violation';
import { violation } from './distro-schemas';

/** A CEL rule of a CRD, where it applies and the CRD line it is on (scripts/gen-distro-schemas.js records them). */
interface CelRule {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly line: number;
}

/** The rules of a CRD version that a JSON schema cannot say, as schemas/distros/index.json records them. @internal */
export interface CrdRules {
  readonly cel: readonly CelRule[];
  /** `x-kubernetes-list-type: map`: no two items with the same values of `keys`. */
  readonly listMap: readonly { readonly path: string; readonly keys: readonly string[] }[];
  /** `x-kubernetes-list-type: set`: no two equal items. */
  readonly listSet: readonly { readonly path: string }[];
}

/** Which CRD, for citations: `kubernetes-sigs/cluster-api v1.11.0 controlplane...yaml`. @internal */
export interface CrdOrigin {
  readonly name: string;
  readonly release: string;
}

/** The lists at a recorded data path (`a.b[*].c`, `{*}` for every value of a map), with their concrete paths. */
function listsAt(object: unknown, pattern: string): { at: string; list: unknown[] }[] {
  let found: { at: string; value: unknown }[] = [{ at: '', value: object }];
  for (const token of pattern.split('.')) {
    const name = token.replace(/\[\*\]/g, '');
    const stars = (token.match(/\[\*\]/g) ?? []).length;
    found = found.flatMap(({ at, value }) => {
      if (name === '{*}') return isObject(value) ? Object.entries(value).map(([k, v]) => ({ at: child(at, k), value: v })) : [];
      return isObject(value) && name in value ? [{ at: child(at, name), value: value[name] }] : [];
    });
    for (let i = 0; i < stars; i++) {
      found = found.flatMap(({ at, value }) => (Array.isArray(value) ? value.map((v, j) => ({ at: child(at, j), value: v })) : []));
    }
  }
  return found.filter((f) => Array.isArray(f.value)).map((f) => ({ at: f.at, list: f.value as unknown[] }));
}

/** Indexes of items that share a key (the key of each item, `undefined` to skip it), grouped by key. */
function duplicates(list: readonly unknown[], keyOf: (item: unknown) => string | undefined): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  list.forEach((item, i) => {
    const k = keyOf(item);
    if (k !== undefined) byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  return new Map([...byKey].filter(([, indexes]) => indexes.length > 1));
}

const CEL_UNIQUE_NAMES = 'self.all(x, self.exists_one(y, x.name == y.name))';

/** The items' `name`, for the unique-name rule. */
const nameOf = (item: unknown): string | undefined => (isObject(item) && typeof item.name === 'string' ? item.name : undefined);

/**
 * The API server's checks of a CRD that its JSON schema cannot express, on `object`: each CEL rule (only
 * `self.all(x, self.exists_one(y, x.name == y.name))`, unique names, exists in the vendored CRDs; the generator refuses
 * any other) and the uniqueness that `x-kubernetes-list-type` map and set demand. One violation per duplicated name.
 * @internal
 */
export function crdRuleViolations(object: unknown, rules: CrdRules, source: string, origin: CrdOrigin): Violation[] {
  const out: Violation[] = [];
  const reported = new Set<string>();
  for (const rule of rules.cel) {
    if (rule.rule !== CEL_UNIQUE_NAMES) throw new Error(`CEL rule "${rule.rule}" of ${origin.name} is not implemented`);
    for (const { at, list } of listsAt(object, rule.path)) {
      for (const [name, indexes] of duplicates(list, nameOf)) {
        reported.add(at);
        out.push(
          violation(
            source,
            at,
            'crd.cel',
            `${rule.message}: ${quote(name)} is given ${indexes.length} times (items ${indexes.join(', ')}); ` +
              `CEL rule ${rule.rule} of ${origin.name} ${origin.release} line ${rule.line}`,
            name,
          ),
        );
      }
    }
  }
  for (const rule of rules.listMap) {
    const keyOf = (item: unknown) => (isObject(item) ? JSON.stringify(rule.keys.map((k) => item[k])) : undefined);
    for (const { at, list } of listsAt(object, rule.path)) {
      if (reported.has(at)) continue;
      for (const [key, indexes] of duplicates(list, keyOf)) {
        out.push(
          violation(
            source,
            at,
            'crd.list-map',
            `items ${indexes.join(', ')} have the same ${rule.keys.join(' and ')} ${key}: the list is keyed by them`,
          ),
        );
      }
    }
  }
  for (const rule of rules.listSet) {
    for (const { at, list } of listsAt(object, rule.path)) {
      for (const [key, indexes] of duplicates(list, (item) => JSON.stringify(item))) {
        out.push(violation(source, at, 'crd.list-set', `items ${indexes.join(', ')} are the same value ${key}: the list is a set`));
      }
    }
  }
  return out;
}
