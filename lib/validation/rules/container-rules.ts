import { arr, child, isObject, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { ianaSvcNameProblems } from '../names';
import { containersOf, podSpecOf, reporter } from './support';

/*
 * Probes, lifecycle hooks and the fields that differ between init and regular containers, as kubernetes
 * pkg/apis/core/validation/validation.go checks them at v1.30.0 (line numbers of that release; the vendored copy in
 * ../shared/reference/kubernetes-validation/ and its patch give them), after the API server's defaults
 * (pkg/apis/core/v1/defaults.go: `SetDefaults_Probe`, :248, `SetDefaults_HTTPGetAction`, :359).
 */

type Reporter = ReturnType<typeof reporter>;
type Json = Record<string, unknown>;

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];
const SCHEMES = ['HTTP', 'HTTPS'];
const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;
/**
 * The pod's grace period when it sets none (PodSpec.terminationGracePeriodSeconds: "Defaults to 30 seconds",
 * `SetDefaults_PodSpec`, defaults.go:220).
 */
const DEFAULT_GRACE_PERIOD = 30;

/** A port number or an IANA port name (`ValidatePortNumOrName`, validation.go:3253). */
function checkPortNumOrName(r: Reporter, path: string, port: unknown): void {
  if (typeof port === 'number') {
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) r.add(path, `port ${show(port)} must be between 1 and 65535`, port);
  } else if (typeof port === 'string') {
    for (const p of ianaSvcNameProblems(port)) r.add(path, `port name ${show(port)} ${p}`, port);
  } else {
    r.add(path, 'needs a port (a number or a container port name)', port);
  }
}

/** One handler of a probe or hook (`validateHandler`, validation.go:3275): exactly one kind, each as its check wants it. */
function checkHandler(r: Reporter, path: string, handler: Json, allowed: readonly string[], grace: number): void {
  const kinds = HANDLERS.filter((h) => isObject(handler[h]));
  if (kinds.length === 0) r.add(path, `must name a handler: ${allowed.join(', ')}`);
  if (kinds.length > 1) r.add(child(path, kinds[1]), `names ${kinds.join(' and ')}; a handler takes one type`);
  const exec = obj(handler.exec);
  // validateExecAction, :3226
  if (isObject(handler.exec) && arr(exec.command).length === 0) r.add(child(child(path, 'exec'), 'command'), 'exec needs a command');
  if (isObject(handler.httpGet)) {
    // validateHTTPGetAction, :3236 (path "/" and scheme HTTP when unset)
    const get = handler.httpGet;
    const at = child(path, 'httpGet');
    checkPortNumOrName(r, child(at, 'port'), get.port);
    if (get.scheme !== undefined && !SCHEMES.includes(get.scheme as string))
      r.add(child(at, 'scheme'), `scheme ${show(get.scheme)} must be HTTP or HTTPS`, get.scheme);
    arr(get.httpHeaders).forEach((h, i) => {
      const name = str(obj(h).name) ?? '';
      if (!HTTP_HEADER_NAME.test(name))
        r.add(child(child(child(at, 'httpHeaders'), i), 'name'), `header name ${show(name)} must be letters, digits and '-'`, name);
    });
  }
  // validateTCPSocketAction, :3269; validateGRPCAction, :3272
  if (isObject(handler.tcpSocket)) checkPortNumOrName(r, child(child(path, 'tcpSocket'), 'port'), handler.tcpSocket.port);
  if (isObject(handler.grpc)) {
    const port = handler.grpc.port;
    checkPortNumOrName(r, child(child(path, 'grpc'), 'port'), typeof port === 'number' ? port : undefined);
  }
  // validateSleepAction, :3158: more than 0 and at most the pod's grace period
  const seconds = obj(handler.sleep).seconds;
  if (isObject(handler.sleep) && !(typeof seconds === 'number' && seconds > 0 && seconds <= grace)) {
    r.add(
      child(child(path, 'sleep'), 'seconds'),
      `sleep seconds ${show(seconds)} must be greater than 0 and at most the pod's terminationGracePeriodSeconds (${grace})`,
      seconds,
    );
  }
}

const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/**
 * A probe (`validateProbe`, validation.go:3096): one handler (exec, httpGet, tcpSocket or grpc), no negative count, a
 * positive terminationGracePeriodSeconds; a liveness or startup probe's successThreshold is 1 (`validateLivenessProbe`,
 * :3057, `validateStartupProbe`, :3083; 0 is defaulted to 1); a readiness probe takes no terminationGracePeriodSeconds
 * (`validateReadinessProbe`, :3070).
 */
