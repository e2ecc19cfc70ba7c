import { arr, child, cut, isObject, kindOf, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import {
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  envVarNameProblems,
  ianaSvcNameProblems,
  labelValueProblems,
  qualifiedNameProblems,
  relaxedEnvVarNameProblems,
} from '../names';
import { compareQuantities, isWholeQuantity, parseQuantity, Quantity } from '../quantity';
import { containersOf, podSpecOf, reporter } from './support';

/*
 * Unless a comment says otherwise, each rule here follows kubernetes pkg/apis/core/validation/validation.go
 * (read @ a7264f9 and the 1.18-era copies; the checks quoted are the same in every supported minor).
 */

/**
 * `allowPrivilegeEscalation: false` in one container with `privileged: true`, or with `CAP_SYS_ADMIN` among the added
 * capabilities: the API server refuses the pod ("cannot set `allowPrivilegeEscalation` to false and `privileged` to
 * true", "... and `capabilities.Add` CAP_SYS_ADMIN": `ValidateSecurityContext`, validation.go:7191 @ v1.30.0).
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
    const added = arr(obj(sc.capabilities).add);
    if (sc.allowPrivilegeEscalation === false && added.includes('CAP_SYS_ADMIN')) {
      r.add(
        child(child(path, 'securityContext'), 'capabilities'),
        `container "${cut(str(container.name) ?? '?')}" adds CAP_SYS_ADMIN with allowPrivilegeEscalation: false, which the API server refuses`,
        sc.capabilities,
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

/**
 * Volume names are DNS-1123 labels and unique (`ValidateVolumes`, validation.go:388); a volume names at most one source
 * (`validateVolumeSource`, validation.go:487: "may not specify more than 1 volume type"). A volume with none is valid:
 * the API server makes it an emptyDir before validating it (`SetDefaults_Volume`, pkg/apis/core/v1/defaults.go:66).
 */
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
    const sources = Object.keys(volume).filter((k) => k !== 'name' && volume[k] !== null && volume[k] !== undefined);
    if (sources.length > 1) r.add(path, `volume "${cut(name ?? '?')}" may not specify more than one volume type, got ${sources.join(', ')}`);
  });
  return r.found;
}

/**
 * Every `volumeMounts[].name` (and `volumeDevices[].name`) names a volume of the pod, and each mount has a
 * `mountPath` no other mount of the container uses (`validateVolumeMounts`: "must be unique").
 */
