import { arr, child, isObject, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { containersOf, podSpecOf, reporter } from './support';

/*
 * Security settings beyond user and group ids (checkSecurityContexts) and the pod annotations the API server reads,
 * as kubernetes pkg/apis/core/validation/validation.go checks them at v1.30.0 (line numbers of that release; the
 * vendored copy in ../shared/reference/kubernetes-validation/ and its patch give them).
 */

type Reporter = ReturnType<typeof reporter>;

/** `SysctlContainSlashFmt` and `SysctlMaxLength` (validation.go:4851-4858), as `IsValidSysctlName` (:4868) matches them. */
const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_NAME = new RegExp(`^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`);
const SYSCTL_MAX_LENGTH = 253;

/**
 * The pod's `securityContext.sysctls` (`validateSysctls`, validation.go:4875): every one named, the name a sysctl name
 * (segments of lowercase letters, digits, '-' and '_' joined by '.' or '/', at most 253 characters), no name twice.
 */
export function checkSysctls(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'sysctls');
  const seen = new Set<string>();
  arr(obj(at.spec.securityContext).sysctls).forEach((s, i) => {
    const path = child(child(child(at.path, 'securityContext'), 'sysctls'), i);
    const name = str(obj(s).name) ?? '';
    if (name === '') r.add(child(path, 'name'), 'a sysctl needs a name');
    else if (name.length > SYSCTL_MAX_LENGTH || !SYSCTL_NAME.test(name)) {
      r.add(
        child(path, 'name'),
        `sysctl name ${show(name)} must have at most 253 characters of lowercase letters, digits, '-' and '_' in segments joined by '.' or '/' (net.ipv4.ip_local_port_range)`,
        name,
      );
    } else if (seen.has(name)) r.add(child(path, 'name'), `sysctl ${show(name)} is set twice`, name);
    seen.add(name);
  });
  return r.found;
}

const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const APPARMOR_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
/** PATH_MAX - 1 (`ValidateAppArmorProfileField`, validation.go:4711). */
const MAX_APPARMOR_PROFILE = 4095;

/**
 * A seccompProfile (`validateSeccompProfileField`, validation.go:4647): a type of Localhost, RuntimeDefault or
 * Unconfined; a localhostProfile with Localhost, as a relative path with no `..` (`validateLocalDescendingPath`,
 * :1265), and with no other type.
 */
function checkSeccomp(r: Reporter, path: string, profile: Record<string, unknown>): void {
  const type = profile.type;
  if (type === undefined || type === null || type === '')
    r.add(child(path, 'type'), 'seccompProfile needs a type: Localhost, RuntimeDefault or Unconfined');
  else if (!SECCOMP_TYPES.includes(type as string))
    r.add(child(path, 'type'), `seccompProfile type ${show(type)} must be one of ${SECCOMP_TYPES.join(', ')}`, type);
  const local = profile.localhostProfile;
  if (type === 'Localhost') {
    if (typeof local !== 'string')
      r.add(
        child(path, 'localhostProfile'),
        "a Localhost seccompProfile needs a localhostProfile (the profile file, relative to the kubelet's seccomp folder)",
      );
    else if (local.startsWith('/') || local.split('/').includes('..')) {
      r.add(child(path, 'localhostProfile'), `localhostProfile ${show(local)} must be a relative path without '..'`, local);
    }
  } else if (local !== undefined && local !== null) {
    r.add(child(path, 'localhostProfile'), 'localhostProfile can only be set when the seccompProfile type is Localhost', local);
  }
}

/**
 * An appArmorProfile (`ValidateAppArmorProfileField`, validation.go:4711): a type of Localhost, RuntimeDefault or
 * Unconfined; with Localhost a localhostProfile that is not empty, not padded with spaces and at most 4095 characters;
 * with the others none.
 */
function checkAppArmor(r: Reporter, path: string, profile: Record<string, unknown>): void {
  const type = profile.type;
  const local = profile.localhostProfile;
  if (type === undefined || type === null || type === '') {
    r.add(child(path, 'type'), 'appArmorProfile needs a type: Localhost, RuntimeDefault or Unconfined');
    return;
  }
  if (!APPARMOR_TYPES.includes(type as string)) {
    r.add(child(path, 'type'), `appArmorProfile type ${show(type)} must be one of ${APPARMOR_TYPES.join(', ')}`, type);
  } else if (type === 'Localhost') {
    if (typeof local !== 'string' || local.trim() === '')
      r.add(child(path, 'localhostProfile'), 'a Localhost appArmorProfile needs a localhostProfile');
    else if (local.trim() !== local)
      r.add(child(path, 'localhostProfile'), `localhostProfile ${show(local)} must not be padded with whitespace`, local);
    else if (local.length > MAX_APPARMOR_PROFILE)
      r.add(child(path, 'localhostProfile'), `localhostProfile must be at most ${MAX_APPARMOR_PROFILE} characters`, local);
  } else if (local !== undefined && local !== null) {
    r.add(child(path, 'localhostProfile'), 'localhostProfile can only be set when the appArmorProfile type is Localhost', local);
  }
}

