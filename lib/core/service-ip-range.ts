import * as ipaddr from 'ipaddr.js';
import { ErrorLocation, UserError } from './errors';
import { cut } from './util';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

/** An IPv4 (four-part decimal only, as Kubernetes accepts) or IPv6 address, or undefined when `ip` is neither. */
export function parseIP(ip: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
  if (ip.includes(':') && ipaddr.IPv6.isValid(ip)) return ipaddr.IPv6.parse(ip);
  return undefined;
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** The address `n` after `addr` (carrying across bytes). */
function plus(addr: Address, n: number): Address {
  const bytes = addr.toByteArray();
  let carry = n;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = bytes[i] + carry;
    bytes[i] = sum % 256;
    carry = Math.floor(sum / 256);
  }
  return ipaddr.fromByteArray(bytes);
}

/** A CIDR as messages show it: the address as written (compressed for IPv6), a slash, the prefix length. */
function cidrText([addr, bits]: Cidr): string {
  return `${addr.toString()}/${bits}`;
}

function networkOf(cidr: Cidr): Address {
  const text = cidrText(cidr);
  return cidr[0].kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
}

/**
 * The API server's `--service-cluster-ip-range`: one CIDR, or one IPv4 and one IPv6 CIDR separated by a comma
 * (dual-stack; the first is the primary family). Parsed once; the questions callers ask about a Service's cluster
 * IP are methods, with the messages the validation rules and the constructs share.
 */
export class ServiceIPRange {
  /** Parses `text`, or throws a `UserError` (at `location`) saying what is wrong with it. */
  public static parse(text: string, location: ErrorLocation = {}): ServiceIPRange {
    const read = ServiceIPRange.read(text);
    if (typeof read === 'string') throw new UserError(read, location);
    return read;
  }

  /** The range `text` names, or undefined when it is not one. */
  public static tryParse(text: string): ServiceIPRange | undefined {
    const read = ServiceIPRange.read(text);
    return typeof read === 'string' ? undefined : read;
  }

  /** What is wrong with `text` as a service cluster IP range, or undefined when it is one. */
  public static problemOf(text: string): string | undefined {
    const read = ServiceIPRange.read(text);
    return typeof read === 'string' ? read : undefined;
  }

  /** Only the form of a cluster IP: undefined when `ip` is an IPv4 or IPv6 address, else the problem. */
  public static addressProblem(ip: string): string | undefined {
    return parseIP(String(ip)) ? undefined : `cluster IP "${cut(ip)}" is not an IPv4 or IPv6 address`;
  }

  private static read(range: string): ServiceIPRange | string {
    const parts = String(range)
      .split(',')
      .map((p) => p.trim());
    const cidrs: Cidr[] = [];
    for (const part of parts) {
      const valid = ipaddr.IPv4.isValidCIDRFourPartDecimal(part) || (part.includes(':') && ipaddr.IPv6.isValidCIDR(part));
      if (!valid) return `service cluster IP range "${cut(range)}": "${cut(part)}" is not a CIDR such as 10.96.0.0/12 or fd00::/108`;
      cidrs.push(ipaddr.parseCIDR(part));
    }
    if (cidrs.length > 2 || (cidrs.length === 2 && cidrs[0][0].kind() === cidrs[1][0].kind())) {
      return `service cluster IP range "${cut(range)}" must be one CIDR, or one IPv4 and one IPv6 CIDR`;
    }
    return new ServiceIPRange(String(range), cidrs);
  }

  private constructor(
    private readonly text: string,
    private readonly cidrs: readonly Cidr[],
  ) {}

  /** True when the range has an IPv4 CIDR (kube-proxy serves NodePorts on 127.0.0.1 only for IPv4). */
  public get hasIPv4(): boolean {
    return this.cidrs.some(([addr]) => addr.kind() === 'ipv4');
  }

  /** The first (primary) CIDR alone, as a range. */
  public get primary(): ServiceIPRange {
    return new ServiceIPRange(cidrText(this.cidrs[0]), [this.cidrs[0]]);
  }

  /**
   * True when `ip` is the `n`th address of the CIDR of its family (0 is the network address; kubeadm gives the
   * 10th to the cluster DNS Service); false when `ip` is no address or the range has no CIDR of its family.
   */
  public isNthAddress(ip: string, n: number): boolean {
    const addr = parseIP(String(ip));
    const cidr = addr && this.cidrOf(addr);
    return cidr !== undefined && sameAddress(addr!, plus(networkOf(cidr), n));
  }

  /**
   * A pinned Service cluster IP must be an IP inside the CIDR of its family, and neither the network address, the
   * IPv4 broadcast address, nor the first address (the API server gives it to the `kubernetes` Service).
   * @returns the problem, or undefined when the IP is fine
   */
  public clusterIPProblem(ip: string): string | undefined {
    const formProblem = ServiceIPRange.addressProblem(ip);
    if (formProblem) return formProblem;
    const addr = parseIP(String(ip))!;
    const cidr = this.cidrOf(addr);
    if (!cidr) return `cluster IP ${ip} is ${addr.kind()} but the service cluster IP range "${cut(this.text)}" has no ${addr.kind()} CIDR`;
    const text = cidrText(cidr);
    if (!addr.match(cidr)) return `cluster IP ${ip} is outside the service cluster IP range ${text}`;
    const network = networkOf(cidr);
    if (sameAddress(addr, network)) return `cluster IP ${ip} is the network address of ${text}; pick an address inside the range`;
    if (addr.kind() === 'ipv4' && sameAddress(addr, ipaddr.IPv4.broadcastAddressFromCIDR(text))) {
      return `cluster IP ${ip} is the broadcast address of ${text}; pick an address inside the range`;
    }
    if (sameAddress(addr, plus(network, 1))) {
      return `cluster IP ${ip} is the first address of ${text}, which the API server reserves for the kubernetes Service`;
    }
    return undefined;
  }

  /** True when both ranges have the same CIDRs, however written (IPv6 compressed or not) and in either order. */
  public equals(other: ServiceIPRange): boolean {
    return this.canonical() === other.canonical();
  }

  /** The range as it was written. */
  public toString(): string {
    return this.text;
  }

  private cidrOf(addr: Address): Cidr | undefined {
    return this.cidrs.find(([net]) => net.kind() === addr.kind());
  }

  private canonical(): string {
    return this.cidrs
      .map(([addr, bits]) => `${addr.toNormalizedString()}/${bits}`)
      .sort()
      .join(',');
  }
}
