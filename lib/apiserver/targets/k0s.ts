import { Construct } from 'constructs';
import { NodeFile } from '../../core/node-file';
import { Violation } from '../../validation';
import { validateK0sClusterConfig } from '../../validation/distros';
import { ApiServerPlan } from '../api-server-plan';
import { DEFAULT_AUDIT_LOG } from '../audit-folders';
import { bindAudit } from './binding';
import { DistributionTarget } from './distribution-target';
import { installLine, sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Options of `ControlPlane.k0s`. */
export interface K0sControlPlaneOptions {
  /**
   * The controllers also run workloads (the `controller+worker` role), so kube-proxy runs beside the API server
   * and a ClusterIP or 127.0.0.1:<nodePort> answers there. False (a controller-only k0s): give `falco.address`.
   * @default false
   */
  readonly controllersRunWorkloads?: boolean;
}

/** Where k0s keeps its config (`k0s install controller -c /etc/k0s/k0s.yaml`, research §5.2). */
const CONFIG_DIR = '/etc/k0s';

/**
 * k0s: kube-apiserver is a process k0s supervises on the controller, with the `spec.api.extraArgs` of the
 * ClusterConfig as `--<key>=<value>` (k0s v1.36.3+k0s.2 pkg/component/controller/apiserver.go L140-145, L219-221), so
 * the flags name node paths and nothing is mounted.
 */
class K0sTarget extends DistributionTarget {
  public readonly distribution = Distribution.K0S;
  public readonly plan: ApiServerPlan;
  /** The ClusterConfig fragment, as data. */
  public readonly clusterConfig: Record<string, unknown>;
  public readonly configFile: NodeFile;

  constructor(scope: Construct, id: string, props: TargetBuildProps) {
    super(scope, id, props);
    const binding = bindAudit(props.backend, {
      distribution: 'k0s',
      version: props.version,
      defaults: { directory: `${CONFIG_DIR}/falco-audit`, auditLogPath: DEFAULT_AUDIT_LOG.path },
      placement: { kind: 'host' },
    });
    this.nodeFiles(binding.files);
    const extraArgs: Record<string, string> = {};
    for (const change of binding.emitted) {
      if (change.key !== undefined) throw new Error(`k0s: map flag --${change.flag} is not written by this target`);
      extraArgs[change.flag] = change.to;
    }
    this.clusterConfig = { apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig', metadata: { name: 'k0s' }, spec: { api: { extraArgs } } };
    this.configFile = this.file({
      id: 'ClusterConfig',
      role: 'cluster-config-fragment',
      destination: `merged into ${CONFIG_DIR}/k0s.yaml on every controller`,
      fileName: 'k0s-clusterconfig.yaml',
      document: this.clusterConfig,
      description: `the k0s ClusterConfig fragment: merge its spec.api.extraArgs into ${CONFIG_DIR}/k0s.yaml on every controller`,
    });
    this.plan = this.makePlan(binding, [
      `k0s never reconciles spec.api from the ClusterConfig object in the cluster (docs/dynamic-configuration.md, research §5.2): edit ${CONFIG_DIR}/k0s.yaml ` +
        'on every controller and restart it',
      'an extraArgs key of your own with the same name is replaced by ours when you merge; k0s passes extraArgs over its own flags ' +
        '(apiserver.go L140-145 @ v1.36.3+k0s.2), and sets no audit flag itself',
      "the audit webhook dials from the controller's own network: k0s's konnectivity carries only the cluster egress (apiserver.go), " +
        'so a controller-only k0s needs a routable Falco address',
    ]);
  }

  public _restartCheck(): string[] {
    return ['  systemctl is-active k0scontroller   (active, on every controller)'];
  }

  public _distributionViolations(): Violation[] {
    return validateK0sClusterConfig(this.clusterConfig, `node/${this.configFile.fileName}`);
  }

  public _applySteps(nodeDir: string): string[][] {
    return [
      [
        'on every k0s controller, place the files (root:root, 0600):',
        ...this.files.filter((f) => f !== this.configFile).map((f) => installLine(nodeDir, f)),
      ],
      [
        `on every controller, one at a time: merge spec.api.extraArgs of ${sh(`${nodeDir}/${this.configFile.fileName}`)} into ${CONFIG_DIR}/k0s.yaml, then restart k0s:`,
        '  systemctl restart k0scontroller',
      ],
    ];
  }
}

/** k0s (v1.36.3+k0s.2 references). @internal */
export function k0sSpec(options: K0sControlPlaneOptions = {}): DistributionSpec {
  return {
    distribution: Distribution.K0S,
    name: 'k0s',
    runtime: {
      description: 'a process k0s supervises on the controller',
      kubeProxy: options?.controllersRunWorkloads ?? false,
      noKubeProxy:
        'a controller-only k0s runs no kubelet and no kube-proxy ("there is no container engine or kubelet running on controllers by default", ' +
        'k0s docs/architecture, research §0.1); if the controllers also run workloads (the controller+worker role), set apiServer.controllersRunWorkloads: true',
    },
    facts: {
      defaultServiceClusterIPRange: {
        range: '10.96.0.0/12',
        source: "k0s's spec.network.serviceCIDR default (k0s.k0sproject.io_clusterconfigs.yaml L1361-1362 @ v1.36.3+k0s.2)",
      },
    },
    versionProblem: () => undefined,
    dynamicProblem: () => 'the k0s references (v1.36.3+k0s.2) describe no k0s release with dynamic auditing (Kubernetes 1.13-1.18)',
    build: (scope: Construct, id: string, props: TargetBuildProps) => new K0sTarget(scope, id, props),
  };
}
