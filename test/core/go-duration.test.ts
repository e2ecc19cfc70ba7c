import { UserError } from '../../lib/core/errors';
import { GoDuration } from '../../lib/core/go-duration';

const FORM = (got: string) => `must be a Go duration such as "30s", "1m30s" or "500ms", got ${got}`;
const TOO_LONG = (got: string) => `must be a Go duration of at most 2562047h47m16.854775807s (what a Go time.Duration holds), got ${got}`;

describe('core/go-duration', () => {
  test('MAX_NANOSECONDS is what an int64 holds', () => {
    expect(GoDuration.MAX_NANOSECONDS).toBe(9223372036854775807n);
  });

  test.each([
    ['0', 0n],
    ['0s', 0n],
    ['30s', 30_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['500ms', 500_000_000n],
    ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
    ['5µs', 5000n],
    ['1.5h', 5_400_000_000_000n],
    ['1.0000000001s', 1_000_000_000n],
    ['2562047h47m16.854775807s', 9223372036854775807n],
    ['9223372036854775807ns', 9223372036854775807n],
  ])('%s is %s ns', (text, nanoseconds) => {
    expect(GoDuration.problemOf(text)).toBeUndefined();
    const duration = GoDuration.parse(text);
    expect(duration.nanoseconds).toBe(nanoseconds);
    expect(duration.toString()).toBe(text);
  });

  test.each(['30', '', '-1s', '+1s', '1d', '106751d', '1 s', 's', '00', '1m 30s', '1S'])('%j is not a Go duration', (text) => {
    expect(GoDuration.problemOf(text)).toBe(FORM(JSON.stringify(text)));
    expect(() => GoDuration.parse(text)).toThrow(new UserError(FORM(JSON.stringify(text))));
  });

  test('a number needs a digit on one side of its point, as Go takes it (golang/go src/time/format.go ParseDuration)', () => {
    expect(GoDuration.parse('.5s').nanoseconds).toBe(500000000n);
    expect(GoDuration.parse('1.s').nanoseconds).toBe(1000000000n);
    expect(GoDuration.parse('1.5h.5m').nanoseconds).toBe(5430000000000n);
    for (const text of ['.s', '1..5s', '.']) expect(GoDuration.problemOf(text)).toBe(FORM(JSON.stringify(text)));
  });

  test("a microsecond is us, the micro sign (U+00B5) or the Greek mu (U+03BC), as in Go's unitMap", () => {
    expect(GoDuration.parse('2\u00b5s').nanoseconds).toBe(2000n);
    expect(GoDuration.parse('2\u03bcs').nanoseconds).toBe(2000n);
    expect(GoDuration.parse('2us').equals(GoDuration.parse('2\u03bcs'))).toBe(true);
  });

  test('anything but a string is not a Go duration, and is shown by its kind', () => {
    expect(GoDuration.problemOf(30)).toBe(FORM('30'));
    expect(GoDuration.problemOf(null)).toBe(FORM('null'));
    expect(GoDuration.problemOf(undefined)).toBe(FORM('undefined'));
    expect(GoDuration.problemOf(['30s'])).toBe(FORM('a list'));
  });

  test.each(['2562047h47m16.854775808s', '2562048h', '9223372036854775808ns', '153722868m'])('%s is longer than a time.Duration', (text) => {
    expect(GoDuration.problemOf(text)).toBe(TOO_LONG(JSON.stringify(text)));
  });

  test('the too-long message quotes the whole value', () => {
    const text = `${'9'.repeat(300)}h`;
    expect(GoDuration.problemOf(text)).toBe(TOO_LONG(`"${text}"`));
  });

  test('parse throws at the location it is given', () => {
    expect(() => GoDuration.parse('30', { field: 'batchMaxWait' })).toThrow(`batchMaxWait: ${FORM('"30"')}`);
  });

  test('equals compares the length of time, not how it is written', () => {
    expect(GoDuration.parse('90s').equals(GoDuration.parse('1m30s'))).toBe(true);
    expect(GoDuration.parse('0').equals(GoDuration.parse('0ms'))).toBe(true);
    expect(GoDuration.parse('1us').equals(GoDuration.parse('1µs'))).toBe(true);
    expect(GoDuration.parse('30s').equals(GoDuration.parse('31s'))).toBe(false);
  });
});
