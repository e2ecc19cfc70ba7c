import { arr, cut, isObject, kindOf, obj, quote, show, str } from '../../core/util';
import { isPortNumber } from '../../core/port';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { dns1123SubdomainProblems } from '../names';
import { reporter } from './support';

/*
 * The API server's AuditSink rules (kubernetes pkg/apis/auditregistration/validation/validation.go,
 * apiserver pkg/util/webhook/validation.go @ kubernetes-1.18.0; FACTS.md section 4).
 */

const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

function sinkSpec(item: ValidationItem) {
  return kindOf(item.object) === 'AuditSink' ? obj(obj(item.object).spec) : undefined;
}

/** `spec.policy.level` is set and one of None, Metadata, Request, RequestResponse. */
export function checkAuditSinkLevel(item: ValidationItem, _context?: RuleContext): Violation[] {
  const spec = sinkSpec(item);
  if (!spec) return [];
  const r = reporter(item, 'audit-sink-level');
  const level = obj(spec.policy).level;
  if (!LEVELS.includes(level as string)) {
    r.add(
      'spec.policy.level',
      level === undefined
        ? `policy level is required: one of ${LEVELS.join(', ')}`
        : `policy level ${show(level)} is not one of ${LEVELS.join(', ')}`,
      level,
    );
  }
  return r.found;
}

/** Stages are known ones, and the list is not empty unless the level is None. */
export function checkAuditSinkStages(item: ValidationItem, _context?: RuleContext): Violation[] {
  const spec = sinkSpec(item);
  if (!spec) return [];
  const r = reporter(item, 'audit-sink-stages');
  const policy = obj(spec.policy);
  const stages = arr(policy.stages);
  stages.forEach((s, i) => {
    if (!STAGES.includes(s as string)) r.add(`spec.policy.stages[${i}]`, `stage ${show(s)} is not one of ${STAGES.join(', ')}`, s);
  });
  if (policy.level !== 'None' && LEVELS.includes(policy.level as string) && stages.length === 0) {
    r.add('spec.policy.stages', `stages must not be empty when the level is ${String(policy.level)}; e.g. [ResponseComplete, ResponseStarted]`);
  }
  return r.found;
}

/**
 * `spec.webhook.throttle.qps` and `burst` are whole numbers greater than zero when set: the API has them as int64
 * (k8s.io/api auditregistration/v1alpha1 types.go), so `1e30` (written `1e+30`) cannot even be decoded. Above
 * 2^53 a JavaScript number is no longer a whole number exactly, so that is the bound here.
 */
export function checkAuditSinkThrottle(item: ValidationItem, _context?: RuleContext): Violation[] {
  const spec = sinkSpec(item);
  if (!spec) return [];
  const r = reporter(item, 'audit-sink-throttle');
  const throttle = obj(obj(spec.webhook).throttle);
  for (const key of ['qps', 'burst']) {
    const v = throttle[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0))
      r.add(`spec.webhook.throttle.${key}`, `throttle ${key} must be greater than zero, got ${show(v)}`, v);
    else if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      r.add(`spec.webhook.throttle.${key}`, `throttle ${key} must be a whole number up to ${Number.MAX_SAFE_INTEGER} (an int64), got ${show(v)}`, v);
    }
  }
  return r.found;
}

/**
 * `clientConfig` has exactly one of `url` or `service`; a `url` is an absolute http(s) URL with a
 * host and without user info, query or fragment.
 */
export function checkAuditSinkClientConfig(item: ValidationItem, _context?: RuleContext): Violation[] {
  const spec = sinkSpec(item);
  if (!spec) return [];
  const r = reporter(item, 'audit-sink-client-config');
  const path = 'spec.webhook.clientConfig';
  const cc = obj(obj(spec.webhook).clientConfig);
  const hasUrl = cc.url !== undefined;
  const hasService = cc.service !== undefined;
  if (hasUrl === hasService) {
    r.add(path, hasUrl ? 'exactly one of url or service is required, got both' : 'exactly one of url or service is required, got neither');
  }
  if (hasUrl) {
    for (const problem of webhookUrlProblems(str(cc.url) ?? '')) r.add(`${path}.url`, problem, cc.url);
  }
  return r.found;
}

/**
 * The API server's rules for a webhook URL (apiserver pkg/util/webhook/validation.go), for an AuditSink `url`
 * and the static webhook's kubeconfig `server` alike: absolute, http or https, with a host, and no user info,
 * query or fragment. Empty when the URL is fine.
 */
export function webhookUrlProblems(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`url ${quote(url)} is not a valid absolute URL; desired format: http(s)://host[:port][/path]`];
  }
  const problems: string[] = [];
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    problems.push(`url "${cut(url)}" must use http or https, not ${parsed.protocol.replace(':', '')}`);
  if (!parsed.hostname) problems.push(`url "${cut(url)}" must specify a host`);
  // `new URL` drops an empty user info (`http://@host`), which the API server still refuses
  if (parsed.username || parsed.password || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url))
    problems.push(`user information is not permitted in the url "${cut(url)}"`);
  if (parsed.search || url.includes('?')) problems.push(`query parameters are not permitted in the url "${cut(url)}"`);
  if (parsed.hash || url.includes('#')) problems.push(`fragments are not permitted in the url "${cut(url)}"`);
  return problems;
}

/**
 * A `service` reference has a name and a namespace, its `path` segments are DNS-1123 subdomains
 * (`/k8s-audit` passes, `/k8s_audit` fails), and `port` is 1-65535 and only used on 1.15+.
 */
export function checkAuditSinkService(item: ValidationItem, context?: RuleContext): Violation[] {
  const spec = sinkSpec(item);
  if (!spec) return [];
  const service = obj(obj(spec.webhook).clientConfig).service;
  if (!isObject(service)) return [];
  const r = reporter(item, 'audit-sink-service');
  const path = 'spec.webhook.clientConfig.service';
  if (!str(service.name)) r.add(`${path}.name`, 'service name is required', service.name);
  if (!str(service.namespace)) r.add(`${path}.namespace`, 'service namespace is required', service.namespace);
  if (service.port !== undefined) {
    if (context && !context.version.supportsAuditSinkServicePort) {
      r.add(
        `${path}.port`,
        `service port is not supported before Kubernetes 1.15 (target ${context.version}); the API server always calls port 443`,
        service.port,
      );
    } else if (!isPortNumber(service.port)) {
      r.add(`${path}.port`, `service port ${show(service.port)} must be between 1 and 65535`, service.port);
    }
  }
  const p = service.path;
  if (typeof p === 'string' && p !== '' && p !== '/') {
    if (p === '//') r.add(`${path}.path`, 'path "//": segment[0] may not be empty', p);
    else if (!p.startsWith('/')) r.add(`${path}.path`, `path "${cut(p)}" must start with a '/'`, p);
    else {
      const steps = (p.endsWith('/') ? p.slice(1, -1) : p.slice(1)).split('/');
      steps.forEach((step, i) => {
        if (step === '') r.add(`${path}.path`, `path "${cut(p)}": segment[${i}] may not be empty`, p);
        else
          for (const problem of dns1123SubdomainProblems(step)) r.add(`${path}.path`, `path "${cut(p)}": segment[${i}] "${cut(step)}" ${problem}`, p);
      });
    }
  }
  return r.found;
}
