/**
 * k0s (a ClusterConfig `spec.api.extraArgs` fragment and files under /etc/k0s), minikube (the `--extra-config` start
 * line and files for its file sync under /etc/ssl/certs), MicroK8s (args-file lines, and a launch configuration from
 * 1.27), and OpenShift (refused).
 */
import { ControlPlane } from '../../../lib/apiserver';
import { AuditBackend } from '../../../lib/falco-audit';
import {
  validateK0sClusterConfig,
  validateMicroK8sLaunchConfig,
  validateMicroK8sLaunchConfigYaml,
  validateMinikubeExtraConfig,
  validateMinikubeFilePaths,
} from '../../../lib/validation/distros';
import { build, file, parsed, serverOf, serviceListensAt, steps } from './helpers';

describe('k0s', () => {
  test('a controller that also runs workloads: the ClusterConfig fragment and the files under /etc/k0s', () => {
    const audit = build(ControlPlane.k0s({ controllersRunWorkloads: true }), {
      kubernetesVersion: '1.33.3+k0s.0',
      falco: { clusterIP: '10.96.0.100' },
    });
    expect(audit.serviceClusterIPRange).toBe('10.96.0.0/12');
    expect(audit.validateOutput()).toEqual([]);
    const config = parsed(audit, 'k0s-clusterconfig.yaml');
    expect(validateK0sClusterConfig(config)).toEqual([]);
    expect(config.spec.api.extraArgs['audit-webhook-config-file']).toBe('/etc/k0s/falco-audit/audit-webhook-kubeconfig.yaml');
    expect(file(audit, 'audit-policy.yaml').nodePath).toBe('/etc/k0s/falco-audit/audit-policy.yaml');
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit));
  });

  test('a controller-only k0s (the default) refuses a ClusterIP and 127.0.0.1, and takes a routable address', () => {
    expect(() => build(ControlPlane.k0s(), { kubernetesVersion: '1.33', falco: { clusterIP: '10.96.0.100' } })).toThrow(
      /^falco\.clusterIP: k0s runs kube-apiserver as a process k0s supervises on the controller, and a controller-only k0s runs no kubelet and no kube-proxy .* the ClusterIP 10\.96\.0\.100 does not answer there\. Give falco\.address/,
    );
    const audit = build(ControlPlane.k0s(), { kubernetesVersion: '1.33', falco: { address: 'http://192.168.1.20:30765' } });
    expect(audit.url).toBe('http://192.168.1.20:30765/k8s-audit');
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit, '192.168.1.20'));
    expect(audit.validateOutput()).toEqual([]);
  });

  test('a mutation the oracle catches: a key with its dashes; the steps edit k0s.yaml and restart k0scontroller', () => {
    const audit = build(ControlPlane.k0s({ controllersRunWorkloads: true }), { kubernetesVersion: '1.33' });
    const config = parsed(audit, 'k0s-clusterconfig.yaml');
    config.spec.api.extraArgs['--audit-webhook-mode'] = 'batch';
    expect(validateK0sClusterConfig(config).map((v) => v.rule)).toEqual(['k0s.arg-dashes']);
    expect(steps(audit)).toContain('  systemctl restart k0scontroller');
  });
});

describe('minikube', () => {
  const minikube = (settings = {}) =>
    build(ControlPlane.minikube(), { kubernetesVersion: '1.30', serviceClusterIPRange: '10.96.0.0/12', ...settings });

  test('the start line and the files under /etc/ssl/certs, the audit log on the API server output', () => {
    const audit = minikube();
    expect(audit.validateOutput()).toEqual([]);
    const start = file(audit, 'minikube-start.sh').toYaml();
    expect(start.split('\n').slice(0, 3)).toEqual([
      '# +argocd:skip-file-rendering',
      'minikube start --kubernetes-version=v1.30.0 \\',
      '  --extra-config=apiserver.audit-policy-file=/etc/ssl/certs/audit-policy.yaml \\',
    ]);
    expect(start).toContain('--extra-config=apiserver.audit-log-path=-');
    const extraConfig = (audit.controlPlane as any).extraConfig as string[];
    expect(validateMinikubeExtraConfig(extraConfig)).toEqual([]);
    const paths = audit.controlPlane.files.filter((f) => f.nodePath !== undefined).map((f) => f.nodePath!);
    expect(paths).toEqual(['/etc/ssl/certs/audit-policy.yaml', '/etc/ssl/certs/audit-webhook-kubeconfig.yaml']);
    expect(validateMinikubeFilePaths(paths)).toEqual([]);
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit));
    expect(steps(audit)).toContain(
      '  install -D -m 0644 dist/node/audit-policy.yaml "${MINIKUBE_HOME:-$HOME/.minikube}/files/etc/ssl/certs/audit-policy.yaml"',
    );
  });

  test('mutations the oracle catches: a flag with dashes, a component minikube does not know, a .pem file', () => {
    expect(validateMinikubeExtraConfig(['--extra-config=apiserver.--audit-log-path=-']).map((v) => v.rule)).toEqual(['minikube.extra-config']);
    expect(validateMinikubeExtraConfig(['--extra-config=api-server.audit-log-path=-']).map((v) => v.rule)).toEqual(['minikube.extra-config']);
    expect(validateMinikubeFilePaths(['/etc/ssl/certs/audit-webhook.pem']).map((v) => v.rule)).toEqual(['minikube.file-path']);
  });

  test('a folder or a log file minikube cannot mount is refused, saying why', () => {
    expect(() => minikube({ webhook: { directory: '/etc/falco-audit' } })).toThrow(
      'webhook.directory: minikube cannot make /etc/falco-audit/audit-policy.yaml readable for kube-apiserver: minikube start --extra-config passes flags, not volumes',
    );
    expect(() => minikube({ webhook: { auditLog: { path: '/var/log/audit.log' } } })).toThrow(
      'webhook.auditLog.path: minikube cannot make /var/log/audit.log writable for kube-apiserver',
    );
  });
});

