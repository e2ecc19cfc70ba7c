import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ApiServerAuditBackend,
  AuditWebhookOptions,
  checkReachable,
  ControlPlane,
  DEFAULT_SERVICE_CLUSTER_IP_RANGE,
  IControlPlaneTarget,
  KubeApiServerManifest,
  StaticPodManifest,
} from './apiserver';
import type { DistributionSpec } from './apiserver/targets/target-spec';
import { AuditDelivery, AuditLevel, AuditSinkOptions, parseRoutableAddress, RoutableAddress, routableAuditUrl } from './audit';
import { Problems, UserError, UserErrors, isUserError } from './core/errors';
import {
  chartAuditTarget,
  _chartEvidence,
  detectFalcoChart,
  Falco,
  FalcoChart,
  FalcoChartValues,
  FalcoOptions,
  FalcoShape,
  FalcosecurityChartValues,
  FalcoVersion,
  locateChartValuesError,
  _namedKeys,
} from './falco';
import { _workloadViolationOrigin } from './falco/values/values-origin';
import { KubernetesVersion } from './core/kubernetes-version';
import { NodeFile } from './core/node-file';
import { echo } from './core/util';
import { PlanMessage, PlanMessageCode, planMessage } from './core/plan-message';
import { ServiceIPRange } from './core/service-ip-range';
import { NodePortRange } from './core/node-port-range';
import { formatViolation, validateAll, Violation } from './validation';
import { AuditEndpoint, auditUrl } from './audit/audit-endpoint';
import { FalcoAuditSink } from './audit/falco-audit-sink';

/** Which API server audit backend delivers events to Falco. */
export enum AuditBackend {
  /** Dynamic auditing with an AuditSink on 1.13-1.18, the static webhook backend on 1.19+. */
  AUTO = 'auto',
  /** `--audit-dynamic-configuration` and an AuditSink (Kubernetes 1.13-1.18 only). */
  DYNAMIC = 'dynamic',
  /** `--audit-webhook-config-file` with an audit Policy file (every supported version). */
  WEBHOOK = 'webhook',
}

/** Falco's side of the wiring: Falco's own settings, and the address the API server calls it at. */
export interface FalcoAuditFalcoOptions extends FalcoOptions {
  /**
   * A pinned ClusterIP for Falco's Service, inside the API server's service range. The API server runs on the
   * host network and cannot resolve `*.svc` names, so it needs an address it can route before anything is
   * applied. Exactly one of `clusterIP` and `nodePort`.
   * @default - none; `nodePort` must be given (with falcosecurity/falco values: the k8saudit Service's clusterIP in services[])
   */
  readonly clusterIP?: string;
  /**
   * A NodePort for Falco's Service; the API server calls `127.0.0.1:<nodePort>` on its own node.
   * Exactly one of `clusterIP` and `nodePort`.
   * @default - none; `clusterIP` must be given (with falcosecurity/falco values: the k8saudit Service's nodePort in services[])
   */
  readonly nodePort?: number;
  /**
   * Where the API server calls Falco when no kube-proxy runs beside it (a controller-only k0s, a k3s server without its
   * agent): `http(s)://<host>:<nodePort>`, a node that runs kube-proxy (or a load balancer) and the Service's node port,
   * which the Service then gets (e.g. `http://10.0.0.5:30765`). Instead of `clusterIP`; `nodePort`, if given, must agree.
   * @default - none: the API server calls the ClusterIP or 127.0.0.1:<nodePort>
   */
  readonly address?: string;
}

/** AuditSink settings (dynamic backend): the AuditSink's own, and how it names Falco. */
export interface FalcoAuditSinkOptions extends AuditSinkOptions {
  /**
   * Reference Falco's Service (`clientConfig.service`) instead of calling its address (`clientConfig.url`).
   * The API server always calls a Service over HTTPS, so this needs Falco's TLS on and `caBundle`; on 1.13/1.14
   * the API server calls port 443, so the Service port must be 443 there.
   * @default false
   */
  readonly useServiceReference?: boolean;
}

/** Static webhook backend settings: the backend's own; the server is Falco's audit URL. */
export interface FalcoAuditWebhookOptions extends AuditWebhookOptions {}

/** Props of {@link FalcoAudit}. */
export interface FalcoAuditProps {
  /**
   * The kube-apiserver static pod manifest to patch (kubeadm, kops, Kubespray): `ControlPlane.kubeadm({ manifest })`.
   * Exactly one of `apiServerManifest` and `controlPlane`.
   * @default - none: `controlPlane` says what to write for
   */
  readonly apiServerManifest?: StaticPodManifest;
  /**
   * The control plane to write the audit wiring for (`ControlPlane.k3s()`, `ControlPlane.talos({ version: '1.13' })`, ...).
   * Exactly one of `apiServerManifest` and `controlPlane`.
   * @default - the kubeadm static pod of `apiServerManifest`
   */
  readonly controlPlane?: ControlPlane;
  /**
   * The cluster's version: the minor the manifest's image runs (a minor without a patch, `1.30`, is shown as the
   * image's full version), or the KubeadmControlPlane's spec.version. @default - read from the API server image tag
   * (kubeadm) or spec.version (Cluster API); required for the other distributions
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /** @default AuditBackend.AUTO */
  readonly backend?: AuditBackend;
  /**
   * The API server's `--service-cluster-ip-range` (one CIDR, or two comma-separated for dual-stack).
   * @default - the manifest's flag, else 10.96.0.0/12 (kubeadm's default); the distribution's documented default
   * (k3s and RKE2 10.43.0.0/16, k0s 10.96.0.0/12); required for the others
   */
  readonly serviceClusterIPRange?: string;
  /** Falco's release, namespace, values and Service address. */
  readonly falco: FalcoAuditFalcoOptions;
  /** AuditSink settings; only for the dynamic backend. @default - as operators ran it */
  readonly auditSink?: FalcoAuditSinkOptions;
  /** Static webhook settings; only for the webhook backend. @default - hardened policy, batch mode */
  readonly webhook?: FalcoAuditWebhookOptions;
}

