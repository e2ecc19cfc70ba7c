import { Construct } from 'constructs';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { validateRke2Config } from '../../validation/distros';
import { OwnFlag } from './binding';
import { ConfigDropInTarget } from './config-drop-in';
import { STATIC_POD } from './reachability';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Where RKE2 keeps its config and, by default, its state (rancher/rke2-docs docs/reference/server_config.md L26). */
const CONFIG_DIR = '/etc/rancher/rke2';
const DATA_DIR = '/var/lib/rancher/rke2';

/** rancher/rke2 v1.36.3+rke2r1 pkg/executor/staticpod/staticpod.go: the audit flags RKE2 passes when audit-policy-file is set. */
const STATICPOD = 'staticpod.go L236-250 @ v1.36.3+rke2r1';
const RKE2_OWN_FLAGS: readonly OwnFlag[] = [
  { flag: 'audit-log-maxage', value: '30', source: STATICPOD, field: 'webhook.auditLog.maxAge' },
  { flag: 'audit-log-maxbackup', value: '10', source: STATICPOD, field: 'webhook.auditLog.maxBackup' },
  { flag: 'audit-log-maxsize', value: '100', source: STATICPOD, field: 'webhook.auditLog.maxSize' },
  // added only when the user passes none (L219-220, L246-249), so ours may differ
  { flag: 'audit-log-path', value: `${DATA_DIR}/server/logs/audit.log`, source: STATICPOD, field: 'webhook.auditLog.path', overridable: true },
];

/**
 * RKE2: kube-apiserver is a static pod on the host network (staticpod.go), which RKE2 writes from its config; it
 * mounts every file an argument names that exists when rke2-server starts, and the audit log's folder
 * (podtemplate.go ReadFiles L283-316, staticpod.go L253-256), so the flags name node paths and no volume is added.
 * @internal
 */
export function rke2Spec(): DistributionSpec {
  return {
    distribution: Distribution.RKE2,
    name: 'RKE2',
    runtime: STATIC_POD,
    facts: {
      defaultServiceClusterIPRange: {
        range: '10.43.0.0/16',
        source: "RKE2's service-cidr default (rancher/rke2-docs docs/reference/server_config.md L38)",
      },
    },
    versionProblem: (v: KubernetesVersion) =>
      v.isAtLeast(19) ? undefined : `the RKE2 references (v1.36.3+rke2r1, its docs) describe no release before Kubernetes 1.19, got ${v}`,
    dynamicProblem: () => 'the RKE2 references describe no release with dynamic auditing (Kubernetes 1.13-1.18)',
    build: (scope: Construct, id: string, props: TargetBuildProps) =>
      new ConfigDropInTarget(scope, id, props, {
        distribution: Distribution.RKE2,
        name: 'RKE2',
        configDir: CONFIG_DIR,
        service: 'rke2-server',
        defaults: { directory: `${CONFIG_DIR}/falco-audit`, auditLogPath: `${DATA_DIR}/server/logs/audit.log` },
        ownFlags: RKE2_OWN_FLAGS,
        nativePolicyOption: true,
        validate: (config, source) => validateRke2Config(config, source),
        notes: [
          'RKE2 mounts each file an argument names into its kube-apiserver static pod when the file exists as rke2-server starts ' +
            '(podtemplate.go ReadFiles L283-316 @ v1.36.3+rke2r1): place the policy and the kubeconfig before the drop-in and the restart',
          'with audit-policy-file set, RKE2 writes rules: [{level: None}] there only when the file is missing (podtemplate/utils.go L36-54): ' +
            'a server that started before our policy was in place audits nothing until it is replaced and rke2-server restarts',
          'the webhook kubeconfig carries its CA inline (certificate-authority-data): RKE2 follows file references only in --kubeconfig',
          "audit-policy-file is RKE2's own option, and the drop-in is read last: it replaces an audit-policy-file set in config.yaml",
        ],
      }),
  };
}
