import * as path from 'path';
import { Construct } from 'constructs';
import { AuditPolicy } from '../audit/audit-policy';
import { validateWebhookServerUrl, WebhookKubeconfig } from '../audit/webhook-kubeconfig';
import { ErrorLocation, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { NodeFile } from '../core/node-file';
import { cut, echo } from '../core/util';
import { ApiServerPlan, PlannedMount, PlannedVolume } from './api-server-plan';
import { ApiServerCommandLine, FlagChange, flagItem } from './flags';
import { StaticPodManifest } from './static-pod-manifest';

type Json = Record<string, unknown>;

/** Where kubeadm (and most installers) keep the static pod manifest. */
export const KUBE_APISERVER_MANIFEST_PATH = '/etc/kubernetes/manifests/kube-apiserver.yaml';
/** CIS 1.2.16-1.2.19 audit log defaults. */
export const DEFAULT_AUDIT_LOG = { path: '/var/log/kubernetes/audit/audit.log', maxAge: 30, maxBackup: 10, maxSize: 100 } as const;
/** Where the policy and webhook kubeconfig go on the node by default. */
export const DEFAULT_AUDIT_DIRECTORY = '/etc/kubernetes/audit';
/** The file names of the policy and the webhook kubeconfig inside the audit directory. */
const AUDIT_POLICY_FILE = 'audit-policy.yaml';
const AUDIT_KUBECONFIG_FILE = 'audit-webhook-kubeconfig.yaml';

/** How the API server hands events to the webhook. */
export type AuditWebhookMode = 'batch' | 'blocking' | 'blocking-strict';
const MODES: readonly AuditWebhookMode[] = ['batch', 'blocking', 'blocking-strict'];

/** The audit log backend (`--audit-log-*`), kept alongside the webhook as CIS asks. */
export interface AuditLogOptions {
  /** The log file inside the API server container (`-` for stdout). @default '/var/log/kubernetes/audit/audit.log' */
  readonly path?: string;
  /** Days to keep rotated files. @default 30 */
  readonly maxAge?: number;
  /** Rotated files to keep. @default 10 */
  readonly maxBackup?: number;
  /** Megabytes before rotation. @default 100 */
  readonly maxSize?: number;
}

/** Options of the static audit webhook backend. */
export interface WebhookBackendOptions {
  /** The URL the API server posts events to (absolute http/https, no user info, query or fragment). */
  readonly server: string;
  /** Base64 PEM CA bundle for an https server. @default - the host's system roots */
  readonly certificateAuthorityData?: string;
  /** The audit policy written to the node. @default AuditPolicy.hardened() */
  readonly policy?: AuditPolicy;
  /** `--audit-webhook-mode`. batch drops events when its buffer overflows; blocking* slow requests down. @default 'batch' */
  readonly mode?: AuditWebhookMode;
  /** `--audit-webhook-batch-max-wait` (Go duration), written in batch mode only. @default '30s' */
  readonly batchMaxWait?: string;
  /** `--audit-webhook-initial-backoff` (Go duration). @default '10s' */
  readonly initialBackoff?: string;
  /** The audit log backend, or `false` to leave it out. @default - on, with the CIS values of DEFAULT_AUDIT_LOG */
  readonly auditLog?: false | AuditLogOptions;
  /** The directory (on the node and in the container) for the policy and kubeconfig. @default '/etc/kubernetes/audit' */
  readonly directory?: string;
  /**
   * Replace an audit webhook the manifest already configures (`--audit-webhook-config-file` naming another file).
   * kube-apiserver has one static webhook, so replacing it cuts off whatever consumed it (a SIEM, say).
   * @default false - an existing webhook is an error
   */
  readonly replaceExistingWebhook?: boolean;
}

const GO_DURATION = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;
const DURATION_PART = /([0-9]+)(?:\.([0-9]+))?(ns|us|µs|ms|s|m|h)/g;
const NANOS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };
/** The largest Go `time.Duration`, in nanoseconds (an int64). */
const MAX_DURATION_NS = 2n ** 63n - 1n;

/**
 * Host folders an audit file may not live in, nor above, with the reason. kube-apiserver gets a hostPath mount of
 * the file's folder at the same path, so such a folder would hide the container's own files (the official image has
 * its binary at /usr/local/bin/kube-apiserver: build/server-image in kubernetes/kubernetes) or give the API server
 * the node's: the kubelet runs every file in /etc/kubernetes/manifests (FACTS.md section 3). A folder above one of
 * them (`/`, `/etc`, `/var`) contains it.
 */
