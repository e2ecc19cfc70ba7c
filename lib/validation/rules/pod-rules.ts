import { arr, child, cut, isObject, obj, show, str } from '../util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { dns1123LabelProblems, ianaSvcNameProblems } from '../names';
import { containersOf, podSpecOf, reporter } from './support';

/**
 * `privileged: true` with `allowPrivilegeEscalation: false` in one container: the API server refuses
 * the pod ("cannot set allowPrivilegeEscalation to false and privileged to true").
 */
export function checkPrivilegedEscalation(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'privileged-escalation');
  for (const { path, container } of containersOf(at)) {
    const sc = obj(container.securityContext);
    if (sc.privileged === true && sc.allowPrivilegeEscalation === false) {
      r.add(
        child(path, 'securityContext'),
        `container "${cut(str(container.name) ?? '?')}" sets privileged: true with allowPrivilegeEscalation: false, which the API server refuses; drop allowPrivilegeEscalation or set it to true`,
        sc,
      );
    }
  }
  return r.found;
}

/** Container names (init, regular, ephemeral) are DNS-1123 labels and unique within the pod. */
export function checkContainerNames(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'container-names');
  const seen = new Map<string, string>();
  for (const { path, container } of containersOf(at)) {
    const name = str(container.name);
    if (name === undefined) continue; // schema reports the missing name
    for (const p of dns1123LabelProblems(name)) r.add(child(path, 'name'), `container name "${cut(name)}" ${p}`, name);
    const first = seen.get(name);
    if (first) r.add(child(path, 'name'), `duplicate container name "${cut(name)}" (also at ${first})`, name);
    else seen.set(name, child(path, 'name'));
  }
  return r.found;
}

/** Volume names are DNS-1123 labels and unique; each volume names exactly one source. */
export function checkVolumes(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volumes');
  const seen = new Set<string>();
  arr(at.spec.volumes).forEach((v, i) => {
    const path = child(child(at.path, 'volumes'), i);
    const volume = obj(v);
    const name = str(volume.name);
    if (name === undefined) {
      r.add(path, 'volume has no name');
    } else {
      for (const p of dns1123LabelProblems(name)) r.add(child(path, 'name'), `volume name "${cut(name)}" ${p}`, name);
      if (seen.has(name)) r.add(child(path, 'name'), `duplicate volume name "${cut(name)}"`, name);
      seen.add(name);
    }
    const sources = Object.keys(volume).filter((k) => k !== 'name');
    if (sources.length === 0) r.add(path, `volume "${cut(name ?? '?')}" must specify a volume type (hostPath, configMap, secret, ...)`);
    if (sources.length > 1) r.add(path, `volume "${cut(name ?? '?')}" may not specify more than one volume type, got ${sources.join(', ')}`);
  });
  return r.found;
}

/** Every `volumeMounts[].name` (and `volumeDevices[].name`) names a volume of the pod. */
export function checkVolumeMounts(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volume-mounts');
  const volumes = new Set(arr(at.spec.volumes).map((v) => str(obj(v).name)).filter((n): n is string => !!n));
  for (const { path, container } of containersOf(at)) {
    for (const field of ['volumeMounts', 'volumeDevices']) {
      arr(container[field]).forEach((m, i) => {
        const name = str(obj(m).name);
        if (name !== undefined && !volumes.has(name)) {
          r.add(
            child(child(child(path, field), i), 'name'),
            `container "${cut(str(container.name) ?? '?')}" mounts volume "${cut(name)}", which is not in the pod's volumes (${[...volumes].join(', ') || 'none'})`,
            name,
          );
        }
      });
    }
  }
  return r.found;
}

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/** `hostPath.type` is one of the API's types and `hostPath.path` is not empty. */
export function checkHostPathTypes(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'host-path');
  arr(at.spec.volumes).forEach((v, i) => {
    const hostPath = obj(v).hostPath;
    if (!isObject(hostPath)) return;
    const path = child(child(child(at.path, 'volumes'), i), 'hostPath');
    if (hostPath.type !== undefined && !HOST_PATH_TYPES.includes(hostPath.type as string)) {
      r.add(child(path, 'type'), `hostPath type ${show(hostPath.type)} is not one of ${HOST_PATH_TYPES.filter(Boolean).join(', ')} (or empty)`, hostPath.type);
    }
    if (typeof hostPath.path === 'string' && hostPath.path.trim() === '') r.add(child(path, 'path'), 'hostPath path must not be empty', hostPath.path);
  });
  return r.found;
}

