import { ErrorLocation, UserError } from './errors';
import { echo } from './util';

/**
 * time.ParseDuration's grammar without a sign: "0", or decimal numbers, each with a unit; a number has a digit before
 * or after its point (".5s" and "1.s" are durations, "." is not), and a microsecond is "us", "µs" (U+00B5, micro sign)
 * or "μs" (U+03BC, Greek mu). golang/go src/time/format.go, ParseDuration and unitMap.
 */
const UNITS = 'ns|us|\u00b5s|\u03bcs|ms|s|m|h';
const GO_DURATION = new RegExp(`^(0|((\\d+(\\.\\d*)?|\\.\\d+)(${UNITS}))+)$`);
const DURATION_PART = new RegExp(`(\\d*)(?:\\.(\\d*))?(${UNITS})`, 'g');
const NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n,
  '\u03bcs': 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** The nanoseconds `text` (already matched by GO_DURATION) names, each fraction cut to whole nanoseconds. */
function nanosOf(text: string): bigint {
  let total = 0n;
  for (const [, whole, fraction = '', unit] of text.matchAll(DURATION_PART)) {
    const scale = 10n ** BigInt(fraction.length);
    total += BigInt(whole || '0') * NANOS[unit] + (BigInt(fraction || '0') * NANOS[unit]) / scale;
  }
  return total;
}

/**
 * A Go duration as kube-apiserver's flags parse it (time.ParseDuration, here without a sign, e.g. `30s`, `1m30s`,
 * `500ms`), no longer than a time.Duration holds (2^63-1 ns, about 292 years): ParseDuration refuses more with
 * "invalid duration". The messages name no field; `parse` puts them at the location it is given.
 */
export class GoDuration {
  /** The largest Go `time.Duration`, in nanoseconds (an int64). */
  public static readonly MAX_NANOSECONDS = 2n ** 63n - 1n;

  /** Parses `text`, or throws a `UserError` (at `location`) saying what is wrong with it. */
  public static parse(text: string, location: ErrorLocation = {}): GoDuration {
    const problem = GoDuration.problemOf(text);
    if (problem) throw new UserError(problem, location);
    return new GoDuration(text, nanosOf(text));
  }

  /** What is wrong with `text` as a Go duration (anything that is not a string is wrong), or undefined when it is one. */
  public static problemOf(text: unknown): string | undefined {
    if (typeof text !== 'string' || !GO_DURATION.test(text)) return `must be a Go duration such as "30s", "1m30s" or "500ms", got ${echo(text)}`;
    if (nanosOf(text) > GoDuration.MAX_NANOSECONDS) {
      return `must be a Go duration of at most 2562047h47m16.854775807s (what a Go time.Duration holds), got ${JSON.stringify(text)}`;
    }
    return undefined;
  }

  private constructor(
    private readonly text: string,
    /** The length in nanoseconds (a fraction of a nanosecond is dropped). */
    public readonly nanoseconds: bigint,
  ) {}

  /** True when both name the same length of time, however written (`90s` and `1m30s`). */
  public equals(other: GoDuration): boolean {
    return this.nanoseconds === other.nanoseconds;
  }

  /** The duration as it was written, as the flag takes it. */
  public toString(): string {
    return this.text;
  }
}