export function checkVolumeMounts(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volume-mounts');
  const volumes = new Set(
    arr(at.spec.volumes)
      .map((v) => str(obj(v).name))
      .filter((n): n is string => !!n),
  );
  for (const { path, container } of containersOf(at)) {
    const mountPaths = new Map<string, number>();
    arr(container.volumeMounts).forEach((m, i) => {
      const mountPath = obj(m).mountPath;
      const at2 = child(child(child(path, 'volumeMounts'), i), 'mountPath');
      if (typeof mountPath !== 'string' || mountPath === '') {
        r.add(at2, `volume mount ${i} of container "${str(container.name) ?? '?'}" needs a mountPath`, mountPath);
        return;
      }
      const first = mountPaths.get(mountPath);
      if (first !== undefined) {
        r.add(
          at2,
          `mountPath ${show(mountPath)} of container "${str(container.name) ?? '?'}" is already used by volumeMounts[${first}]; mount paths must be unique`,
          mountPath,
        );
      } else {
        mountPaths.set(mountPath, i);
      }
    });
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

/**
 * `volumeMounts[].subPath` and `subPathExpr` name a path inside the volume: relative, with no `..` element
 * (`ValidateVolumeMounts` -> `validateLocalDescendingPath`, `validatePathNoBacksteps`), and a mount has at most one
 * of the two ("subPathExpr and subPath are mutually exclusive").
 */
export function checkVolumeMountSubPaths(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volume-mount-subpath');
  for (const { path, container } of containersOf(at)) {
    arr(container.volumeMounts).forEach((m, i) => {
      const mount = obj(m);
      const mpath = child(child(path, 'volumeMounts'), i);
      for (const field of ['subPath', 'subPathExpr']) {
        const value = mount[field];
        if (typeof value !== 'string' || value === '') continue;
        if (value.startsWith('/')) r.add(child(mpath, field), `${field} ${show(value)} must be a relative path (inside the volume)`, value);
        if (value.split('/').includes('..')) r.add(child(mpath, field), `${field} ${show(value)} must not contain '..'`, value);
      }
      if (typeof mount.subPath === 'string' && mount.subPath !== '' && typeof mount.subPathExpr === 'string' && mount.subPathExpr !== '') {
        r.add(child(mpath, 'subPathExpr'), 'subPathExpr and subPath are mutually exclusive: set one', mount.subPathExpr);
      }
    });
  }
  return r.found;
}

/** What `IsValidUserID` / `IsValidGroupID` accept (apimachinery pkg/util/validation/validation.go: libcontainer's 0 to 2^31-1). */
const MAX_ID = 2147483647;
const FS_GROUP_CHANGE_POLICIES = ['OnRootMismatch', 'Always'];

/**
 * User and group ids in security contexts are 0 to 2147483647 (`IsValidUserID`, `IsValidGroupID`): the pod's
 * `runAsUser`, `runAsGroup`, `fsGroup` and `supplementalGroups` (`validatePodSpecSecurityContext`) and each container's
 * `runAsUser` and `runAsGroup` (`ValidateSecurityContext`); the pod's `fsGroupChangePolicy` is OnRootMismatch or
 * Always (`validateFSGroupChangePolicy`). The schema only says int64 and string.
 */
export function checkSecurityContexts(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'security-context');
  const id = (path: string, field: string, value: unknown) => {
    if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0 && value <= MAX_ID)) {
      r.add(path, `${field} ${show(value)} must be between 0 and ${MAX_ID}, inclusive`, value);
    }
  };
  const pod = at.spec.securityContext;
  if (isObject(pod)) {
    const path = child(at.path, 'securityContext');
    for (const field of ['runAsUser', 'runAsGroup', 'fsGroup']) id(child(path, field), field, pod[field]);
    arr(pod.supplementalGroups).forEach((g, i) => id(child(child(path, 'supplementalGroups'), i), 'supplementalGroups item', g));
    const policy = pod.fsGroupChangePolicy;
    if (policy !== undefined && policy !== null && !FS_GROUP_CHANGE_POLICIES.includes(policy as string)) {
      r.add(child(path, 'fsGroupChangePolicy'), `fsGroupChangePolicy ${show(policy)} must be one of ${FS_GROUP_CHANGE_POLICIES.join(', ')}`, policy);
    }
  }
  for (const { path, container } of containersOf(at)) {
    const sc = container.securityContext;
    if (!isObject(sc)) continue;
    for (const field of ['runAsUser', 'runAsGroup']) id(child(child(path, 'securityContext'), field), field, sc[field]);
  }
  return r.found;
}

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/**
 * `hostPath.type` is one of the API's types and `hostPath.path` is not empty and has no `..` element
 * (`validateHostPathVolumeSource`, `validatePathNoBacksteps`).
 */
export function checkHostPathTypes(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'host-path');
  arr(at.spec.volumes).forEach((v, i) => {
    const hostPath = obj(v).hostPath;
    if (!isObject(hostPath)) return;
    const path = child(child(child(at.path, 'volumes'), i), 'hostPath');
    if (hostPath.type !== undefined && !HOST_PATH_TYPES.includes(hostPath.type as string)) {
      r.add(
        child(path, 'type'),
        `hostPath type ${show(hostPath.type)} is not one of ${HOST_PATH_TYPES.filter(Boolean).join(', ')} (or empty)`,
        hostPath.type,
      );
    }
    if (typeof hostPath.path === 'string' && hostPath.path.trim() === '')
      r.add(child(path, 'path'), 'hostPath path must not be empty', hostPath.path);
    if (typeof hostPath.path === 'string' && hostPath.path.split('/').includes('..')) {
      r.add(child(path, 'path'), `hostPath path ${show(hostPath.path)} must not contain '..'`, hostPath.path);
    }
  });
  return r.found;
}