/** The security contexts of a pod spec with their paths: the pod's, then each container's. */
function securityContextsOf(at: NonNullable<ReturnType<typeof podSpecOf>>): { path: string; sc: Record<string, unknown>; container: boolean }[] {
  const out: { path: string; sc: Record<string, unknown>; container: boolean }[] = [];
  if (isObject(at.spec.securityContext)) out.push({ path: child(at.path, 'securityContext'), sc: at.spec.securityContext, container: false });
  for (const { path, container } of containersOf(at)) {
    if (isObject(container.securityContext)) out.push({ path: child(path, 'securityContext'), sc: container.securityContext, container: true });
  }
  return out;
}

const PROC_MOUNTS = ['Default', 'Unmasked'];

/**
 * Seccomp and AppArmor profiles of the pod and of each container (`validatePodSpecSecurityContext`, validation.go:4912,
 * `ValidateSecurityContext`, :7191), and a container's procMount: Default or Unmasked (`ValidateProcMountType`, :7532),
 * Unmasked only in a pod with `hostUsers: false`, which the pods here never set ("`hostUsers` must be false").
 */
export function checkSecurityProfiles(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'security-profiles');
  const hostUsers = at.spec.hostUsers !== false;
  for (const { path, sc, container } of securityContextsOf(at)) {
    if (isObject(sc.seccompProfile)) checkSeccomp(r, child(path, 'seccompProfile'), sc.seccompProfile);
    if (isObject(sc.appArmorProfile)) checkAppArmor(r, child(path, 'appArmorProfile'), sc.appArmorProfile);
    const procMount = sc.procMount;
    if (!container || procMount === undefined || procMount === null) continue;
    if (!PROC_MOUNTS.includes(procMount as string))
      r.add(child(path, 'procMount'), `procMount ${show(procMount)} must be Default or Unmasked`, procMount);
    else if (procMount === 'Unmasked' && hostUsers) r.add(child(path, 'procMount'), "procMount Unmasked needs the pod's hostUsers: false", procMount);
  }
  return r.found;
}

/**
 * A workload's pod annotations the API server reads (`ValidatePodSpecificAnnotations`, validation.go:157): the pod deletion cost is a
 * 32-bit integer ("must be a 32bit integer"); the mirror-pod, tolerations, seccomp and AppArmor annotations (which it
 * checks against the pod's spec) are refused: this tool does not check them, and the fields they stand for
 * (securityContext.seccompProfile, appArmorProfile, tolerations) are checked.
 */
export function checkPodAnnotations(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  // a workload's pod template only: a static Pod (the patched kube-apiserver manifest) is the cluster's own
  if (!at || at.path === 'spec') return [];
  const r = reporter(item, 'pod-annotations');
  const base = 'spec.template.metadata.annotations';
  const meta = obj(obj(obj(obj(item.object).spec).template).metadata);
  for (const [key, value] of Object.entries(obj(meta.annotations))) {
    const path = child(base, key);
    const refused = REFUSED_ANNOTATIONS.find(([prefix]) => key === prefix || (prefix.endsWith('/') && key.startsWith(prefix)));
    if (refused) r.add(path, `annotation ${show(key)} is not accepted here: ${refused[1]}`, key);
    // GetDeletionCostFromPodAnnotations (pkg/apis/core/helper/helpers.go): no '+', no leading zero, strconv.ParseInt(v, 10, 32)
    if (
      key === 'controller.kubernetes.io/pod-deletion-cost' &&
      !(typeof value === 'string' && /^(-\d+|0|[1-9]\d*)$/.test(value) && isInt32(Number(value)))
    ) {
      r.add(path, `the pod deletion cost ${show(value)} must be a 32-bit integer, written without '+' or leading zeros`, value);
    }
  }
  return r.found;
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

/** Annotations the API server reads on pods, which this tool refuses, and the field to use instead. */
const REFUSED_ANNOTATIONS: readonly [string, string][] = [
  ['kubernetes.io/config.mirror', "it marks a mirror pod, which the kubelet makes for a static pod; a workload's pods are none"],
  ['scheduler.alpha.kubernetes.io/tolerations', 'set tolerations instead'],
  ['seccomp.security.alpha.kubernetes.io/pod', 'the seccomp annotations are deprecated: set podSecurityContext.seccompProfile instead'],
  [
    'container.seccomp.security.alpha.kubernetes.io/',
    "the seccomp annotations are deprecated: set the container's securityContext.seccompProfile instead",
  ],
  [
    'container.apparmor.security.beta.kubernetes.io/',
    'the AppArmor annotations are deprecated: set securityContext.appArmorProfile (Kubernetes 1.30+) instead',
  ],
];
