import { arr, child, cut, kindOf, metadataOf, obj, show, str } from '../../core/util';
import { isPortNumber } from '../../core/port';
import { NodePortRange } from '../../core/node-port-range';
import { ServiceIPRange } from '../../core/service-ip-range';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { ianaSvcNameProblems } from '../names';
import { containersOf, podSpecOf, PodSpecAt, reporter } from './support';

/**
 * Checks a pinned Service cluster IP against `--service-cluster-ip-range` (IPv4, IPv6 or dual-stack): the range's
 * problem when it is not one, else `ServiceIPRange.clusterIPProblem`.
 * @returns the problem, or undefined when the IP is fine
 */
export function checkClusterIP(ip: string, serviceClusterIPRange: string): string | undefined {
  const range = ServiceIPRange.tryParse(serviceClusterIPRange);
  return range ? range.clusterIPProblem(ip) : ServiceIPRange.problemOf(serviceClusterIPRange);
}

/**
 * A Service's pinned `spec.clusterIP` / `spec.clusterIPs` lie inside the service cluster IP range
 * (when the context gives it; otherwise they must still be IP addresses). `None` and empty are fine.
 */
export function checkServiceClusterIP(item: ValidationItem, context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'Service') return [];
  const r = reporter(item, 'cluster-ip');
  const spec = obj(obj(item.object).spec);
  const ips: [string, unknown][] = [['spec.clusterIP', spec.clusterIP]];
  arr(spec.clusterIPs).forEach((ip, i) => ips.push([child('spec.clusterIPs', i), ip]));
  for (const [path, ip] of ips) {
    if (typeof ip !== 'string' || ip === '' || ip === 'None') continue;
    const problem = context?.serviceClusterIPRange ? checkClusterIP(ip, context.serviceClusterIPRange) : ServiceIPRange.addressProblem(ip);
    if (problem) r.add(path, problem, ip);
  }
  return r.found;
}

/**
 * Service ports: `port` 1-65535, `targetPort` 1-65535 or an IANA service name, `nodePort` inside the
 * service node port range, names unique and required when there is more than one port.
 */
export function checkServicePorts(item: ValidationItem, context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'Service') return [];
  const r = reporter(item, 'port-range');
  const spec = obj(obj(item.object).spec);
  const names = new Set<string>();
  const ports = arr(spec.ports);
  ports.forEach((p, i) => {
    const port = obj(p);
    const path = child('spec.ports', i);
    if (port.port !== undefined && !isPortNumber(port.port))
      r.add(child(path, 'port'), `port ${show(port.port)} must be between 1 and 65535`, port.port);
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      const text = context?.serviceNodePortRange ?? NodePortRange.DEFAULT.toString();
      const range = NodePortRange.tryParse(text);
      if (!range) r.add(child(path, 'nodePort'), `service node port range "${cut(text)}" is not a range such as 30000-32767`, text);
      else if (!range.contains(port.nodePort)) {
        r.add(
          child(path, 'nodePort'),
          `nodePort ${show(port.nodePort)} is outside the service node port range ${range.toString()} (--service-node-port-range)`,
          port.nodePort,
        );
      }
    }
    const tp = port.targetPort;
    if (typeof tp === 'number' && !isPortNumber(tp)) r.add(child(path, 'targetPort'), `targetPort ${tp} must be between 1 and 65535`, tp);
    if (typeof tp === 'string') {
      for (const problem of ianaSvcNameProblems(tp)) r.add(child(path, 'targetPort'), `targetPort name "${cut(tp)}" ${problem}`, tp);
    }
    const name = str(port.name);
    if (name !== undefined && names.has(name)) r.add(child(path, 'name'), `duplicate service port name "${cut(name)}"`, name);
    if (name !== undefined) names.add(name);
    if (name === undefined && ports.length > 1) r.add(child(path, 'name'), 'every port needs a name when a Service has more than one');
  });
  return r.found;
}

/** Pod specs of the validated set that a Service selector selects (same namespace, all labels equal). */
function selectedPods(service: ValidationItem, items: readonly ValidationItem[]): { item: ValidationItem; at: PodSpecAt }[] {
  const selector = obj(obj(obj(service.object).spec).selector);
  const namespace = str(metadataOf(service.object).namespace);
  const out: { item: ValidationItem; at: PodSpecAt }[] = [];
  for (const item of items) {
    const at = podSpecOf(item.object);
    if (!at || at.namespace !== namespace) continue;
    if (Object.entries(selector).every(([k, v]) => at.labels[k] === v)) out.push({ item, at });
  }
  return out;
}

/**
 * A Service's selector selects pods of the validated set (the Falco pods), and every port's
 * `targetPort` (a number, a name, or the `port` when unset) is a container port of those pods with
 * the same protocol. ExternalName Services are skipped.
 */
export function checkServiceSelectsPods(item: ValidationItem, context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'Service') return [];
  const spec = obj(obj(item.object).spec);
  if (spec.type === 'ExternalName') return [];
  const r = reporter(item, 'service-selector');
  const selector = obj(spec.selector);
  if (Object.keys(selector).length === 0) {
    r.add('spec.selector', 'the Service has no selector, so it sends traffic to no pod; select the Falco pods', spec.selector);
    return r.found;
  }
  const pods = selectedPods(item, context?.items ?? []);
  if (pods.length === 0) {
    r.add(
      'spec.selector',
      `selector ${show(selector)} selects no pod in namespace "${cut(str(metadataOf(item.object).namespace) ?? '')}" among the objects validated with it`,
      selector,
    );
    return r.found;
  }
  const containerPorts = pods.flatMap(({ at }) =>
    containersOf(at)
      .filter(({ path }) => !path.includes('initContainers') && !path.includes('ephemeralContainers'))
      .flatMap(({ container }) => arr(container.ports).map(obj)),
  );
  arr(spec.ports).forEach((p, i) => {
    const port = obj(p);
    const target = port.targetPort ?? port.port;
    const protocol = port.protocol ?? 'TCP';
    const match = containerPorts.find(
      (cp) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target) && (cp.protocol ?? 'TCP') === protocol,
    );
    if (!match && (typeof target === 'number' || typeof target === 'string')) {
      const offered = containerPorts.map(
        (cp) => `${cp.name ? `${String(cp.name)}=` : ''}${show(cp.containerPort)}/${show(cp.protocol ?? 'TCP').replace(/"/g, '')}`,
      );
      r.add(
        child(child('spec.ports', i), port.targetPort === undefined ? 'port' : 'targetPort'),
        `target port ${show(target)}/${String(protocol)} is not a container port of the selected pods (${offered.join(', ') || 'they declare none'})`,
        target,
      );
    }
  });
  return r.found;
}
