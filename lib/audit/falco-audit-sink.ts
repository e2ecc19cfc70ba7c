import { Construct } from 'constructs';
import { AuditSink } from '../../imports/auditregistration.k8s.io';
import { clusterScoped } from '../core/cluster-scoped';
import { Problems, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { isPortNumber } from '../core/port';
import { dns1123LabelProblems, dns1123SubdomainProblems } from '../validation/names';
import { cut, echo, quote } from '../core/util';
import { AuditLevel, AuditStage } from './audit-levels';
import { validateCertificateAuthorityData, validateWebhookServerUrl } from './webhook-kubeconfig';

export { AuditLevel, AuditStage } from './audit-levels';

/** A reference to an in-cluster Service; the API server always calls it over HTTPS. */
export interface AuditSinkServiceReference {
  /** The Service's namespace. */
  readonly namespace: string;
  /** The Service's name. */
  readonly name: string;
  /**
   * The Service port. Only Kubernetes 1.15+ accepts the field; older versions always call 443.
   * @default 443
   */
  readonly port?: number;
  /**
   * The URL path, each segment a DNS-1123 subdomain (`/k8s-audit` passes, `/k8s_audit` fails).
   * @default - the root path
   */
  readonly path?: string;
}

/**
 * An AuditSink's settings that do not depend on where events go. Declared once: `FalcoAuditSink`'s props and
 * `FalcoAudit`'s `auditSink` prop (the config file's `audit.auditSink`) extend them.
 */
export interface AuditSinkOptions {
  /**
   * The AuditSink's name (cluster-scoped, a DNS-1123 subdomain).
   * @default 'falco'
   */
  readonly name?: string;
  /**
   * PEM CA bundle, base64-encoded, that signs Falco's serving certificate.
   * @default - the API server's system trust roots
   */
  readonly caBundle?: string;
  /**
   * The one audit level for every request. RequestResponse sends every Secret body to the webhook; the static
   * webhook backend with a Policy file can do better (see the README's security notes).
   * @default AuditLevel.REQUEST_RESPONSE
   */
  readonly level?: AuditLevel;
  /**
   * The stages to emit; must be non-empty unless the level is None.
   * @default [AuditStage.RESPONSE_COMPLETE, AuditStage.RESPONSE_STARTED]
   */
  readonly stages?: AuditStage[];
  /**
   * Maximum events per second sent to the webhook; a whole number from 1 to 2^53-1.
   * @default 10
   */
  readonly qps?: number;
  /**
   * Maximum burst of events; a whole number from 1 to 2^53-1.
   * @default 15
   */
  readonly burst?: number;
}

/** Props of {@link FalcoAuditSink}: its settings, the cluster's version and where events go. */
export interface FalcoAuditSinkProps extends AuditSinkOptions {
  /** The cluster's version: AuditSink exists on 1.13-1.18 only. */
  readonly kubernetesVersion: KubernetesVersion;
  /**
   * The URL the API server posts events to, e.g. `http://10.96.0.100:8765/k8s-audit`. The API server runs on
   * the host network and cannot resolve `*.svc` names, so use an IP address it can route: the Falco Service's
   * pinned ClusterIP or `127.0.0.1:<nodePort>`. Exactly one of `url` and `service`.
   * @default - none; `service` must be given
   */
  readonly url?: string;
  /**
   * A Service reference. Allowed only with TLS (`caBundle` given and Falco serving HTTPS), because the API
   * server calls a Service over HTTPS and Falco's webserver speaks plain HTTP by default (falcosecurity/falco#1026).
   * @default - none; `url` must be given
   */
  readonly service?: AuditSinkServiceReference;
}

/**
 * An `auditregistration.k8s.io/v1alpha1` AuditSink that really delivers events to Falco: the API server's own
 * validation rules checked up front, cluster-scoped (no namespace whatever the chart says), and the
 * `url` form by default, which replaces the `kubectl edit auditsink` step of the manual procedure.
 */
export class FalcoAuditSink extends Construct {
  /** The AuditSink object. */
  public readonly apiObject: AuditSink;
  /** The AuditSink's name. */
  public readonly name: string;
  /** The URL events go to, when the sink uses `url`. */
  public readonly url?: string;

  /**
   * The API server's rules for the settings that do not depend on where events go (name, level, stages, throttle),
   * each checked on its own so every problem is reported at once.
   * TypeScript only (`Problems` holds `UserError`s, which other languages do not have).
   * @jsii ignore
   */
  public static checkOptions(props: AuditSinkOptions): Problems {
    const problems = new Problems();
    const name = props.name ?? 'falco';
    const nameProblems = dns1123SubdomainProblems(name);
    if (nameProblems.length > 0) problems.add(new UserError(`auditsink name ${quote(name)} ${nameProblems.join('; ')}`, { field: 'name' }));
    const level = props.level ?? AuditLevel.REQUEST_RESPONSE;
    if (!Object.values(AuditLevel).includes(level)) {
      problems.add(new UserError(`audit level must be one of ${Object.values(AuditLevel).join(', ')}, got ${echo(level)}`, { field: 'level' }));
    }
    problems.attempt(() => {
      const stages = props.stages ?? [AuditStage.RESPONSE_COMPLETE, AuditStage.RESPONSE_STARTED];
      for (const stage of stages) {
        if (!Object.values(AuditStage).includes(stage)) {
          throw new UserError(`audit stage must be one of ${Object.values(AuditStage).join(', ')}, got ${echo(stage)}`, { field: 'stages' });
        }
      }
      if (new Set(stages).size !== stages.length) {
        throw new UserError(`audit stages must not repeat, got [${stages.slice(0, 10).map(echo).join(', ')}]`, { field: 'stages' });
      }
      if (level !== AuditLevel.NONE && stages.length === 0) {
        throw new UserError(`audit stages must not be empty when the level is ${level}`, { field: 'stages' });
      }
    });
    for (const [field, value] of [
      ['qps', props.qps ?? 10],
      ['burst', props.burst ?? 15],
    ] as const) {
      problems.attempt(() => {
        if (!Number.isInteger(value) || value <= 0) {
          throw new UserError(`auditsink throttle ${field} must be a whole number greater than 0, got ${echo(value)}`, { field });
        }
        // the API has both as int64 (auditregistration/v1alpha1 types.go): 1e30, written 1e+30, cannot be decoded, and
        // JavaScript numbers are whole numbers exactly only up to 2^53
        if (!Number.isSafeInteger(value)) {
          throw new UserError(
            `auditsink throttle ${field} must be at most ${Number.MAX_SAFE_INTEGER} (an int64 in the API), got ${JSON.stringify(value)}`,
            { field },
          );
        }
      });
    }
    return problems;
  }

  constructor(scope: Construct, id: string, props: FalcoAuditSinkProps) {
    super(scope, id);
    const version = props.kubernetesVersion;
    if (!version.supportsDynamicAuditing) {
      throw new UserError(
        `AuditSink does not exist on Kubernetes ${version} (dynamic auditing was removed in 1.19); ` +
          'use the static audit webhook backend (audit.backend: webhook) instead',
      );
    }
    FalcoAuditSink.checkOptions(props).throwIfAny((n) => `${n} problems in the AuditSink settings:`);
    this.name = props.name ?? 'falco';
    const level = props.level ?? AuditLevel.REQUEST_RESPONSE;
    const stages = props.stages ?? [AuditStage.RESPONSE_COMPLETE, AuditStage.RESPONSE_STARTED];
    const qps = props.qps ?? 10;
    const burst = props.burst ?? 15;

    if ((props.url === undefined) === (props.service === undefined)) {
      throw new UserError('auditsink needs exactly one of url and service, got ' + (props.url === undefined ? 'neither' : 'both'), { field: 'url' });
    }
    if (props.url !== undefined) {
      // The same rules as the static webhook's kubeconfig server (apiserver pkg/util/webhook/validation.go).
      validateWebhookServerUrl(props.url, 'url');
      this.url = props.url;
    }
    if (props.service) checkServiceReference(props.service, version, props.caBundle);
    if (props.caBundle !== undefined) validateCertificateAuthorityData(props.caBundle, 'caBundle');

    this.apiObject = clusterScoped(
      new AuditSink(this, 'Resource', {
        metadata: { name: this.name },
        spec: {
          policy: { level, stages: [...stages] },
          webhook: {
            throttle: { qps, burst },
            clientConfig: {
              url: props.url,
              service: props.service && {
                namespace: props.service.namespace,
                name: props.service.name,
                port: props.service.port,
                path: props.service.path,
              },
              caBundle: props.caBundle,
            },
          },
        },
      }),
    );
  }
}

function checkServiceReference(service: AuditSinkServiceReference, version: KubernetesVersion, caBundle?: string): void {
  if (!caBundle) {
    throw new UserError(
      `auditsink service reference ${cut(service.namespace)}/${cut(service.name)} needs TLS: the API server always calls a ` +
        'service over HTTPS, and Falco speaks plain HTTP unless its webserver has TLS on; give caBundle and enable ' +
        "Falco's TLS, or use url: http://<falco service clusterIP>:<port>/k8s-audit",
      { field: 'service' },
    );
  }
  for (const [field, value] of [
    ['namespace', service.namespace],
    ['name', service.name],
  ] as const) {
    const problems = dns1123LabelProblems(value);
    if (problems.length > 0) throw new UserError(`auditsink service ${field} ${quote(value)} ${problems.join('; ')}`, { field: `service.${field}` });
  }
  if (service.port !== undefined) {
    if (!version.supportsAuditSinkServicePort) {
      throw new UserError(
        `auditsink service port is not accepted by Kubernetes ${version} (added in 1.15); the API server always calls port 443 there`,
        {
          field: 'service.port',
        },
      );
    }
    if (!isPortNumber(service.port)) {
      throw new UserError(`auditsink service port must be between 1 and 65535, got ${echo(service.port)}`, { field: 'service.port' });
    }
  }
  if (service.path !== undefined) {
    const bad = service.path
      .split('/')
      .slice(1)
      .filter((seg) => seg !== '' && dns1123SubdomainProblems(seg).length > 0);
    if (!service.path.startsWith('/') || bad.length > 0 || service.path.includes('//')) {
      throw new UserError(
        `auditsink service path must start with '/' and have DNS-1123 subdomain segments (e.g. /k8s-audit), got ${quote(service.path)}`,
        { field: 'service.path' },
      );
    }
  }
}
