import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as ipaddr from 'ipaddr.js';
import { AuditEndpoint } from '../audit/audit-endpoint';
import { Problems, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { validateFalcoConfig } from '../validation/falco-config-validation';
import { dns1123SubdomainProblems } from '../validation/names';
import { formatViolation } from '../validation/violation';
import { chartFullname, chartName, checkDnsLabel } from './chart-names';
import { buildChartShape, privilegedPortProblem } from './chart-shape';
import { detectFalcoChart, FalcoChart, FalcosecurityChartValues, locateChartValuesError, ResolvedChartValues } from './chart-values';
import { NEWEST_FALCO_RELEASE } from './falco-releases';
import { FalcoShape, FalcoVersion } from './falco-version';
import { checkRefsLoadable, parseFalcoctlRef } from './falcoctl-refs';
import { buildLegacyShape } from './legacy-shape';
import { buildPluginShape } from './plugin-shape';
import { checkAuditPath, ShapeResult } from './shape-context';
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
export const DEFAULT_FALCOCTL_INDEXES: readonly { readonly name: string; readonly url: string }[] = Object.freeze([
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
  readonly refs?: readonly string[];
  /** Artifact indexes. @default DEFAULT_FALCOCTL_INDEXES */
  readonly indexes?: readonly { readonly name: string; readonly url: string }[];
}

/** Props of {@link Falco}. */
export interface FalcoProps {
  /** The Helm release name the objects are named after (the chart's fullname rule). @default 'falco' */
  readonly releaseName?: string;
  /** The namespace of every namespaced object (written explicitly on each). @default 'falco' */
  readonly namespace?: string;
  /** The cluster's Kubernetes version: decides API versions and fields. */
  readonly kubernetesVersion: KubernetesVersion;
  /**
   * The chart the values are written for.
   * @default - read from the values' keys: falcosecurity/falco 9.1.0 when they have its keys (`driver`, `collectors`,
   * `controller`, ...), else stable/falco 1.1.1
   */
  readonly chart?: FalcoChart;
  /**
   * Values in the stable/falco 1.1.x format, merged over the chart 1.1.1 defaults, or in the falcosecurity/falco
   * 9.1.0 format (an audit-only Falco, as its values-k8saudit.yaml), merged over that chart's defaults.
   * @default - the stable/falco chart defaults
   */
  readonly values?: FalcoChartValues | FalcosecurityChartValues;
  /**
   * The Falco release the image runs, for every version decision, when `image.tag` does not say it (`master`,
   * a digest, an internal tag such as `0.41.3-corp2`); the tag stays as written.
   * @default - read from `image.tag`
   */
  readonly falcoVersion?: FalcoVersion;
  /** Pinned ClusterIP and/or NodePort of the audit Service. @default - a ClusterIP Service with an allocated IP */
  readonly service?: FalcoServiceOptions;
  /** The k8saudit listener (Falco 0.32+ only; an error for older Falco). @default - port 9765, path /k8s-audit */
  readonly k8sAudit?: K8sAuditOptions;
  /** The falcoctl init container (Falco 0.37+ only; an error for older Falco). @default - pinned image and refs */
  readonly falcoctl?: FalcoctlOptions;
  /**
   * The Secret holding `falco.pem` (certificate and private key in one PEM) for the legacy webserver's TLS
   * (`falco.webserver.sslEnabled`); mounted read-only at `falco.webserver.sslCertificate`. The Secret is not
   * rendered: a private key does not belong in Git. Required with sslEnabled, refused without it.
   * @default - none
   */
  readonly webserverTlsSecret?: string;
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
  /** The stable/falco values after merging over the chart 1.1.1 defaults (stable/falco values only). */
  public readonly values?: ResolvedFalcoValues;
  /** The falcosecurity/falco values after merging over the chart 9.1.0 defaults (falcosecurity/falco values only). */
  public readonly chartValues?: ResolvedChartValues;
  /** Valid, but worth telling: e.g. more than one replica, or a falcoctl follower. */
  public readonly warnings: readonly string[];
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
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The DaemonSet (legacy) or Deployment (plugin). */
  public readonly workload: ApiObject;
  /** The ConfigMap holding falco.yaml. */
  public readonly configMap: ApiObject;
  /** falco.yaml as data, as the ConfigMap holds it. */
  public readonly falcoConfig: Readonly<Record<string, unknown>>;
  /** The Secret with `falco.pem` the legacy webserver's TLS reads (not rendered: it must exist before Falco starts). */
  public readonly webserverTlsSecret?: string;

  constructor(scope: Construct, id: string, props: FalcoProps) {
    super(scope, id);
    this.chart = props.chart ?? detectFalcoChart(props.values);
    if (!Object.values(FalcoChart).includes(this.chart)) {
      throw new UserError(`chart must be one of ${Object.values(FalcoChart).join(', ')}, got "${this.chart}"`, { field: 'chart' });
    }
    if (this.chart === FalcoChart.FALCOSECURITY_FALCO_9_1_0) {
      try {
        [this.releaseName, this.namespace] = checkNames(props);
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
        this.clusterIP = checkClusterIP(props.service?.clusterIP);
        this.nodePort = checkPort(props.service?.nodePort, 'service.nodePort');
        const r = buildChartShape({
          scope: this,
          releaseName: this.releaseName,
          namespace: this.namespace,
          kubernetesVersion: props.kubernetesVersion,
          values: props.values as FalcosecurityChartValues | undefined,
          falcoVersion: props.falcoVersion,
          clusterIP: this.clusterIP,
          nodePort: this.nodePort,
        });
        this.chartValues = r.values;
        this.falcoVersion = r.falcoVersion;
        this.shape = FalcoShape.PLUGIN;
        this.fullname = r.fullname;
        this.auditEndpoint = r.auditEndpoint;
        this.workload = r.workload;
        this.serviceObject = r.serviceObject;
        this.serviceName = r.serviceName;
        this.servicePort = r.servicePort;
        this.podSelector = Object.freeze({ ...r.podSelector });
        this.configMap = r.configMap;
        this.falcoConfig = r.falcoConfig;
        this.warnings = Object.freeze([...r.warnings]);
      } catch (err) {
        throw locateChartValuesError(props.values, err);
      }
      this.node.addValidation({ validate: () => this.validateConfig() });
      return;
    }
    const stableValues = props.values as FalcoChartValues | undefined;
    this.warnings = Object.freeze([]);
    // an error about a values key points at its line in the values file
    try {
      [this.releaseName, this.namespace] = checkNames(props);

      const merged = resolveFalcoValues(stableValues ?? {});
      // falco.version without an image.tag: the image of that release, not the chart's 0.19.0
      const resolved =
        props.falcoVersion !== undefined && stableValues?.image?.tag === undefined
          ? { ...merged, image: { ...merged.image, tag: props.falcoVersion.toString() } }
          : merged;
      // From 1.24 kubeadm taints control-plane nodes node-role.kubernetes.io/control-plane (1.25+: only that), so
      // the chart's default toleration alone would leave the API server's own node without Falco.
      this.values =
        stableValues?.tolerations === undefined && props.kubernetesVersion.kubeadmTaintsControlPlaneKey
          ? { ...resolved, tolerations: [...resolved.tolerations, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] }
          : resolved;
      this.falcoVersion = FalcoVersion.forImage(resolved.image.tag, props.falcoVersion);
      this.shape = this.falcoVersion.shape;
      if (this.shape === FalcoShape.PLUGIN && stableValues?.resources === undefined) {
        this.values = { ...this.values, resources: PLUGIN_SHAPE_RESOURCES };
      }
      const v = this.values;
      this.fullname = chartFullname(this.releaseName, v.nameOverride, v.fullnameOverride);
      checkDnsLabel(this.fullname, v.fullnameOverride ? 'fullnameOverride' : 'nameOverride', 'object name');
      const serviceAccountName = v.serviceAccount.create ? v.serviceAccount.name || this.fullname : v.serviceAccount.name || 'default';

      this.clusterIP = checkClusterIP(props.service?.clusterIP);
      this.nodePort = checkPort(props.service?.nodePort, 'service.nodePort');

      const ctx = {
        scope: this,
        releaseName: this.releaseName,
        namespace: this.namespace,
        name: chartName(v.nameOverride),
        fullname: this.fullname,
        serviceAccountName,
        values: v,
        falcoVersion: this.falcoVersion,
        kubernetesVersion: props.kubernetesVersion,
        clusterIP: this.clusterIP,
        nodePort: this.nodePort,
        webserverTlsSecret: props.webserverTlsSecret,
      };

      let result: ShapeResult;
      if (this.shape === FalcoShape.LEGACY) {
        if (props.k8sAudit) {
          throw new UserError(
            `k8sAudit is set, but Falco ${this.falcoVersion} serves audit events on its webserver; set falco.webserver.listenPort and falco.webserver.k8sAuditEndpoint instead`,
            { field: 'k8sAudit' },
          );
        }
        if (props.falcoctl) {
          throw new UserError(`falcoctl is set, but Falco ${this.falcoVersion} has no plugins to install (falcoctl is used from Falco 0.37)`, {
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
        result = buildLegacyShape(ctx);
        this.auditEndpoint = {
          scheme: v.falco.webserver.sslEnabled ? 'https' : 'http',
          containerPort: v.falco.webserver.listenPort,
          path: v.falco.webserver.k8sAuditEndpoint,
        };
      } else {
        if (props.webserverTlsSecret) {
          throw new UserError(
            `webserverTlsSecret is set, but Falco ${this.falcoVersion} receives audit events on the k8saudit plugin's plain-HTTP listener`,
            {
              field: 'webserverTlsSecret',
            },
          );
        }
        const listener = {
          port: checkPort(props.k8sAudit?.port, 'k8sAudit.port') ?? DEFAULT_K8SAUDIT_PORT,
          path: checkAuditPath(props.k8sAudit?.path ?? DEFAULT_K8SAUDIT_PATH, 'k8sAudit.path'),
        };
        // the plugin shape's container drops every capability (RESTRICTED_CONTAINER): no port below 1024
        for (const [port, field] of [
          [listener.port, 'k8sAudit.port'],
          [v.falco.webserver.listenPort, 'falco.webserver.listenPort'],
        ] as const) {
          const problem = privilegedPortProblem(port, { capabilities: { drop: ['ALL'] } });
          if (problem) throw new UserError(problem, { field });
        }
        if (listener.port === v.falco.webserver.listenPort) {
          // name the setting the user wrote: the listener's port, or else the webserver's (in the values)
          throw new UserError(
            `port ${listener.port} is both the k8saudit listener's and the webserver's (falco.webserver.listenPort); they need different ports`,
            { field: props.k8sAudit?.port !== undefined ? 'k8sAudit.port' : 'falco.webserver.listenPort' },
          );
        }
        if (props.falcoctl && !this.falcoVersion.needsFalcoctl) {
          throw new UserError(
            `falcoctl is set, but Falco ${this.falcoVersion} bundles its plugins and audit rules (falcoctl is used from Falco 0.37)`,
            { field: 'falcoctl' },
          );
        }
        const release = this.falcoVersion.release;
        const refs = props.falcoctl?.refs ?? release.defaultRefs ?? [];
        if (this.falcoVersion.needsFalcoctl) {
          if (refs.length === 0)
            throw new UserError('falcoctl.refs is empty; list the plugin and rules artifacts to install', { field: 'falcoctl.refs' });
          checkRefsLoadable(refs, this.falcoVersion, 'falcoctl.refs');
          // /etc/falco is falcoctl's empty rules folder: without a rules artifact or customRules no rules file exists, and
          // Falco exits ("You must specify at least one rules file": userspace/falco/app/actions/load_rules_files.cpp @ 0.44.1,
          // the same from 0.37; it keeps only the configured paths that exist, userspace/falco/configuration.cpp)
          if (!refs.some((r) => parseFalcoctlRef(r).name.endsWith('-rules')) && Object.keys(v.customRules).length === 0) {
            throw new UserError(
              `[${refs.join(', ')}] installs no rules (no *-rules ref) and the values have no customRules, so Falco finds no rules file in /etc/falco and ` +
                `exits at start ("You must specify at least one rules file"); add a rules ref such as ${release.defaultRefs?.find((r) => r.includes('-rules')) ?? 'k8saudit-rules:0.16.1'}`,
              { field: 'falcoctl.refs' },
            );
          }
        }
        result = buildPluginShape(ctx, listener, {
          image: props.falcoctl?.image ?? release.falcoctlImage ?? DEFAULT_FALCOCTL_IMAGE,
          refs,
          indexes: props.falcoctl?.indexes ?? DEFAULT_FALCOCTL_INDEXES,
          stateDir: release.falcoctlStateDir,
        });
        this.auditEndpoint = { scheme: 'http', containerPort: listener.port, path: listener.path };
      }
      this.workload = result.workload;
      this.serviceObject = result.serviceObject;
      this.serviceName = result.serviceName;
      this.servicePort = result.servicePort;
      this.podSelector = Object.freeze({ ...result.podSelector });
      this.configMap = result.configMap;
      this.falcoConfig = result.falcoConfig;
      this.webserverTlsSecret = props.webserverTlsSecret;
    } catch (err) {
      throw locateValuesError(stableValues, err);
    }
    this.node.addValidation({ validate: () => this.validateConfig() });
  }

  /**
   * Checks falco.yaml against the falco.yaml schema of the Falco release that reads it (0.39+): an unknown or
   * mistyped key is a setting Falco would ignore. One line per violation; empty when valid or without a schema.
   */
  public validateConfig(): string[] {
    return validateFalcoConfig(this.falcoConfig, this.falcoVersion, `ConfigMap ${this.fullname}: falco.yaml`).map(formatViolation);
  }
}

/** The release name and the namespace, each checked, both reported when both are wrong. */
function checkNames(props: FalcoProps): [string, string] {
  const problems = new Problems();
  const releaseName = props.releaseName ?? 'falco';
  const namespace = props.namespace ?? 'falco';
  problems.attempt(() => checkReleaseName(releaseName));
  problems.attempt(() => checkDnsLabel(namespace, 'namespace', 'namespace'));
  problems.throwIfAny();
  return [releaseName, namespace];
}

function checkReleaseName(releaseName: string): string {
  if (releaseName.length > 53 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(releaseName)) {
    throw new UserError(`release name "${releaseName}" is not a valid Helm release name (lowercase letters, digits and '-', at most 53 characters)`, {
      field: 'releaseName',
    });
  }
  return releaseName;
}

function checkClusterIP(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip) && !ipaddr.IPv6.isValid(ip)) {
    throw new UserError(`service.clusterIP "${ip}" is not an IP address; give the IP to pin (inside the API server's --service-cluster-ip-range)`, {
      field: 'service.clusterIP',
    });
  }
  return ip;
}

function checkPort(port: number | undefined, field: string): number | undefined {
  if (port === undefined) return undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`must be a port number (an integer from 1 to 65535), got ${port}`, { field });
  }
  return port;
}
