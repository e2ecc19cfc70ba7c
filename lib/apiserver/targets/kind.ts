import * as path from 'path';
import { Construct } from 'constructs';
import { UserError } from '../../core/errors';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { NodeFile } from '../../core/node-file';
import { planMessage, PlanMessageCode } from '../../core/plan-message';
import { echo } from '../../core/util';
import { dumpYaml } from '../../core/yaml';
import { Violation } from '../../validation';
import { kindClusterWarnings, validateKindCluster, validateKindKubeadmPatch } from '../../validation/distros';
import { ApiServerPlan } from '../api-server-plan';
import { DEFAULT_AUDIT_DIRECTORY, DEFAULT_AUDIT_LOG } from '../audit-folders';
import { bindAudit, Binding, kubeadmExtraVolumes } from './binding';
import { DistributionTarget } from './distribution-target';
import { STATIC_POD } from './reachability';
import { sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Options of `ControlPlane.kind`. */
export interface KindControlPlaneOptions {
  /**
   * Where the node files (the policy, the kubeconfig) are on the machine that runs `kind create cluster`, as the
   * `extraMounts` name them: an absolute folder, or one relative to the folder `kind create cluster` runs in (kind
   * resolves a relative hostPath against it, not against the config file: research §1, provision.go L88-98 @ v0.32.0).
   * @default 'node' - run kind create cluster in the output folder
   */
  readonly hostFolder?: string;
}

/** kind's config API (kind v0.32.0 pkg/apis/config/v1alpha4/types.go). */
const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';

/** kind's `networking` for the service range: `serviceSubnet`, and the IP family a range of IPv6 or of both needs (types.go L166-208). */
function networking(range: string): Record<string, unknown> {
  const cidrs = range.split(',').map((c) => c.trim());
  const family = cidrs.length > 1 ? 'dual' : cidrs[0].includes(':') ? 'ipv6' : undefined;
  return family ? { ipFamily: family, serviceSubnet: range } : { serviceSubnet: range };
}

/**
 * kind: a `kind.x-k8s.io/v1alpha4` Cluster for `kind create cluster --config`, with one control-plane node whose
 * ClusterConfiguration patch (no apiVersion, so it applies to kubeadm v1beta2, v1beta3 and v1beta4 node images:
 * pkg/internal/patch/resource.go L66-71) holds the flags and `extraVolumes`, and whose `extraMounts` bring the node
 * files from the host into the node. kube-apiserver is a kubeadm static pod on the node's network.
 */
class KindTarget extends DistributionTarget {
  public readonly distribution = Distribution.KIND;
  public readonly plan: ApiServerPlan;
  /** The kind Cluster config, as data. */
  public readonly cluster: Record<string, unknown>;
  /** The ClusterConfiguration patch, as kind reads it (a YAML string). */
  public readonly kubeadmPatch: string;
  public readonly configFile: NodeFile;

  constructor(
    scope: Construct,
    id: string,
    props: TargetBuildProps,
    private readonly hostFolder: string,
  ) {
    super(scope, id, props);
    const binding = bindAudit(props.backend, {
      distribution: 'kind',
      version: props.version,
      defaults: { directory: DEFAULT_AUDIT_DIRECTORY, auditLogPath: DEFAULT_AUDIT_LOG.path },
      placement: { kind: 'static-pod', existing: [] },
    });
    const files = this.nodeFiles(
      binding.files,
      (nodePath) => `${path.posix.join(hostFolder, path.posix.basename(nodePath))} on the machine that runs kind, mounted at ${nodePath} in the node`,
    );
    const { patch, featureGates, runtimeConfig } = this.renderPatch(binding);
    this.kubeadmPatch = dumpYaml(patch);
    const node = {
      role: 'control-plane',
      kubeadmConfigPatches: [this.kubeadmPatch],
      ...(files.length > 0
        ? { extraMounts: files.map((f) => ({ hostPath: path.posix.join(hostFolder, f.fileName), containerPath: f.nodePath, readOnly: true })) }
        : {}),
    };
    this.cluster = {
      kind: 'Cluster',
      apiVersion: KIND_API_VERSION,
      ...(featureGates ? { featureGates } : {}),
      ...(runtimeConfig ? { runtimeConfig } : {}),
      networking: networking(props.serviceClusterIPRange),
      nodes: [node],
    };
    this.configFile = this.file({
      id: 'KindConfig',
      role: 'kind-config',
      destination: 'kind create cluster --config',
      fileName: 'kind-cluster.yaml',
      document: this.cluster,
      description: 'the kind cluster config (kind create cluster --config), with the audit flags, volumes and mounts of the control-plane node',
    });
    this.warnings.push(...kindClusterWarnings(this.cluster).map((w) => planMessage(PlanMessageCode.KIND_EXTRA_VOLUMES_REPLACED, w)));
    this.plan = this.makePlan(
      binding,
      [
        `the node files are mounted into the kind node from ${hostFolder}/ on the machine that runs kind` +
          (path.posix.isAbsolute(hostFolder) ? '' : ' (relative to the folder kind create cluster runs in)'),
        'to merge this into a kind config of your own: give every control-plane node the patch and the extraMounts, and if one of your ' +
          'ClusterConfiguration patches sets apiServer.extraVolumes, put our volumes into that patch: kind applies patches as JSON merge ' +
          'patches, so the last extraVolumes list replaces the others (pkg/internal/patch/resource.go L50-64)',
        'kind has no command that changes a running cluster: the config applies when the cluster is created',
      ],
      { filesHeading: 'files for the machine that runs kind' },
    );
  }

  /** The ClusterConfiguration patch (map-form extraArgs), and the feature gates and runtime config kind passes itself. */
  private renderPatch(binding: Binding) {
    const extraArgs: Record<string, string> = {};
    let featureGates: Record<string, boolean> | undefined;
    let runtimeConfig: Record<string, string> | undefined;
    for (const change of binding.emitted) {
      // kind's own ClusterConfiguration sets --feature-gates and --runtime-config from these fields (kubeadm-config.go L344-350)
      if (change.flag === 'feature-gates' && change.key !== undefined) (featureGates ??= {})[change.key] = change.to === 'true';
      else if (change.flag === 'runtime-config' && change.key !== undefined) (runtimeConfig ??= {})[change.key] = change.to;
      else if (change.key !== undefined) throw new Error(`kind: map flag --${change.flag} is not written by this target`);
      else extraArgs[change.flag] = change.to;
    }
    const apiServer: Record<string, unknown> = { extraArgs };
    if (binding.volumes.length > 0) {
      apiServer.extraVolumes = kubeadmExtraVolumes(binding.volumes);
    }
    return { patch: { kind: 'ClusterConfiguration', apiServer }, featureGates, runtimeConfig };
  }

  public get _applyCreatesCluster(): boolean {
    return true;
  }

  public _distributionViolations(): Violation[] {
    const source = `node/${this.configFile.fileName}`;
    return [
      ...validateKindCluster(this.cluster, source),
      ...validateKindKubeadmPatch(this.kubeadmPatch, `${source}: nodes[0].kubeadmConfigPatches[0]`),
    ];
  }

  public _applySteps(nodeDir: string): string[][] {
    const config = `${nodeDir}/${this.configFile.fileName}`;
    const relative = !path.posix.isAbsolute(this.hostFolder);
    return [
      relative
        ? [
            `create the cluster in ${path.posix.dirname(nodeDir)}, the folder the extraMounts are relative to (the node files must exist there):`,
            `  (cd ${sh(path.posix.dirname(nodeDir))} && kind create cluster --config ${sh(path.posix.join(path.posix.basename(nodeDir), this.configFile.fileName))})`,
          ]
        : [
            `copy the node files to ${this.hostFolder}/ on the machine that runs kind, then create the cluster:`,
            ...this.files
              .filter((f) => f !== this.configFile)
              .map((f) => `  install -D -m 0644 ${sh(`${nodeDir}/${f.fileName}`)} ${sh(`${this.hostFolder}/${f.fileName}`)}`),
            `  kind create cluster --config ${sh(config)}`,
          ],
    ];
  }
}

/** A folder name for the extraMounts: no whitespace, no trailing slash. */
function checkHostFolder(folder: string | undefined): string {
  const f = folder ?? 'node';
  if (typeof f !== 'string' || f === '' || /\s/.test(f)) {
    throw new UserError(`must be a folder without spaces (absolute, or relative to where kind create cluster runs), got ${echo(folder)}`, {
      field: 'controlPlane.hostFolder',
    });
  }
  return f.length > 1 ? f.replace(/\/+$/, '') : f;
}

/** kind v0.32.0. @internal */
export function kindSpec(options: KindControlPlaneOptions = {}): DistributionSpec {
  const hostFolder = checkHostFolder(options?.hostFolder);
  return {
    distribution: Distribution.KIND,
    name: 'kind',
    runtime: STATIC_POD,
    facts: {},
    // kind v0.32.0 writes a kubeadm v1beta2 config for Kubernetes before 1.23 (kubeadm-config.go L674-679), an API kubeadm has from 1.15
    versionProblem: (v: KubernetesVersion) =>
      v.isAtLeast(15)
        ? undefined
        : `kind v0.32.0 writes a kubeadm.k8s.io/v1beta2 config for node images before 1.23 (pkg/cluster/internal/kubeadm/config.go L674-679), which kubeadm reads from 1.15 on; ${v} is older`,
    dynamicProblem: () => undefined,
    build: (scope: Construct, id: string, props: TargetBuildProps) => new KindTarget(scope, id, props, hostFolder),
  };
}
