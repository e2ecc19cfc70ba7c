import { Construct } from 'constructs';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { NodeFile } from '../../core/node-file';
import { PlanMessage } from '../../core/plan-message';
import { ValidationItem, Violation } from '../../validation';
import { NodeFileSpec } from '../api-server-audit-backend';
import { ApiServerPlan } from '../api-server-plan';
import { Binding, plannedVolumes } from './binding';
import { Distribution, IControlPlaneTarget, TargetBuildProps, TargetFileRole } from './target-spec';

/** One file a distribution target writes: a NodeFile with the role it plays, for the plan. */
export interface TargetFileProps {
  readonly id: string;
  readonly fileName: string;
  /** Where it goes on the node. @default - not on a node (a workstation, a management repository) */
  readonly nodePath?: string;
  readonly document: unknown;
  /** The text, when it is not the document written as YAML. @default - the document as YAML */
  readonly text?: string;
  readonly description: string;
  /** What it is, as a stable word for the JSON plan (`config-drop-in`). */
  readonly role: string;
  /** Where it goes, for the JSON plan. @default - `nodePath` */
  readonly destination?: string;
}

/**
 * What the distribution targets share: the version and backend they are built for, their files (NodeFile children,
 * written under `node/` with the Argo CD skip marker), the Kubernetes documents inside them, and their plan.
 */
export abstract class DistributionTarget extends Construct implements IControlPlaneTarget {
  public abstract readonly distribution: Distribution;
  public readonly version: KubernetesVersion;
  public abstract readonly plan: ApiServerPlan;
  /** Things that are valid but often go wrong, for the plan's warnings. */
  public readonly warnings: PlanMessage[] = [];
  protected readonly backendKind: 'dynamic' | 'webhook';
  private readonly documents: ValidationItem[] = [];
  private readonly roles: TargetFileRole[] = [];

  constructor(scope: Construct, id: string, props: TargetBuildProps) {
    super(scope, id);
    this.version = props.version;
    this.backendKind = props.backend.kind;
  }

  public get files(): NodeFile[] {
    return NodeFile.all(this);
  }

  public _kubernetesItems(): ValidationItem[] {
    return [...this.documents];
  }

  public abstract _distributionViolations(): Violation[];

  public abstract _applySteps(nodeDir: string): string[][];

  /** True when applying the files creates (or starts) the cluster (kind, minikube): its objects come after. */
  public get _applyCreatesCluster(): boolean {
    return false;
  }

  /** The lines that show the API server came back, beyond the readiness check every cluster gets. @default - none */
  public _restartCheck(): string[] {
    return [];
  }

  public _fileRoles(): TargetFileRole[] {
    return [...this.roles];
  }

  /** Writes a file of this target. */
  protected file(props: TargetFileProps): NodeFile {
    const destination = props.destination ?? props.nodePath;
    if (destination === undefined) throw new Error(`${props.fileName}: a file without a node path says where it goes`);
    this.roles.push({ fileName: props.fileName, role: props.role, destination });
    return new NodeFile(this, props.id, {
      nodePath: props.nodePath,
      fileName: props.fileName,
      document: props.document,
      text: props.text,
      description: props.description,
    });
  }

  /**
   * Writes the backend's policy and kubeconfig as node files at the paths the flags name; each is validated as what it
   * is. `destination` says where a file goes when that is not its node path (a host folder that is mounted or synced).
   */
  protected nodeFiles(specs: readonly NodeFileSpec[], destination?: (nodePath: string) => string): NodeFile[] {
    return specs.map((f) => {
      this.kubernetesDocument(`node/${f.fileName}`, f.document);
      const role = f.id === 'Policy' ? 'audit-policy' : 'webhook-kubeconfig';
      return this.file({
        id: f.id,
        fileName: f.fileName,
        nodePath: f.nodePath,
        document: f.document,
        description: f.description,
        role,
        destination: destination && f.nodePath ? destination(f.nodePath) : undefined,
      });
    });
  }

  /** A Kubernetes document (the policy, the kubeconfig) to validate against the Kubernetes schema, wherever it is written. */
  protected kubernetesDocument(source: string, object: unknown): void {
    this.documents.push({ source, object });
  }

  /**
   * The plan: the backend's flag changes, the volumes added (of `options.volumeType`), this target's files (under
   * `options.filesHeading`) and notes.
   */
  protected makePlan(binding: Binding, notes: readonly string[], options: { volumeType?: string; filesHeading?: string } = {}): ApiServerPlan {
    return new ApiServerPlan({
      version: this.version.toString(),
      backend: this.backendKind,
      flags: binding.flagChanges,
      ...plannedVolumes(binding.volumes, options.volumeType),
      mountsReused: binding.mountsReused,
      files: this.files.map((f) => ({ fileName: f.fileName, nodePath: f.nodePath, description: f.description })),
      cleanups: [],
      notes: [...binding.notes, ...notes],
      filesHeading: options.filesHeading,
    });
  }
}

/** The policy and kubeconfig specs of a binding, by the backend's ids. */
export function specOf(binding: Binding, id: 'Policy' | 'WebhookKubeconfig'): NodeFileSpec | undefined {
  return binding.files.find((f) => f.id === id);
}
