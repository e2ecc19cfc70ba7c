import { isPortNumber } from './port';

/** kube-apiserver's PortRange forms: "N", "min-max" and "min+offset", spaces allowed around the parts. */
const RANGE_PATTERN = /^\s*(\d{1,5})(?:\s*([-+])\s*(\d{1,5}))?\s*$/;

/**
 * The API server's `--service-node-port-range`: the ports a NodePort Service may use, both ends included. Callers
 * word their own message for a value that is not one (a flag, a validation rule), so parsing does not throw.
 */
export class NodePortRange {
  /** The API server's default, 30000-32767 (also what an empty flag means). */
  public static readonly DEFAULT = new NodePortRange(30000, 32767);

  /**
   * Reads `30000-32767`, `30000+2767` (min+offset), a single port `30000`, or empty (the default); undefined when
   * `text` is none of them, an end is not a port number (1-65535), or the range runs backwards.
   */
  public static tryParse(text: string): NodePortRange | undefined {
    if (String(text).trim() === '') return NodePortRange.DEFAULT;
    const m = RANGE_PATTERN.exec(String(text));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[3] === undefined ? min : m[2] === '+' ? min + Number(m[3]) : Number(m[3]);
    return isPortNumber(min) && isPortNumber(max) && min <= max ? new NodePortRange(min, max) : undefined;
  }

  private constructor(
    /** The lowest port of the range. */
    public readonly min: number,
    /** The highest port of the range. */
    public readonly max: number,
  ) {}

  /** True when `port` is a whole number from `min` to `max`. */
  public contains(port: unknown): boolean {
    return typeof port === 'number' && Number.isInteger(port) && port >= this.min && port <= this.max;
  }

  /** True when both ranges have the same ends, however they were written. */
  public equals(other: NodePortRange): boolean {
    return this.min === other.min && this.max === other.max;
  }

  /** `min-max`, the form the API server's default is written in. */
  public toString(): string {
    return `${this.min}-${this.max}`;
  }
}
