import { Construct } from 'constructs';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { validateK3sConfig } from '../../validation/distros';
import { ConfigDropInTarget } from './config-drop-in';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Options of `ControlPlane.k3s`. */
export interface K3sControlPlaneOptions {
  /**
   * The k3s servers also run the agent (the default; not started with the hidden `--disable-agent`, "Do not run a local
   * agent and register a local kubelet", pkg/cli/cmds/server.go L553-558 @ 005499a9), so kube-proxy runs beside
   * the API server and a ClusterIP or 127.0.0.1:<nodePort> answers there. False: give `falco.address`.
   * @default true
   */
  readonly controllersRunWorkloads?: boolean;
}

/** Where k3s keeps its config (k3s-io/docs docs/installation/configuration.md L84). */
const CONFIG_DIR = '/etc/rancher/k3s';

/**
 * k3s: the API server runs inside the `k3s server` process on the host (no static pod: k3s-io/docs
 * docs/security/hardening-guide.md @ 035acb07, research §2), so the flags name node paths and nothing is mounted.
 * @internal
 */
export function k3sSpec(options: K3sControlPlaneOptions = {}): DistributionSpec {
  const kubeProxy = options?.controllersRunWorkloads ?? true;
  return {
    distribution: Distribution.K3S,
    name: 'k3s',
    runtime: {
      description: 'part of the k3s server process on the host',
      kubeProxy,
      noKubeProxy:
        'a k3s server without its agent (--disable-agent, apiServer.controllersRunWorkloads: false) runs no kube-proxy; ' +
        'if the servers do run the agent, set apiServer.controllersRunWorkloads: true',
    },
    facts: {
      defaultServiceClusterIPRange: { range: '10.43.0.0/16', source: "k3s's --service-cidr default (pkg/cli/cmds/server.go L131-132 @ 005499a9)" },
    },
    versionProblem: (v: KubernetesVersion) =>
      v.isAtLeast(19)
        ? undefined
        : `k3s reads a config file from v1.19.1+k3s1 on (k3s-io/docs docs/installation/configuration.md, "Version Gate"), so it cannot take a drop-in on ${v}`,
    dynamicProblem: () => 'k3s reads config files from 1.19 on, and dynamic auditing was removed in 1.19',
    build: (scope: Construct, id: string, props: TargetBuildProps) =>
      new ConfigDropInTarget(scope, id, props, {
        distribution: Distribution.K3S,
        name: 'k3s',
        configDir: CONFIG_DIR,
        service: 'k3s',
        // the log where the CIS hardening guide puts it (k3s-io/docs docs/security/hardening-guide.md @ 035acb07)
        defaults: { directory: `${CONFIG_DIR}/falco-audit`, auditLogPath: '/var/lib/rancher/k3s/server/logs/audit.log' },
        nativePolicyOption: false,
        validate: (config, source) => validateK3sConfig(config, source),
        notes: [
          'k3s runs kube-apiserver in its own process on the host: the flags name node paths, nothing is mounted',
          'a --audit-* flag set in your own kube-apiserver-arg list too is passed twice, and kube-apiserver takes the last one, ' +
            `ours (the drop-in is read last; GetArgs keeps repeated flags in order, pkg/util/args.go @ 0aa32d56)`,
        ],
      }),
  };
}
