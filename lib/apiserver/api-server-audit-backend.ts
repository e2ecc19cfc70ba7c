import { ErrorLocation, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import type { AuditDelivery, IAuditSource } from '../audit/audit-delivery';
import { DynamicBackend } from './backends/dynamic-backend';
import { WebhookBackend, WebhookBackendOptions } from './backends/webhook-backend';
import { ApiServerCommandLine, FlagChange } from './flags';

export type { AuditLogOptions, AuditWebhookMode, AuditWebhookOptions, WebhookBackendOptions } from './backends/webhook-backend';

/** A container path an audit backend needs kube-apiserver to see, mounted by the manifest. */
export interface MountNeed {
  /** Container path the flags name. */
  readonly path: string;
  readonly writable: boolean;
  /** The directory to mount when nothing covers `path`. */
  readonly directory: string;
  /** Volume name to use for a new mount. */
  readonly volumeName: string;
  /** Where the path was set, for an error: the webhook option (`webhook.directory`, `webhook.auditLog.path`) or the manifest's flag. */
  readonly location?: ErrorLocation;
}

/** A node file a backend asks the manifest to write (a `NodeFile` child with this id). */
export interface NodeFileSpec {
  readonly id: string;
  readonly fileName: string;
  readonly nodePath?: string;
  readonly document: unknown;
  readonly description: string;
}

/** Where a control plane keeps the audit files and the audit log when the webhook options do not say. */
export interface AuditFileDefaults {
  /** The folder of the policy and the webhook kubeconfig (as the API server sees it). */
  readonly directory: string;
  /** The audit log file (as the API server sees it), or `-` for its standard output. */
  readonly auditLogPath: string;
}

/**
 * What a control-plane target offers a backend while it binds: the command line, the plan's records, mounts.
 * KubeApiServerManifest offers the manifest's own command line and pod volumes; a distribution target offers the
 * command line it renders in its own format (empty, or the user's flags where it reads them) and its own mounts.
 */
export interface AuditBackendTarget {
  /** The version the API server runs. */
  readonly version: KubernetesVersion;
  /** The container's command line, changed in place. */
  readonly commandLine: ApiServerCommandLine;
  /** The flag changes for the plan, in order. */
  readonly flagChanges: FlagChange[];
  /** Notes for the plan, in order. */
  readonly notes: string[];
  /** Where the flag's effective occurrence is in the input manifest, for an error. */
  locateFlag(flag: string): ErrorLocation;
  /** True when a plain hostPath mount of the container lets kube-apiserver read `containerPath`. */
  isReadable(containerPath: string): boolean;
  /** Makes every needed container path available; returns the node path of each. */
  mount(needs: MountNeed[]): Map<string, string>;
  /** The target's own folders for the audit files and log. @default - DEFAULT_AUDIT_DIRECTORY and DEFAULT_AUDIT_LOG.path */
  readonly defaults?: AuditFileDefaults;
}

/** One audit backend as a plug-in: it owns its flags, mounts and node files, and says how late its events arrive. */
export interface AuditBackendPlugin extends IAuditSource {
  /** `dynamic` or `webhook`. */
  readonly kind: 'dynamic' | 'webhook';
  /** Applies the backend to the manifest; returns the node files to write, in order. */
  bind(target: AuditBackendTarget): NodeFileSpec[];
}

const AUDIT_BACKEND = Symbol.for('cdk8s-falco-audit.ApiServerAuditBackend');

/**
 * How the API server sends audit events: dynamic (AuditSink objects, 1.13-1.18) or the static
 * webhook backend (a policy file and a kubeconfig on the node, every version). Options are
 * checked when the backend is made.
 */
export class ApiServerAuditBackend implements IAuditSource {
  /** True for an `ApiServerAuditBackend` from any copy of this library (a registered symbol, not `instanceof`). */
  public static isApiServerAuditBackend(x: unknown): x is ApiServerAuditBackend {
    return typeof x === 'object' && x !== null && AUDIT_BACKEND in x;
  }

  /**
   * Dynamic audit configuration: `--audit-dynamic-configuration`, `DynamicAuditing=true` in
   * `--feature-gates`, `auditregistration.k8s.io/v1alpha1=true` in `--runtime-config`. The API
   * server then reads AuditSink objects. Kubernetes 1.13-1.18 only.
   */
  public static dynamic(): ApiServerAuditBackend {
    return new ApiServerAuditBackend(new DynamicBackend());
  }

  /** The static webhook backend, with a policy file and a kubeconfig naming `server`. */
  public static webhook(options: WebhookBackendOptions): ApiServerAuditBackend {
    if (!options || typeof options !== 'object') throw new UserError('webhook backend options are missing');
    return new ApiServerAuditBackend(new WebhookBackend(options));
  }

  /** `dynamic` or `webhook`. */
  public readonly kind: 'dynamic' | 'webhook';
  /** How late an audit event may reach Falco: the webhook's batch wait (none in a blocking mode), an AuditSink's fixed one. */
  public readonly delivery: AuditDelivery;

  private constructor(private readonly plugin: AuditBackendPlugin) {
    Object.defineProperty(this, AUDIT_BACKEND, { value: true });
    this.kind = plugin.kind;
    this.delivery = plugin.delivery;
  }

  /**
   * Applies the backend to a manifest being patched; returns the node files to write.
   * @internal
   */
  public _bind(target: AuditBackendTarget): NodeFileSpec[] {
    return this.plugin.bind(target);
  }
}
