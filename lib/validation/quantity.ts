/*
 * Kubernetes resource quantities (`100m`, `512Mi`, `1e3`), as exact fractions so that requests and limits compare
 * the way the API server compares them (staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go,
 * `ParseQuantity` and `Cmp`). Internal.
 */

/** Sign, digits, optional fraction, then a binary-SI, decimal-SI or exponent suffix (none is a plain number). */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Exponents beyond this are valid but not worth exact arithmetic (10^400 already dwarfs every real quantity). */
const MAX_EXACT_EXPONENT = 400;

export interface Quantity {
  /** Below zero (a `-0` is zero). */
  readonly negative: boolean;
  /** The value as `num / den` (den > 0); absent for exponents too large to compute exactly. */
  readonly exact?: { readonly num: bigint; readonly den: bigint };
}

/** Parses a quantity written as a string or a JSON number; undefined when it is not one. */
export function parseQuantity(value: unknown): Quantity | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value : '';
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix, exponentText] = m;
  const [whole, fraction = ''] = number.split('.');
  const digits = BigInt(`${whole || '0'}${fraction}`);
  const negative = sign === '-' && digits !== 0n;
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (suffix && suffix in BINARY) exp2 = BINARY[suffix];
  else if (suffix) exp10 += DECIMAL[suffix];
  else if (exponentText !== undefined) exp10 += Number(exponentText);
  if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > MAX_EXACT_EXPONENT) return { negative };
  let num = (negative ? -digits : digits) * 2n ** BigInt(exp2);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  return { negative, exact: { num, den } };
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`; undefined when either is not exactly known. */
export function compareQuantities(a: Quantity, b: Quantity): number | undefined {
  if (!a.exact || !b.exact) return undefined;
  const left = a.exact.num * b.exact.den;
  const right = b.exact.num * a.exact.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A whole number (extended resources take no fractions: `MilliValue() % 1000 == 0`). */
export function isWholeQuantity(q: Quantity): boolean {
  return q.exact === undefined || q.exact.num % q.exact.den === 0n;
}