export const PROTECTED_HOST_FOLDERS: readonly (readonly [string, string])[] = [
  ['/etc/kubernetes/manifests', "the kubelet's static pod folder (it runs every file there)"],
  ['/var/lib/kubelet', "the kubelet's state, with every pod's volumes and secrets"],
  ['/var/lib/etcd', "etcd's data"],
  ['/run/containerd', "the container runtime's folder"],
  ['/var/run', "the runtime sockets' folder"],
  ['/usr', 'the folder of programs and libraries (kube-apiserver itself is /usr/local/bin/kube-apiserver)'],
  ['/bin', 'a folder of programs'],
  ['/sbin', 'a folder of programs'],
  ['/lib', 'a folder of libraries'],
  ['/lib32', 'a folder of libraries'],
  ['/lib64', 'a folder of libraries'],
  ['/libx32', 'a folder of libraries'],
  ['/boot', "the kernel's folder"],
  ['/dev', 'the device folder'],
  ['/proc', 'a kernel interface'],
  ['/sys', 'a kernel interface'],
];

/** Why `dir` (absolute, normalised) cannot be mounted into kube-apiserver for audit files, or undefined. */
export function protectedFolderProblem(dir: string): string | undefined {
  const inside = (child: string, parent: string) => parent === '/' || child === parent || child.startsWith(`${parent}/`);
  if (dir === '/') return "that mounts the host's root folder over the whole kube-apiserver container";
  const under = PROTECTED_HOST_FOLDERS.find(([p]) => inside(dir, p));
  if (under) return `${dir === under[0] ? dir : `${dir} is inside ${under[0]}, which`} is ${under[1]}`;
  const above = PROTECTED_HOST_FOLDERS.find(([p]) => inside(p, dir));
  if (above) return `${dir} contains ${above[0]}, ${above[1]}`;
  return undefined;
}

function checkAbsolutePath(value: string, field: string): string {
  if (typeof value !== 'string' || !path.posix.isAbsolute(value) || /\s/.test(value) || value.split('/').includes('..')) {
    throw new UserError(`must be an absolute path without spaces or "..", got ${echo(value)}`, { field });
  }
  const normalized = path.posix.normalize(value);
  return normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
}

/** A folder for audit files: absolute, and neither the host root nor a system folder (see PROTECTED_HOST_FOLDERS). */
function checkAuditFolder(value: string, field: string): string {
  const dir = checkAbsolutePath(value, field);
  const problem = protectedFolderProblem(dir);
  if (problem) {
    throw new UserError(`${JSON.stringify(value)} cannot hold audit files: ${problem}; use a folder of its own such as ${DEFAULT_AUDIT_DIRECTORY}`, {
      field,
    });
  }
  return dir;
}

/** The audit log file: absolute, a file rather than a folder, in a folder that checkAuditFolder accepts. */
function checkAuditLogFile(value: string, field: string): string {
  const file = checkAbsolutePath(value, field);
  if (file === '/' || value.endsWith('/') || value.endsWith('/.')) {
    throw new UserError(`must name the log file, not a folder, got ${JSON.stringify(value)}; e.g. ${DEFAULT_AUDIT_LOG.path}`, { field });
  }
  const problem = protectedFolderProblem(path.posix.dirname(file));
  if (problem) {
    throw new UserError(
      `${JSON.stringify(value)} cannot be the audit log: kube-apiserver would get a writable mount of ${path.posix.dirname(file)}, and ${problem}; ` +
        `e.g. ${DEFAULT_AUDIT_LOG.path}`,
      { field },
    );
  }
  return file;
}

/**
 * kube-apiserver reads --audit-log-maxage, -maxbackup and -maxsize as a Go `int` (pflag IntVar: strconv.ParseInt,
 * 64 bits; apiserver pkg/server/options/audit.go) and refuses negatives. Above 2^53 a JavaScript number is no longer
 * exact and from 1e21 it prints as 1e+21, which the flag parser refuses, so the bound is Number.MAX_SAFE_INTEGER.
 */
function checkCount(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new UserError(`must be a whole number of 0 or more, got ${echo(value)}`, { field });
  if (!Number.isSafeInteger(value)) {
    throw new UserError(
      `must be at most ${Number.MAX_SAFE_INTEGER} (kube-apiserver reads it as a Go int, and a larger number is written as ${String(value)}), got ${echo(value)}`,
      { field },
    );
  }
  return value;
}

/**
 * A Go duration as kube-apiserver's flags parse it (time.ParseDuration, here without a sign), and no longer than a
 * time.Duration holds (2^63-1 ns, about 292 years): ParseDuration refuses more with "invalid duration".
 */