/**
 * The API server must trust Falco's certificate when Falco serves HTTPS, and a CA for a plain-HTTP endpoint is a
 * sign of a misunderstanding (nothing would be encrypted).
 */
function checkTls(
  endpoint: AuditEndpoint,
  ca: string | undefined,
  backend: AuditBackend,
  certificateName: string,
  tlsSetting = 'falco.webserver.sslEnabled',
): void {
  const field = backend === AuditBackend.DYNAMIC ? 'auditSink.caBundle' : 'webhook.certificateAuthorityData';
  if (endpoint.scheme === 'https' && !ca) {
    throw new UserError(
      `Falco serves audit events over https (${tlsSetting}), but no CA was given, so the API server would not trust Falco's ` +
        `certificate; give the CA that signed it (the certificate must name ${certificateName}, which the API server calls)`,
      { field },
    );
  }
  if (endpoint.scheme === 'http' && ca) {
    throw new UserError(
      `a CA is set, but Falco serves audit events over plain http, so nothing would use it; turn on ${tlsSetting} or remove the CA`,
      {
        field,
      },
    );
  }
}

/**
 * The service range the ClusterIP is checked against. The API server allocates ClusterIPs from its own
 * `--service-cluster-ip-range`: a configured range that differs from the manifest's would let an address pass here
 * that the cluster then refuses, so it is a problem, and the manifest's is used. Without either, the distribution's
 * documented default; where there is none, the range is required ('' then: nothing is checked against it).
 */
function serviceRange(configured: string | undefined, target: DistributionSpec, problems: Problems): string {
  const manifestRange = target.facts.serviceClusterIPRange;
  const fallback = manifestRange ?? target.facts.defaultServiceClusterIPRange?.range;
  if (configured === undefined && fallback === undefined) {
    problems.add(
      new UserError(
        `is required for ${target.name}, which documents no default: the API server's --service-cluster-ip-range (e.g. 10.96.0.0/12), ` +
          "which Falco's ClusterIP must lie in",
        { field: 'serviceClusterIPRange' },
      ),
    );
    return '';
  }
  if (configured === undefined) return fallback!;
  const at = { field: 'serviceClusterIPRange' };
  const same = problems.attempt(() => {
    const mine = ServiceIPRange.parse(configured, at);
    return manifestRange === undefined || mine.equals(ServiceIPRange.parse(manifestRange, at));
  });
  if (same === false) {
    problems.add(
      new UserError(
        `serviceClusterIPRange ${configured} differs from the manifest's --service-cluster-ip-range=${manifestRange}, which is ` +
          'what the API server allocates from; remove serviceClusterIPRange or make the two agree',
        at,
      ),
    );
  }
  return same === true ? configured : (fallback ?? '');
}

/** Falco's Service address is what FalcoAudit's `falco.clusterIP` and `falco.nodePort` set. */
const SERVICE_FIELDS: Readonly<Record<string, string>> = { 'service.clusterIP': 'clusterIP', 'service.nodePort': 'nodePort' };
/** The AuditSink's service reference is what FalcoAudit's `auditSink.useServiceReference` sets. */
const SINK_FIELDS: Readonly<Record<string, string>> = { service: 'useServiceReference' };

/** Names an error's field as FalcoAudit's props do (see `within`). */
function prefixer(prefix: string, renames: Readonly<Record<string, string>> = {}): (err: UserError) => UserError {
  const own = (field: string) => Object.entries(renames).find(([inner]) => field === inner || field.startsWith(`${inner}.`))?.[1] ?? field;
  return (err) =>
    err.location.file ? err : new UserError(err.detail, { field: err.location.field ? `${prefix}.${own(err.location.field)}` : prefix });
}

/**
 * Runs `build` (a sub-construct or its options) and names its errors' fields as FalcoAudit's props do: a Falco
 * error about `namespace` is about `falco.namespace` here, and one about a prop FalcoAudit made from its own
 * (`renames`: inner field, or the start of one -> FalcoAudit's prop) is about that prop.
 */
function within<T>(prefix: string, build: () => T, renames: Readonly<Record<string, string>> = {}): T {
  const prefixed = prefixer(prefix, renames);
  try {
    return build();
  } catch (err) {
    if (UserErrors.isUserErrors(err) && err.errors.length === err.problems.length && err.errors.length > 0) {
      throw new UserErrors(err.message.split('\n')[0], err.errors.map(prefixed), err.location);
    }
    if (isUserError(err) && !err.location.file) throw prefixed(err);
    throw err;
  }
}

