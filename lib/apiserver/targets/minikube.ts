import { Construct } from 'constructs';
import { NodeFile } from '../../core/node-file';
import { Violation } from '../../validation';
import { MINIKUBE_API_SERVER_FILES_DIR, validateMinikubeExtraConfig, validateMinikubeFilePaths } from '../../validation/distros';
import { ApiServerPlan } from '../api-server-plan';
import { bindAudit } from './binding';
import { DistributionTarget } from './distribution-target';
import { STATIC_POD } from './reachability';
import { sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Where minikube's file sync takes files from: `$MINIKUBE_HOME/files/<path>` is copied to `<path>` on the node at start. */
const FILE_SYNC = '"${MINIKUBE_HOME:-$HOME/.minikube}/files';

/**
 * minikube: kube-apiserver is a kubeadm static pod on the node's network; `minikube start --extra-config
 * apiserver.<flag>=<value>` passes flags but no volumes, so the files go where kubeadm already mounts a host folder,
 * /etc/ssl/certs (read-only, the minikube audit tutorial: site/content/en/docs/tutorials/audit-policy.md @ 48e7fcaa),
 * through minikube's file sync, and the audit log goes to the API server's own output (`-`).
 */
class MinikubeTarget extends DistributionTarget {
  public readonly distribution = Distribution.MINIKUBE;
  public readonly plan: ApiServerPlan;
  /** The `--extra-config` values, as minikube reads them. */
  public readonly extraConfig: string[];
  public readonly startFile: NodeFile;

  constructor(scope: Construct, id: string, props: TargetBuildProps) {
    super(scope, id, props);
    const binding = bindAudit(props.backend, {
      distribution: 'minikube',
      version: props.version,
      defaults: { directory: MINIKUBE_API_SERVER_FILES_DIR, auditLogPath: '-' },
      placement: {
        kind: 'static-pod',
        existing: [{ name: 'ca-certs', hostPath: MINIKUBE_API_SERVER_FILES_DIR, mountPath: MINIKUBE_API_SERVER_FILES_DIR, readOnly: true }],
        noVolumes:
          'minikube start --extra-config passes flags, not volumes; put the audit files under /etc/ssl/certs (audit.webhook.directory, ' +
          'kubeadm mounts it read-only) and the log on the API server\'s output (audit.webhook.auditLog.path: "-")',
      },
    });
    this.nodeFiles(binding.files, (nodePath) => `$MINIKUBE_HOME/files${nodePath} (file sync to ${nodePath})`);
    this.extraConfig = binding.emitted.map((c) => {
      if (c.key !== undefined) throw new Error(`minikube: map flag --${c.flag} is not written by this target`);
      return `--extra-config=apiserver.${c.flag}=${c.to}`;
    });
    const start = ['minikube', 'start', `--kubernetes-version=v${props.version}`, ...this.extraConfig];
    this.startFile = this.file({
      id: 'StartCommand',
      role: 'start-command',
      destination: 'the machine that runs minikube (sh minikube-start.sh)',
      fileName: 'minikube-start.sh',
      document: start,
      text: `${start.slice(0, 3).join(' ')} \\\n${this.extraConfig.map((e) => `  ${sh(e)}`).join(' \\\n')}\n`,
      description: 'the minikube start line with the audit flags (sh minikube-start.sh; add your own start flags to it)',
    });
    this.plan = this.makePlan(
      binding,
      [
        'minikube copies $MINIKUBE_HOME/files/<path> to <path> on the node when it starts (file sync), and kubeadm mounts /etc/ssl/certs into ' +
          'the API server pod: the files go there; a change needs minikube stop and minikube start',
      ],
      { filesHeading: 'files for the machine that runs minikube' },
    );
  }

  public get _applyCreatesCluster(): boolean {
    return true;
  }

  public _distributionViolations(): Violation[] {
    const source = `node/${this.startFile.fileName}`;
    const paths = this.files.filter((f) => f !== this.startFile).map((f) => f.nodePath!);
    return [...validateMinikubeExtraConfig(this.extraConfig, source), ...validateMinikubeFilePaths(paths, `${source}: file sync`)];
  }

  public _applySteps(nodeDir: string): string[][] {
    return [
      [
        'on the machine that runs minikube: stop it, put the files where its file sync copies them to the node, and start it with the flags:',
        '  minikube stop',
        ...this.files
          .filter((f) => f !== this.startFile)
          .map((f) => `  install -D -m 0644 ${sh(`${nodeDir}/${f.fileName}`)} ${FILE_SYNC}${f.nodePath}"`),
        `  sh ${sh(`${nodeDir}/${this.startFile.fileName}`)}`,
      ],
    ];
  }
}

/** minikube (its --extra-config and file sync, minikube v1.38.1 as the oracle notes read it). @internal */
export function minikubeSpec(): DistributionSpec {
  return {
    distribution: Distribution.MINIKUBE,
    name: 'minikube',
    runtime: STATIC_POD,
    facts: {},
    versionProblem: () => undefined,
    dynamicProblem: () =>
      'minikube tests Kubernetes from v1.20.0 on (pkg/minikube/constants/constants.go OldestKubernetesVersion), after dynamic auditing was removed in 1.19',
    build: (scope: Construct, id: string, props: TargetBuildProps) => new MinikubeTarget(scope, id, props),
  };
}