const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/**
 * Container ports (`validateContainerPorts`, validation.go:2539): `containerPort` 1-65535, `hostPort` 0-65535 and, with
 * `hostNetwork: true`, equal to `containerPort` when set (`validatePodHostNetworkDeps`, :3792); names are IANA service
 * names, unique per container; the protocol TCP (the default), UDP or SCTP (`supportedPortProtocols`, :2534).
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
      if (
        typeof port.containerPort === 'number' &&
        !(Number.isInteger(port.containerPort) && port.containerPort >= 1 && port.containerPort <= 65535)
      ) {
        r.add(child(ppath, 'containerPort'), `containerPort ${port.containerPort} must be between 1 and 65535`, port.containerPort);
      }
      if (typeof port.hostPort === 'number' && !(Number.isInteger(port.hostPort) && port.hostPort >= 0 && port.hostPort <= 65535)) {
        r.add(child(ppath, 'hostPort'), `hostPort ${port.hostPort} must be between 1 and 65535 (or 0 for none)`, port.hostPort);
      }
      if (at.spec.hostNetwork === true && typeof port.hostPort === 'number' && port.hostPort !== 0 && port.hostPort !== port.containerPort) {
        r.add(
          child(ppath, 'hostPort'),
          `hostPort ${port.hostPort} must equal containerPort ${show(port.containerPort)} when hostNetwork is true`,
          port.hostPort,
        );
      }
      if (port.protocol !== undefined && !PORT_PROTOCOLS.includes(port.protocol as string)) {
        r.add(child(ppath, 'protocol'), `protocol ${show(port.protocol)} must be one of ${PORT_PROTOCOLS.join(', ')}`, port.protocol);
      }
      const name = str(port.name);
      if (name !== undefined) {
        for (const problem of ianaSvcNameProblems(name)) r.add(child(ppath, 'name'), `port name "${cut(name)}" ${problem}`, name);
        if (names.has(name))
          r.add(child(ppath, 'name'), `duplicate port name "${cut(name)}" in container "${cut(str(container.name) ?? '?')}"`, name);
        names.add(name);
      }
    });
  }
  return r.found;
}

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** Native resources have no domain or the kubernetes.io domain (`IsNativeResource`). */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Hugepages and extended resources cannot be overcommitted: a request must equal its limit (`IsOvercommitAllowed`). */
function overcommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}

/** Why a container resource name is refused (`validateContainerResourceName`), or undefined. */
function resourceNameProblem(name: string): string | undefined {
  const qualified = qualifiedNameProblems(name);
  if (qualified.length > 0) return `resource name ${show(name)}: ${qualified.join('; ')}`;
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
      return `${show(name)} is not a container resource: use cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as example.com/gpu`;
    }
  } else if (!isNativeResource(name) && (name.startsWith('requests.') || qualifiedNameProblems(`requests.${name}`).length > 0)) {
    return `${show(name)} does not follow the extended resource name standard (a domain-prefixed name such as example.com/gpu)`;
  }
  return undefined;
}

/**
 * Container `resources.requests` / `limits` as `ValidateResourceRequirements` checks them: names are container
 * resources (cpu, memory, ephemeral-storage, hugepages-*, extended), values are quantities (`100m`, `512Mi`) of
 * zero or more, a request is not above its limit, hugepages and extended resources (whole numbers) have a limit
 * equal to the request, and hugepages come with cpu or memory. The schema only says int-or-string, and values
 * files are where `cpu: lots` comes from.
 */
export function checkResourceQuantities(item: ValidationItem, context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'resource-quantities');
  // kubernetes/kubernetes#98515 (CHANGELOG-1.21): validateResourceQuantityHugePageValue
  const hugePagesDivisible = context?.version.isAtLeast(21) ?? true;
  for (const { path, container } of containersOf(at)) {
    const resources = obj(container.resources);
    const parsed = parseResourceQuantities(r, path, resources, hugePagesDivisible);
    checkRequestsAgainstLimits(r, path, resources, parsed);
    const names = [...Object.keys(obj(resources.limits)), ...Object.keys(obj(resources.requests))];
    if (names.some((n) => n.startsWith('hugepages-')) && !names.some((n) => n === 'cpu' || n === 'memory')) {
      r.add(child(path, 'resources'), 'hugepages require a cpu or memory request or limit as well', container.resources);
    }
  }
  return r.found;
}

/** A violation builder as `reporter` makes it, passed to the steps of one rule. */
type Reporter = ReturnType<typeof reporter>;

/** Parsed container quantities by kind and resource name, for the request/limit comparison. */
type ParsedResources = Record<'requests' | 'limits', Map<string, Quantity>>;