function checkDuration(value: string | undefined, fallback: string, field: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !GO_DURATION.test(value)) {
    throw new UserError(`must be a Go duration such as "30s", "1m30s" or "500ms", got ${echo(value)}`, { field });
  }
  let total = 0n;
  for (const [, whole, fraction = '', unit] of value.matchAll(DURATION_PART)) {
    const scale = 10n ** BigInt(fraction.length);
    total += BigInt(whole) * NANOS[unit] + (BigInt(fraction || '0') * NANOS[unit]) / scale;
  }
  if (total > MAX_DURATION_NS) {
    throw new UserError(`must be a Go duration of at most 2562047h47m16.854775807s (what a Go time.Duration holds), got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value;
}

interface ResolvedWebhook {
  readonly kubeconfig: WebhookKubeconfig;
  readonly policy: AuditPolicy;
  readonly mode: AuditWebhookMode;
  readonly batchMaxWait: string;
  readonly initialBackoff: string;
  readonly auditLog: false | Required<AuditLogOptions>;
  readonly directory: string;
  readonly replaceExistingWebhook: boolean;
}

/**
 * How the API server sends audit events: dynamic (AuditSink objects, 1.13-1.18) or the static
 * webhook backend (a policy file and a kubeconfig on the node, every version). Options are
 * checked when the backend is made.
 */
export class ApiServerAuditBackend {
  /**
   * Dynamic audit configuration: `--audit-dynamic-configuration`, `DynamicAuditing=true` in
   * `--feature-gates`, `auditregistration.k8s.io/v1alpha1=true` in `--runtime-config`. The API
   * server then reads AuditSink objects. Kubernetes 1.13-1.18 only.
   */
  public static dynamic(): ApiServerAuditBackend {
    return new ApiServerAuditBackend('dynamic');
  }

  /** The static webhook backend, with a policy file and a kubeconfig naming `server`. */
  public static webhook(options: WebhookBackendOptions): ApiServerAuditBackend {
    if (!options || typeof options !== 'object') throw new UserError('webhook backend options are missing');
    validateWebhookServerUrl(options.server, 'server');
    const mode = options.mode ?? 'batch';
    if (!MODES.includes(mode)) throw new UserError(`unknown audit webhook mode ${echo(mode)}; use one of ${MODES.join(', ')}`, { field: 'mode' });
    let auditLog: false | Required<AuditLogOptions> = false;
    if (options.auditLog !== false) {
      const log = options.auditLog ?? {};
      auditLog = {
        path: log.path === '-' ? '-' : checkAuditLogFile(log.path ?? DEFAULT_AUDIT_LOG.path, 'auditLog.path'),
        maxAge: checkCount(log.maxAge, DEFAULT_AUDIT_LOG.maxAge, 'auditLog.maxAge'),
        maxBackup: checkCount(log.maxBackup, DEFAULT_AUDIT_LOG.maxBackup, 'auditLog.maxBackup'),
        maxSize: checkCount(log.maxSize, DEFAULT_AUDIT_LOG.maxSize, 'auditLog.maxSize'),
      };
    }
    const directory = checkAuditFolder(options.directory ?? DEFAULT_AUDIT_DIRECTORY, 'directory');
    // the log backend appends to its file: it must not be the policy or the kubeconfig the API server reads at start
    const logPath = auditLog ? auditLog.path : undefined;
    const clash = [AUDIT_POLICY_FILE, AUDIT_KUBECONFIG_FILE].find((f) => logPath === `${directory}/${f}`);
    if (clash) {
      throw new UserError(
        `${JSON.stringify(logPath)} is the audit ${clash === AUDIT_POLICY_FILE ? 'policy' : 'webhook kubeconfig'} file; ` +
          'the log backend would append events to it and kube-apiserver would not start again; give the log a file of its own',
        { field: 'auditLog.path' },
      );
    }
    return new ApiServerAuditBackend('webhook', {
      kubeconfig: new WebhookKubeconfig({ server: options.server, certificateAuthorityData: options.certificateAuthorityData }),
      policy: options.policy ?? AuditPolicy.hardened(),
      mode,
      batchMaxWait: checkDuration(options.batchMaxWait, '30s', 'batchMaxWait'),
      initialBackoff: checkDuration(options.initialBackoff, '10s', 'initialBackoff'),
      auditLog,
      directory,
      replaceExistingWebhook: options.replaceExistingWebhook ?? false,
    });
  }

  private constructor(
    /** `dynamic` or `webhook`. */
    public readonly kind: 'dynamic' | 'webhook',
    /** @internal */
    public readonly _webhook?: ResolvedWebhook,
  ) {}
}

/** Props of `KubeApiServerManifest`. */
export interface KubeApiServerManifestProps {
  /** The static pod manifest to patch. */
  readonly manifest: StaticPodManifest;
  /** The version the API server runs. @default - read from the container image tag */
  readonly kubernetesVersion?: KubernetesVersion;
  /** The audit backend to turn on. */
  readonly backend: ApiServerAuditBackend;
}

/** One JSON patch (RFC 6902) operation of the kubeadm patch file. */
export interface JsonPatchOperation {
  /** `test` guards the target (the container's name), `add` appends. */
  readonly op: 'add' | 'test';
  /** A JSON pointer into the kube-apiserver Pod, e.g. `/spec/containers/0/command/-`. */
  readonly path: string;
  /** The value to test or add. */
  readonly value: unknown;
}

/** A node file a backend asks the construct to write (a `NodeFile` child with this id). */
interface NodeFileSpec {
  readonly id: string;
  readonly fileName: string;
  readonly nodePath?: string;
  readonly document: unknown;
  readonly description: string;
}

interface MountNeed {
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

/**
 * The kube-apiserver static pod manifest with an audit backend turned on, plus the files that go
 * with it on the control-plane node (each a `NodeFile` child):
 *
 * - `Manifest` (`kube-apiserver.yaml` -> /etc/kubernetes/manifests/kube-apiserver.yaml): the input's own
 *   text (comments, indentation, quoting, key order) with the flags, volumes and mounts inserted or changed
 *   in place, and the Argo CD skip marker as first line, so `diff` against the input shows only the change;
 *   no labels, names or namespace of cdk8s. `pod` is the same Pod as an object (checked to be what the text reads as).
 * - webhook backend: `Policy` (`audit-policy.yaml`, unless the manifest names its own policy file) and
 *   `WebhookKubeconfig` (`audit-webhook-kubeconfig.yaml`), at the node paths the flags use.
 * - `KubeadmPatch` (`kube-apiserver+json.yaml`) for manifests in kubeadm's layout: the same change as a
 *   JSON patch for `kubeadm init|join|upgrade --patches <dir>`, which otherwise regenerates the manifest
 *   and drops hand edits. Flags are appended (`/spec/containers/N/command/-`): kube-apiserver takes the
 *   last value of a repeated flag and merges repeated `--feature-gates` / `--runtime-config`, so the
 *   appended flags win over whatever kubeadm generates, and a `DynamicAuditing=true` appended as its own
 *   `--feature-gates` merges with kubeadm's. Limits: it holds the change against THIS input (give the
 *   kubeadm-generated manifest, not an already patched one); a `test` operation makes kubeadm refuse it
 *   when the container at that index is not kube-apiserver; volumes are appended, so a kubeadm
 *   `extraVolumes` with the same name or mount path makes kubeadm's result invalid, and
 *   `.../volumeMounts/-` needs the container to have `volumeMounts` (kubeadm always writes some).
 *
 * Applying the same backend to the output again changes nothing, byte for byte.
 */
export class KubeApiServerManifest extends Construct {
  /** The version the change was made for. */
  public readonly version: KubernetesVersion;
  /** The patched Pod document. */
  public readonly pod: Json;
  /** What changed, for the app to print. */
  public readonly plan: ApiServerPlan;
  /** The kubeadm JSON patch operations; empty when the manifest is not in kubeadm's layout. */
  public readonly kubeadmPatch: readonly JsonPatchOperation[];
  /** The patched manifest file (`kube-apiserver.yaml`). */
  public readonly manifestFile: NodeFile;
  /** The audit policy file (webhook backend, unless the manifest names its own policy). @default - none */
  public readonly policyFile?: NodeFile;
  /** The webhook kubeconfig file (webhook backend). @default - none */
  public readonly kubeconfigFile?: NodeFile;
  /**
   * The kubeadm patch (`kube-apiserver+json.yaml`): a JSON patch LIST, not a Kubernetes object, so
   * schema validation must skip it. @default - none when the manifest is not in kubeadm's layout
   */
  public readonly kubeadmPatchFile?: NodeFile;

  private readonly flagChanges: FlagChange[] = [];
  private readonly notes: string[] = [];
  private readonly volumesAdded: PlannedVolume[] = [];
  private readonly mountsAdded: { -readonly [K in keyof PlannedMount]: PlannedMount[K] }[] = [];
  private readonly mountsReused: PlannedMount[] = [];
  private readonly commandLine: ApiServerCommandLine;
  private readonly manifestLocation: ErrorLocation;
  private readonly source: StaticPodManifest;
  private readonly container: Json;
  private readonly containerIndex: number;

  constructor(scope: Construct, id: string, props: KubeApiServerManifestProps) {
    super(scope, id);
    const manifest = props.manifest;
    if (!(manifest instanceof StaticPodManifest)) throw new UserError('manifest must be a StaticPodManifest (StaticPodManifest.fromFile)');
    if (!(props.backend instanceof ApiServerAuditBackend))
      throw new UserError('backend must be ApiServerAuditBackend.dynamic() or ApiServerAuditBackend.webhook({...})');
    this.version = props.kubernetesVersion ?? manifest.imageVersion();
    this.pod = JSON.parse(JSON.stringify(manifest.document)) as Json;
    this.containerIndex = manifest.containerIndex;
    this.container = ((this.pod.spec as Json).containers as Json[])[this.containerIndex];
    this.source = manifest;
    this.manifestLocation = manifest.locate(['spec', 'containers', this.containerIndex]);
    this.commandLine = ApiServerCommandLine.parse(this.container, this.manifestLocation);

    const nodeFiles: NodeFileSpec[] = [];
    if (props.backend.kind === 'dynamic') {
      this.applyDynamic();
    } else {
      nodeFiles.push(...this.applyWebhook(props.backend._webhook!));
    }

    // write the command line back in place (key order kept)
    const rendered = this.commandLine.render();
    if (rendered.command !== undefined) this.container.command = rendered.command;
    if (rendered.args !== undefined) this.container.args = rendered.args;

    // kubeadm before 1.19 cannot apply patch files, so a patch would only mislead there.
    this.kubeadmPatch = this.version.kubeadmPatches ? this.buildKubeadmPatch() : [];
    this.manifestFile = this.writeManifestFile(manifest);
    for (const f of nodeFiles) {
      const file = new NodeFile(this, f.id, { nodePath: f.nodePath, fileName: f.fileName, document: f.document, description: f.description });
      if (f.id === 'Policy') this.policyFile = file;
      else this.kubeconfigFile = file;
    }
    const kubeadmPatchFile = this.writeKubeadmPatchFile();
    if (kubeadmPatchFile) this.kubeadmPatchFile = kubeadmPatchFile;

    this.plan = new ApiServerPlan({
      version: this.version.toString(),
      backend: props.backend.kind,
      flags: this.flagChanges,
      volumesAdded: this.volumesAdded,
      mountsAdded: this.mountsAdded,
      mountsReused: this.mountsReused,
      // the plan lists exactly the node files this construct holds
      files: NodeFile.all(this).map((f) => ({ fileName: f.fileName, nodePath: f.nodePath, description: f.description })),
      cleanups: manifest.cleanups,
      notes: this.notes,
    });
  }

  /** The patched manifest as the input's own text with the change in it, so that diff shows the change alone (reviewed in a pull request). */
  private writeManifestFile(manifest: StaticPodManifest): NodeFile {
    const manifestDescription =
      `the patched kube-apiserver static pod manifest: replace ${KUBE_APISERVER_MANIFEST_PATH} with it ` +
      '(keep no backup in that folder: the kubelet runs every file there)';
    const edited = manifest.editedText(this.pod);
    if (edited.reason !== undefined) {
      this.notes.push(
        `kube-apiserver.yaml is the patched pod written anew, without the input's comments and layout: the input could not be edited in place (${edited.reason})`,
      );
    }
    return new NodeFile(this, 'Manifest', {
      nodePath: KUBE_APISERVER_MANIFEST_PATH,
      fileName: 'kube-apiserver.yaml',
      document: this.pod,
      text: edited.text,
      description: manifestDescription,
    });
  }

  /** The kubeadm patch file when there is a patch, else a note saying why there is none. */
  private writeKubeadmPatchFile(): NodeFile | undefined {
    const patches = this.version.kubeadmPatches;
    if (this.kubeadmPatch.length > 0 && patches) {
      const description = patches.initJoinNeedConfigField
        ? `the same change for kubeadm: put it in a folder and name that folder in ${patches.configField} (kubeadm init/join) or pass ${patches.flag} <folder> to kubeadm upgrade`
        : `the same change for kubeadm: put it in a folder and pass ${patches.flag} <folder> to kubeadm init/join/upgrade` +
          (patches.configField ? ` (or set ${patches.configField})` : '');
      const file = new NodeFile(this, 'KubeadmPatch', { fileName: 'kube-apiserver+json.yaml', document: this.kubeadmPatch, description });
      if (this.flagChanges.some((f) => f.action === 'kept' && f.flag.startsWith('audit-'))) {
        this.notes.push(
          "the kubeadm patch carries only this change: the audit flags kept from the manifest must also be in kubeadm's " +
            'ClusterConfiguration (apiServer.extraArgs and extraVolumes), or kubeadm upgrade drops them',
        );
      }
      return file;
    } else if (!patches && this.isKubeadmLayout()) {
      this.notes.push(
        `no kubeadm patch: kubeadm ${this.version.major}.${this.version.minor} cannot apply patch files (they came in 1.19); ` +
          'kubeadm upgrade rewrites the manifest, so place the patched manifest again after every upgrade',
      );
    } else if (!this.isKubeadmLayout()) {
      this.notes.push(
        `no kubeadm patch: the manifest starts kube-apiserver as "${cut(this.commandLine.binary)}" (${this.commandLine.form}), not in kubeadm's layout`,
      );
    }
    return undefined;
  }

  private applyDynamic(): void {
    if (!this.version.supportsDynamicAuditing) {
      throw new UserError(
        `the dynamic audit backend needs Kubernetes 1.13-1.18, but this API server runs ${this.version}: ` +
          'DynamicAuditing and auditregistration.k8s.io were removed in 1.19 and kube-apiserver would refuse to start; ' +
          'use the webhook backend (ApiServerAuditBackend.webhook / backend: webhook) instead',
      );
    }
    const cl = this.commandLine;
    this.flagChanges.push(cl.set('audit-dynamic-configuration', true));
    this.flagChanges.push(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true'));
    this.flagChanges.push(cl.setMapKey('runtime-config', 'auditregistration.k8s.io/v1alpha1', 'true'));
  }

  private applyWebhook(w: ResolvedWebhook): NodeFileSpec[] {
    const policyPath = `${w.directory}/${AUDIT_POLICY_FILE}`;
    const kubeconfigPath = `${w.directory}/${AUDIT_KUBECONFIG_FILE}`;
    const needs: MountNeed[] = [];
    const writePolicy = this.applyWebhookPolicy(w, policyPath, needs);
    this.applyWebhookConfig(w, kubeconfigPath, needs);
    this.applyAuditLog(w, needs);
    const hostPaths = this.mount(needs);
    const out: NodeFileSpec[] = [];
    if (writePolicy) {
      out.push({
        id: 'Policy',
        fileName: 'audit-policy.yaml',
        nodePath: hostPaths.get(policyPath),
        document: w.policy.toDocument(),
        description: 'the audit policy named by --audit-policy-file',
      });
    }
    if (hostPaths.has(kubeconfigPath)) {
      out.push({
        id: 'WebhookKubeconfig',
        fileName: 'audit-webhook-kubeconfig.yaml',
        nodePath: hostPaths.get(kubeconfigPath),
        document: w.kubeconfig.toDocument(),
        description: `the audit webhook kubeconfig named by --audit-webhook-config-file (server ${w.kubeconfig.server})`,
      });
    }
    return out;
  }

  /** `--audit-policy-file`: ours, unless the manifest names its own policy (kept, and checked to be mounted); true when ours is written. */
  private applyWebhookPolicy(w: ResolvedWebhook, policyPath: string, needs: MountNeed[]): boolean {
    const existingPolicy = this.commandLine.get('audit-policy-file');
    if (existingPolicy !== undefined && existingPolicy !== policyPath) {
      this.flagChanges.push({
        flag: 'audit-policy-file',
        action: 'kept',
        from: existingPolicy,
        to: existingPolicy,
        reason: "the operator's policy is kept and ours is not written; make sure it records what Falco needs",
      });
      const spec = this.pod.spec as Json;
      const mounted = findCoveringMount(
        { path: existingPolicy, writable: false, directory: '', volumeName: '' },
        (Array.isArray(this.container.volumeMounts) ? this.container.volumeMounts : []) as Json[],
        (Array.isArray(spec.volumes) ? spec.volumes : []) as Json[],
      );
      if (!mounted)
        this.notes.push(`the operator's policy file ${cut(existingPolicy)} is on no hostPath mount of the container: kube-apiserver cannot read it`);
      return false;
    }
    this.flagChanges.push(this.commandLine.set('audit-policy-file', policyPath));
    needs.push({ path: policyPath, writable: false, directory: w.directory, volumeName: 'falco-audit', location: { field: 'webhook.directory' } });
    return true;
  }

  /** `--audit-webhook-config-file` and the webhook's mode and backoff flags; another webhook is refused unless it may be replaced. */
  private applyWebhookConfig(w: ResolvedWebhook, kubeconfigPath: string, needs: MountNeed[]): void {
    const cl = this.commandLine;
    const existingWebhook = cl.get('audit-webhook-config-file');
    if (existingWebhook !== undefined && existingWebhook !== kubeconfigPath && !w.replaceExistingWebhook) {
      throw new UserError(
        `the manifest already sends audit events to a webhook (--audit-webhook-config-file=${cut(existingWebhook)}); kube-apiserver ` +
          'has one static webhook, so pointing it at Falco would cut that consumer off. Set replaceExistingWebhook ' +
          '(config: audit.webhook.replaceExisting: true) to replace it, or use a different setup for Falco',
        this.source.locate(['spec', 'containers', this.containerIndex, ...(cl.locate('audit-webhook-config-file') ?? [])]),
      );
    }
    this.flagChanges.push(cl.set('audit-webhook-config-file', kubeconfigPath));
    needs.push({
      path: kubeconfigPath,
      writable: false,
      directory: w.directory,
      volumeName: 'falco-audit',
      location: { field: 'webhook.directory' },
    });
    this.flagChanges.push(cl.set('audit-webhook-mode', w.mode));
    if (w.mode === 'batch') {
      this.flagChanges.push(cl.set('audit-webhook-batch-max-wait', w.batchMaxWait));
    }
    this.flagChanges.push(cl.set('audit-webhook-initial-backoff', w.initialBackoff));
  }

  /** The `--audit-log-*` flags (the operator's values kept) and a writable mount for the log file in effect. */
  private applyAuditLog(w: ResolvedWebhook, needs: MountNeed[]): void {
    if (!w.auditLog) return;
    const cl = this.commandLine;
    const keep = "kept the operator's value";
    const log: [string, string][] = [
      ['audit-log-path', w.auditLog.path],
      ['audit-log-maxage', String(w.auditLog.maxAge)],
      ['audit-log-maxbackup', String(w.auditLog.maxBackup)],
      ['audit-log-maxsize', String(w.auditLog.maxSize)],
    ];
    for (const [flag, value] of log) {
      this.flagChanges.push(cl.ensure(flag, value, `${keep}; ours would be ${value}`));
    }
    const logPath = cl.get('audit-log-path');
    if (logPath && logPath !== '-' && path.posix.isAbsolute(logPath)) {
      // ours, or the operator's flag kept from the manifest
      const location =
        logPath === w.auditLog.path
          ? { field: 'webhook.auditLog.path' }
          : this.source.locate(['spec', 'containers', this.containerIndex, ...(cl.locate('audit-log-path') ?? [])]);
      needs.push({ path: logPath, writable: true, directory: path.posix.dirname(logPath), volumeName: 'audit-log', location });
    }
  }

  /** Makes every needed container path available; returns the node path of each. */
  private mount(needs: MountNeed[]): Map<string, string> {
    const spec = this.pod.spec as Json;
    const hostPaths = new Map<string, string>();
    for (const need of needs) {
      const volumes = (Array.isArray(spec.volumes) ? spec.volumes : []) as Json[];
      const mounts = (Array.isArray(this.container.volumeMounts) ? this.container.volumeMounts : []) as Json[];
      const covering = findCoveringMount(need, mounts, volumes);
      if (covering) {
        hostPaths.set(need.path, covering.hostPath);
        this.reuseMount(need, covering.mount);
        continue;
      }
      this.checkNewMount(need, mounts);
      hostPaths.set(need.path, this.addMount(need, volumes));
    }
    return hostPaths;
  }

  /** Records that an existing mount (ours from an earlier need, or the manifest's) serves `need.path`. */
  private reuseMount(need: MountNeed, mount: Json): void {
    const ours = this.mountsAdded.find((m) => m.name === mount.name && m.mountPath === mount.mountPath);
    if (ours) {
      ours.serves = `${ours.serves}, ${need.path}`;
    } else if (!this.mountsReused.some((m) => m.serves === need.path)) {
      this.mountsReused.push({
        name: String(mount.name),
        mountPath: String(mount.mountPath),
        readOnly: mount.readOnly === true,
        serves: need.path,
      });
    }
  }

  /** Refuses a new mount of `need.directory` that an existing mount would hide or clash with, or that is a protected folder. */
  private checkNewMount(need: MountNeed, mounts: Json[]): void {
    const dir = need.directory;
    // a mount deeper than `dir` that covers the path would hide a new mount at `dir` from it
    const shadow = mounts.find((m) => {
      if (typeof m.mountPath !== 'string') return false;
      const mp = normalizeDir(m.mountPath);
      return mp.length > dir.length && (need.path === mp || need.path.startsWith(`${mp}/`));
    });
    if (shadow) {
      throw new UserError(
        `cannot make ${cut(need.path)} ${need.writable ? 'writable' : 'readable'} for kube-apiserver: it lies under the mount of volume ` +
          `${echo(shadow.name)} at ${cut(shadow.mountPath)}, which is ` +
          `${need.writable ? 'read-only or not a hostPath, and the audit log must be writable' : 'not a plain hostPath'}; ` +
          'choose a path outside it (audit.webhook.auditLog.path, audit.webhook.directory)',
        need.location,
      );
    }
    const clash = mounts.find((m) => m.mountPath === dir || (typeof m.mountPath === 'string' && m.mountPath.replace(/\/$/, '') === dir));
    if (clash) {
      throw new UserError(
        `cannot mount ${cut(dir)} into kube-apiserver for ${cut(need.path)}: the container already mounts volume ${echo(clash.name)} there ` +
          `(${need.writable ? 'read-only or not a hostPath, and the audit log must be writable' : 'not a plain hostPath'}); choose another directory`,
        need.location,
      );
    }
    // a flag kept from the manifest (an operator's --audit-log-path) can name such a folder too
    const problem = protectedFolderProblem(dir);
    if (problem) {
      throw new UserError(
        `cannot mount ${dir} into kube-apiserver for ${need.path}: ${problem}; change ${need.writable ? '--audit-log-path' : 'the audit directory'} to a folder of its own`,
        need.location,
      );
    }
  }

  /** Mounts `need.directory` (reusing a hostPath volume of it, else adding one); returns the node path of `need.path`. */
  private addMount(need: MountNeed, volumes: Json[]): string {
    const spec = this.pod.spec as Json;
    const dir = need.directory;
    // an existing hostPath volume of that directory is mounted rather than declared twice
    let volume = volumes.find((v) => isHostPathVolume(v) && normalizeDir((v.hostPath as Json).path as string) === dir);
    if (!volume) {
      const name = uniqueName(need.volumeName, volumes);
      volume = { hostPath: { path: dir, type: 'DirectoryOrCreate' }, name };
      if (!Array.isArray(spec.volumes)) spec.volumes = [];
      (spec.volumes as Json[]).push(volume);
      this.volumesAdded.push({ name, hostPath: dir, type: 'DirectoryOrCreate' });
    }
    const mount: Json = need.writable ? { mountPath: dir, name: volume.name } : { mountPath: dir, name: volume.name, readOnly: true };
    if (!Array.isArray(this.container.volumeMounts)) this.container.volumeMounts = [];
    (this.container.volumeMounts as Json[]).push(mount);
    this.mountsAdded.push({ name: String(volume.name), mountPath: dir, readOnly: !need.writable, serves: need.path });
    return path.posix.join(normalizeDir((volume.hostPath as Json).path as string), path.posix.relative(dir, need.path));
  }

  private isKubeadmLayout(): boolean {
    return this.commandLine.form === 'binary' && this.commandLine.appendTo === 'command' && this.container.args === undefined;
  }

  private buildKubeadmPatch(): JsonPatchOperation[] {
    if (!this.isKubeadmLayout()) return [];
    const changed = this.flagChanges.filter((f) => f.action !== 'kept');
    if (changed.length === 0 && this.volumesAdded.length === 0 && this.mountsAdded.length === 0) return [];
    const base = `/spec/containers/${this.containerIndex}`;
    const ops: JsonPatchOperation[] = [{ op: 'test', path: `${base}/name`, value: this.container.name }];
    const mapKeys = new Map<string, string[]>();
    for (const f of changed) {
      if (f.key !== undefined) {
        mapKeys.set(f.flag, [...(mapKeys.get(f.flag) ?? []), `${f.key}=${f.to}`]);
      } else {
        // the same item the patched manifest got (a bare boolean stays bare)
        ops.push({ op: 'add', path: `${base}/command/-`, value: flagItem(f) });
      }
    }
    for (const [flag, items] of mapKeys) ops.push({ op: 'add', path: `${base}/command/-`, value: `--${flag}=${items.join(',')}` });
    for (const v of this.volumesAdded) {
      ops.push({ op: 'add', path: '/spec/volumes/-', value: { hostPath: { path: v.hostPath, type: v.type }, name: v.name } });
    }
    for (const m of this.mountsAdded) {
      ops.push({
        op: 'add',
        path: `${base}/volumeMounts/-`,
        value: m.readOnly ? { mountPath: m.mountPath, name: m.name, readOnly: true } : { mountPath: m.mountPath, name: m.name },
      });
    }
    return ops;
  }
}