/**
 * The cluster's version. A stated version must be the minor the manifest's image runs (or the KubeadmControlPlane's
 * spec.version): every API version, field and flag is chosen by it, and a wrong one gives puzzling errors (1.18
 * against a 1.28 manifest: `seccompProfile: unknown field`) or output the cluster refuses; so another minor is a
 * problem, and the checks after it go on with what the API server runs. A stated minor without a patch (`1.30`) is
 * the image's release, shown in full (1.30.6); an image whose tag says no version (a digest) is why the setting
 * exists. A distribution whose files state no version needs it stated; one outside the target's range is a problem.
 */
function targetVersion(stated: KubernetesVersion | undefined, target: DistributionSpec, problems: Problems): KubernetesVersion {
  const version = statedOrOwnVersion(stated, target, problems);
  const problem = target.versionProblem(version);
  if (problem) problems.add(new UserError(problem, { field: 'kubernetesVersion' }));
  return version;
}

/** The stated version, checked against the one the control plane's own files state. */
function statedOrOwnVersion(stated: KubernetesVersion | undefined, target: DistributionSpec, problems: Problems): KubernetesVersion {
  const own = target.facts.statedVersion;
  if (stated === undefined) {
    if (own) return own();
    throw new UserError(`is required for ${target.name}: the version the control plane runs, e.g. "1.30" or "1.30.6"`, {
      field: 'kubernetesVersion',
    });
  }
  if (!own) return stated;
  let fromImage: KubernetesVersion;
  try {
    fromImage = own();
  } catch {
    return stated;
  }
  if (fromImage.minor !== stated.minor) {
    const image = target.distribution === 'kubeadm';
    problems.add(
      new UserError(
        `kubernetesVersion ${stated} does not match ${target.facts.statedVersionSource}, which runs Kubernetes ${fromImage}; ` +
          `the output is made for the version the API server runs: remove kubernetesVersion (it is read from ${image ? 'the image' : 'there'}) or make it agree`,
        { field: 'kubernetesVersion' },
      ),
    );
    return fromImage;
  }
  return stated.patch === 0 ? fromImage : stated;
}

/** The control plane: `controlPlane`, or the kubeadm static pod of `apiServerManifest`. */
function controlPlaneOf(props: FalcoAuditProps): DistributionSpec {
  if ((props.controlPlane === undefined) === (props.apiServerManifest === undefined)) {
    throw new UserError(
      props.controlPlane === undefined
        ? 'neither apiServerManifest nor controlPlane is set: give the kube-apiserver manifest (kubeadm) or the control plane to write for'
        : 'apiServerManifest and controlPlane are both set: give the manifest as ControlPlane.kubeadm({ manifest }), or only apiServerManifest',
      { field: 'controlPlane' },
    );
  }
  if (props.controlPlane !== undefined && !ControlPlane.isControlPlane(props.controlPlane)) {
    throw new UserError('controlPlane must be made by ControlPlane (ControlPlane.k3s(), ControlPlane.talos({...}), ...)', { field: 'controlPlane' });
  }
  return (props.controlPlane ?? ControlPlane.kubeadm({ manifest: props.apiServerManifest! }))._spec;
}

export { DEFAULT_SERVICE_CLUSTER_IP_RANGE };

/** The backend in use, and whether the one asked for was refused (its settings are then not the other's mistake). */
interface ChosenBackend {
  readonly backend: AuditBackend.DYNAMIC | AuditBackend.WEBHOOK;
  readonly refused: boolean;
}

/** `auto` resolved by the version; a backend that does not exist or that the version does not have is refused (the version's own is used). */
function resolveBackend(backend: AuditBackend | undefined, version: KubernetesVersion, target: DistributionSpec, problems: Problems): ChosenBackend {
  // a control plane that cannot take dynamic auditing gets the webhook, which every version has
  const dynamicProblem = version.supportsDynamicAuditing ? target.dynamicProblem(version) : undefined;
  const own = version.supportsDynamicAuditing && !dynamicProblem ? AuditBackend.DYNAMIC : AuditBackend.WEBHOOK;
  const requested = backend ?? AuditBackend.AUTO;
  if (!Object.values(AuditBackend).includes(requested)) {
    problems.add(
      new UserError(`audit backend must be one of ${Object.values(AuditBackend).join(', ')}, got ${echo(requested)}`, { field: 'backend' }),
    );
    return { backend: own, refused: true };
  }
  if (requested === AuditBackend.DYNAMIC && !version.supportsDynamicAuditing) {
    problems.add(
      new UserError(
        `the dynamic audit backend (AuditSink) does not exist on Kubernetes ${version}: it was removed in 1.19 and ` +
          'kube-apiserver refuses to start with its flags; use the webhook backend',
        { field: 'backend' },
      ),
    );
    return { backend: own, refused: true };
  }
  if (requested === AuditBackend.DYNAMIC && dynamicProblem) {
    problems.add(
      new UserError(`the dynamic audit backend (AuditSink) cannot be used on ${target.name}: ${dynamicProblem}; use the webhook backend`, {
        field: 'backend',
      }),
    );
    return { backend: own, refused: true };
  }
  return { backend: requested === AuditBackend.AUTO ? own : requested, refused: false };
}

/**
 * Settings for the other backend are a mistake (unless the backend asked for was refused: they are then that
 * backend's); the AuditSink's own options are checked before anything is built.
 */