/** Checks each request and limit name and value on its own, and keeps the values that parse for the comparison. */
function parseResourceQuantities(r: Reporter, path: string, resources: Record<string, unknown>, hugePagesDivisible: boolean): ParsedResources {
  const parsed: ParsedResources = { requests: new Map(), limits: new Map() };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(obj(resources[kind]))) {
      const at2 = child(child(child(path, 'resources'), kind), name);
      const nameProblem = resourceNameProblem(name);
      if (nameProblem) r.add(at2, nameProblem, name);
      const q = parseQuantity(value);
      if (!q) {
        r.add(at2, `${kind}.${name} ${show(value)} is not a quantity such as 100m, 0.5 or 512Mi`, value);
        continue;
      }
      checkQuantityValue(r, at2, kind, name, value, q, hugePagesDivisible);
      parsed[kind].set(name, q);
    }
  }
  return parsed;
}

/** A parsed quantity is not negative, whole for extended resources, and a page multiple for hugepages limits. */
function checkQuantityValue(
  r: Reporter,
  at2: string,
  kind: 'requests' | 'limits',
  name: string,
  value: unknown,
  q: Quantity,
  hugePagesDivisible: boolean,
): void {
  if (q.negative) r.add(at2, `${kind}.${name} ${show(value)} must be greater than or equal to 0`, value);
  else if (!isNativeResource(name) && !isWholeQuantity(q))
    r.add(at2, `${kind}.${name} ${show(value)} must be a whole number (an extended resource)`, value);
  else if (kind === 'limits' && hugePagesDivisible && name.startsWith('hugepages-') && !hugePageMultiple(name, q)) {
    r.add(
      at2,
      `limits.${name} ${show(value)} is not a positive integer multiple of the page size ${show(name.slice('hugepages-'.length))} (Kubernetes 1.21+)`,
      value,
    );
  }
}

/** A request is not above its limit, and resources that cannot be overcommitted have a limit equal to the request. */
function checkRequestsAgainstLimits(r: Reporter, path: string, resources: Record<string, unknown>, parsed: ParsedResources): void {
  const limits = obj(resources.limits);
  const requests = obj(resources.requests);
  for (const [name, request] of parsed.requests) {
    const at2 = child(child(child(path, 'resources'), 'requests'), name);
    const limit = parsed.limits.get(name);
    if (!limit) {
      if (!overcommitAllowed(name) && !(name in limits)) {
        r.add(at2, `requests.${name} needs a limit equal to it: ${name} cannot be overcommitted`, requests[name]);
      }
      continue;
    }
    const cmp = compareQuantities(request, limit);
    if (cmp === undefined) continue;
    if (!overcommitAllowed(name) && cmp !== 0) {
      r.add(
        at2,
        `requests.${name} ${show(requests[name])} must be equal to the ${name} limit ${show(limits[name])}: ${name} cannot be overcommitted`,
        requests[name],
      );
    } else if (cmp > 0) {
      r.add(at2, `requests.${name} ${show(requests[name])} must be less than or equal to the ${name} limit ${show(limits[name])}`, requests[name]);
    }
  }
}

/**
 * A hugepages limit is a whole number of pages (`IsHugePageResourceValueDivisible`, pkg/apis/core/helper/helpers.go):
 * the page size from the name is a positive whole number of bytes, and the quantity, rounded up to a whole number
 * of bytes (`Quantity.Value`), divides by it. A size that is no quantity (`hugepages-big`) never divides.
 */
function hugePageMultiple(name: string, q: Quantity): boolean {
  const page = parseQuantity(name.slice('hugepages-'.length));
  if (!page?.exact || page.negative || page.exact.num === 0n || !isWholeQuantity(page)) return false;
  if (!q.exact) return true;
  const size = page.exact.num / page.exact.den;
  const bytes = (q.exact.num + q.exact.den - 1n) / q.exact.den;
  return bytes % size === 0n;
}