function checkProbe(r: Reporter, path: string, kind: string, probe: Json, grace: number): void {
  checkHandler(r, path, probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], grace);
  for (const field of PROBE_COUNTS) {
    const v = probe[field];
    if (typeof v === 'number' && v < 0) r.add(child(path, field), `${field} ${show(v)} must be greater than or equal to 0`, v);
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (kind === 'readinessProbe' && tgps !== undefined && tgps !== null) {
    r.add(child(path, 'terminationGracePeriodSeconds'), 'must not be set for readiness probes', tgps);
  } else if (typeof tgps === 'number' && tgps <= 0) {
    r.add(child(path, 'terminationGracePeriodSeconds'), `terminationGracePeriodSeconds ${show(tgps)} must be greater than 0`, tgps);
  }
  const success = probe.successThreshold;
  if (kind !== 'readinessProbe' && typeof success === 'number' && success !== 0 && success !== 1) {
    r.add(child(path, 'successThreshold'), `successThreshold ${show(success)} must be 1 for a ${kind}`, success);
  }
}

/** Whether a container runs as an init container that restarts (a sidecar): its restartPolicy is Always. */
function isSidecar(path: string, container: Json): boolean {
  return path.includes('initContainers[') && container.restartPolicy === 'Always';
}

/**
 * Probes and lifecycle hooks of regular containers and sidecars (`validateContainers`, validation.go:3613, and the
 * `restartAlways` case of `validateInitContainers`, :3475): each probe as `checkProbe` says, each hook's handler
 * (`validateLifecycle`, :3324: exec, httpGet, tcpSocket or sleep).
 */
export function checkProbes(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'probes');
  const grace = typeof at.spec.terminationGracePeriodSeconds === 'number' ? at.spec.terminationGracePeriodSeconds : DEFAULT_GRACE_PERIOD;
  for (const { path, container } of containersOf(at)) {
    if (path.includes('initContainers[') && !isSidecar(path, container)) continue; // checkInitContainers refuses them there
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (isObject(container[kind])) checkProbe(r, child(path, kind), kind, container[kind], grace);
    }
    const lifecycle = obj(container.lifecycle);
    for (const hook of ['postStart', 'preStop']) {
      if (isObject(lifecycle[hook]))
        checkHandler(r, child(child(path, 'lifecycle'), hook), lifecycle[hook], ['exec', 'httpGet', 'tcpSocket', 'sleep'], grace);
    }
  }
  return r.found;
}

/**
 * What only init containers may and may not set (`validateInitContainers`, validation.go:3475): restartPolicy only
 * Always (`validateInitContainerRestartPolicy`, :3115), probes and lifecycle hooks only then, and no resizePolicy; a
 * regular container sets no restartPolicy ("may not be set for non-init containers", `validateContainers`, :3613).
 */
export function checkInitContainers(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'init-containers');
  for (const { path, container } of containersOf(at)) {
    const name = show(container.name);
    const restart = container.restartPolicy;
    if (!path.includes('initContainers[')) {
      if (restart !== undefined && restart !== null)
        r.add(child(path, 'restartPolicy'), `container ${name}: restartPolicy is for init containers only`, restart);
      continue;
    }
    if (restart !== undefined && restart !== null && restart !== 'Always') {
      r.add(
        child(path, 'restartPolicy'),
        `init container ${name}: restartPolicy ${show(restart)} is not supported: the only value is Always (a sidecar)`,
        restart,
      );
    }
    if (restart !== 'Always') {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (container[field] !== undefined && container[field] !== null) {
          r.add(
            child(path, field),
            `init container ${name}: ${field} may not be set for init containers without restartPolicy: Always`,
            container[field],
          );
        }
      }
    }
    if (arr(container.resizePolicy).length > 0)
      r.add(child(path, 'resizePolicy'), `init container ${name}: resizePolicy must not be set for init containers`, container.resizePolicy);
  }
  return r.found;
}

const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/**
 * `terminationMessagePolicy` File (the default, `SetDefaults_Container`, defaults.go:73) or FallbackToLogsOnError
 * (`validateContainerCommon`, validation.go:3541).
 */
export function checkTerminationMessagePolicy(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'termination-message');
  for (const { path, container } of containersOf(at)) {
    const policy = container.terminationMessagePolicy;
    if (policy !== undefined && policy !== null && !MESSAGE_POLICIES.includes(policy as string)) {
      r.add(child(path, 'terminationMessagePolicy'), `terminationMessagePolicy ${show(policy)} must be File or FallbackToLogsOnError`, policy);
    }
  }
  return r.found;
}