function checkBackendSettings({ backend, refused }: ChosenBackend, props: FalcoAuditProps, problems: Problems): void {
  if (!refused && backend === AuditBackend.WEBHOOK && props.auditSink) {
    problems.add(new UserError('auditSink settings apply to the dynamic backend only, but the backend is webhook', { field: 'auditSink' }));
  }
  if (!refused && backend === AuditBackend.DYNAMIC && props.webhook) {
    problems.add(new UserError('webhook settings apply to the webhook backend only, but the backend is dynamic', { field: 'webhook' }));
  }
  if ((backend === AuditBackend.DYNAMIC || refused) && props.auditSink) {
    const sink = props.auditSink;
    problems.attempt(() => within('auditSink', () => FalcoAuditSink.checkOptions(sink).throwIfAny()));
  }
}

/** Where the API server calls Falco, and where each part of that was set. */
interface FalcoAddress {
  readonly clusterIP?: string;
  readonly nodePort?: number;
  /** The falcosecurity/falco values, when the chart is that one. */
  readonly chartValues?: FalcoChartValues | FalcosecurityChartValues;
  /** The k8saudit Service the values name in services[]. */
  readonly fromValues?: ReturnType<typeof chartAuditTarget>['service'];
  /** `services[i]`, the values' path of that Service. */
  readonly valuesService?: string;
  /** Which of clusterIP and nodePort the props (rather than the values) set. */
  readonly fromConfig: { readonly clusterIP: boolean; readonly nodePort: boolean };
  /** `falco.address`: a routable address whose port is the nodePort. */
  readonly routable?: RoutableAddress;
}

/**
 * falcosecurity/falco values name the k8saudit Service's address in services[]; the config's falco.clusterIP or
 * falco.nodePort pins it (Falco refuses a nodePort that differs from the values').
 */
function resolveAddress(falcoProps: FalcoAuditFalcoOptions, chart: FalcoChart): FalcoAddress {
  const chartValues = chart === FalcoChart.FALCOSECURITY_FALCO_9_1_0 ? falcoProps.values : undefined;
  const fromValues =
    chartValues === undefined
      ? undefined
      : within('falco', () => {
          try {
            return chartAuditTarget(chartValues as FalcosecurityChartValues).service;
          } catch (err) {
            throw locateChartValuesError(chartValues, err);
          }
        });
  const routable = falcoProps.address === undefined ? undefined : parseRoutableAddress(falcoProps.address);
  const clusterIP = falcoProps.clusterIP ?? (falcoProps.nodePort === undefined && !routable ? fromValues?.clusterIP : undefined);
  const nodePort = falcoProps.nodePort ?? routable?.port ?? (clusterIP === undefined ? fromValues?.nodePort : undefined);
  const valuesService = fromValues && `services[${fromValues.index}]`;
  const fromConfig = { clusterIP: falcoProps.clusterIP !== undefined, nodePort: falcoProps.nodePort !== undefined || routable !== undefined };
  return { clusterIP, nodePort, chartValues, fromValues, valuesService, fromConfig, routable };
}

/** `falco.address` names the Service's node port: a ClusterIP beside it, or another nodePort, is a contradiction. */
function checkRoutable(address: FalcoAddress): void {
  const routable = address.routable;
  if (!routable) return;
  if (address.clusterIP !== undefined) {
    throw new UserError('falco.address and falco.clusterIP are both set: the address reaches the Service at a node port; give one of them', {
      field: 'falco.address',
    });
  }
  if (address.nodePort !== routable.port) {
    throw new UserError(
      `falco.address names port ${routable.port}, but falco.nodePort is ${address.nodePort}: the address's port is the Service's node port; make them agree`,
      { field: 'falco.address' },
    );
  }
}

/** An error about the address, at the setting it came from: the config's, or the values' services[]. */
function addressError(address: FalcoAddress, message: string, configField: string, valuesField: string, fromConfig: boolean): unknown {
  return fromConfig
    ? new UserError(message, { field: configField })
    : locateChartValuesError(address.chartValues, new UserError(message, { field: valuesField }));
}

/** Exactly one of clusterIP and nodePort (an address giving the nodePort). */
function checkOneAddress(address: FalcoAddress): void {
  checkRoutable(address);
  if ((address.clusterIP === undefined) === (address.nodePort === undefined)) {
    throw new UserError(
      (address.clusterIP === undefined
        ? `neither falco.clusterIP nor falco.nodePort is set${address.chartValues ? " (nor a clusterIP or nodePort of the k8saudit Service in the values' services[])" : ''}`
        : 'falco.clusterIP and falco.nodePort are both set') +
        ': give exactly one. kube-apiserver runs on the host network and cannot resolve *.svc names, so it must call ' +
        'Falco at an address known before anything is applied: a pinned Service ClusterIP inside the service range ' +
        '(e.g. clusterIP: 10.96.0.100), or a nodePort it reaches at 127.0.0.1 (e.g. nodePort: 30765)',
      { field: 'falco' },
    );
  }
}

/**
 * Plain HTTP between the API server and Falco: what travels in clear, and how TLS goes on where this Falco can do it.
 * @param sinkLevel the AuditSink's one level (dynamic backend)
 */
