/* TCP/UDP port numbers: the one place that knows their range. Messages stay with their callers. */

/** The highest TCP/UDP port number. */
export const MAX_PORT = 65535;

/** Whether `value` is an integer port number from `min` (1 unless told; 0 where "unset" is allowed) to MAX_PORT. */
export function isPortNumber(value: unknown, min = 1): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_PORT;
}

/** Whether `text` is all decimal digits naming a port number from 1 to MAX_PORT (as in a listen address `:9765`). */
export function isPortText(text: string | undefined): text is string {
  return text !== undefined && /^\d+$/.test(text) && isPortNumber(Number(text));
}
