/**
 * k3s and RKE2: a `config.yaml.d/99-falco-audit.yaml` drop-in that appends (`kube-apiserver-arg+:`) to the user's
 * list, checked against each distribution's option table; RKE2's own audit option and the flags it passes itself.
 */
import { ControlPlane } from '../../../lib/apiserver';
import { AuditBackend } from '../../../lib/falco-audit';
import { k3sApiServerArgs, validateK3sConfig, validateRke2Config } from '../../../lib/validation/distros';
import { build, file, parsed, serverOf, serviceListensAt, steps } from './helpers';

describe('k3s', () => {
  const k3s = (settings = {}) => build(ControlPlane.k3s(), { kubernetesVersion: '1.30.6+k3s1', ...settings });

  test('a few settings: the drop-in, the policy and the kubeconfig at node paths, valid', () => {
    const audit = k3s({ falco: { clusterIP: '10.43.0.100' } });
    expect(audit.serviceClusterIPRange).toBe('10.43.0.0/16');
    expect(audit.validateOutput()).toEqual([]);
    expect(audit.controlPlane.files.map((f) => [f.fileName, f.nodePath])).toEqual([
      ['audit-policy.yaml', '/etc/rancher/k3s/falco-audit/audit-policy.yaml'],
      ['audit-webhook-kubeconfig.yaml', '/etc/rancher/k3s/falco-audit/audit-webhook-kubeconfig.yaml'],
      ['99-falco-audit.yaml', '/etc/rancher/k3s/config.yaml.d/99-falco-audit.yaml'],
    ]);
    expect(parsed(audit, '99-falco-audit.yaml')).toEqual({
      'kube-apiserver-arg+': [
        'audit-policy-file=/etc/rancher/k3s/falco-audit/audit-policy.yaml',
        'audit-webhook-config-file=/etc/rancher/k3s/falco-audit/audit-webhook-kubeconfig.yaml',
        'audit-webhook-mode=batch',
        'audit-webhook-batch-max-wait=30s',
        'audit-webhook-initial-backoff=10s',
        'audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log',
        'audit-log-maxage=30',
        'audit-log-maxbackup=10',
        'audit-log-maxsize=100',
      ],
    });
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit));
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe('http://10.43.0.100:9765/k8s-audit');
  });

  test('the drop-in passes the k3s option table; a key without "+" or an unknown one does not (mutations)', () => {
    const dropIn = parsed(k3s(), '99-falco-audit.yaml');
    expect(validateK3sConfig(dropIn)).toEqual([]);
    const replacing = { 'kube-apiserver-arg': dropIn['kube-apiserver-arg+'] };
    expect(validateK3sConfig(replacing).map((v) => v.rule)).toEqual(['k3s.replaces-list']);
    expect(validateK3sConfig({ 'kube-apiserver-args+': dropIn['kube-apiserver-arg+'] }).map((v) => v.rule)).toEqual(['k3s.unknown-option']);
  });

  test('a mutated drop-in is caught by FalcoAudit.validateOutput (the oracle runs before a byte is written)', () => {
    const audit = k3s();
    const dropIn = (audit.controlPlane as any).dropIn;
    dropIn['kube-apiserver-arg'] = dropIn['kube-apiserver-arg+'];
    delete dropIn['kube-apiserver-arg+'];
    expect(audit.validateOutput()).toEqual([
      expect.stringMatching(/^node\/99-falco-audit\.yaml: kube-apiserver-arg: in a drop-in, .*\(k3s\.replaces-list\)$/),
    ]);
    expect(() => audit.assertValid()).toThrow('k3s.replaces-list');
  });

  test("appended after the user's own list, ours is the flag in effect (k3s GetArgs keeps repeated flags in order)", () => {
    const ours = parsed(k3s(), '99-falco-audit.yaml')['kube-apiserver-arg+'];
    const flags = k3sApiServerArgs({ 'anonymous-auth': 'false' }, [
      'audit-webhook-mode=blocking',
      'enable-admission-plugins=NodeRestriction',
      ...ours,
    ]);
    const modes = flags.filter((f) => f.startsWith('--audit-webhook-mode='));
    expect(modes).toEqual(['--audit-webhook-mode=blocking', '--audit-webhook-mode=batch']);
    expect(flags).toContain('--enable-admission-plugins=NodeRestriction');
  });

  test("a ClusterIP outside k3s's default service range is refused; the range can be stated", () => {
    expect(() => k3s({ falco: { clusterIP: '10.96.0.100' } })).toThrow(
      'falco.clusterIP: cluster IP 10.96.0.100 is outside the service cluster IP range 10.43.0.0/16',
    );
    expect(k3s({ serviceClusterIPRange: '10.96.0.0/12', falco: { clusterIP: '10.96.0.100' } }).url).toBe('http://10.96.0.100:9765/k8s-audit');
  });

  test('a server without its agent has no kube-proxy: a ClusterIP or 127.0.0.1 is refused, a routable address works', () => {
    const noAgent = ControlPlane.k3s({ controllersRunWorkloads: false });
    expect(() => build(noAgent, { kubernetesVersion: '1.30', falco: { clusterIP: '10.43.0.100' } })).toThrow(
      'falco.clusterIP: k3s runs kube-apiserver as part of the k3s server process on the host, and a k3s server without its agent',
    );
    expect(() => build(noAgent, { kubernetesVersion: '1.30', falco: { nodePort: 30765 } })).toThrow(
      /^falco\.nodePort: .*127\.0\.0\.1:30765 does not answer there/,
    );
    const audit = build(noAgent, { kubernetesVersion: '1.30', falco: { address: 'http://10.0.0.5:30765' } });
    expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit, '10.0.0.5'));
    expect(audit.validateOutput()).toEqual([]);
  });

  test('k3s before 1.19 reads no config file; the dynamic backend is refused', () => {
    expect(() => k3s({ kubernetesVersion: '1.18.20+k3s1' })).toThrow('kubernetesVersion: k3s reads a config file from v1.19.1+k3s1 on');
    expect(() => k3s({ backend: AuditBackend.DYNAMIC })).toThrow(
      'backend: the dynamic audit backend (AuditSink) does not exist on Kubernetes 1.30.6',
    );
  });

  test('the plan warns about --kube-apiserver-arg on the command line; the steps place the drop-in last and restart k3s', () => {
    const audit = k3s();
    expect(audit.warnings.map((w) => w.message).join('\n')).toContain('a --kube-apiserver-arg on the k3s service');
    expect(steps(audit)).toEqual([
      'on every k3s server, place the files (root:root, 0600), the drop-in last:',
      '  install -D -o root -g root -m 0600 dist/node/audit-policy.yaml /etc/rancher/k3s/falco-audit/audit-policy.yaml',
      '  install -D -o root -g root -m 0600 dist/node/audit-webhook-kubeconfig.yaml /etc/rancher/k3s/falco-audit/audit-webhook-kubeconfig.yaml',
      '  install -d -o root -g root -m 0700 /var/lib/rancher/k3s/server/logs',
      '  install -D -o root -g root -m 0600 dist/node/99-falco-audit.yaml /etc/rancher/k3s/config.yaml.d/99-falco-audit.yaml',
      expect.stringMatching(/^restart k3s, one server at a time/),
      '  systemctl cat k3s | grep -e --kube-apiserver-arg   (no output)',
      '  systemctl restart k3s',
    ]);
  });
});

