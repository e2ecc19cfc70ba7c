import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuditEndpoint } from '../audit/audit-endpoint';
import { Problems, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import type { PlanMessage } from '../core/plan-message';
import { isPortNumber } from '../core/port';
import { parseIP } from '../core/service-ip-range';
import { validateFalcoConfig } from '../validation/falco-config-validation';
import { dns1123SubdomainProblems, matchesDns1123Label } from '../validation/names';
import { formatViolation, Violation } from '../validation/violation';
import { chartFullname, chartName, checkDnsLabel } from './chart-names';
import { buildChartShape, privilegedPortProblem } from './chart-shape';
import { detectFalcoChart, FalcoChart, FalcosecurityChartValues, locateChartValuesError, ResolvedChartValues } from './chart-values';
import type { FalcoctlIndex } from './falco-config';
import { NEWEST_FALCO_RELEASE } from './falco-releases';
import { FalcoShape, FalcoVersion } from './falco-version';
import { checkRefsLoadable, parseFalcoctlRef } from './falcoctl-refs';
import { buildLegacyShape } from './legacy-shape';
import { buildPluginShape } from './plugin-shape';
import { checkAuditPath, RESTRICTED_CONTAINER, ShapeContext, ShapeResult } from './shape-context';
import { FalcoChartValues, locateValuesError, resolveFalcoValues, ResolvedFalcoValues } from './values';

/**
 * The falcoctl image for the newest Falco (the one falco chart 9.1.0 pins); each release's own is in
 * `FalcoVersion.release.falcoctlImage`.
 */
export const DEFAULT_FALCOCTL_IMAGE: string = NEWEST_FALCO_RELEASE.falcoctlImage!;
/**
 * The artifacts falcoctl installs for the newest Falco: the audit rules and the k8saudit plugin (json comes as a
 * dependency), pinned; each release's own are in `FalcoVersion.release.defaultRefs`.
 */
export const DEFAULT_FALCOCTL_REFS: readonly string[] = NEWEST_FALCO_RELEASE.defaultRefs!;
/** The resources of falco chart 9.1.0's k8saudit preset: a 1000m CPU limit, so bursts of audit batches are not throttled. */
export const PLUGIN_SHAPE_RESOURCES = Object.freeze({
  requests: { cpu: '100m', memory: '512Mi' },
  limits: { cpu: '1000m', memory: '1024Mi' },
});
/** The default falcoctl artifact index. */
export const DEFAULT_FALCOCTL_INDEXES: readonly FalcoctlIndex[] = Object.freeze([
  { name: 'falcosecurity', url: 'https://falcosecurity.github.io/falcoctl/index.yaml' },
]);
/** The k8saudit plugin's default listen port. */
export const DEFAULT_K8SAUDIT_PORT = 9765;
/** The k8saudit plugin's default audit path. */
export const DEFAULT_K8SAUDIT_PATH = '/k8s-audit';

/** How the Falco Service is reached from the API server (which runs on the host network). */
export interface FalcoServiceOptions {
  /**
   * Pins `spec.clusterIP`, so the audit URL is known before apply. It must lie in the API server's
   * `--service-cluster-ip-range`; on an existing Service it must equal the allocated IP (immutable).
   * @default - allocated by the cluster
   */
  readonly clusterIP?: string;
  /**
   * Makes the Service a NodePort Service on this port, so the API server can call `127.0.0.1:<nodePort>`.
   * @default - a ClusterIP Service
   */
  readonly nodePort?: number;
}

/** The k8saudit plugin listener (plugin shape, Falco 0.32+). */
export interface K8sAuditOptions {
  /** Port the plugin listens on (the Service port and targetPort). @default 9765 */
  readonly port?: number;
  /** URL path of the audit endpoint. @default /k8s-audit */
  readonly path?: string;
}

/** The falcoctl init container (plugin shape, Falco 0.37+). */
export interface FalcoctlOptions {
  /** falcoctl image. @default - the one the chart pinned for that Falco (`FalcoVersion.release.falcoctlImage`) */
  readonly image?: string;
  /**
   * Artifact references to install (plugins and rules files). A `k8saudit` plugin newer than the release's plugin
   * API is an error. `k8saudit:0.16` floats to the newest patch; the defaults are pinned.
   * @default - the refs pinned for that Falco (`FalcoVersion.release.defaultRefs`)
   */
  readonly refs?: string[];
  /** Artifact indexes. @default DEFAULT_FALCOCTL_INDEXES */
  readonly indexes?: FalcoctlIndex[];
}

/**
 * Falco's settings that do not depend on the cluster or on how the API server reaches Falco. Declared once:
 * `Falco`'s props and `FalcoAudit`'s `falco` prop (the config file's `falco:`) extend them.
 */
export interface FalcoOptions {
  /** The Helm release name the objects are named after (the chart's fullname rule). @default 'falco' */
  readonly releaseName?: string;
  /** The namespace of every namespaced object (written explicitly on each). @default 'falco' */
  readonly namespace?: string;
  /**
   * The chart the values are written for.
   * @default - read from the values' keys: falcosecurity/falco 9.1.0 when they have its keys (`driver`, `collectors`,
   * `controller`, ...), else stable/falco 1.1.1
   */
  readonly chart?: FalcoChart;
  /**
   * Values in the stable/falco 1.1.x format, merged over the chart 1.1.1 defaults, or in the falcosecurity/falco
   * 9.1.0 format (an audit-only Falco, as its values-k8saudit.yaml), merged over that chart's defaults.
   * @default - the stable/falco chart defaults; `FalcoAudit` on Kubernetes 1.19+ (webhook backend): the newest Falco
   * this library knows (k8saudit plugin)
   */
  readonly values?: FalcoChartValues | FalcosecurityChartValues;
  /**
   * The Falco release the image runs, for every version decision, when `image.tag` does not say it (`master`,
   * a digest, an internal tag such as `0.41.3-corp2`); the tag stays as written.
   * @default - read from `image.tag`
   */
  readonly falcoVersion?: FalcoVersion;
  /**
   * The Secret holding `falco.pem` (certificate and private key in one PEM) for the legacy webserver's TLS
   * (`falco.webserver.sslEnabled`); mounted read-only at `falco.webserver.sslCertificate`. The Secret is not
   * rendered: a private key does not belong in Git. Required with sslEnabled, refused without it.
   * @default - none
   */
  readonly webserverTlsSecret?: string;
  /** The k8saudit listener (Falco 0.32+ only; an error for older Falco). @default - port 9765, path /k8s-audit */
  readonly k8sAudit?: K8sAuditOptions;
  /** The falcoctl init container (Falco 0.37+ only; an error for older Falco). @default - pinned image and refs */
  readonly falcoctl?: FalcoctlOptions;
}

/** Props of {@link Falco}: its settings, the cluster's version and the audit Service's address. */
export interface FalcoProps extends FalcoOptions {
  /** The cluster's Kubernetes version: decides API versions and fields. */
  readonly kubernetesVersion: KubernetesVersion;
  /** Pinned ClusterIP and/or NodePort of the audit Service. @default - a ClusterIP Service with an allocated IP */
  readonly service?: FalcoServiceOptions;
  /**
   * Where the problems go that leave Falco buildable (a wrong name gives way to the default; a falco.yaml key the release
   * does not know is left out), so that a caller can report them with its own; else they are thrown at the end.
   * @internal
   */
  readonly _problems?: Problems;
}

/**
 * Falco's Kubernetes objects as plain `ApiObject`s, with no Helm at synth time.
 *
 * The image tag in the values picks the shape: up to Falco 0.31 the objects stable/falco 1.1.1
 * renders (privileged DaemonSet, embedded webserver serving the audit endpoint), so an existing
 * release is adopted in place; from 0.32 an audit-only Deployment with the k8saudit plugin.
 * With falcosecurity/falco 9.1.0 values ({@link FalcoProps.chart}), the objects that chart renders for an audit-only
 * Falco (its names, labels and selectors, so a release is adopted in place), the audit endpoint from the k8saudit
 * plugin's open_params.
 * The AuditSink is not rendered here: build it from {@link Falco.auditEndpoint}.
 */
export class Falco extends Construct {
  /** The Falco release from `image.tag`. */
  public readonly falcoVersion: FalcoVersion;
  /** Legacy or plugin. */
  public readonly shape: FalcoShape;
  /** The chart the values are written for. */
  public readonly chart: FalcoChart;
  /**
   * The stable/falco values after merging over the chart 1.1.1 defaults (stable/falco values only). A TypeScript view
   * (every key required): other languages read what the values decided from the objects and `falcoConfig`.
   * @jsii ignore
   */
  public readonly values?: ResolvedFalcoValues;
  /** The falcosecurity/falco values after merging over the chart 9.1.0 defaults (falcosecurity/falco values only). */
  public readonly chartValues?: ResolvedChartValues;
  /** Valid, but worth telling: e.g. more than one replica, or a falcoctl follower; each with a stable code. */
  public readonly warnings: PlanMessage[];
  /** The release name. */
  public readonly releaseName: string;
  /** The namespace of Falco's namespaced objects. */
  public readonly namespace: string;
  /** The object name prefix (the chart's fullname). */
  public readonly fullname: string;
  /** Where Falco serves audit events: scheme, container port and path. */
  public readonly auditEndpoint: AuditEndpoint;
  /** The audit Service's name. */
  public readonly serviceName: string;
  /** The audit Service's `port`. */
  public readonly servicePort: number;
  /** The audit Service. */
  public readonly serviceObject: ApiObject;
  /** The pinned ClusterIP, when given. */
  public readonly clusterIP?: string;
  /** The NodePort, when given. */
  public readonly nodePort?: number;
  /** Labels that select exactly Falco's pods. */
  public readonly podSelector: Record<string, string>;
  /** The DaemonSet (legacy) or Deployment (plugin). */
  public readonly workload: ApiObject;
  /** The ConfigMap holding falco.yaml. */
  public readonly configMap: ApiObject;
  /** falco.yaml as data, as the ConfigMap holds it. */
  public readonly falcoConfig: Record<string, unknown>;
  /** The Secret with `falco.pem` the legacy webserver's TLS reads (not rendered: it must exist before Falco starts). */
  public readonly webserverTlsSecret?: string;

  constructor(scope: Construct, id: string, props: FalcoProps) {
    super(scope, id);
    this.chart = checkChart(props.chart ?? detectFalcoChart(props.values));
    const problems = props._problems ?? new Problems();
    const parts = this.chart === FalcoChart.FALCOSECURITY_FALCO_9_1_0 ? chartParts(this, props, problems) : stableParts(this, props, problems);
    if (!props._problems) problems.throwIfAny();
    if (parts.format === 'chart') {
      this.chartValues = parts.chartValues;
    } else {
      this.values = parts.values;
      this.webserverTlsSecret = parts.webserverTlsSecret;
    }
    this.releaseName = parts.releaseName;
    this.namespace = parts.namespace;
    this.falcoVersion = parts.falcoVersion;
    this.shape = parts.shape;
    this.fullname = parts.fullname;
    this.clusterIP = parts.clusterIP;
    this.nodePort = parts.nodePort;
    this.auditEndpoint = parts.auditEndpoint;
    this.workload = parts.workload;
    this.serviceObject = parts.serviceObject;
    this.serviceName = parts.serviceName;
    this.servicePort = parts.servicePort;
    this.podSelector = Object.freeze({ ...parts.podSelector });
    this.configMap = parts.configMap;
    this.falcoConfig = parts.falcoConfig;
    this.warnings = [...parts.warnings];
    this.node.addValidation({ validate: () => this.validateConfig() });
  }

  /**
   * Checks falco.yaml against the falco.yaml schema of the Falco release that reads it (0.39+): an unknown or
   * mistyped key is a setting Falco would ignore. One line per violation; empty when valid or without a schema.
   */
  public validateConfig(): string[] {
    return this._configViolations().map(formatViolation);
  }

  /** `validateConfig`'s violations. @internal */
  public _configViolations(): Violation[] {
    return validateFalcoConfig(this.falcoConfig, this.falcoVersion, `ConfigMap ${this.fullname}: falco.yaml`);
  }
}

/** What the constructor sets, common to both values formats: the names, the release, the endpoint and the objects. */
interface CommonParts extends ShapeResult {
  readonly releaseName: string;
  readonly namespace: string;
  readonly falcoVersion: FalcoVersion;
  readonly shape: FalcoShape;
  readonly fullname: string;
  readonly clusterIP?: string;
  readonly nodePort?: number;
  readonly auditEndpoint: AuditEndpoint;
  readonly warnings: readonly PlanMessage[];
}

/** What a `Falco` is made of, by values format (each sets its own resolved values). */
type FalcoParts =
  | (CommonParts & { readonly format: 'chart'; readonly chartValues: ResolvedChartValues })
  | (CommonParts & { readonly format: 'stable'; readonly values: ResolvedFalcoValues; readonly webserverTlsSecret?: string });

/** The chart the values are written for, refused when it is none this library renders. */
function checkChart(chart: FalcoChart): FalcoChart {
  if (!Object.values(FalcoChart).includes(chart)) {
    throw new UserError(`chart must be one of ${Object.values(FalcoChart).join(', ')}, got "${chart}"`, { field: 'chart' });
  }
  return chart;
}

/** Refuses the props the falcosecurity/falco values state themselves, so that there is one place for each setting. */
function checkNoValuesProps(props: FalcoProps): void {
  const stated = (
    [
      ['k8sAudit', 'the k8saudit listener is falco.plugins[].open_params in the values'],
      ['falcoctl', 'set falcoctl.image and falcoctl.config.artifact.install.refs in the values'],
      ['webserverTlsSecret', 'name the Secret in certs.existingSecret in the values'],
    ] as const
  ).find(([k]) => props[k] !== undefined);
  if (stated)
    throw new UserError(`is set, but with ${FalcoChart.FALCOSECURITY_FALCO_9_1_0} values the values say it: ${stated[1]}`, {
      field: stated[0],
    });
}

/** Falco for falcosecurity/falco 9.1.0 values: the chart builder's objects; an error about a values key points at its line. */
function chartParts(scope: Construct, props: FalcoProps, problems: Problems): FalcoParts {
  try {
    const [releaseName, namespace] = checkNames(props, problems);
    checkNoValuesProps(props);
    const clusterIP = checkClusterIPIsAddress(props.service?.clusterIP);
    const nodePort = checkPort(props.service?.nodePort, 'service.nodePort');
    const r = buildChartShape({
      scope,
      releaseName,
      namespace,
      kubernetesVersion: props.kubernetesVersion,
      values: props.values as FalcosecurityChartValues | undefined,
      falcoVersion: props.falcoVersion,
      clusterIP,
      nodePort,
      problems,
    });
    return {
      ...r,
      format: 'chart',
      chartValues: r.values,
      releaseName,
      namespace,
      shape: FalcoShape.PLUGIN,
      clusterIP,
      nodePort,
      warnings: Object.freeze([...r.warnings]),
    };
  } catch (err) {
    throw locateChartValuesError(props.values, err);
  }
}

/** The stable/falco values merged over the chart defaults and completed as the release needs, and that release. */
function resolveStableValues(
  stableValues: FalcoChartValues | undefined,
  props: FalcoProps,
): { values: ResolvedFalcoValues; falcoVersion: FalcoVersion } {
  const merged = resolveFalcoValues(stableValues ?? {});
  // falco.version without an image.tag: the image of that release, not the chart's 0.19.0
  const resolved =
    props.falcoVersion !== undefined && stableValues?.image?.tag === undefined
      ? { ...merged, image: { ...merged.image, tag: props.falcoVersion.toString() } }
      : merged;
  // From 1.24 kubeadm taints control-plane nodes node-role.kubernetes.io/control-plane (1.25+: only that), so
  // the chart's default toleration alone would leave the API server's own node without Falco.
  let values =
    stableValues?.tolerations === undefined && props.kubernetesVersion.kubeadmTaintsControlPlaneKey
      ? { ...resolved, tolerations: [...resolved.tolerations, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] }
      : resolved;
  const falcoVersion = FalcoVersion.forImage(resolved.image.tag, props.falcoVersion);
  if (falcoVersion.shape === FalcoShape.PLUGIN && stableValues?.resources === undefined) {
    values = { ...values, resources: PLUGIN_SHAPE_RESOURCES };
  }
  return { values, falcoVersion };
}

/** Falco for stable/falco values: the legacy or plugin shape of the release; an error about a values key points at its line. */
function stableParts(scope: Construct, props: FalcoProps, problems: Problems): FalcoParts {
  const stableValues = props.values as FalcoChartValues | undefined;
  // an error about a values key points at its line in the values file
  try {
    const [releaseName, namespace] = checkNames(props, problems);
    const { values: v, falcoVersion } = resolveStableValues(stableValues, props);
    const fullname = chartFullname(releaseName, v.nameOverride, v.fullnameOverride);
    checkDnsLabel(fullname, v.fullnameOverride ? 'fullnameOverride' : 'nameOverride', 'object name');
    const serviceAccountName = v.serviceAccount.create ? v.serviceAccount.name || fullname : v.serviceAccount.name || 'default';
    const clusterIP = checkClusterIPIsAddress(props.service?.clusterIP);
    const nodePort = checkPort(props.service?.nodePort, 'service.nodePort');
    const ctx: ShapeContext = {
      scope,
      releaseName,
      namespace,
      name: chartName(v.nameOverride),
      fullname,
      serviceAccountName,
      values: v,
      falcoVersion,
      kubernetesVersion: props.kubernetesVersion,
      clusterIP,
      nodePort,
      webserverTlsSecret: props.webserverTlsSecret,
    };
    const shape = falcoVersion.shape;
    const { result, auditEndpoint } = shape === FalcoShape.LEGACY ? legacyShape(ctx, props) : pluginShape(ctx, props);
    const common = { releaseName, namespace, falcoVersion, shape, fullname, clusterIP, nodePort, auditEndpoint, warnings: Object.freeze([]) };
    return { ...result, ...common, format: 'stable', values: v, webserverTlsSecret: props.webserverTlsSecret };
  } catch (err) {
    throw locateValuesError(stableValues, err);
  }
}

/** A shape's objects and where they serve audit events. */
interface BuiltShape {
  readonly result: ShapeResult;
  readonly auditEndpoint: AuditEndpoint;
}

/** Refuses the props a legacy release (its webserver serves audit events) cannot use, and the webserver TLS set half-way. */
function checkLegacyProps(ctx: ShapeContext, props: FalcoProps): void {
  const v = ctx.values;
  if (props.k8sAudit) {
    throw new UserError(
      `k8sAudit is set, but Falco ${ctx.falcoVersion} serves audit events on its webserver; set falco.webserver.listenPort and falco.webserver.k8sAuditEndpoint instead`,
      { field: 'k8sAudit' },
    );
  }
  if (props.falcoctl) {
    throw new UserError(`falcoctl is set, but Falco ${ctx.falcoVersion} has no plugins to install (falcoctl is used from Falco 0.37)`, {
      field: 'falcoctl',
    });
  }
  if (v.falco.webserver.sslEnabled && !props.webserverTlsSecret) {
    throw new UserError(
      `is true, but Falco's webserver needs its certificate and key at ${v.falco.webserver.sslCertificate}; ` +
        'create a Secret with a falco.pem key (certificate and private key) and name it in webserverTlsSecret (config: falco.tlsSecret)',
      { field: 'falco.webserver.sslEnabled' },
    );
  }
  if (props.webserverTlsSecret && !v.falco.webserver.sslEnabled) {
    throw new UserError(
      `webserverTlsSecret "${props.webserverTlsSecret}" is set, but falco.webserver.sslEnabled is false; turn TLS on or remove the secret`,
      {
        field: 'webserverTlsSecret',
      },
    );
  }
  const secretProblems = props.webserverTlsSecret === undefined ? [] : dns1123SubdomainProblems(props.webserverTlsSecret);
  if (secretProblems.length > 0) {
    throw new UserError(`secret name "${props.webserverTlsSecret}" ${secretProblems.join('; ')}`, { field: 'webserverTlsSecret' });
  }
}

/** The legacy shape (Falco before the k8saudit plugin): a DaemonSet whose webserver receives the audit events. */
function legacyShape(ctx: ShapeContext, props: FalcoProps): BuiltShape {
  checkLegacyProps(ctx, props);
  const v = ctx.values;
  const result = buildLegacyShape(ctx);
  return {
    result,
    auditEndpoint: {
      scheme: v.falco.webserver.sslEnabled ? 'https' : 'http',
      containerPort: v.falco.webserver.listenPort,
      path: v.falco.webserver.k8sAuditEndpoint,
    },
  };
}

/** The k8saudit listener from the props, checked: an unprivileged port, not the webserver's. */
function pluginListener(v: ResolvedFalcoValues, props: FalcoProps): { port: number; path: string } {
  const listener = {
    port: checkPort(props.k8sAudit?.port, 'k8sAudit.port') ?? DEFAULT_K8SAUDIT_PORT,
    path: checkAuditPath(props.k8sAudit?.path ?? DEFAULT_K8SAUDIT_PATH, 'k8sAudit.path'),
  };
  // the plugin shape's container drops every capability: no port below 1024
  for (const [port, field] of [
    [listener.port, 'k8sAudit.port'],
    [v.falco.webserver.listenPort, 'falco.webserver.listenPort'],
  ] as const) {
    const problem = privilegedPortProblem(port, RESTRICTED_CONTAINER);
    if (problem) throw new UserError(problem, { field });
  }
  if (listener.port === v.falco.webserver.listenPort) {
    // name the setting the user wrote: the listener's port, or else the webserver's (in the values)
    throw new UserError(
      `port ${listener.port} is both the k8saudit listener's and the webserver's (falco.webserver.listenPort); they need different ports`,
      { field: props.k8sAudit?.port !== undefined ? 'k8sAudit.port' : 'falco.webserver.listenPort' },
    );
  }
  return listener;
}

/** The artifacts falcoctl installs, checked: falcoctl only where the release uses it, loadable refs, some rules to load. */
function falcoctlRefs(ctx: ShapeContext, props: FalcoProps): readonly string[] {
  const falcoVersion = ctx.falcoVersion;
  if (props.falcoctl && !falcoVersion.needsFalcoctl) {
    throw new UserError(`falcoctl is set, but Falco ${falcoVersion} bundles its plugins and audit rules (falcoctl is used from Falco 0.37)`, {
      field: 'falcoctl',
    });
  }
  const release = falcoVersion.release;
  const refs = props.falcoctl?.refs ?? release.defaultRefs ?? [];
  if (falcoVersion.needsFalcoctl) {
    if (refs.length === 0) throw new UserError('falcoctl.refs is empty; list the plugin and rules artifacts to install', { field: 'falcoctl.refs' });
    checkRefsLoadable(refs, falcoVersion, 'falcoctl.refs');
    // /etc/falco is falcoctl's empty rules folder: without a rules artifact or customRules no rules file exists, and
    // Falco exits ("You must specify at least one rules file": userspace/falco/app/actions/load_rules_files.cpp @ 0.44.1,
    // the same from 0.37; it keeps only the configured paths that exist, userspace/falco/configuration.cpp)
    if (!refs.some((r) => parseFalcoctlRef(r).name.endsWith('-rules')) && Object.keys(ctx.values.customRules).length === 0) {
      throw new UserError(
        `[${refs.join(', ')}] installs no rules (no *-rules ref) and the values have no customRules, so Falco finds no rules file in /etc/falco and ` +
          `exits at start ("You must specify at least one rules file"); add a rules ref such as ${release.defaultRefs?.find((r) => r.includes('-rules')) ?? 'k8saudit-rules:0.16.1'}`,
        { field: 'falcoctl.refs' },
      );
    }
  }
  return refs;
}

/** The plugin shape (Falco 0.32+): a Deployment whose k8saudit plugin receives the audit events, falcoctl installing it where needed. */
function pluginShape(ctx: ShapeContext, props: FalcoProps): BuiltShape {
  if (props.webserverTlsSecret) {
    throw new UserError(
      `webserverTlsSecret is set, but Falco ${ctx.falcoVersion} receives audit events on the k8saudit plugin's plain-HTTP listener`,
      {
        field: 'webserverTlsSecret',
      },
    );
  }
  const listener = pluginListener(ctx.values, props);
  const refs = falcoctlRefs(ctx, props);
  const release = ctx.falcoVersion.release;
  const result = buildPluginShape(ctx, listener, {
    image: props.falcoctl?.image ?? release.falcoctlImage ?? DEFAULT_FALCOCTL_IMAGE,
    refs,
    indexes: props.falcoctl?.indexes ?? DEFAULT_FALCOCTL_INDEXES,
    stateDir: release.falcoctlStateDir,
  });
  return { result, auditEndpoint: { scheme: 'http', containerPort: listener.port, path: listener.path } };
}

/**
 * The release name and the namespace, each checked: a wrong one is a problem, and the default `falco` names the
 * objects in its place, so that the checks after it find only problems of their own.
 */
function checkNames(props: FalcoProps, problems: Problems): [string, string] {
  const releaseName = problems.attempt(() => checkReleaseName(props.releaseName ?? 'falco')) ?? 'falco';
  const namespace =
    problems.attempt(() => {
      checkDnsLabel(props.namespace ?? 'falco', 'namespace', 'namespace');
      return props.namespace ?? 'falco';
    }) ?? 'falco';
  return [releaseName, namespace];
}

function checkReleaseName(releaseName: string): string {
  if (releaseName.length > 53 || !matchesDns1123Label(releaseName)) {
    throw new UserError(`release name "${releaseName}" is not a valid Helm release name (lowercase letters, digits and '-', at most 53 characters)`, {
      field: 'releaseName',
    });
  }
  return releaseName;
}

/** Only the form of a pinned `service.clusterIP` (an IP address); ServiceIPRange.clusterIPProblem checks it against the range. */
function checkClusterIPIsAddress(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  if (parseIP(String(ip)) === undefined) {
    throw new UserError(`service.clusterIP "${ip}" is not an IP address; give the IP to pin (inside the API server's --service-cluster-ip-range)`, {
      field: 'service.clusterIP',
    });
  }
  return ip;
}

function checkPort(port: number | undefined, field: string): number | undefined {
  if (port === undefined) return undefined;
  if (!isPortNumber(port)) {
    throw new UserError(`must be a port number (an integer from 1 to 65535), got ${port}`, { field });
  }
  return port;
}
