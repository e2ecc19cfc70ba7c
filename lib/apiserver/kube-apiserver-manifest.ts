import * as path from 'path';
import { Construct } from 'constructs';
import { ErrorLocation, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { NodeFile } from '../core/node-file';
import { cut, echo } from '../core/util';
import { ApiServerAuditBackend, AuditBackendTarget, MountNeed } from './api-server-audit-backend';
import { ApiServerPlan, PlannedMount, PlannedVolume } from './api-server-plan';
import { protectedFolderProblem } from './audit-folders';
import { ApiServerCommandLine, FlagChange, flagItem } from './flags';
import { StaticPodManifest } from './static-pod-manifest';

// moved to their own files; re-exported so that this path keeps exporting them
export { ApiServerAuditBackend } from './api-server-audit-backend';
export type { AuditLogOptions, AuditWebhookMode, AuditWebhookOptions, WebhookBackendOptions } from './api-server-audit-backend';
export { DEFAULT_AUDIT_DIRECTORY, DEFAULT_AUDIT_LOG, PROTECTED_HOST_FOLDERS, protectedFolderProblem } from './audit-folders';

type Json = Record<string, unknown>;

/** Where kubeadm (and most installers) keep the static pod manifest. */
export const KUBE_APISERVER_MANIFEST_PATH = '/etc/kubernetes/manifests/kube-apiserver.yaml';
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
  public readonly kubeadmPatch: JsonPatchOperation[];
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
    if (!StaticPodManifest.isStaticPodManifest(manifest)) throw new UserError('manifest must be a StaticPodManifest (StaticPodManifest.fromFile)');
    if (!ApiServerAuditBackend.isApiServerAuditBackend(props.backend))
      throw new UserError('backend must be ApiServerAuditBackend.dynamic() or ApiServerAuditBackend.webhook({...})');
    this.version = props.kubernetesVersion ?? manifest.imageVersion();
    this.pod = JSON.parse(JSON.stringify(manifest.document)) as Json;
    this.containerIndex = manifest.containerIndex;
    this.container = ((this.pod.spec as Json).containers as Json[])[this.containerIndex];
    this.source = manifest;
    this.manifestLocation = manifest.locate(['spec', 'containers', this.containerIndex]);
    this.commandLine = ApiServerCommandLine.parse(this.container, this.manifestLocation);

    const nodeFiles = props.backend._bind(this.bindTarget());

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

  /** What the backend may use and change while it binds: the command line, the plan's records, this manifest's mounts. */
  private bindTarget(): AuditBackendTarget {
    const spec = this.pod.spec as Json;
    return {
      version: this.version,
      commandLine: this.commandLine,
      flagChanges: this.flagChanges,
      notes: this.notes,
      locateFlag: (flag) => this.source.locate(['spec', 'containers', this.containerIndex, ...(this.commandLine.locate(flag) ?? [])]),
      isReadable: (containerPath) =>
        findCoveringMount(
          { path: containerPath, writable: false, directory: '', volumeName: '' },
          (Array.isArray(this.container.volumeMounts) ? this.container.volumeMounts : []) as Json[],
          (Array.isArray(spec.volumes) ? spec.volumes : []) as Json[],
        ) !== undefined,
      mount: (needs) => this.mount(needs),
    };
  }

  /** The patched manifest as the input's own text with the change in it, so that diff shows the change alone (reviewed in a pull request). */
  private writeManifestFile(manifest: StaticPodManifest): NodeFile {
    const manifestDescription =
      `the patched kube-apiserver static pod manifest: replace ${KUBE_APISERVER_MANIFEST_PATH} with it ` +
      '(keep no backup in that folder: the kubelet runs every file there)';
    const edited = manifest._editedText(this.pod);
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