const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * Tolerations as the API server checks them (`ValidateTolerations`): a key that is a label key, operator Exists or
 * Equal, effect NoSchedule, PreferNoSchedule or NoExecute (or empty for all), no value with Exists and a label value
 * with Equal, a key unless the operator is Exists, tolerationSeconds only with NoExecute.
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
    const key = str(tol.key);
    if (key) for (const p of qualifiedNameProblems(key)) r.add(child(path, 'key'), `key ${show(key)}: ${p}`, key);
    if (!TOLERATION_OPERATORS.includes(operator))
      r.add(child(path, 'operator'), `operator ${show(tol.operator)} must be Exists or Equal`, tol.operator);
    if (effect !== '' && !TAINT_EFFECTS.includes(effect)) {
      r.add(child(path, 'effect'), `effect ${show(tol.effect)} must be one of ${TAINT_EFFECTS.join(', ')} (or empty for all)`, tol.effect);
    }
    if (operator === 'Exists' && str(tol.value))
      r.add(child(path, 'value'), `value ${show(tol.value)} must be empty when the operator is Exists`, tol.value);
    if (operator === 'Equal' && typeof tol.value === 'string') {
      for (const p of labelValueProblems(tol.value)) r.add(child(path, 'value'), `value ${show(tol.value)} ${p}`, tol.value);
    }
    if (operator === 'Equal' && !key) r.add(path, 'a toleration with operator Equal needs a key', t);
    if (tol.tolerationSeconds !== undefined && effect !== 'NoExecute') {
      r.add(child(path, 'tolerationSeconds'), 'tolerationSeconds applies to the NoExecute effect only', tol.tolerationSeconds);
    }
  });
  return r.found;
}

/**
 * Container environment variables (`ValidateEnv`): every one has a name the target version accepts (before 1.32
 * letters, digits, '_', '-' and '.', not starting with a digit; from 1.32 any printable ASCII but '='), and no
 * name repeats in a container. The API server stores repeats, but a list merged by name cannot be applied with
 * them: server-side apply refuses "duplicate entries for key" (kubernetes/kubernetes#121575) and client-side apply
 * fails to build its patch (kubernetes/kubernetes#86163), so Argo CD cannot sync the object. Repeats are checked in
 * the workloads Argo CD applies, not in a static Pod (the kubelet creates its mirror pod, which accepts them).
 */
export function checkContainerEnv(item: ValidationItem, context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'env');
  const relaxed = context?.version.isAtLeast(32) ?? false;
  const applied = kindOf(item.object) !== 'Pod';
  for (const { path, container } of containersOf(at)) {
    const seen = new Map<string, number>();
    arr(container.env).forEach((e, i) => {
      const at2 = child(child(child(path, 'env'), i), 'name');
      const name = obj(e).name;
      if (typeof name !== 'string' || name === '') {
        r.add(at2, `environment variable ${i} of container "${str(container.name) ?? '?'}" needs a name`, name);
        return;
      }
      const problems = relaxed ? relaxedEnvVarNameProblems(name) : envVarNameProblems(name);
      const before132 = relaxed ? '' : ` (Kubernetes ${context?.version ?? 'before 1.32'}; from 1.32 any printable ASCII but '=' is accepted)`;
      for (const p of problems) r.add(at2, `environment variable name ${show(name)} ${p}${before132}`, name);
      const first = seen.get(name);
      if (first !== undefined && applied) {
        r.add(
          at2,
          `environment variable ${show(name)} of container "${str(container.name) ?? '?'}" is also env[${first}]; a name may appear once (server-side apply refuses duplicates)`,
          name,
        );
      } else {
        seen.set(name, i);
      }
    });
  }
  return r.found;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/**
 * Every container has an image without leading or trailing spaces (the API server refuses such pods, so the
 * workload's pods would never be created) and an `imagePullPolicy`, when set, of Always, IfNotPresent or Never.
 */
export function checkContainerImage(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'container-image');
  for (const { path, container } of containersOf(at)) {
    const image = container.image;
    if (typeof image !== 'string' || image.trim() === '')
      r.add(child(path, 'image'), `container "${str(container.name) ?? '?'}" needs an image`, image);
    else if (image !== image.trim()) r.add(child(path, 'image'), `image ${show(image)} must not have leading or trailing whitespace`, image);
    const policy = container.imagePullPolicy;
    if (policy !== undefined && !PULL_POLICIES.includes(policy as string)) {
      r.add(child(path, 'imagePullPolicy'), `imagePullPolicy ${show(policy)} must be one of ${PULL_POLICIES.join(', ')}`, policy);
    }
  }
  return r.found;
}