describe('RKE2', () => {
  const rke2 = (settings = {}) => build(ControlPlane.rke2(), { kubernetesVersion: '1.30.6+rke2r1', ...settings });

  test("the policy in RKE2's own option, and none of the audit-log flags RKE2 passes itself", () => {
    const audit = rke2({ falco: { clusterIP: '10.43.0.100' } });
    expect(audit.validateOutput()).toEqual([]);
    const dropIn = parsed(audit, '99-falco-audit.yaml');
    expect(dropIn).toEqual({
      'audit-policy-file': '/etc/rancher/rke2/falco-audit/audit-policy.yaml',
      'kube-apiserver-arg+': [
        'audit-webhook-config-file=/etc/rancher/rke2/falco-audit/audit-webhook-kubeconfig.yaml',
        'audit-webhook-mode=batch',
        'audit-webhook-batch-max-wait=30s',
        'audit-webhook-initial-backoff=10s',
      ],
    });
    expect(validateRke2Config(dropIn)).toEqual([]);
    expect(audit.controlPlane.plan.flagsKept.map((f) => f.flag)).toEqual([
      'audit-log-path',
      'audit-log-maxage',
      'audit-log-maxbackup',
      'audit-log-maxsize',
    ]);
    const kubeconfig = file(audit, 'audit-webhook-kubeconfig.yaml').toYaml();
    expect(serverOf(kubeconfig)).toBe(serviceListensAt(audit));
    expect(kubeconfig).not.toMatch(/certificate-authority:/);
  });

  test('mutations: a repeated RKE2 audit flag, or the policy as a kube-apiserver-arg, are caught', () => {
    const dropIn = parsed(rke2(), '99-falco-audit.yaml');
    const twice = { ...dropIn, 'kube-apiserver-arg+': [...dropIn['kube-apiserver-arg+'], 'audit-log-maxage=30'] };
    expect(validateRke2Config(twice).map((v) => v.rule)).toEqual(['rke2.duplicate-audit-flag']);
    const asArg = { 'kube-apiserver-arg+': [`audit-policy-file=${dropIn['audit-policy-file']}`] };
    expect(validateRke2Config(asArg).map((v) => v.rule)).toEqual(['rke2.audit-policy-arg']);
  });

  test('a rotation RKE2 overrides is refused at the option; another log path is taken', () => {
    expect(() => rke2({ webhook: { auditLog: { maxAge: 7 } } })).toThrow(
      'webhook.auditLog.maxAge: RKE2 passes --audit-log-maxage=30 to the API server itself (staticpod.go L236-250 @ v1.36.3+rke2r1)',
    );
    const audit = rke2({ webhook: { auditLog: { path: '/var/log/rke2-audit/audit.log' } } });
    expect(parsed(audit, '99-falco-audit.yaml')['kube-apiserver-arg+']).toContain('audit-log-path=/var/log/rke2-audit/audit.log');
  });

  test('auditLog off is said to do nothing on RKE2', () => {
    expect(
      rke2({ webhook: { auditLog: false } })
        .warnings.map((w) => w.message)
        .join('\n'),
    ).toContain('RKE2 writes the audit log itself whenever audit-policy-file is set');
  });

  test('the steps place the files before the drop-in and restart rke2-server', () => {
    const lines = steps(rke2());
    expect(lines.indexOf('  systemctl restart rke2-server')).toBeGreaterThan(lines.findIndex((l) => l.includes('99-falco-audit.yaml')));
    expect(lines.findIndex((l) => l.includes('audit-policy.yaml'))).toBeLessThan(lines.findIndex((l) => l.includes('99-falco-audit.yaml')));
  });
});
