import { UserError } from '../../lib/core/errors';
import { parseIP, ServiceIPRange } from '../../lib/core/service-ip-range';

describe('core/service-ip-range', () => {
  test('parses one IPv4 or IPv6 CIDR, or one of each (either order, spaces around the comma)', () => {
    for (const text of ['10.96.0.0/12', 'fd00::/108', '10.96.0.0/12,fd00::/108', 'fd00::/108, 10.96.0.0/12', '172.20.0.0/16']) {
      expect(ServiceIPRange.problemOf(text)).toBeUndefined();
      expect(ServiceIPRange.tryParse(text)?.toString()).toBe(text);
      expect(ServiceIPRange.parse(text).toString()).toBe(text);
    }
  });

  test.each([
    ['10.96.0.0/33', 'service cluster IP range "10.96.0.0/33": "10.96.0.0/33" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['10.96.0.0', 'service cluster IP range "10.96.0.0": "10.96.0.0" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['', 'service cluster IP range "": "" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['10.96.0.0/12,', 'service cluster IP range "10.96.0.0/12,": "" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['0x0a.96.0.0/12', 'service cluster IP range "0x0a.96.0.0/12": "0x0a.96.0.0/12" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['10.96.0.0/12,10.0.0.0/16', 'service cluster IP range "10.96.0.0/12,10.0.0.0/16" must be one CIDR, or one IPv4 and one IPv6 CIDR'],
    ['fd00::/108,fd01::/108', 'service cluster IP range "fd00::/108,fd01::/108" must be one CIDR, or one IPv4 and one IPv6 CIDR'],
    [
      '10.96.0.0/12,fd00::/108,10.0.0.0/16',
      'service cluster IP range "10.96.0.0/12,fd00::/108,10.0.0.0/16" must be one CIDR, or one IPv4 and one IPv6 CIDR',
    ],
  ])('%s is refused: %s', (text, problem) => {
    expect(ServiceIPRange.problemOf(text)).toBe(problem);
    expect(ServiceIPRange.tryParse(text)).toBeUndefined();
    expect(() => ServiceIPRange.parse(text)).toThrow(new UserError(problem));
  });

  test('parse throws at the location it is given', () => {
    expect(() => ServiceIPRange.parse('10.96.0.0', { field: 'serviceClusterIPRange' })).toThrow(
      'serviceClusterIPRange: service cluster IP range "10.96.0.0": "10.96.0.0" is not a CIDR such as 10.96.0.0/12 or fd00::/108',
    );
  });

  test('a long range is cut in the message', () => {
    expect(ServiceIPRange.problemOf(`10.96.0.0/12${' '.repeat(300)}x`)).toMatch(/^service cluster IP range "10\.96\.0\.0\/12 +\.\.\.": /);
  });

  test('hasIPv4 and primary', () => {
    expect(ServiceIPRange.parse('10.96.0.0/12').hasIPv4).toBe(true);
    expect(ServiceIPRange.parse('fd00::/108').hasIPv4).toBe(false);
    expect(ServiceIPRange.parse('fd00::/108,10.96.0.0/12').hasIPv4).toBe(true);
    expect(ServiceIPRange.parse('fd00:0::/108, 10.96.0.0/12').primary.toString()).toBe('fd00::/108');
    expect(ServiceIPRange.parse('10.96.0.0/12,fd00::/108').primary.hasIPv4).toBe(true);
  });

  test('equals compares the CIDRs, not how they are written or ordered', () => {
    const range = ServiceIPRange.parse('10.96.0.0/12,fd00::/108');
    expect(range.equals(ServiceIPRange.parse('fd00:0:0::/108, 10.96.0.0/12'))).toBe(true);
    expect(range.equals(range)).toBe(true);
    expect(range.equals(ServiceIPRange.parse('10.96.0.0/12'))).toBe(false);
    expect(range.equals(ServiceIPRange.parse('10.96.0.0/16,fd00::/108'))).toBe(false);
    expect(ServiceIPRange.parse('10.96.0.0/12').equals(ServiceIPRange.parse('10.96.0.0/12'))).toBe(true);
  });

  test('isNthAddress counts from the network address of the CIDR of the address family', () => {
    const range = ServiceIPRange.parse('10.96.0.0/12,fd00::/108');
    expect(range.isNthAddress('10.96.0.10', 10)).toBe(true);
    expect(range.isNthAddress('fd00::a', 10)).toBe(true);
    expect(range.isNthAddress('10.96.0.11', 10)).toBe(false);
    expect(range.isNthAddress('10.96.0.0', 0)).toBe(true);
    expect(ServiceIPRange.parse('10.96.0.0/12').isNthAddress('fd00::a', 10)).toBe(false);
    expect(ServiceIPRange.parse('10.96.0.0/12').isNthAddress('not an ip', 10)).toBe(false);
    // carried across bytes
    expect(ServiceIPRange.parse('10.0.0.0/8').isNthAddress('10.0.1.4', 260)).toBe(true);
    // counted from the network address even when the CIDR is written with host bits
    expect(ServiceIPRange.parse('10.96.0.5/12').isNthAddress('10.96.0.10', 10)).toBe(true);
    expect(range.primary.isNthAddress('fd00::a', 10)).toBe(false);
  });

  // clusterIPProblem: test/validation/cluster-ip.test.ts runs its table through ServiceIPRange and checkClusterIP alike

  test('addressProblem checks only the form of a cluster IP', () => {
    expect(ServiceIPRange.addressProblem('192.168.0.1')).toBeUndefined();
    expect(ServiceIPRange.addressProblem('fd00::10')).toBeUndefined();
    expect(ServiceIPRange.addressProblem('0x0a.96.0.5')).toBe('cluster IP "0x0a.96.0.5" is not an IPv4 or IPv6 address');
    expect(ServiceIPRange.addressProblem('<ip>')).toBe('cluster IP "<ip>" is not an IPv4 or IPv6 address');
  });

  test('parseIP takes four-part decimal IPv4 and IPv6 addresses only', () => {
    expect(parseIP('10.96.0.10')?.kind()).toBe('ipv4');
    expect(parseIP('fd00::10')?.kind()).toBe('ipv6');
    for (const text of ['10.96.100', '0x0a.96.0.5', '167772170', '10.96.0.0/12', '', 'fd00::/108']) expect(parseIP(text)).toBeUndefined();
  });
});
