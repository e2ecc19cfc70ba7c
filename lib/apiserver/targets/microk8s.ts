import { Construct } from 'constructs';
import { UserError } from '../../core/errors';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { NodeFile } from '../../core/node-file';
import { dumpYaml } from '../../core/yaml';
import { Violation } from '../../validation';
import { validateMicroK8sLaunchConfigYaml } from '../../validation/distros';
import { ApiServerPlan } from '../api-server-plan';
import { DEFAULT_AUDIT_LOG } from '../audit-folders';
import { bindAudit, Binding } from './binding';
import { DistributionTarget } from './distribution-target';
import { installLine, sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** `$SNAP_DATA/args`: the API server's args file and the files a launch configuration writes (apply.go, research §5.3). */
const ARGS_DIR = '/var/snap/microk8s/current/args';
/** Launch configurations exist from MicroK8s 1.27 (canonical.com/microk8s/docs/explain-launch-config). */
const LAUNCH_CONFIG_MINOR = 27;

/**
 * MicroK8s: kube-apiserver runs on the host (inside kubelite from 1.21: microk8s.io/docs/configuring-services), with
 * its flags one per line in `$SNAP_DATA/args/kube-apiserver`; nothing is mounted. From 1.27 the same flags and files
 * also as a launch configuration (`extraKubeAPIServerArgs` with the `--`, `extraConfigFiles` written to
 * `$SNAP_DATA/args`: canonical/microk8s-cluster-agent pkg/k8sinit/schema.go, apply.go @ 33e4ad06).
 */
class MicroK8sTarget extends DistributionTarget {
  public readonly distribution = Distribution.MICROK8S;
  public readonly plan: ApiServerPlan;
  /** The launch configuration (1.27+), as data. @default - none before 1.27 */
  public readonly launchConfig?: Record<string, unknown>;
  public readonly launchConfigFile?: NodeFile;
  public readonly argsFile: NodeFile;
  private readonly lines: string[];

  constructor(scope: Construct, id: string, props: TargetBuildProps) {
    super(scope, id, props);
    const binding = bindAudit(props.backend, {
      distribution: 'MicroK8s',
      version: props.version,
      defaults: { directory: ARGS_DIR, auditLogPath: DEFAULT_AUDIT_LOG.path },
      placement: { kind: 'host' },
    });
    checkArgsDir(binding);
    this.nodeFiles(binding.files);
    this.lines = binding.emitted.map((c) => {
      if (c.key !== undefined) throw new Error(`MicroK8s: map flag --${c.flag} is not written by this target`);
      return `--${c.flag}=${c.to}`;
    });
    this.argsFile = this.file({
      id: 'ArgsLines',
      role: 'args-lines',
      destination: `appended to ${ARGS_DIR}/kube-apiserver`,
      fileName: 'microk8s-kube-apiserver-args.txt',
      document: this.lines,
      text: `${this.lines.join('\n')}\n`,
      description: `the lines to append to ${ARGS_DIR}/kube-apiserver (the way microk8s.io/docs/configuring-services describes; no schema to check it)`,
    });
    const notes = ['MicroK8s runs kube-apiserver on the host: the flags name node paths, nothing is mounted'];
    if (props.version.isAtLeast(LAUNCH_CONFIG_MINOR)) {
      this.launchConfig = this.renderLaunchConfig(binding);
      this.launchConfigFile = this.file({
        id: 'LaunchConfig',
        role: 'launch-configuration',
        destination: 'a MicroK8s node being installed',
        fileName: 'microk8s-launch-config.yaml',
        document: this.launchConfig,
        description: 'the same as a MicroK8s launch configuration (1.27+), for new nodes: validated against its schema.go',
      });
      notes.push(
        'two ways, the same flags and files: the args-file lines for a running node (what the runbook does: MicroK8s documents it, ' +
          'nothing checks its format), and the launch configuration (checked against schema.go) for a node being installed: ' +
          'how to give one to a node that already runs is not in the references',
      );
    } else {
      notes.push(`no launch configuration: MicroK8s has them from 1.${LAUNCH_CONFIG_MINOR} on, this node runs ${props.version}`);
    }
    this.plan = this.makePlan(binding, notes);
  }

  private renderLaunchConfig(binding: Binding): Record<string, unknown> {
    const args: Record<string, string> = {};
    for (const c of binding.emitted) args[`--${c.flag}`] = c.to;
    const files: Record<string, string> = {};
    for (const f of binding.files) files[f.nodePath!.slice(ARGS_DIR.length + 1)] = dumpYaml(f.document);
    return { version: '0.1.0', extraKubeAPIServerArgs: args, ...(Object.keys(files).length > 0 ? { extraConfigFiles: files } : {}) };
  }

  public _distributionViolations(): Violation[] {
    return this.launchConfigFile ? validateMicroK8sLaunchConfigYaml(this.launchConfigFile.toYaml(), `node/${this.launchConfigFile.fileName}`) : [];
  }

  public _applySteps(nodeDir: string): string[][] {
    const placed = this.files.filter((f) => f.nodePath !== undefined);
    const logPath = this.lines.find((l) => l.startsWith('--audit-log-path=/'))?.slice('--audit-log-path='.length);
    return [
      [
        'on every MicroK8s node, place the files (root:root, 0600) and append the flags to the args file (drop earlier lines of the same flags first):',
        ...placed.map((f) => installLine(nodeDir, f)),
        ...(logPath ? [`  install -d -o root -g root -m 0700 ${sh(logPath.replace(/\/[^/]+$/, ''))}`] : []),
        `  tail -n +2 ${sh(`${nodeDir}/${this.argsFile.fileName}`)} >> ${ARGS_DIR}/kube-apiserver   (the first line is the Argo CD marker)`,
      ],
      ['restart MicroK8s on that node, one node at a time:', '  microk8s stop && microk8s start'],
    ];
  }
}

/** A launch configuration writes its files into $SNAP_DATA/args only, by bare name (apply.go L61 @ 33e4ad06). */
function checkArgsDir(binding: Binding): void {
  for (const f of binding.files) {
    if (!f.nodePath?.startsWith(`${ARGS_DIR}/`) || f.nodePath.slice(ARGS_DIR.length + 1).includes('/')) {
      throw new UserError(
        `MicroK8s keeps the API server's files in ${ARGS_DIR} (a launch configuration writes its extraConfigFiles there, apply.go), ` +
          `but ${f.nodePath} is elsewhere; leave audit.webhook.directory out`,
        { field: 'webhook.directory' },
      );
    }
  }
}

/** MicroK8s (args file; launch configurations from 1.27). @internal */
export function microk8sSpec(): DistributionSpec {
  return {
    distribution: Distribution.MICROK8S,
    name: 'MicroK8s',
    runtime: { description: 'a process on the host (kubelite from 1.21), beside kube-proxy', kubeProxy: true },
    facts: {},
    versionProblem: (_v: KubernetesVersion) => undefined,
    dynamicProblem: () =>
      'the MicroK8s args-file form has no definition in the references to check the feature gate and runtime config lines against, ' +
      'and launch configurations start at 1.27',
    build: (scope: Construct, id: string, props: TargetBuildProps) => new MicroK8sTarget(scope, id, props),
  };
}
