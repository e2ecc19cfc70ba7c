import * as path from 'path';
import { ErrorLocation, UserError } from '../../core/errors';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { cut } from '../../core/util';
import { ApiServerAuditBackend, AuditBackendTarget, AuditFileDefaults, MountNeed, NodeFileSpec } from '../api-server-audit-backend';
import { PlannedMount, PlannedVolume } from '../api-server-plan';
import { protectedFolderProblem } from '../audit-folders';
import { ApiServerCommandLine, FlagChange } from '../flags';

/**
 * A folder the API server already sees: the distribution mounts it into its static pod (Talos's audit log folder,
 * minikube's /etc/ssl/certs), or the user's own configuration does (a KubeadmControlPlane's extraVolumes).
 */
export interface ExistingMount {
  /** The folder on the node. */
  readonly hostPath: string;
  /** Where the API server sees it. */
  readonly mountPath: string;
  readonly readOnly: boolean;
  /** The volume's name, for the plan. */
  readonly name: string;
}

/** A hostPath volume a target adds to the API server: node folder -> container folder. */
export interface TargetVolume {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  /** The paths the flags name that it makes available. */
  readonly serves: string[];
}

/**
 * A flag the distribution passes the API server itself (RKE2's and Talos's audit log rotation): ours is not written
 * when it agrees; a different value is refused (the distribution's would win, or be passed twice), unless the
 * distribution takes ours instead (`overridable`).
 */
export interface OwnFlag {
  readonly flag: string;
  readonly value: string;
  /** Where the distribution's code sets it, for messages: `staticpod.go L240-245 @ v1.36.3+rke2r1`. */
  readonly source: string;
  /** The setting that made ours, for an error. */
  readonly field: string;
  /** The distribution uses ours when it is given (RKE2's --audit-log-path). @default false */
  readonly overridable?: boolean;
}

/** Where the API server runs, so how it sees the audit files. */
export type FilePlacement =
  /** A host process (k3s, k0s, MicroK8s's kubelite): the flags name node paths, nothing is mounted. */
  | { readonly kind: 'host' }
  /**
   * A static pod: a file is readable where an existing mount covers it, else a volume is added (or refused with
   * `noVolumes`, the reason the target cannot add one).
   */
  | {
      readonly kind: 'static-pod';
      readonly existing: readonly ExistingMount[];
      readonly noVolumes?: string;
      readonly takenNames?: readonly string[];
    };

/** What a distribution target gives the backend to bind against. */
export interface BindingOptions {
  /** The distribution's name, for messages (`k3s`, `Talos`). */
  readonly distribution: string;
  readonly version: KubernetesVersion;
  readonly defaults: AuditFileDefaults;
  readonly placement: FilePlacement;
  /** The command line the backend writes on. @default - an empty one: the target does not read the user's flags */
  readonly commandLine?: ApiServerCommandLine;
  /** Where a flag of `commandLine` is written, for an error. @default - nowhere known */
  readonly locateFlag?: (flag: string) => ErrorLocation;
  /** Flags the distribution passes itself. @default - none */
  readonly ownFlags?: readonly OwnFlag[];
}

/** The backend bound to a distribution target: what to write, in the target's format. */
export interface Binding {
  /** Every flag change the backend asked for, the distribution's own flags recorded as kept. */
  readonly flagChanges: FlagChange[];
  /** The flags (or map keys) to write: added or changed, not passed by the distribution itself. */
  readonly emitted: FlagChange[];
  readonly volumes: TargetVolume[];
  readonly mountsReused: PlannedMount[];
  /** The policy and kubeconfig (webhook backend), with their node paths. */
  readonly files: NodeFileSpec[];
  readonly notes: string[];
}

/** An empty kube-apiserver command line: the flags a target writes, in order. */
export function emptyCommandLine(): ApiServerCommandLine {
  return ApiServerCommandLine.parse({ command: ['kube-apiserver'] });
}

/** True when `p` is `dir` or inside it. */
export function isWithin(p: string, dir: string): boolean {
  const d = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
}