function plainHttpWarning(audit: FalcoAudit, sinkLevel: AuditLevel): string | undefined {
  if (audit.auditEndpoint.scheme !== 'http') return undefined;
  const what =
    audit.backend === AuditBackend.WEBHOOK
      ? 'the request and response bodies the policy records travel in clear (the hardened policy keeps Secrets, ConfigMaps and tokens at Metadata)'
      : sinkLevel === AuditLevel.REQUEST_RESPONSE || sinkLevel === AuditLevel.REQUEST
        ? `the AuditSink's one level, ${sinkLevel}, applies to every request, so every Secret body travels in clear`
        : `the AuditSink's ${sinkLevel} events (users, resources, names) travel in clear`;
  const how =
    audit.falco.shape === FalcoShape.LEGACY
      ? 'turn TLS on with falco.webserver.sslEnabled in the values, falco.tlsSecret (a Secret with falco.pem) and the CA in ' +
        (audit.backend === AuditBackend.DYNAMIC ? 'audit.auditSink.certificateAuthority' : 'audit.webhook.certificateAuthority')
      : 'the k8saudit listener is plain HTTP here: keep the path on the cluster network and let only the control-plane nodes reach ' +
        `port ${audit.auditEndpoint.containerPort} (a NetworkPolicy, as in examples/library)`;
  return `audit events go to Falco over plain HTTP (${audit.url}): ${what}; ${how}`;
}

/**
 * The whole job for one cluster: Falco's resources, the patched kube-apiserver static pod, and the backend that
 * connects them (an AuditSink, or the static webhook's Policy and kubeconfig). The address, port and path
 * come from one place, Falco's audit endpoint, so the AuditSink URL or kubeconfig server, the Service and Falco's
 * listener always agree.
 */
export class FalcoAudit extends Construct {
  /** The cluster's version (given, or read from the API server image). */
  public readonly kubernetesVersion: KubernetesVersion;
  /** The backend in use (`auto` resolved). */
  public readonly backend: AuditBackend.DYNAMIC | AuditBackend.WEBHOOK;
  /** The API server's service range the ClusterIP was checked against. */
  public readonly serviceClusterIPRange: string;
  /** The API server's `--service-node-port-range`, when the manifest sets it. */
  public readonly serviceNodePortRange?: string;
  /** Falco's objects. */
  public readonly falco: Falco;
  /** The patched kube-apiserver static pod, its node files and its plan (kubeadm). @default - none: another distribution */
  public readonly apiServer?: KubeApiServerManifest;
  /** What is written for the control plane, in its format: its files, its plan, how to apply it. */
  public readonly controlPlane: IControlPlaneTarget;
  /** The AuditSink, with the dynamic backend. */
  public readonly auditSink?: FalcoAuditSink;
  /** Where Falco serves audit events. */
  public readonly auditEndpoint: AuditEndpoint;
  /** The URL of Falco's audit endpoint at the pinned address (what the AuditSink `url` or the kubeconfig `server` holds). */
  public readonly url: string;
  /** What the API server really calls: `url`, or, with an AuditSink service reference, the Service's DNS name. */
  public readonly target: string;
  /** How late an audit event may reach Falco (the backend's batch wait), for a check that looks for one. */
  public readonly auditDelivery: AuditDelivery;
  /** Things that are valid but often go wrong, for the plan: each with a stable code (`PlanMessageCode`). */
  public readonly warnings: PlanMessage[] = [];
  /** Choices the construct made that the user did not state, for the plan: each with a stable code (`PlanMessageCode`). */
  public readonly notes: PlanMessage[] = [];
  /** The values as given, to point a problem in the objects at the values line that set it. */
  private readonly userValues?: FalcoChartValues | FalcosecurityChartValues;