/**
 * Pod spec names the API server checks (`ValidatePodSpec`): `serviceAccountName` and `priorityClassName` are
 * DNS-1123 subdomains, and `nodeSelector` is a label set (keys are label keys, values label values).
 */
export function checkPodSpecNames(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'pod-spec');
  for (const field of ['serviceAccountName', 'priorityClassName']) {
    const value = at.spec[field];
    if (typeof value === 'string' && value !== '') {
      for (const p of dns1123SubdomainProblems(value)) r.add(child(at.path, field), `${field} ${show(value)} ${p}`, value);
    }
  }
  const selector = at.spec.nodeSelector;
  if (isObject(selector)) {
    for (const [key, value] of Object.entries(selector)) {
      const path = child(child(at.path, 'nodeSelector'), key);
      for (const p of qualifiedNameProblems(key)) r.add(path, `nodeSelector key ${show(key)}: ${p}`, key);
      if (typeof value === 'string') for (const p of labelValueProblems(value)) r.add(path, `nodeSelector value ${show(value)} ${p}`, value);
    }
  }
  return r.found;
}

const NODE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Pod `affinity` as `validateAffinity` checks it: node selector terms with label-key keys, known operators, values
 * as the operator needs them (In/NotIn some, Exists/DoesNotExist none, Gt/Lt one) and `matchFields` only on
 * `metadata.name`; required node affinity has at least one term; preferred terms weigh 1-100; pod (anti-)affinity
 * terms have a label-key `topologyKey`, valid label selectors and DNS-1123 label namespaces.
 */
export function checkAffinity(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at || !isObject(at.spec.affinity)) return [];
  const r = reporter(item, 'affinity');
  const base = child(at.path, 'affinity');
  const affinity = at.spec.affinity;
  checkNodeAffinity(r, child(base, 'nodeAffinity'), obj(affinity.nodeAffinity));
  for (const kind of ['podAffinity', 'podAntiAffinity']) checkPodAffinity(r, child(base, kind), obj(affinity[kind]));
  return r.found;
}

