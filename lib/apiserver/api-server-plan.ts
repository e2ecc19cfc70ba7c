import { FlagChange, flagItem } from './flags';

/** A hostPath volume added to the pod. */
export interface PlannedVolume {
  /** The volume name (unique in the pod). */
  readonly name: string;
  /** The directory on the node. */
  readonly hostPath: string;
  /** The hostPath type, e.g. `DirectoryOrCreate`. */
  readonly type: string;
}

/** A volume mount added to the kube-apiserver container, or an existing one reused. */
export interface PlannedMount {
  /** The volume it mounts. */
  readonly name: string;
  /** Where it is mounted in the container. */
  readonly mountPath: string;
  /** True for a read-only mount. */
  readonly readOnly: boolean;
  /** The path the flags name that this mount makes available. */
  readonly serves: string;
}

/** A file the operator places on the control-plane node. */
export interface PlannedFile {
  /** The file's name in the output's `node/` folder. */
  readonly fileName: string;
  /** Where it goes on the node. @default - no fixed place (e.g. the kubeadm patches folder) */
  readonly nodePath?: string;
  /** What it is. */
  readonly description: string;
}

/** Everything `ApiServerPlan` holds. */
export interface ApiServerPlanProps {
  /** The Kubernetes version the change was made for, e.g. `1.18.2`. */
  readonly version: string;
  /** `dynamic` or `webhook`. */
  readonly backend: 'dynamic' | 'webhook';
  /** Every flag (or map key) asked for, with what happened. */
  readonly flags: FlagChange[];
  /** Volumes added. */
  readonly volumesAdded: PlannedVolume[];
  /** Mounts added. */
  readonly mountsAdded: PlannedMount[];
  /** Existing mounts that already make a needed path available. */
  readonly mountsReused: PlannedMount[];
  /** Files to place on the node. */
  readonly files: PlannedFile[];
  /** What was removed from a mirror pod dump. */
  readonly cleanups: string[];
  /** Anything else the operator must know (kept policies, skipped flags, limits). */
  readonly notes: string[];
  /** The heading of the files in `toText`. @default 'files for the control-plane node' */
  readonly filesHeading?: string;
}

/** The change made to the kube-apiserver manifest, structured for the app and readable by humans. */
export class ApiServerPlan {
  /** The Kubernetes version the change was made for. */
  public readonly version: string;
  /** The audit backend the change sets up. */
  public readonly backend: 'dynamic' | 'webhook';
  /** Flags (or map keys) that were not there. */
  public readonly flagsAdded: FlagChange[];
  /** Flags (or map keys) whose effective value was replaced (`from` -> `to`). */
  public readonly flagsChanged: FlagChange[];
  /** Flags (or map keys) left as they were: already right, or the operator's value kept on purpose (`reason`). */
  public readonly flagsKept: FlagChange[];
  /** hostPath volumes added to the pod. */
  public readonly volumesAdded: PlannedVolume[];
  /** Mounts added to the kube-apiserver container. */
  public readonly mountsAdded: PlannedMount[];
  /** Existing mounts that already cover a file the flags name. */
  public readonly mountsReused: PlannedMount[];
  /** Files to place on the control-plane node. */
  public readonly files: PlannedFile[];
  /** What was removed from a `kubectl get -o yaml` dump to make it a static pod manifest again. */
  public readonly cleanups: string[];
  /** Things the operator should know (kept policies, missing mounts, kubeadm limits). */
  public readonly notes: string[];
  /** The heading of the files in `toText`. */
  public readonly filesHeading: string;

  constructor(props: ApiServerPlanProps) {
    this.version = props.version;
    this.backend = props.backend;
    this.flagsAdded = props.flags.filter((f) => f.action === 'added');
    this.flagsChanged = props.flags.filter((f) => f.action === 'changed');
    this.flagsKept = props.flags.filter((f) => f.action === 'kept');
    this.volumesAdded = [...props.volumesAdded];
    this.mountsAdded = [...props.mountsAdded];
    this.mountsReused = [...props.mountsReused];
    this.files = [...props.files];
    this.cleanups = [...props.cleanups];
    this.notes = [...props.notes];
    this.filesHeading = props.filesHeading ?? 'files for the control-plane node';
  }

  /** True when the manifest needed no change (it was already patched). */
  public get unchanged(): boolean {
    return (
      this.flagsAdded.length === 0 &&
      this.flagsChanged.length === 0 &&
      this.volumesAdded.length === 0 &&
      this.mountsAdded.length === 0 &&
      this.cleanups.length === 0
    );
  }

  /** A plain-text account, one item a line. */
  public toText(): string {
    const lines: string[] = [
      `kube-apiserver ${this.version}: ${this.backend} audit backend${this.unchanged ? ' (manifest already up to date)' : ''}`,
    ];
    const section = (title: string, items: string[]): void => {
      if (items.length === 0) return;
      lines.push(`${title}:`);
      for (const item of items) lines.push(`  ${item}`);
    };
    const name = (f: FlagChange): string => (f.key ? `--${f.flag} ${f.key}` : `--${f.flag}`);
    section(
      'flags added',
      this.flagsAdded.map((f) => (f.key ? `${name(f)}=${f.to}` : flagItem(f))),
    );
    section(
      'flags changed',
      this.flagsChanged.map((f) => `${name(f)}: ${f.from} -> ${f.to}`),
    );
    section(
      'flags kept',
      this.flagsKept.map((f) => `${name(f)}=${f.to}${f.reason ? ` (${f.reason})` : ' (already set)'}`),
    );
    section(
      'volumes added',
      this.volumesAdded.map((v) => `${v.name}: hostPath ${v.hostPath} (${v.type})`),
    );
    section(
      'volume mounts added',
      this.mountsAdded.map((m) => `${m.name} at ${m.mountPath} (${m.readOnly ? 'read-only' : 'writable'}) for ${m.serves}`),
    );
    section(
      'volume mounts reused',
      this.mountsReused.map((m) => `${m.name} at ${m.mountPath} for ${m.serves}`),
    );
    section(
      this.filesHeading,
      this.files.map((f) => `${f.fileName}${f.nodePath ? ` -> ${f.nodePath}` : ''}: ${f.description}`),
    );
    section('removed from the mirror pod dump', [...this.cleanups]);
    section('notes', [...this.notes]);
    return lines.join('\n') + '\n';
  }
}
