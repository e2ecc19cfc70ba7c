/* Defensive accessors for objects that have not passed schema validation. Internal. */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How many characters of an input a message echoes. Inputs can be long (a whole file pointed at by mistake) or
 * secret (an SSH key or a token given where a manifest was meant): a message shows their start only.
 */
export const MAX_ECHOED_CHARS = 100;

/** A string cut to MAX_ECHOED_CHARS characters, for a message. */
export function cut(s: unknown): string {
  const text = typeof s === 'string' ? s : String(s);
  return text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS - 3)}...` : text;
}

/** A string for a message: quoted as JSON, cut to MAX_ECHOED_CHARS characters. */
export function quote(s: unknown): string {
  return JSON.stringify(cut(s));
}

/**
 * An input value in a message, bounded: a string quoted and cut (see `quote`), a number, boolean or null as
 * written, a list or mapping by its kind only (its content can be anything, up to a whole file).
 */
export function echo(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return show(v);
  return describeKind(v);
}

/** A value as a message shows it: `null`, `a list`, `a mapping`, `the string "x"`, `number 3`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  return `${typeof v} ${show(v)}`;
}

/**
 * What kind of value it is, without any of its content: `a string of 1234 characters`, `a number`, `a list`.
 * For a whole document that is not what was expected (its content may be a key or a token) and for secrets.
 */
export function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  return `a ${typeof v}`;
}

export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Renders a value for a message: strings quoted, the rest as JSON, long ones cut. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Appends a key or index to a dotted path: `a.b`, `a[0]`, `a["app.kubernetes.io/name"]`. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

export function kindOf(object: unknown): string {
  return str(obj(object).kind) ?? '';
}

export function apiVersionOf(object: unknown): string {
  return str(obj(object).apiVersion) ?? '';
}

export function metadataOf(object: unknown): Json {
  return obj(obj(object).metadata);
}

/** The known key nearest to `key` by edit distance, if it is plausibly a typo. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** A deep copy of plain JSON data. */
export function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Freezes `v` and everything in it (defaults no caller may change). */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}