/**
 * Container ports: `containerPort` 1-65535, `hostPort` 0-65535 and, with `hostNetwork: true`, equal to
 * `containerPort` when set; names are IANA service names, unique per container.
 */
export function checkContainerPorts(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'port-range');
  for (const { path, container } of containersOf(at)) {
    const names = new Set<string>();
    arr(container.ports).forEach((p, i) => {
      const port = obj(p);
      const ppath = child(child(path, 'ports'), i);
      if (typeof port.containerPort === 'number' && !(Number.isInteger(port.containerPort) && port.containerPort >= 1 && port.containerPort <= 65535)) {
        r.add(child(ppath, 'containerPort'), `containerPort ${port.containerPort} must be between 1 and 65535`, port.containerPort);
      }
      if (typeof port.hostPort === 'number' && !(Number.isInteger(port.hostPort) && port.hostPort >= 0 && port.hostPort <= 65535)) {
        r.add(child(ppath, 'hostPort'), `hostPort ${port.hostPort} must be between 1 and 65535 (or 0 for none)`, port.hostPort);
      }
      if (at.spec.hostNetwork === true && typeof port.hostPort === 'number' && port.hostPort !== 0 && port.hostPort !== port.containerPort) {
        r.add(child(ppath, 'hostPort'), `hostPort ${port.hostPort} must equal containerPort ${show(port.containerPort)} when hostNetwork is true`, port.hostPort);
      }
      const name = str(port.name);
      if (name !== undefined) {
        for (const problem of ianaSvcNameProblems(name)) r.add(child(ppath, 'name'), `port name "${cut(name)}" ${problem}`, name);
        if (names.has(name)) r.add(child(ppath, 'name'), `duplicate port name "${cut(name)}" in container "${cut(str(container.name) ?? '?')}"`, name);
        names.add(name);
      }
    });
  }
  return r.found;
}

/** A Kubernetes quantity (apimachinery resource.ParseQuantity): a decimal number with a binary/decimal SI suffix or an exponent. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/**
 * Container `resources.requests` / `limits` are quantities (`100m`, `512Mi`), and a request is not above its
 * limit: the schema only says int-or-string, and values files are where `cpu: lots` comes from.
 */
export function checkResourceQuantities(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'resource-quantities');
  for (const { path, container } of containersOf(at)) {
    const resources = obj(container.resources);
    for (const kind of ['requests', 'limits']) {
      for (const [name, value] of Object.entries(obj(resources[kind]))) {
        const text = typeof value === 'number' ? String(value) : str(value);
        if (text === undefined || !QUANTITY.test(text)) {
          r.add(child(child(child(path, 'resources'), kind), name), `${kind}.${name} ${show(value)} is not a quantity such as 100m, 0.5 or 512Mi`, value);
        }
      }
    }
  }
  return r.found;
}

const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * Tolerations as the API server checks them: operator Exists or Equal, effect NoSchedule, PreferNoSchedule or
 * NoExecute (or empty for all), no value with Exists, a key unless the operator is Exists, tolerationSeconds only
 * with NoExecute.
 */
export function checkTolerations(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'tolerations');
  arr(at.spec.tolerations).forEach((t, i) => {
    const path = child(child(at.path, 'tolerations'), i);
    const tol = obj(t);
    const operator = str(tol.operator) ?? 'Equal';
    const effect = str(tol.effect) ?? '';
    if (!TOLERATION_OPERATORS.includes(operator)) r.add(child(path, 'operator'), `operator ${show(tol.operator)} must be Exists or Equal`, tol.operator);
    if (effect !== '' && !TAINT_EFFECTS.includes(effect)) {
      r.add(child(path, 'effect'), `effect ${show(tol.effect)} must be one of ${TAINT_EFFECTS.join(', ')} (or empty for all)`, tol.effect);
    }
    if (operator === 'Exists' && str(tol.value)) r.add(child(path, 'value'), `value ${show(tol.value)} must be empty when the operator is Exists`, tol.value);
    if (operator === 'Equal' && !str(tol.key)) r.add(path, 'a toleration with operator Equal needs a key', t);
    if (tol.tolerationSeconds !== undefined && effect !== 'NoExecute') {
      r.add(child(path, 'tolerationSeconds'), 'tolerationSeconds applies to the NoExecute effect only', tol.tolerationSeconds);
    }
  });
  return r.found;
}
