import { NodePortRange } from '../../lib/core/node-port-range';

describe('core/node-port-range', () => {
  test('DEFAULT is the API server default, 30000-32767', () => {
    expect(NodePortRange.DEFAULT.min).toBe(30000);
    expect(NodePortRange.DEFAULT.max).toBe(32767);
    expect(NodePortRange.DEFAULT.toString()).toBe('30000-32767');
  });

  test.each([
    ['30000-32767', 30000, 32767],
    ['8000-9000', 8000, 9000],
    [' 30000 - 32767 ', 30000, 32767],
    ['30000+2767', 30000, 32767],
    ['30000', 30000, 30000],
    ['1-65535', 1, 65535],
    ['65535', 65535, 65535],
    ['00080-00090', 80, 90],
  ])('reads %j as %i-%i', (text, min, max) => {
    const range = NodePortRange.tryParse(text)!;
    expect([range.min, range.max]).toEqual([min, max]);
    expect(range.toString()).toBe(`${min}-${max}`);
  });

  test('an empty value means the default', () => {
    expect(NodePortRange.tryParse('')).toBe(NodePortRange.DEFAULT);
    expect(NodePortRange.tryParse('  ')).toBe(NodePortRange.DEFAULT);
  });

  test('refuses other forms, ports outside 1-65535 and backward ranges', () => {
    for (const text of [
      'ports',
      '32767-30000',
      '0-70000',
      '0',
      '0-100',
      '65536',
      '30000+40000',
      '30000-',
      '-30000',
      '30000:32767',
      '123456',
      '1e4',
    ]) {
      expect(NodePortRange.tryParse(text)).toBeUndefined();
    }
  });

  test('contains takes both ends and whole numbers only', () => {
    const range = NodePortRange.tryParse('8000-9000')!;
    for (const port of [8000, 8765, 9000]) expect(range.contains(port)).toBe(true);
    for (const port of [7999, 9001, 8000.5, NaN, '8765', undefined]) expect(range.contains(port)).toBe(false);
    expect(NodePortRange.tryParse('30000')!.contains(30000)).toBe(true);
    expect(NodePortRange.tryParse('30000')!.contains(30001)).toBe(false);
  });

  test('equals compares the ends, not how they were written', () => {
    expect(NodePortRange.tryParse('30000+2767')!.equals(NodePortRange.DEFAULT)).toBe(true);
    expect(NodePortRange.tryParse('')!.equals(NodePortRange.DEFAULT)).toBe(true);
    expect(NodePortRange.tryParse('30000-32766')!.equals(NodePortRange.DEFAULT)).toBe(false);
  });
});