/** Required node affinity has at least one valid term; preferred terms weigh 1-100 and have a valid preference. */
function checkNodeAffinity(r: Reporter, nodePath: string, nodeAffinity: Record<string, unknown>): void {
  const required = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (isObject(required)) {
    const path = child(nodePath, 'requiredDuringSchedulingIgnoredDuringExecution');
    const terms = arr(required.nodeSelectorTerms);
    if (terms.length === 0) r.add(child(path, 'nodeSelectorTerms'), 'required node affinity needs at least one node selector term');
    terms.forEach((t, i) => checkNodeSelectorTerm(r, child(child(path, 'nodeSelectorTerms'), i), t));
  }
  arr(nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
    const path = child(child(nodePath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    checkWeight(r, path, obj(p).weight);
    checkNodeSelectorTerm(r, child(path, 'preference'), obj(p).preference);
  });
}

/** Pod (anti-)affinity: required terms and weighted preferred terms are valid pod affinity terms. */
function checkPodAffinity(r: Reporter, path: string, pa: Record<string, unknown>): void {
  arr(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
    checkPodAffinityTerm(r, child(child(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i), t),
  );
  arr(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((w, i) => {
    const wpath = child(child(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    checkWeight(r, wpath, obj(w).weight);
    checkPodAffinityTerm(r, child(wpath, 'podAffinityTerm'), obj(w).podAffinityTerm);
  });
}

/** A preferred scheduling term weighs 1-100. */
function checkWeight(r: Reporter, path: string, w: unknown): void {
  if (!(typeof w === 'number' && Number.isInteger(w) && w >= 1 && w <= 100))
    r.add(child(path, 'weight'), `weight ${show(w)} must be in the range 1-100`, w);
}

/** A node selector requirement: `matchFields` only on metadata.name with one value, `matchExpressions` by operator. */
function checkNodeRequirement(r: Reporter, path: string, e: unknown, fields: boolean): void {
  const req = obj(e);
  const key = str(req.key) ?? '';
  const op = req.operator;
  const values = arr(req.values);
  if (fields) {
    if (key !== 'metadata.name') r.add(child(path, 'key'), `matchFields key ${show(req.key)} must be metadata.name`, req.key);
    if (op !== 'In' && op !== 'NotIn') r.add(child(path, 'operator'), `matchFields operator ${show(op)} must be In or NotIn`, op);
    else if (values.length !== 1) r.add(child(path, 'values'), `matchFields with ${String(op)} takes exactly one value`, req.values);
    return;
  }
  for (const p of qualifiedNameProblems(key)) r.add(child(path, 'key'), `key ${show(req.key)}: ${p}`, req.key);
  if (!NODE_OPERATORS.includes(op as string)) r.add(child(path, 'operator'), `operator ${show(op)} is not one of ${NODE_OPERATORS.join(', ')}`, op);
  else if ((op === 'In' || op === 'NotIn') && values.length === 0) r.add(child(path, 'values'), `operator ${String(op)} needs at least one value`);
  else if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0)
    r.add(child(path, 'values'), `operator ${String(op)} takes no values`, req.values);
  else if ((op === 'Gt' || op === 'Lt') && values.length !== 1)
    r.add(child(path, 'values'), `operator ${String(op)} takes exactly one value`, req.values);
}

/** A node selector term: its expressions and its fields. */
function checkNodeSelectorTerm(r: Reporter, path: string, t: unknown): void {
  const nt = obj(t);
  arr(nt.matchExpressions).forEach((e, i) => checkNodeRequirement(r, child(child(path, 'matchExpressions'), i), e, false));
  arr(nt.matchFields).forEach((e, i) => checkNodeRequirement(r, child(child(path, 'matchFields'), i), e, true));
}

/** A label selector: label-key keys and label values in `matchLabels`, known operators with fitting values in expressions. */
function checkLabelSelector(r: Reporter, path: string, s: unknown): void {
  const sel = obj(s);
  for (const [key, value] of Object.entries(obj(sel.matchLabels))) {
    for (const p of qualifiedNameProblems(key)) r.add(child(child(path, 'matchLabels'), key), `label key ${show(key)}: ${p}`, key);
    if (typeof value === 'string')
      for (const p of labelValueProblems(value)) r.add(child(child(path, 'matchLabels'), key), `label value ${show(value)} ${p}`, value);
  }
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = child(child(path, 'matchExpressions'), i);
    const ex = obj(e);
    for (const problem of qualifiedNameProblems(str(ex.key) ?? '')) r.add(child(p, 'key'), `key ${show(ex.key)}: ${problem}`, ex.key);
    const values = arr(ex.values);
    if (!SELECTOR_OPERATORS.includes(ex.operator as string))
      r.add(child(p, 'operator'), `operator ${show(ex.operator)} is not one of ${SELECTOR_OPERATORS.join(', ')}`, ex.operator);
    else if ((ex.operator === 'In' || ex.operator === 'NotIn') && values.length === 0)
      r.add(child(p, 'values'), `operator ${String(ex.operator)} needs at least one value`);
    else if ((ex.operator === 'Exists' || ex.operator === 'DoesNotExist') && values.length > 0)
      r.add(child(p, 'values'), `operator ${String(ex.operator)} takes no values`, ex.values);
  });
}

/** A pod affinity term: a non-empty label-key `topologyKey`, a valid label selector, DNS-1123 label namespaces. */
function checkPodAffinityTerm(r: Reporter, path: string, t: unknown): void {
  const pt = obj(t);
  const topologyKey = str(pt.topologyKey) ?? '';
  if (topologyKey === '') r.add(child(path, 'topologyKey'), 'topologyKey is required and must not be empty');
  else for (const p of qualifiedNameProblems(topologyKey)) r.add(child(path, 'topologyKey'), `topologyKey ${show(topologyKey)}: ${p}`, topologyKey);
  if (pt.labelSelector !== undefined) checkLabelSelector(r, child(path, 'labelSelector'), pt.labelSelector);
  // validatePodAffinityTerm, validation.go:4556 @ v1.30.0: the namespace selector is a label selector too
  if (pt.namespaceSelector !== undefined && pt.namespaceSelector !== null)
    checkLabelSelector(r, child(path, 'namespaceSelector'), pt.namespaceSelector);
  arr(pt.namespaces).forEach((ns, i) => {
    if (typeof ns === 'string')
      for (const p of dns1123LabelProblems(ns)) r.add(child(child(path, 'namespaces'), i), `namespace ${show(ns)} ${p}`, ns);
  });
}