function normalizeDir(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

function isHostPathVolume(v: Json): boolean {
  return (
    v !== null && typeof v === 'object' && typeof v.hostPath === 'object' && v.hostPath !== null && typeof (v.hostPath as Json).path === 'string'
  );
}

/**
 * The mount the container sees at `need.path` (the deepest one covering it), when it is a plain
 * hostPath mount (no subPath) that is writable if `need.writable`; its node path for `need.path`.
 */
function findCoveringMount(need: MountNeed, mounts: Json[], volumes: Json[]): { mount: Json; hostPath: string } | undefined {
  let deepest: { mount: Json; mp: string } | undefined;
  for (const m of mounts) {
    if (typeof m.mountPath !== 'string') continue;
    const mp = normalizeDir(m.mountPath);
    if (!(need.path === mp || need.path.startsWith(mp === '/' ? '/' : `${mp}/`))) continue;
    if (!deepest || mp.length > deepest.mp.length) deepest = { mount: m, mp };
  }
  if (!deepest) return undefined;
  const m = deepest.mount;
  if (m.subPath !== undefined || m.subPathExpr !== undefined) return undefined;
  if (need.writable && m.readOnly === true) return undefined;
  const volume = volumes.find((v) => v.name === m.name);
  if (!volume || !isHostPathVolume(volume)) return undefined;
  const hostRoot = normalizeDir((volume.hostPath as Json).path as string);
  return { mount: m, hostPath: path.posix.join(hostRoot, path.posix.relative(deepest.mp, need.path)) };
}

function uniqueName(base: string, volumes: Json[]): string {
  const taken = new Set(volumes.map((v) => v.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
