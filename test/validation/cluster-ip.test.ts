import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { ServiceIPRange } from '../../lib/core/service-ip-range';
import { checkClusterIP, formatViolation, validateAll } from '../../lib/validation';
import { legacySet } from './fixtures';

describe('checkClusterIP', () => {
  test.each([
    ['10.96.0.100', '10.96.0.0/12'],
    ['10.111.255.254', '10.96.0.0/12'],
    ['10.96.0.2', '10.96.0.0/12'],
    ['fd00::10', 'fd00::/108'],
    ['10.96.0.100', '10.96.0.0/12,fd00::/108'],
    ['fd00::10', '10.96.0.0/12, fd00::/108'],
    ['172.20.0.10', '172.20.0.0/16'],
  ])('%s is fine in %s', (ip, range) => {
    expect(checkClusterIP(ip, range)).toBeUndefined();
    expect(ServiceIPRange.parse(range).clusterIPProblem(ip)).toBeUndefined();
  });

  test.each([
    ['10.112.0.1', '10.96.0.0/12', 'cluster IP 10.112.0.1 is outside the service cluster IP range 10.96.0.0/12'],
    ['10.96.0.0', '10.96.0.0/12', 'cluster IP 10.96.0.0 is the network address of 10.96.0.0/12; pick an address inside the range'],
    ['10.111.255.255', '10.96.0.0/12', 'cluster IP 10.111.255.255 is the broadcast address of 10.96.0.0/12; pick an address inside the range'],
    [
      '10.96.0.1',
      '10.96.0.0/12',
      'cluster IP 10.96.0.1 is the first address of 10.96.0.0/12, which the API server reserves for the kubernetes Service',
    ],
    ['fd00::1', 'fd00::/108', 'cluster IP fd00::1 is the first address of fd00::/108, which the API server reserves for the kubernetes Service'],
    ['fd00::', '10.96.0.0/12,fd00::/108', 'cluster IP fd00:: is the network address of fd00::/108; pick an address inside the range'],
    ['fd01::10', '10.96.0.0/12,fd00::/108', 'cluster IP fd01::10 is outside the service cluster IP range fd00::/108'],
    ['fd00::10', '10.96.0.0/12', 'cluster IP fd00::10 is ipv6 but the service cluster IP range "10.96.0.0/12" has no ipv6 CIDR'],
    ['<ip>', '10.96.0.0/12', 'cluster IP "<ip>" is not an IPv4 or IPv6 address'],
    ['10.96.100', '10.96.0.0/12', 'cluster IP "10.96.100" is not an IPv4 or IPv6 address'],
    ['0x0a.96.0.5', '10.96.0.0/12', 'cluster IP "0x0a.96.0.5" is not an IPv4 or IPv6 address'],
    ['10.96.0.5', '10.96.0.0/33', 'service cluster IP range "10.96.0.0/33": "10.96.0.0/33" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['10.96.0.5', '10.96.0.0', 'service cluster IP range "10.96.0.0": "10.96.0.0" is not a CIDR such as 10.96.0.0/12 or fd00::/108'],
    ['10.96.0.5', '10.96.0.0/12,10.0.0.0/16', 'service cluster IP range "10.96.0.0/12,10.0.0.0/16" must be one CIDR, or one IPv4 and one IPv6 CIDR'],
    ['fd00::', 'fd00::/108', 'cluster IP fd00:: is the network address of fd00::/108; pick an address inside the range'],
    ['fd00::1', 'fd00:0::/108', 'cluster IP fd00::1 is the first address of fd00::/108, which the API server reserves for the kubernetes Service'],
    ['10.96.0.10', 'fd00::/108', 'cluster IP 10.96.0.10 is ipv4 but the service cluster IP range "fd00::/108" has no ipv4 CIDR'],
  ])('%s in %s: %s', (ip, range, problem) => {
    expect(checkClusterIP(ip, range)).toBe(problem);
    // the same question of the value type itself, where the range is one
    const parsed = ServiceIPRange.tryParse(range);
    if (parsed) expect(parsed.clusterIPProblem(ip)).toBe(problem);
  });

  test('ServiceIPRange reads dual-stack ranges', () => {
    const range = ServiceIPRange.parse('10.96.0.0/12,fd00::/108');
    expect(ServiceIPRange.problemOf('10.96.0.0/12,fd00::/108')).toBeUndefined();
    expect(range.primary.toString()).toBe('10.96.0.0/12');
    expect(range.equals(ServiceIPRange.parse('10.96.0.0/12'))).toBe(false);
    expect(range.equals(ServiceIPRange.parse('fd00::/108,10.96.0.0/12'))).toBe(true);
  });

  test('validateAll reports a bad range once instead of once per Service', () => {
    const found = validateAll(legacySet(), KubernetesVersion.of('1.18'), { serviceClusterIPRange: '10.96.0.0/40' });
    expect(found.map(formatViolation)).toEqual([
      'serviceClusterIPRange: service cluster IP range "10.96.0.0/40": "10.96.0.0/40" is not a CIDR such as 10.96.0.0/12 or fd00::/108 (cluster-ip)',
    ]);
  });
});