  constructor(scope: Construct, id: string, props: FalcoAuditProps) {
    super(scope, id);
    // Independent checks each report their problem, so one run shows them all. A refused setting gives way to what
    // the cluster has (the image's version, the version's backend, the manifest's service range), so the checks
    // after it find only problems of their own.
    const problems = new Problems();
    const target = controlPlaneOf(props);
    this.kubernetesVersion = targetVersion(props.kubernetesVersion, target, problems);
    const version = this.kubernetesVersion;
    const chosen = resolveBackend(props.backend, version, target, problems);
    this.backend = chosen.backend;
    checkBackendSettings(chosen, props, problems);
    const chart = props.falco.chart ?? detectFalcoChart(props.falco.values);
    this.serviceClusterIPRange = serviceRange(props.serviceClusterIPRange, target, problems);
    this.serviceNodePortRange = target.facts.serviceNodePortRange;
    const address = problems.attempt(() => resolveAddress(props.falco, chart));
    const addressOk =
      address !== undefined &&
      problems.attempt(() => {
        checkOneAddress(address);
        this.checkAddress(address);
        // where the API server runs decides which addresses answer there
        checkReachable(target.name, target.runtime, { ...address, address: props.falco.address });
        return true;
      }) === true;
    const falcoValues = this.defaultFalco(props.falco, chart);
    const falco = address && problems.attempt(() => this.buildFalco(props.falco, chart, falcoValues, addressOk ? address : undefined, problems));
    // everything after needs Falco's endpoint
    if (!falco) problems.throwIfAny((n) => `${n} problems in the settings:`);
    this.falco = falco!;
    this.userValues = props.falco.values;
    this.warnings.push(...this.falco.warnings);
    this.auditEndpoint = this.falco.auditEndpoint;
    // a refused address still makes a URL, for the checks of the objects that hold it
    this.url = this.callUrl(address!, problems);
    const useServiceReference = this.backend === AuditBackend.DYNAMIC && props.auditSink?.useServiceReference === true;
    const serviceHost = `${this.falco.serviceName}.${this.falco.namespace}.svc`;
    this.target = useServiceReference
      ? `https://${serviceHost}:${this.falco.servicePort}${this.auditEndpoint.path} (AuditSink service reference)`
      : this.url;
    problems.attempt(() =>
      checkTls(
        this.auditEndpoint,
        this.backend === AuditBackend.DYNAMIC ? props.auditSink?.caBundle : props.webhook?.certificateAuthorityData,
        this.backend,
        useServiceReference ? serviceHost : (address!.clusterIP ?? address!.routable?.host ?? '127.0.0.1'),
        address!.chartValues ? "the k8saudit plugin's open_params are https" : undefined,
      ),
    );
    if (this.backend === AuditBackend.DYNAMIC) this.auditSink = problems.attempt(() => this.buildAuditSink(props.auditSink));
    const backend = problems.attempt(() => this.apiServerBackend(props.webhook));
    const apiServer =
      backend && problems.attempt(() => target.build(this, 'ApiServer', { version, backend, serviceClusterIPRange: this.serviceClusterIPRange }));
    this.controlPlane = apiServer!;
    this.apiServer = apiServer?.kubeApiServerManifest;
    this.warnings.push(...(apiServer?.warnings ?? []));
    // (undefined only with problems, thrown below)
    const delivery = backend?.delivery;
    this.auditDelivery = delivery!;
    const http = plainHttpWarning(this, props.auditSink?.level ?? AuditLevel.REQUEST_RESPONSE);
    if (http) this.warn(PlanMessageCode.PLAIN_HTTP_AUDIT, http);
    // an AuditSink refused is left out of the output checks (its own checks found its problems), and so is the audit
    // Service when its address was refused (the address's checks did)
    if (problems.count > 0) this.throwWithOutputProblems(problems, apiServer !== undefined, addressOk ? [] : [`Service ${this.falco.serviceName}`]);

    // Falco validates its own falco.yaml as a node validation of its own
    this.node.addValidation({ validate: () => this.validateObjects() });
  }

  /**
   * Throws the problems found: with the output checks' too when every object was made, as the checks of the objects
   * do not depend on the settings refused (those objects were made without them).
   */
  private throwWithOutputProblems(problems: Problems, complete: boolean, refusedObjects: readonly string[]): never {
    const output = complete ? this.outputErrors(refusedObjects) : [];
    output.forEach((e) => problems.add(e));
    problems.throwIfAny(
      (n) => `${n} problems in the settings${output.length > 0 ? ` and in the objects for Kubernetes ${this.kubernetesVersion}` : ''}:`,
    );
    throw new Error('unreachable: problems were found');
  }

  private warn(code: PlanMessageCode, message: string): void {
    this.warnings.push(planMessage(code, message));
  }

  /** The URL the API server calls: the routable address, the pinned ClusterIP, or 127.0.0.1 and the nodePort. */
  private callUrl(address: FalcoAddress, problems: Problems): string {
    const routed = address.routable && problems.attempt(() => routableAuditUrl(this.auditEndpoint, address.routable!));
    if (routed) return routed;
    // a refused address still makes a URL, for the checks of the objects that hold it
    return address.clusterIP !== undefined
      ? auditUrl(this.auditEndpoint, address.clusterIP, this.falco.servicePort)
      : auditUrl(this.auditEndpoint, '127.0.0.1', address.nodePort ?? this.falco.servicePort);
  }

  /** The nodePort or clusterIP inside the API server's ranges, with the warnings each way deserves. */
  private checkAddress(address: FalcoAddress): void {
    const { clusterIP, nodePort } = address;
    if ((clusterIP === undefined) === (nodePort === undefined)) return;
    if (clusterIP !== undefined) {
      const range = ServiceIPRange.tryParse(this.serviceClusterIPRange);
      const problem = range ? range.clusterIPProblem(clusterIP) : ServiceIPRange.problemOf(this.serviceClusterIPRange);
      if (problem && this.serviceClusterIPRange) {
        throw addressError(address, problem, 'falco.clusterIP', `${address.valuesService}.clusterIP`, address.fromConfig.clusterIP);
      }
      // kubeadm gives the tenth address of the first (primary) range to the cluster DNS Service
      if (range?.primary.isNthAddress(clusterIP, 10)) {
        this.warn(
          PlanMessageCode.CLUSTER_DNS_ADDRESS,
          `falco.clusterIP ${clusterIP} is the address kubeadm gives the cluster DNS Service (the range's tenth); ` +
            'if it is taken, the Falco Service will not apply',
        );
      }
    } else if (address.routable) {
      this.checkNodePortRange(address, nodePort!);
    } else {
      this.checkNodePort(address, nodePort!);
    }
  }

  /** A nodePort must be in the node port range, and 127.0.0.1 NodePorts work only with some kube-proxy modes. */
  private checkNodePort(address: FalcoAddress, port: number): void {
    this.checkNodePortRange(address, port);
    this.warn(
      PlanMessageCode.NODEPORT_LOCALHOST,
      `the API server calls Falco at 127.0.0.1:${port}: kube-proxy in IPVS or nftables mode, or iptables mode ` +
        'with --iptables-localhost-nodeports=false, does not serve NodePorts on 127.0.0.1, and events would be lost; ' +
        'prefer a pinned clusterIP there',
    );
    if (this.serviceClusterIPRange && !ServiceIPRange.tryParse(this.serviceClusterIPRange)?.hasIPv4) {
      this.warn(
        PlanMessageCode.NODEPORT_IPV6_ONLY,
        `the service range ${this.serviceClusterIPRange} has no IPv4 CIDR: kube-proxy serves NodePorts on 127.0.0.1 only for IPv4 ` +
          'and not on ::1, so an IPv6-only cluster needs a pinned clusterIP',
      );
    }
  }

