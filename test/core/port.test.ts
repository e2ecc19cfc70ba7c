import { MAX_PORT, isPortNumber, isPortText } from '../../lib/core/port';

describe('core/port', () => {
  test('MAX_PORT is the highest TCP/UDP port', () => {
    expect(MAX_PORT).toBe(65535);
  });

  test('isPortNumber accepts integers from 1 to 65535', () => {
    expect(isPortNumber(1)).toBe(true);
    expect(isPortNumber(443)).toBe(true);
    expect(isPortNumber(65535)).toBe(true);
  });

  test('isPortNumber refuses out-of-range, fractional and non-number values', () => {
    for (const v of [0, -1, 65536, 1.5, NaN, Infinity, '80', undefined, null, {}]) expect(isPortNumber(v)).toBe(false);
  });

  test('isPortNumber takes a lower bound (0 where unset is allowed)', () => {
    expect(isPortNumber(0, 0)).toBe(true);
    expect(isPortNumber(-1, 0)).toBe(false);
    expect(isPortNumber(65536, 0)).toBe(false);
  });

  test('isPortText accepts decimal digits naming a port', () => {
    expect(isPortText('9765')).toBe(true);
    expect(isPortText('65535')).toBe(true);
    expect(isPortText('00080')).toBe(true);
  });

  test('isPortText refuses missing, empty, named, signed and out-of-range text', () => {
    for (const t of [undefined, '', 'http', '+80', '-1', '0', '65536', '80.0', ' 80', '0x50']) expect(isPortText(t)).toBe(false);
  });
});
