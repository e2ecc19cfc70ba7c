import * as path from 'path';
import { Construct } from 'constructs';
import { UserError } from '../../core/errors';
import { NodeFile } from '../../core/node-file';
import { PlanMessage } from '../../core/plan-message';
import { ValidationItem, Violation } from '../../validation';
import { KubeApiServerManifest } from '../kube-apiserver-manifest';
import { StaticPodManifest } from '../static-pod-manifest';
import { STATIC_POD } from './reachability';
import { installLine } from './shell';
import { Distribution, DistributionSpec, IControlPlaneTarget, TargetBuildProps, TargetFileRole } from './target-spec';

/** kubeadm's default `--service-cluster-ip-range`. */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';

/** Options of `ControlPlane.kubeadm`. */
export interface KubeadmControlPlaneOptions {
  /** The kube-apiserver static pod manifest to patch (kubeadm, kops, Kubespray). */
  readonly manifest: StaticPodManifest;
}

/** The patched manifest and its files, as a control-plane target. */
class KubeadmTarget implements IControlPlaneTarget {
  public readonly distribution = Distribution.KUBEADM;
  public readonly warnings: PlanMessage[] = [];

  constructor(public readonly kubeApiServerManifest: KubeApiServerManifest) {}

  public get version() {
    return this.kubeApiServerManifest.version;
  }

  public get plan() {
    return this.kubeApiServerManifest.plan;
  }

  public get files(): NodeFile[] {
    return NodeFile.all(this.kubeApiServerManifest);
  }

  /** Every file: the Pod, the policy, the kubeconfig and the kubeadm patch (a JSON patch, which the validation checks as such). */
  public _kubernetesItems(): ValidationItem[] {
    return this.files.map((f) => ({ source: `node/${f.fileName}`, object: f.document }));
  }

  public _distributionViolations(): Violation[] {
    return [];
  }

  public readonly _applyCreatesCluster = false;

  /** The manifest, the policy and kubeconfig it names, and the kubeadm patch, by their ids. */
  public _fileRoles(): TargetFileRole[] {
    const roles: Record<string, string> = {
      Manifest: 'static-pod-manifest',
      Policy: 'audit-policy',
      WebhookKubeconfig: 'webhook-kubeconfig',
      KubeadmPatch: 'kubeadm-patch',
    };
    return this.files.map((f) => ({
      fileName: f.fileName,
      role: roles[f.node.id] ?? f.node.id,
      destination: f.nodePath ?? 'the patches folder kubeadm reads (--patches, or patches.directory)',
    }));
  }

  public _restartCheck(): string[] {
    return ['  crictl ps --name kube-apiserver   (a new container, started after the manifest changed)'];
  }

  /** The node files: what the manifest names first, the manifest last, and the kubeadm patch. */
  public _applySteps(nodeDir: string): string[][] {
    const steps: string[][] = [];
    const files = this.files.filter((f) => f.nodePath !== undefined);
    const manifest = files.filter((f) => f.nodePath!.startsWith('/etc/kubernetes/manifests/'));
    const others = files.filter((f) => !manifest.includes(f));
    if (others.length > 0) {
      steps.push([
        'on every control-plane node, place the files the manifest names (root:root, 0600):',
        ...others.map((f) => installLine(nodeDir, f)),
      ]);
    }
    steps.push([
      `on every control-plane node, replace the manifest${others.length ? ' last' : ''} (root:root, 0600; the kubelet restarts ` +
        'kube-apiserver when it changes; keep no backup in /etc/kubernetes/manifests: the kubelet runs every file there):',
      ...manifest.map((f) => installLine(nodeDir, f)),
    ]);
    const patch = this.files.find((f) => f.nodePath === undefined);
    if (patch) {
      steps.push([
        `kubeadm clusters: also put ${path.posix.join(nodeDir, patch.fileName)} in the patches folder kubeadm reads, so upgrades keep the change`,
      ]);
    }
    return steps;
  }
}

/** The kubeadm static pod: today's KubeApiServerManifest, whose version and ranges come from the manifest. @internal */
export function kubeadmSpec(options: KubeadmControlPlaneOptions): DistributionSpec {
  const manifest = options?.manifest;
  if (!StaticPodManifest.isStaticPodManifest(manifest)) {
    throw new UserError('manifest must be a StaticPodManifest (StaticPodManifest.fromFile)', { field: 'apiServerManifest' });
  }
  return {
    distribution: Distribution.KUBEADM,
    name: 'kubeadm',
    runtime: STATIC_POD,
    facts: {
      statedVersion: () => manifest.imageVersion(),
      statedVersionSource: "the manifest's kube-apiserver image",
      serviceClusterIPRange: manifest.serviceClusterIPRange,
      defaultServiceClusterIPRange: { range: DEFAULT_SERVICE_CLUSTER_IP_RANGE, source: "kubeadm's default" },
      serviceNodePortRange: manifest.serviceNodePortRange,
    },
    versionProblem: () => undefined,
    dynamicProblem: () => undefined,
    build: (scope: Construct, id: string, props: TargetBuildProps) =>
      new KubeadmTarget(new KubeApiServerManifest(scope, id, { manifest, kubernetesVersion: props.version, backend: props.backend })),
  };
}
