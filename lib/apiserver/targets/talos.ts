import { Construct } from 'constructs';
import { Document } from 'yaml';
import { echo } from '../../core/util';
import { UserError } from '../../core/errors';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { NodeFile } from '../../core/node-file';
import { dumpYaml } from '../../core/yaml';
import { Violation } from '../../validation';
import { validateTalosPatchYaml } from '../../validation/distros';
import { ApiServerPlan } from '../api-server-plan';
import { bindAudit, Binding, isWithin, OwnFlag } from './binding';
import { DistributionTarget, specOf } from './distribution-target';
import { STATIC_POD } from './reachability';
import { sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Options of `ControlPlane.talos`. */
export interface TalosControlPlaneOptions {
  /** The Talos minor the control-plane nodes run: `1.12` or `1.13` (1.14 is refused, see the docs). */
  readonly version: string;
}

/** siderolabs/talos v1.13.9 internal/app/machined/pkg/controllers/k8s/control_plane_static_pod.go (the same at v1.12.11). */
const STATIC_POD_GO = 'control_plane_static_pod.go L376-380 @ v1.13.9';
/** The audit log folder Talos mounts writable into kube-apiserver (constants.KubernetesAuditLogDir; L510-513, L556-562). */
const AUDIT_LOG_DIR = '/var/log/audit/kube';
const TALOS_OWN_FLAGS: readonly OwnFlag[] = [
  { flag: 'audit-log-path', value: `${AUDIT_LOG_DIR}/kube-apiserver.log`, source: STATIC_POD_GO, field: 'webhook.auditLog.path' },
  { flag: 'audit-log-maxage', value: '30', source: STATIC_POD_GO, field: 'webhook.auditLog.maxAge' },
  { flag: 'audit-log-maxbackup', value: '10', source: STATIC_POD_GO, field: 'webhook.auditLog.maxBackup' },
  { flag: 'audit-log-maxsize', value: '100', source: STATIC_POD_GO, field: 'webhook.auditLog.maxSize' },
];
/**
 * The Kubernetes minors each Talos minor runs (siderolabs/talos pkg/machinery/compatibility/talos112/talos112.go @
 * 10546d6f and talos113/talos113.go @ bb62b29e, from the code index: Minimum/MaximumKubernetesVersion).
 */
const KUBERNETES_RANGE: Readonly<Record<number, readonly [number, number]>> = { 12: [30, 35], 13: [31, 36] };
/** A file's mode the API server can read: it runs as uid 65534, not the file's owner (constants.go L313-317 @ v1.13.9). */
const READABLE = 0o644;

/** The Talos minor of `version`; 1.14 and others are refused with the reason. */
function talosMinor(version: string): number {
  const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(String(version ?? '').trim());
  const minor = m ? Number(m[1]) : undefined;
  if (minor === 12 || minor === 13) return minor;
  if (minor === 14) {
    throw new UserError(
      'Talos 1.14 is refused until it can hold a webhook kubeconfig: its KubeAPIServerConfig document has no volumes, and its ' +
        'config.schema.json (v1.14.0-rc.1) no longer has cluster.apiServer or machine.files; use Talos 1.12 or 1.13',
      { field: 'controlPlane.version' },
    );
  }
  throw new UserError(`must be the Talos minor the control plane runs, "1.12" or "1.13", got ${echo(version)}`, { field: 'controlPlane.version' });
}

/**
 * Talos: a strategic-merge machine config patch. kube-apiserver is a static pod on the host network that runs as
 * 65534:65534 (control_plane_static_pod.go L532-537); Talos writes the policy given as `cluster.apiServer.auditPolicy`
 * and passes the audit log flags itself (L376-380), so the patch holds the webhook flags, the policy, an `extraVolumes`
 * entry and the kubeconfig as a `machine.files` entry under /var (`op: create` is refused elsewhere).
 */
class TalosTarget extends DistributionTarget {
  public readonly distribution = Distribution.TALOS;
  public readonly plan: ApiServerPlan;
  /** The patch, as data. */
  public readonly patch: Record<string, unknown>;
  public readonly patchFile: NodeFile;
  private readonly text: string;

  constructor(
    scope: Construct,
    id: string,
    props: TargetBuildProps,
    private readonly minor: number,
  ) {
    super(scope, id, props);
    const binding = inlinePolicy(
      bindAudit(props.backend, {
        distribution: 'Talos',
        version: props.version,
        defaults: { directory: '/var/etc/kubernetes/falco-audit', auditLogPath: `${AUDIT_LOG_DIR}/kube-apiserver.log` },
        placement: { kind: 'static-pod', existing: [{ name: 'audit', hostPath: AUDIT_LOG_DIR, mountPath: AUDIT_LOG_DIR, readOnly: false }] },
        ownFlags: TALOS_OWN_FLAGS,
      }),
    );
    checkUnderVar(binding);
    this.patch = this.render(binding);
    this.text = talosYaml(this.patch);
    this.patchFile = this.file({
      id: 'MachineConfigPatch',
      role: 'machine-config-patch',
      destination: 'talosctl patch mc --mode=reboot, each control-plane node',
      fileName: 'talos-falco-audit-patch.yaml',
      document: this.patch,
      text: this.text,
      description: `the Talos 1.${minor} machine config patch for the control-plane nodes (talosctl patch mc --mode=reboot --patch @<file>)`,
    });
    this.plan = this.makePlan(
      binding,
      [
        'Talos could apply the cluster.apiServer part at once, but it writes machine.files only when the node boots ' +
          '(CanApplyImmediate, v1alpha1_runtime.go L130-215 @ v1.13.9): apply the patch with a reboot (--mode=reboot), or the API server ' +
          'restarts before its webhook kubeconfig exists',
        'patch one control-plane node at a time and wait for it to be back before the next',
        'Talos writes the policy to its own file and passes --audit-policy-file and the --audit-log-* flags itself ' +
          `(${STATIC_POD_GO}); the log is ${AUDIT_LOG_DIR}/kube-apiserver.log`,
      ],
      // Talos's extraVolumes are hostPath volumes without a type (volumes(), control_plane_static_pod.go L253-264)
      { volumeType: 'no type', filesHeading: 'files for talosctl' },
    );
  }

  private render(binding: Binding): Record<string, unknown> {
    const policy = specOf(binding, 'Policy');
    const kubeconfig = specOf(binding, 'WebhookKubeconfig');
    const extraArgs: Record<string, string> = {};
    for (const change of binding.emitted) {
      if (change.key !== undefined) throw new Error(`Talos: map flag --${change.flag} is not written by this target`);
      extraArgs[change.flag] = change.to;
    }
    const apiServer: Record<string, unknown> = { extraArgs };
    if (binding.volumes.length > 0)
      apiServer.extraVolumes = binding.volumes.map((v) => ({ hostPath: v.hostPath, mountPath: v.mountPath, readonly: v.readOnly }));
    if (policy) {
      apiServer.auditPolicy = policy.document;
      this.kubernetesDocument('node/talos-falco-audit-patch.yaml: cluster.apiServer.auditPolicy', policy.document);
    }
    const patch: Record<string, unknown> = {};
    if (kubeconfig) {
      this.kubernetesDocument(`node/talos-falco-audit-patch.yaml: machine.files (${kubeconfig.nodePath})`, kubeconfig.document);
      patch.machine = { files: [{ content: dumpYaml(kubeconfig.document), permissions: READABLE, path: kubeconfig.nodePath, op: 'create' }] };
    }
    patch.cluster = { apiServer };
    return patch;
  }

  public _distributionViolations(): Violation[] {
    return validateTalosPatchYaml(this.patchFile.toYaml(), this.minor, `node/${this.patchFile.fileName}`);
  }

  public _applySteps(nodeDir: string): string[][] {
    const file = sh(`${nodeDir}/${this.patchFile.fileName}`);
    return [
      [
        'patch the control-plane nodes one at a time, with a reboot (machine.files are written at boot; talos.dev "Editing Machine ' +
          'Configuration" for the modes), each after the one before is back:',
        `  talosctl patch mc --mode=reboot --patch @${file} -n <control-plane node>`,
        '  kubectl get node <control-plane node>   (Ready again before the next node)',
      ],
    ];
  }
}

/**
 * Talos takes the policy as `cluster.apiServer.auditPolicy` and names its own file: the backend's
 * `--audit-policy-file` is recorded as kept, and its path is no longer served by a mount.
 */
function inlinePolicy(binding: Binding): Binding {
  const policy = specOf(binding, 'Policy');
  const reason = `Talos writes cluster.apiServer.auditPolicy to its own file and passes this flag itself (${STATIC_POD_GO})`;
  const flagChanges = binding.flagChanges.map((c) =>
    c.flag === 'audit-policy-file' && c.action !== 'kept' ? { flag: c.flag, action: 'kept' as const, to: c.to, reason } : c,
  );
  const volumes = binding.volumes.map((v) => ({ ...v, serves: v.serves.filter((p) => p !== policy?.nodePath) }));
  return { ...binding, flagChanges, emitted: flagChanges.filter((c) => c.action !== 'kept'), volumes };
}

/** Talos refuses `op: create` outside /var and stops the boot (WriteUserFiles, v1alpha1_sequencer_tasks.go L630-646 @ v1.13.9). */
function checkUnderVar(binding: Binding): void {
  for (const f of binding.files.filter((x) => x.id !== 'Policy')) {
    if (!isWithin(f.nodePath ?? '', '/var')) {
      throw new UserError(
        `Talos writes files with op: create only under /var (it refuses others and the node's boot stops: WriteUserFiles, ` +
          `v1alpha1_sequencer_tasks.go L630-646 @ v1.13.9), but the webhook kubeconfig would be ${f.nodePath}; use a folder under /var, ` +
          'e.g. /var/etc/kubernetes/falco-audit',
        { field: 'webhook.directory' },
      );
    }
  }
}

/** The patch as YAML, file modes written as Talos writes them (`0o644`: FileMode.MarshalYAML, v1alpha1_types.go L1810-1821 @ v1.13.9). */
function talosYaml(patch: Record<string, unknown>): string {
  const doc = new Document(patch);
  const files = doc.getIn(['machine', 'files']) as { items?: unknown[] } | undefined;
  (files?.items ?? []).forEach((_, i) => {
    const mode = doc.getIn(['machine', 'files', i, 'permissions'], true) as { format?: string } | undefined;
    if (mode) mode.format = 'OCT';
  });
  return doc.toString({ lineWidth: 0 });
}

/** Talos 1.12 and 1.13 (the legacy machine config with `cluster.apiServer` and `machine.files`). @internal */
export function talosSpec(options: TalosControlPlaneOptions): DistributionSpec {
  const minor = talosMinor(options?.version);
  const [oldest, newest] = KUBERNETES_RANGE[minor];
  return {
    distribution: Distribution.TALOS,
    name: `Talos 1.${minor}`,
    runtime: STATIC_POD,
    facts: {},
    versionProblem: (v: KubernetesVersion) =>
      v.minor >= oldest && v.minor <= newest
        ? undefined
        : `Talos 1.${minor} runs Kubernetes 1.${oldest}-1.${newest} (pkg/machinery/compatibility/talos1${minor}), not ${v}`,
    dynamicProblem: () => `Talos 1.${minor} runs Kubernetes 1.${oldest} and newer, and dynamic auditing was removed in 1.19`,
    build: (scope: Construct, id: string, props: TargetBuildProps) => new TalosTarget(scope, id, props, minor),
  };
}
