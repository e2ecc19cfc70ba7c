import { isObject } from '../../core/util';

/** The type a key gets from its default in values.yaml, in the words of one chart's schema. */
export interface TypesOfDefaults<T extends string> {
  readonly string: T;
  readonly boolean: T;
  /** A whole number. */
  readonly integer: T;
  /** A number with a fraction. */
  readonly number: T;
  readonly list: T;
  /** A mapping whose keys are keys of the schema too (descended into). */
  readonly section: T;
}

/**
 * A chart's values schema, dotted path -> type, derived from its defaults: each key takes its type from `overrides`,
 * else from its default (`types`); a `section` is descended into. Keys in `overrides` the defaults lack come last.
 * `overrides` is for what a default does not tell: a null default, a free-form or empty mapping, a list of mappings, a
 * number that may have a fraction, a narrower type (a port).
 */
export function schemaFromDefaults<T extends string>(
  defaults: Record<string, unknown>,
  overrides: Readonly<Record<string, T>>,
  types: TypesOfDefaults<T>,
): Record<string, T> {
  const out: Record<string, T> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const p = prefix + k;
      const type = overrides[p] ?? typeOfDefault(v, p, types);
      out[p] = type;
      if (type === types.section) walk(v as Record<string, unknown>, `${p}.`);
    }
  };
  walk(defaults, '');
  for (const [p, t] of Object.entries(overrides)) out[p] ??= t;
  return out;
}

function typeOfDefault<T extends string>(v: unknown, p: string, types: TypesOfDefaults<T>): T {
  if (typeof v === 'string') return types.string;
  if (typeof v === 'boolean') return types.boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? types.integer : types.number;
  if (Array.isArray(v)) return types.list;
  if (isObject(v)) return types.section;
  throw new Error(`values key ${p} has a null default and no type in the overrides`);
}