  /** A nodePort (or an address's port) must be in the node port range. */
  private checkNodePortRange(address: FalcoAddress, port: number): void {
    const nodePortRange = this.serviceNodePortRange ?? NodePortRange.DEFAULT.toString();
    const range = NodePortRange.tryParse(nodePortRange);
    if (range && !range.contains(port)) {
      throw addressError(
        address,
        `must be inside the service node port range ${nodePortRange} (--service-node-port-range), got ${echo(port)}`,
        address.routable ? 'falco.address' : 'falco.nodePort',
        `${address.valuesService}.ports[${address.fromValues?.portIndex}].nodePort`,
        address.fromConfig.nodePort,
      );
    }
  }

  /**
   * Falco's objects, its errors named as FalcoAudit's `falco.` props; the problems that leave it buildable go to
   * `problems`. A refused address is left out of its Service (whose checks would only repeat the refusal).
   */
  private buildFalco(
    falcoProps: FalcoAuditFalcoOptions,
    chart: FalcoChart,
    values: FalcoChartValues | FalcosecurityChartValues | undefined,
    address: FalcoAddress | undefined,
    problems: Problems,
  ): Falco {
    // Falco's settings pass through as they are; the address becomes its Service's
    const { clusterIP: _clusterIP, nodePort: _nodePort, address: _address, ...options } = falcoProps;
    const service = address && { clusterIP: address.clusterIP, nodePort: address.nodePort };
    const own = new Problems();
    try {
      return within(
        'falco',
        () => new Falco(this, 'Falco', { ...options, kubernetesVersion: this.kubernetesVersion, chart, values, service, _problems: own }),
        SERVICE_FIELDS,
      );
    } finally {
      // what Falco found before it stopped (a wrong name) is reported beside why it stopped
      own.errors.map(prefixer('falco', SERVICE_FIELDS)).forEach((e) => problems.add(e));
    }
  }

  /** The AuditSink (dynamic backend), calling Falco's URL or its Service. */
  private buildAuditSink(sink: FalcoAuditSinkOptions | undefined): FalcoAuditSink {
    const version = this.kubernetesVersion;
    // the AuditSink's settings pass through as they are; the service reference becomes its clientConfig
    const { useServiceReference, ...options } = sink ?? {};
    const target = useServiceReference ? { service: this.serviceReference(version) } : { url: this.url };
    return within('auditSink', () => new FalcoAuditSink(this, 'AuditSink', { ...options, kubernetesVersion: version, ...target }), SINK_FIELDS);
  }

  /** The API server's side of the backend: dynamic auditing's flags, or the static webhook's files and flags. */
  private apiServerBackend(webhook: FalcoAuditWebhookOptions | undefined): ApiServerAuditBackend {
    if (this.backend === AuditBackend.DYNAMIC) return ApiServerAuditBackend.dynamic();
    // the webhook's settings pass through as they are; the server is Falco's audit URL
    return within('webhook', () => ApiServerAuditBackend.webhook({ ...webhook, server: this.url }));
  }

