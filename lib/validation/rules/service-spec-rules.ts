import * as ipaddr from 'ipaddr.js';
import { arr, child, isObject, kindOf, obj, show, str } from '../../core/util';
import { parseIP } from '../../core/service-ip-range';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { dns1123LabelProblems, dns1123SubdomainProblems, qualifiedNameProblems } from '../names';
import { reporter } from './support';

/*
 * A Service's spec as `ValidateService` (kubernetes pkg/apis/core/validation/validation.go:5496 at v1.30.0; line
 * numbers of that release, which the vendored copy in ../shared/reference/kubernetes-validation/ and its patch give)
 * checks it, after the API server's defaults (`SetDefaults_Service`, pkg/apis/core/v1/defaults.go:97: type ClusterIP,
 * sessionAffinity None (which drops sessionAffinityConfig), protocol TCP, externalTrafficPolicy Cluster where the
 * Service is reachable from outside, internalTrafficPolicy Cluster).
 */

type Reporter = ReturnType<typeof reporter>;
type Json = Record<string, unknown>;

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
/** ClientIPConfig.timeoutSeconds: "must be >0 && <=86400" (the 1.30 OpenAPI schema; `validateAffinityTimeout`, validation.go:3186). */
const MAX_AFFINITY_SECONDS = 86400;
/** `ports.KubeletPort` (pkg/cluster/ports/ports.go), which a LoadBalancer may not expose. */
const KUBELET_PORT = 10250;

/** `ExternallyAccessible` (pkg/api/service/util.go): NodePort, LoadBalancer, or ClusterIP with externalIPs. */
function externallyAccessible(type: string, spec: Json): boolean {
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
}

/**
 * `ValidateNonSpecialIP` (validation.go:7147): an external IP is an address that is not unspecified, loopback,
 * link-local unicast (169.254.0.0/16, fe80::/10) or link-local multicast (224.0.0.0/24, ffx2::/16, Go's net.IP).
 */
function specialIPProblem(text: string): string | undefined {
  const ip = parseIP(text);
  if (!ip) return 'must be a valid IP address, such as 10.9.8.7 or 2001:db8::ffff';
  const b = ip.toByteArray();
  const v4 = ip.kind() === 'ipv4';
  if (b.every((x) => x === 0)) return 'may not be unspecified';
  if (v4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (v4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80)
    return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  const multicast = v4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  return multicast ? 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)' : undefined;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/** The type, what an ExternalName or headless Service may not have, and the ports only some types take (validation.go:5510-5554, :5589-5603). */
function checkType(r: Reporter, spec: Json, type: string): void {
  const headless = spec.clusterIP === 'None' || arr(spec.clusterIPs)[0] === 'None';
  if (!TYPES.includes(type)) r.add('spec.type', `Service type ${show(spec.type)} must be one of ${TYPES.join(', ')}`, spec.type);
  if (arr(spec.ports).length === 0 && !headless && type !== 'ExternalName')
    r.add('spec.ports', 'a Service needs ports, unless it is headless (clusterIP: None) or an ExternalName');
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) r.add('spec.clusterIP', `clusterIP may not be None for ${type} Services`, 'None');
  if (type === 'LoadBalancer') {
    arr(spec.ports).forEach((p, i) => {
      if (obj(p).port === KUBELET_PORT)
        r.add(child('spec.ports', i), `a LoadBalancer may not expose port ${KUBELET_PORT}: the kubelet uses it`, KUBELET_PORT);
    });
  }
  if (type === 'ExternalName') {
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) {
      const v = spec[field];
      if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
        r.add(child('spec', field), `${field} may not be set for ExternalName Services`, v);
    }
    const cname = (str(spec.externalName) ?? '').replace(/\.$/, '');
    if (cname === '') r.add('spec.externalName', 'an ExternalName Service needs externalName');
    else
      for (const p of dns1123SubdomainProblems(cname)) r.add('spec.externalName', `externalName ${show(spec.externalName)} ${p}`, spec.externalName);
  }
}

