import { Construct } from 'constructs';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { PlanMessage } from '../../core/plan-message';
import { NodeFile } from '../../core/node-file';
import { ValidationItem, Violation } from '../../validation';
import { ApiServerAuditBackend } from '../api-server-audit-backend';
import { ApiServerPlan } from '../api-server-plan';
import type { KubeApiServerManifest } from '../kube-apiserver-manifest';
import { ApiServerRuntime } from './reachability';

/** The control planes this library writes the audit wiring for (`apiServer.distribution` in the config file). */
export enum Distribution {
  /** A kubeadm-style static pod manifest (kubeadm, kops, Kubespray): the manifest patched in place. */
  KUBEADM = 'kubeadm',
  /** kind: a `kind.x-k8s.io/v1alpha4` Cluster config for `kind create cluster`. */
  KIND = 'kind',
  /** k3s: a `config.yaml.d` drop-in and the node files. */
  K3S = 'k3s',
  /** RKE2: a `config.yaml.d` drop-in and the node files. */
  RKE2 = 'rke2',
  /** Talos Linux 1.12 and 1.13: a strategic-merge machine config patch. */
  TALOS = 'talos',
  /** Cluster API: a kustomize patch of the user's KubeadmControlPlane. */
  CLUSTER_API = 'cluster-api',
  /** k0s: a ClusterConfig `spec.api` fragment and the node files. */
  K0S = 'k0s',
  /** minikube: the `minikube start --extra-config` line and files for its file sync. */
  MINIKUBE = 'minikube',
  /** MicroK8s: a launch configuration and the `args/kube-apiserver` lines. */
  MICROK8S = 'microk8s',
  /** OpenShift: refused (its API server takes audit profiles only). */
  OPENSHIFT = 'openshift',
}

/** What a control plane's own configuration says before anything is built. @internal */
export interface ControlPlaneFacts {
  /** The version the cluster's own files state (a manifest's image, a KubeadmControlPlane's spec.version); throws when they cannot tell. */
  readonly statedVersion?: () => KubernetesVersion;
  /** Where that version is written, for a message: `the manifest's kube-apiserver image`. */
  readonly statedVersionSource?: string;
  /** The service range the cluster's own files state. */
  readonly serviceClusterIPRange?: string;
  /** The distribution's documented default service range, and where it is documented. */
  readonly defaultServiceClusterIPRange?: { readonly range: string; readonly source: string };
  /** The node port range the cluster's own files state. */
  readonly serviceNodePortRange?: string;
}

/** What a target is built with. @internal */
export interface TargetBuildProps {
  readonly version: KubernetesVersion;
  readonly backend: ApiServerAuditBackend;
  /** The service range Falco's ClusterIP was checked against. */
  readonly serviceClusterIPRange: string;
}

/**
 * One distribution's target, as its file in lib/apiserver/targets/ defines it: where the API server runs, which
 * versions and backends it takes, and how it builds its files. @internal
 */
export interface DistributionSpec {
  readonly distribution: Distribution;
  /** The distribution's name in messages: `k3s`, `RKE2`, `Talos`. */
  readonly name: string;
  readonly runtime: ApiServerRuntime;
  readonly facts: ControlPlaneFacts;
  /** Why the target cannot write for this Kubernetes version, or undefined. */
  versionProblem(version: KubernetesVersion): string | undefined;
  /** Why the target cannot use dynamic auditing (AuditSink) at this version, or undefined when it can. */
  dynamicProblem(version: KubernetesVersion): string | undefined;
  build(scope: Construct, id: string, props: TargetBuildProps): IControlPlaneTarget;
}

/** A file of a control plane's output, for the JSON plan: what it is and where it goes. @internal */
export interface TargetFileRole {
  /** Its name under `node/`. */
  readonly fileName: string;
  /** What it is, as a stable word: `audit-policy`, `webhook-kubeconfig`, `config-drop-in`, `machine-config-patch`, ... */
  readonly role: string;
  /** Where it goes: a node path, or what takes it (`talosctl patch mc`, the management cluster's repository). */
  readonly destination: string;
}

/**
 * The audit wiring written for one control plane: the files, in its own format, and what changes on the API server.
 * FalcoAudit's `controlPlane`.
 */
export interface IControlPlaneTarget {
  /** The distribution it is written for. */
  readonly distribution: Distribution;
  /** The Kubernetes version it is written for. */
  readonly version: KubernetesVersion;
  /** What changes on the API server (flags, volumes, files, notes), for the plan. */
  readonly plan: ApiServerPlan;
  /** Every file it writes (under the output's `node/` folder), in order. */
  readonly files: NodeFile[];
  /** Things that are valid but often go wrong there, for the plan's warnings. */
  readonly warnings: PlanMessage[];
  /** The patched kube-apiserver static pod, for kubeadm. @default - none (another distribution) */
  readonly kubeApiServerManifest?: KubeApiServerManifest;
  /**
   * The Kubernetes documents to validate against the Kubernetes schema (policy, kubeconfig, a patched Pod), wherever
   * they are written (a file of their own, or inside a distribution's fragment). @internal
   */
  _kubernetesItems(): ValidationItem[];
  /** The distribution's fragments against the distribution's own definition (lib/validation/distros). @internal */
  _distributionViolations(): Violation[];
  /** The steps that apply the files, one list of lines per step (`nodeDir`: where the files are, as the user sees it). @internal */
  _applySteps(nodeDir: string): string[][];
  /** Each file's role and where it goes, for the JSON plan. @internal */
  _fileRoles(): TargetFileRole[];
  /** True when applying the files creates (or starts) the cluster, so its objects are applied after. @internal */
  readonly _applyCreatesCluster: boolean;
  /** The lines that show the API server came back with the change, before the readiness check. @internal */
  _restartCheck(): string[];
}