  /** Every Kubernetes object this construct emits (Falco's resources and the AuditSink). */
  public get apiObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  }

  /** Every file for the control-plane node (patched manifest, and in webhook mode the Policy and kubeconfig). */
  public get nodeFiles(): NodeFile[] {
    return NodeFile.all(this);
  }

  /**
   * Checks everything emitted against the target version's schema and the API server's semantic rules, plus the
   * wiring itself. Returns one line per violation; empty when all is well.
   */
  public validateOutput(): string[] {
    const { objects, wiring, falcoConfig } = this.outputViolations();
    return [...objects.map(formatViolation), ...wiring, ...falcoConfig.map(formatViolation)];
  }

  /** The objects and node files against the schema and semantic rules, and the wiring. */
  private validateObjects(): string[] {
    const { objects, wiring } = this.outputViolations(false);
    return [...objects.map(formatViolation), ...wiring];
  }

  /** What the output checks find: the objects' and node files' violations, the wiring's problems, falco.yaml's violations. */
  private outputViolations(withFalcoConfig = true): { objects: Violation[]; wiring: string[]; falcoConfig: Violation[] } {
    const items = [
      ...this.apiObjects.map((o) => ({ source: `${o.kind} ${o.name}`, object: o.toJson() })),
      // The control plane's Kubernetes documents (a kubeadm patch is a list of JSON patch operations, checked as such);
      // its distribution's own fragments go to that distribution's validators.
      ...this.controlPlane._kubernetesItems(),
    ];
    const objects = [
      ...validateAll(items, this.kubernetesVersion, {
        serviceClusterIPRange: this.serviceClusterIPRange || undefined,
        serviceNodePortRange: this.serviceNodePortRange,
      }),
      ...this.controlPlane._distributionViolations(),
    ];
    const falcoConfig = withFalcoConfig ? this.falco._configViolations() : [];
    return { objects, wiring: this.checkWiring(), falcoConfig };
  }

  /**
   * `validateOutput`'s problems as errors: one in a field of Falco's workload that the values file set is at the
   * values line (naming the object and field), the others as `validateOutput` words them.
   */
  private outputErrors(except: readonly string[] = []): UserError[] {
    const violations = this.outputViolations();
    const objects = violations.objects.filter((v) => !except.includes(v.source));
    const { wiring, falcoConfig } = violations;
    const fromValues = (v: Violation) => {
      const at = _workloadViolationOrigin(this.falco, this.userValues, v);
      return at ? new UserError(`${v.message} (${v.rule}; ${v.source} ${v.path})`, at) : new UserError(formatViolation(v));
    };
    return [...objects.map(fromValues), ...wiring.map((w) => new UserError(w)), ...falcoConfig.map((v) => new UserError(formatViolation(v)))];
  }

  /** Throws a `UserErrors` listing every violation `validateOutput` finds (one in a field the values file set at its line there). */
  public assertValid(): void {
    const problems = this.outputErrors();
    if (problems.length > 0) {
      throw new UserErrors(
        `${problems.length} problem${problems.length === 1 ? '' : 's'} in the objects for Kubernetes ${this.kubernetesVersion} ` +
          '(the API server would reject them, or the audit wiring would not work):',
        problems,
      );
    }
  }

  /**
   * The values Falco gets. With no values and no stated version, the webhook backend (every cluster 1.19+) gets the
   * newest Falco this library knows on Kubernetes 1.19+, rather than stable/falco 1.1.1's Falco 0.19.0, a 2019
   * kernel-driver DaemonSet; 1.13-1.18 keep the chart's default, which is what an existing release there runs.
   */
  private defaultFalco(falco: FalcoAuditFalcoOptions, chart: FalcoChart): FalcoChartValues | FalcosecurityChartValues | undefined {
    if (chart === FalcoChart.FALCOSECURITY_FALCO_9_1_0) {
      if (falco.chart === undefined) {
        // (a stable/falco key would have been refused as unknown: only these keys decided)
        this.notes.push(
          planMessage(
            PlanMessageCode.CHART_FROM_KEYS,
            `the values are read as ${FalcoChart.FALCOSECURITY_FALCO_9_1_0} values (they have ${_namedKeys(_chartEvidence(falco.values).chartKeys)}, ` +
              'which stable/falco does not); set falco.chart (library: chart) to say so',
          ),
        );
      }
      return falco.values;
    }
    const tag = falco.values?.image?.tag;
    const modern = !this.kubernetesVersion.supportsDynamicAuditing;
    if (falco.values === undefined && falco.falcoVersion === undefined && this.backend === AuditBackend.WEBHOOK && modern) {
      const newest = FalcoVersion.newest();
      this.notes.push(
        planMessage(
          PlanMessageCode.NEWEST_FALCO_DEFAULT,
          `Falco ${newest} (the newest release this version of cdk8s-falco-audit knows, with the k8saudit plugin): no values file ` +
            'names a Falco, and the webhook backend needs no Falco older than that; set image.tag in a values file to pin another',
        ),
      );
      return { image: { tag: newest.toString() } };
    }
    if (tag === undefined && falco.falcoVersion === undefined && modern) {
      this.warn(
        PlanMessageCode.LEGACY_FALCO_DEFAULT,
        "the values set no image.tag, so Falco is stable/falco 1.1.1's default 0.19.0 (a 2019 release with a kernel driver and a " +
          'privileged DaemonSet); on Kubernetes 1.19+ set image.tag to a current Falco (e.g. 0.44.1) for the audit-only k8saudit plugin',
      );
    }
    return falco.values;
  }

  /** The AuditSink's `clientConfig.service`, for a Falco that serves HTTPS. */
  private serviceReference(version: KubernetesVersion) {
    if (!version.supportsAuditSinkServicePort && this.falco.servicePort !== 443) {
      throw new UserError(
        `an AuditSink service reference on Kubernetes ${version} always calls port 443, but Falco's Service port is ` +
          `${this.falco.servicePort}; use the url form (the default) or Kubernetes 1.15+`,
        { field: 'auditSink.useServiceReference' },
      );
    }
    return {
      namespace: this.falco.namespace,
      name: this.falco.serviceName,
      port: version.supportsAuditSinkServicePort ? this.falco.servicePort : undefined,
      path: this.auditEndpoint.path,
    };
  }

  /** The Service must send the API server's port to the port Falco really listens on. */
  private checkWiring(): string[] {
    const service = this.falco.serviceObject.toJson();
    const port = (service.spec?.ports ?? []).find((p: any) => p.port === this.falco.servicePort);
    if (!port) return [`Service ${service.metadata?.name}: no port ${this.falco.servicePort}, which the audit URL ${this.url} uses`];
    const target = port.targetPort ?? port.port;
    if (target !== this.auditEndpoint.containerPort) {
      return [`Service ${service.metadata?.name}: targetPort ${target} is not Falco's audit port ${this.auditEndpoint.containerPort}`];
    }
    if (this.falco.nodePort !== undefined && port.nodePort !== this.falco.nodePort) {
      return [`Service ${service.metadata?.name}: nodePort ${port.nodePort} is not ${this.falco.nodePort}, which the audit URL ${this.url} uses`];
    }
    return [];
  }
}