describe('MicroK8s', () => {
  const microk8s = (kubernetesVersion: string) =>
    build(ControlPlane.microk8s(), { kubernetesVersion, serviceClusterIPRange: '10.152.183.0/24', falco: { clusterIP: '10.152.183.100' } });

  test('from 1.27: the args lines and a launch configuration with the same flags and files', () => {
    const audit = microk8s('1.30');
    expect(audit.validateOutput()).toEqual([]);
    const launch = parsed(audit, 'microk8s-launch-config.yaml');
    expect(validateMicroK8sLaunchConfigYaml(file(audit, 'microk8s-launch-config.yaml').toYaml())).toEqual([]);
    expect(launch.version).toBe('0.1.0');
    expect(launch.extraKubeAPIServerArgs['--audit-webhook-config-file']).toBe('/var/snap/microk8s/current/args/audit-webhook-kubeconfig.yaml');
    expect(Object.keys(launch.extraConfigFiles)).toEqual(['audit-policy.yaml', 'audit-webhook-kubeconfig.yaml']);
    expect(serverOf(launch.extraConfigFiles['audit-webhook-kubeconfig.yaml'])).toBe(serviceListensAt(audit));
    const lines = file(audit, 'microk8s-kube-apiserver-args.txt').toYaml().split('\n');
    expect(lines.slice(0, 2)).toEqual(['# +argocd:skip-file-rendering', '--audit-policy-file=/var/snap/microk8s/current/args/audit-policy.yaml']);
    expect(steps(audit)).toContain('  microk8s stop && microk8s start');
  });

  test('before 1.27: the args lines only', () => {
    const audit = microk8s('1.26');
    expect(audit.controlPlane.files.map((f) => f.fileName)).toEqual([
      'audit-policy.yaml',
      'audit-webhook-kubeconfig.yaml',
      'microk8s-kube-apiserver-args.txt',
    ]);
    expect(audit.controlPlane.plan.notes.join('\n')).toContain('no launch configuration: MicroK8s has them from 1.27 on');
  });

  test('mutations the oracle catches: a key without its dashes, a file name with a slash, a misspelled key', () => {
    const launch = parsed(microk8s('1.30'), 'microk8s-launch-config.yaml');
    expect(validateMicroK8sLaunchConfig({ ...launch, extraKubeAPIServerArgs: { 'audit-webhook-mode': 'batch' } }).map((v) => v.rule)).toEqual([
      'microk8s.arg-dashes',
    ]);
    expect(validateMicroK8sLaunchConfig({ ...launch, extraConfigFiles: { 'audit/policy.yaml': 'x' } }).map((v) => v.rule)).toEqual([
      'microk8s.config-file-name',
    ]);
    const { extraKubeAPIServerArgs, ...rest } = launch;
    expect(validateMicroK8sLaunchConfig({ ...rest, extraKubeApiServerArgs: extraKubeAPIServerArgs }).map((v) => v.rule)).toEqual([
      'microk8s-schema.unknown-field',
    ]);
  });

  test('the files stay in the args folder a launch configuration writes to', () => {
    expect(() =>
      build(ControlPlane.microk8s(), { kubernetesVersion: '1.30', serviceClusterIPRange: '10.152.183.0/24', webhook: { directory: '/etc/falco' } }),
    ).toThrow("webhook.directory: MicroK8s keeps the API server's files in /var/snap/microk8s/current/args");
  });
});

test('OpenShift is refused, with what to do instead', () => {
  expect(() => ControlPlane.openshift()).toThrow(
    /^controlPlane: OpenShift is not supported: its API server takes audit profiles only .* Instead: set spec\.audit\.profile/,
  );
  expect(() => ControlPlane.of('openshift')).toThrow('unsupportedConfigOverrides, which marks the cluster Upgradeable=False and blocks upgrades');
});

describe('dynamic auditing (1.13-1.18)', () => {
  test.each([
    ['minikube', () => ControlPlane.minikube(), 'minikube tests Kubernetes from v1.20.0 on'],
    ['MicroK8s', () => ControlPlane.microk8s(), 'the MicroK8s args-file form has no definition in the references'],
    [
      'k0s',
      () => ControlPlane.k0s({ controllersRunWorkloads: true }),
      'the k0s references (v1.36.3+k0s.2) describe no k0s release with dynamic auditing',
    ],
  ])('%s: refused when asked for, and auto picks the webhook', (_name, controlPlane, reason) => {
    const settings = { kubernetesVersion: '1.18', serviceClusterIPRange: '10.96.0.0/12' };
    expect(() => build(controlPlane(), { ...settings, backend: AuditBackend.DYNAMIC })).toThrow(
      `backend: the dynamic audit backend (AuditSink) cannot be used on`,
    );
    expect(() => build(controlPlane(), { ...settings, backend: AuditBackend.DYNAMIC })).toThrow(reason);
    expect(build(controlPlane(), settings).backend).toBe(AuditBackend.WEBHOOK);
  });

  test('the webhook backend on 1.18 writes the same files, and no AuditSink', () => {
    const audit = build(ControlPlane.minikube(), { kubernetesVersion: '1.18', serviceClusterIPRange: '10.96.0.0/12' });
    expect(audit.auditSink).toBeUndefined();
    expect(file(audit, 'minikube-start.sh').toYaml()).toContain(
      '--extra-config=apiserver.audit-webhook-config-file=/etc/ssl/certs/audit-webhook-kubeconfig.yaml',
    );
  });
});