/** The deepest existing mount covering `need.path`, usable for it (writable when it must be). */
function coveringMount(need: MountNeed, existing: readonly ExistingMount[]): { mount: ExistingMount; usable: boolean } | undefined {
  const covering = existing.filter((m) => isWithin(need.path, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return covering && { mount: covering, usable: !(need.writable && covering.readOnly) };
}

/** Mounts of a static pod: reuse what covers a path, add a volume of its folder otherwise (or refuse, with the reason). */
class StaticPodMounts {
  public readonly volumes: TargetVolume[] = [];
  public readonly reused: PlannedMount[] = [];

  constructor(
    private readonly placement: Extract<FilePlacement, { kind: 'static-pod' }>,
    private readonly distribution: string,
  ) {}

  public mount(needs: MountNeed[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const need of needs) out.set(need.path, this.place(need));
    return out;
  }

  private place(need: MountNeed): string {
    const ours = this.volumes.find((v) => isWithin(need.path, v.mountPath) && (v.readOnly === false || !need.writable));
    if (ours) {
      ours.serves.push(need.path);
      return path.posix.join(ours.hostPath, path.posix.relative(ours.mountPath, need.path));
    }
    const covering = coveringMount(need, this.placement.existing);
    if (covering?.usable) {
      const m = covering.mount;
      if (!this.reused.some((r) => r.serves === need.path)) {
        this.reused.push({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly, serves: need.path });
      }
      return path.posix.join(m.hostPath, path.posix.relative(m.mountPath, need.path));
    }
    return this.add(need, covering?.mount);
  }

  private add(need: MountNeed, covering: ExistingMount | undefined): string {
    const what = need.writable ? 'writable' : 'readable';
    if (this.placement.noVolumes !== undefined) {
      throw new UserError(
        `${this.distribution} cannot make ${cut(need.path)} ${what} for kube-apiserver: ${this.placement.noVolumes}`,
        need.location,
      );
    }
    if (covering) {
      throw new UserError(
        `cannot make ${cut(need.path)} ${what} for kube-apiserver on ${this.distribution}: it lies under ${covering.mountPath} ` +
          `(volume ${covering.name}), which is read-only; choose a path outside it`,
        need.location,
      );
    }
    const problem = protectedFolderProblem(need.directory);
    if (problem) {
      throw new UserError(
        `cannot mount ${need.directory} into kube-apiserver for ${need.path}: ${problem}; choose a folder of its own`,
        need.location,
      );
    }
    const taken = new Set([...(this.placement.takenNames ?? []), ...this.placement.existing.map((m) => m.name), ...this.volumes.map((v) => v.name)]);
    let name = need.volumeName;
    for (let i = 2; taken.has(name); i++) name = `${need.volumeName}-${i}`;
    this.volumes.push({ name, hostPath: need.directory, mountPath: need.directory, readOnly: !need.writable, serves: [need.path] });
    return need.path;
  }
}

/** The distribution's own flags: ours agreeing is recorded as kept and not written; a different value is refused. */
function applyOwnFlags(changes: FlagChange[], options: BindingOptions): FlagChange[] {
  return changes.map((change) => {
    const own = (options.ownFlags ?? []).find((o) => o.flag === change.flag && change.key === undefined);
    if (!own || change.action === 'kept') return change;
    if (change.to === own.value) {
      return {
        flag: change.flag,
        action: 'kept',
        from: own.value,
        to: own.value,
        reason: `passed by ${options.distribution} itself (${own.source})`,
      };
    }
    if (own.overridable) return change;
    throw new UserError(
      `${options.distribution} passes --${own.flag}=${own.value} to the API server itself (${own.source}), and ours would not ` +
        `take effect (or be passed twice), got ${cut(change.to)}; leave the setting out or set it to ${own.value}`,
      { field: own.field },
    );
  });
}

/**
 * Binds `backend` against a distribution target: the backend writes its flags on the target's command line (empty,
 * or the user's where the target reads them) and asks for its files to be readable; the target says where they are.
 * Returns what the target renders in its own format.
 */
export function bindAudit(backend: ApiServerAuditBackend, options: BindingOptions): Binding {
  const commandLine = options.commandLine ?? emptyCommandLine();
  const flagChanges: FlagChange[] = [];
  const notes: string[] = [];
  const mounts = options.placement.kind === 'static-pod' ? new StaticPodMounts(options.placement, options.distribution) : undefined;
  const target: AuditBackendTarget = {
    version: options.version,
    commandLine,
    flagChanges,
    notes,
    defaults: options.defaults,
    locateFlag: options.locateFlag ?? (() => ({})),
    isReadable: (containerPath) =>
      mounts === undefined || coveringMount({ path: containerPath, writable: false, directory: '', volumeName: '' }, mountsOf(options)) !== undefined,
    mount: (needs) => (mounts ? mounts.mount(needs) : new Map(needs.map((n) => [n.path, n.path]))),
  };
  const files = backend._bind(target);
  const changes = applyOwnFlags(flagChanges, options);
  return {
    flagChanges: changes,
    emitted: changes.filter((c) => c.action !== 'kept'),
    volumes: mounts?.volumes ?? [],
    mountsReused: mounts?.reused ?? [],
    files,
    notes,
  };
}

function mountsOf(options: BindingOptions): readonly ExistingMount[] {
  return options.placement.kind === 'static-pod' ? options.placement.existing : [];
}

/** The plan's records of the volumes a target adds. */
export function plannedVolumes(
  volumes: readonly TargetVolume[],
  type = 'DirectoryOrCreate',
): { volumesAdded: PlannedVolume[]; mountsAdded: PlannedMount[] } {
  return {
    volumesAdded: volumes.map((v) => ({ name: v.name, hostPath: v.hostPath, type })),
    mountsAdded: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly, serves: v.serves.join(', ') })),
  };
}

/** kubeadm's `apiServer.extraVolumes` (HostPathMount: kind's patch, a KubeadmControlPlane) for the volumes a target adds. */
export function kubeadmExtraVolumes(volumes: readonly TargetVolume[]): Record<string, unknown>[] {
  return volumes.map((v) => ({ name: v.name, hostPath: v.hostPath, mountPath: v.mountPath, readOnly: v.readOnly, pathType: 'DirectoryOrCreate' }));
}

/** A flag change as `name=value` for a distribution's argument list (`audit-webhook-mode=batch`). */
export function argOf(change: FlagChange): string {
  return `${change.flag}=${change.to}`;
}