/** Session affinity None or ClientIP, its timeout 1-86400 seconds (validation.go:5566-5577; `validateClientIPAffinityConfig`, :3167). */
function checkAffinity(r: Reporter, spec: Json): void {
  const affinity = spec.sessionAffinity ?? 'None';
  if (affinity !== 'None' && affinity !== 'ClientIP')
    r.add('spec.sessionAffinity', `sessionAffinity ${show(affinity)} must be None or ClientIP`, affinity);
  const timeout = obj(obj(obj(spec.sessionAffinityConfig).clientIP)).timeoutSeconds;
  if (affinity === 'ClientIP' && typeof timeout === 'number' && !(timeout > 0 && timeout <= MAX_AFFINITY_SECONDS)) {
    r.add(
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
      `timeoutSeconds ${show(timeout)} must be greater than 0 and at most ${MAX_AFFINITY_SECONDS} (a day)`,
      timeout,
    );
  }
}

/** clusterIP and clusterIPs agree, IP families and their policy (`ValidateServiceClusterIPsRelatedFields`, validation.go:7752). */
function checkIPFamilies(r: Reporter, spec: Json, type: string): void {
  if (type === 'ExternalName') return;
  const ips = arr(spec.clusterIPs).map(String);
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && ips.length > 0 && ips[0] !== spec.clusterIP) {
    r.add('spec.clusterIPs', `clusterIPs[0] ${show(ips[0])} must match clusterIP ${show(spec.clusterIP)}`, spec.clusterIPs);
  }
  const families = arr(spec.ipFamilies);
  families.forEach((f, i) => {
    if (!IP_FAMILIES.includes(f as string)) r.add(child('spec.ipFamilies', i), `ipFamily ${show(f)} must be IPv4 or IPv6`, f);
    else if (families.indexOf(f) !== i) r.add(child('spec.ipFamilies', i), `ipFamily ${show(f)} is listed twice`, f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !IP_FAMILY_POLICIES.includes(policy as string)) {
    r.add('spec.ipFamilyPolicy', `ipFamilyPolicy ${show(policy)} must be one of ${IP_FAMILY_POLICIES.join(', ')}`, policy);
  }
  if (ips.length > 2) r.add('spec.clusterIPs', 'clusterIPs may hold at most two addresses, one of each family', spec.clusterIPs);
  if (ips.includes('None') && (ips.length > 1 || ips[0] !== 'None'))
    r.add('spec.clusterIPs', "'None' must be the first and only value", spec.clusterIPs);
  const parsed = ips.filter((ip) => ip !== 'None').map(parseIP);
  if (parsed.length === 2 && parsed.every(Boolean) && parsed[0]!.kind() === parsed[1]!.kind()) {
    r.add('spec.clusterIPs', 'clusterIPs may hold no more than one address of each IP family', spec.clusterIPs);
  }
  ips.forEach((ip, i) => {
    const kind = parseIP(ip)?.kind();
    const family = families[i];
    if (kind && (family === 'IPv4' || family === 'IPv6') && (kind === 'ipv6') !== (family === 'IPv6')) {
      r.add(child('spec.clusterIPs', i), `clusterIPs[${i}] ${show(ip)} is not an ${family} address, as ipFamilies[${i}] says`, ip);
    }
  });
}

/** externalIPs, the load balancer's fields and the traffic policies (validation.go:5579-5689, `validateServiceExternalTrafficPolicy`, :5737). */
function checkTraffic(r: Reporter, spec: Json, type: string): void {
  arr(spec.externalIPs).forEach((ip, i) => {
    const problem = specialIPProblem(String(ip));
    if (problem) r.add(child('spec.externalIPs', i), `external IP ${show(ip)} ${problem}`, ip);
  });
  const lb = type === 'LoadBalancer';
  arr(spec.loadBalancerSourceRanges).forEach((c, i) => {
    if (!isCidr(String(c).trim())) r.add(child('spec.loadBalancerSourceRanges', i), `${show(c)} must be a CIDR such as 10.0.0.0/8`, c);
  });
  for (const field of ['loadBalancerSourceRanges', 'allocateLoadBalancerNodePorts', 'loadBalancerClass']) {
    const v = spec[field];
    if (!lb && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      r.add(child('spec', field), `${field} may only be used when the type is LoadBalancer`, v);
  }
  if (lb && typeof spec.loadBalancerClass === 'string') {
    for (const p of qualifiedNameProblems(spec.loadBalancerClass))
      r.add('spec.loadBalancerClass', `loadBalancerClass ${show(spec.loadBalancerClass)}: ${p}`, spec.loadBalancerClass);
  }
  const external = spec.externalTrafficPolicy;
  if (external !== undefined && external !== null && external !== '') {
    if (!externallyAccessible(type, spec))
      r.add(
        'spec.externalTrafficPolicy',
        `externalTrafficPolicy may only be set for Services reachable from outside (NodePort, LoadBalancer, or externalIPs), not a ${type}`,
        external,
      );
    else if (!TRAFFIC_POLICIES.includes(external as string))
      r.add('spec.externalTrafficPolicy', `externalTrafficPolicy ${show(external)} must be Cluster or Local`, external);
  }
  const health = spec.healthCheckNodePort;
  if (health !== undefined && health !== null && health !== 0) {
    if (!(lb && external === 'Local'))
      r.add(
        'spec.healthCheckNodePort',
        'healthCheckNodePort may only be set when the type is LoadBalancer and externalTrafficPolicy is Local',
        health,
      );
    else if (!(typeof health === 'number' && health >= 1 && health <= 65535))
      r.add('spec.healthCheckNodePort', `healthCheckNodePort ${show(health)} must be between 1 and 65535`, health);
  }
  const internal = spec.internalTrafficPolicy;
  if (internal !== undefined && internal !== null && !TRAFFIC_POLICIES.includes(internal as string)) {
    r.add('spec.internalTrafficPolicy', `internalTrafficPolicy ${show(internal)} must be Cluster or Local`, internal);
  }
}

/**
 * Each port (`validateServicePort`, validation.go:5693): a name that is a DNS-1123 label, a protocol of TCP, UDP or
 * SCTP, an appProtocol that is a qualified name; no nodePort on a ClusterIP Service; no port or nodePort twice for one
 * protocol (validation.go:5598-5632).
 */
function checkPorts(r: Reporter, spec: Json, type: string): void {
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  arr(spec.ports).forEach((p, i) => {
    const port = obj(p);
    const path = child('spec.ports', i);
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol as string))
      r.add(child(path, 'protocol'), `protocol ${show(protocol)} must be one of ${PROTOCOLS.join(', ')}`, protocol);
    const name = str(port.name);
    if (name) for (const problem of dns1123LabelProblems(name)) r.add(child(path, 'name'), `Service port name ${show(name)} ${problem}`, name);
    if (typeof port.appProtocol === 'string') {
      for (const problem of qualifiedNameProblems(port.appProtocol))
        r.add(child(path, 'appProtocol'), `appProtocol ${show(port.appProtocol)}: ${problem}`, port.appProtocol);
    }
    const nodePort = port.nodePort;
    if (typeof nodePort === 'number' && nodePort !== 0) {
      if (type === 'ClusterIP') r.add(child(path, 'nodePort'), 'nodePort may not be used when the type is ClusterIP', nodePort);
      if (nodePorts.has(`${String(protocol)}/${nodePort}`))
        r.add(child(path, 'nodePort'), `nodePort ${nodePort}/${String(protocol)} is used twice`, nodePort);
      nodePorts.add(`${String(protocol)}/${nodePort}`);
    }
    if (seen.has(`${String(protocol)}/${show(port.port)}`)) r.add(path, `port ${show(port.port)}/${String(protocol)} is listed twice`, port.port);
    seen.add(`${String(protocol)}/${show(port.port)}`);
  });
}

/** A Service's spec beyond its ports' numbers and cluster IPs (checkServicePorts, checkServiceClusterIP). */
export function checkServiceSpec(item: ValidationItem, _context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'Service') return [];
  const r = reporter(item, 'service-spec');
  const spec = obj(obj(item.object).spec);
  const type = typeof spec.type === 'string' && spec.type !== '' ? spec.type : 'ClusterIP';
  checkType(r, spec, type);
  checkPorts(r, spec, type);
  checkAffinity(r, spec);
  if (isObject(spec)) checkIPFamilies(r, spec, type);
  checkTraffic(r, spec, type);
  return r.found;
}
