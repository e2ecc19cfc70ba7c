/**
 * The binding contract of a distribution target: the backend computes the audit content once (flags, policy,
 * kubeconfig) and binds it against the target's command line (empty, or the user's) and mounts (host paths for a
 * host process, volumes for a static pod); the target's own flags are kept, or refused when ours differ.
 */
import { ApiServerAuditBackend } from '../../../lib/apiserver/api-server-audit-backend';
import { ApiServerCommandLine } from '../../../lib/apiserver/flags';
import { bindAudit, BindingOptions } from '../../../lib/apiserver/targets/binding';
import { KubernetesVersion } from '../../../lib/core/kubernetes-version';

const webhook = (options: Partial<Parameters<typeof ApiServerAuditBackend.webhook>[0]> = {}) =>
  ApiServerAuditBackend.webhook({ server: 'http://10.96.0.100:9765/k8s-audit', ...options });
const HOST: BindingOptions = {
  distribution: 'test',
  version: KubernetesVersion.of('1.30'),
  defaults: { directory: '/etc/test/falco-audit', auditLogPath: '/var/log/test/audit.log' },
  placement: { kind: 'host' },
};
const emitted = (b: ReturnType<typeof bindAudit>) => b.emitted.map((c) => `${c.flag}=${c.to}`);

describe('a host process (k3s, k0s, MicroK8s)', () => {
  test('every flag is written, the files at node paths, nothing mounted', () => {
    const b = bindAudit(webhook(), HOST);
    expect(emitted(b)).toEqual([
      'audit-policy-file=/etc/test/falco-audit/audit-policy.yaml',
      'audit-webhook-config-file=/etc/test/falco-audit/audit-webhook-kubeconfig.yaml',
      'audit-webhook-mode=batch',
      'audit-webhook-batch-max-wait=30s',
      'audit-webhook-initial-backoff=10s',
      'audit-log-path=/var/log/test/audit.log',
      'audit-log-maxage=30',
      'audit-log-maxbackup=10',
      'audit-log-maxsize=100',
    ]);
    expect(b.files.map((f) => [f.id, f.nodePath])).toEqual([
      ['Policy', '/etc/test/falco-audit/audit-policy.yaml'],
      ['WebhookKubeconfig', '/etc/test/falco-audit/audit-webhook-kubeconfig.yaml'],
    ]);
    expect(b.volumes).toEqual([]);
  });

  test('the kubeconfig names the server the backend was given', () => {
    const b = bindAudit(webhook({ server: 'http://10.0.0.5:30765/k8s-audit' }), HOST);
    expect((b.files[1].document as any).clusters[0].cluster.server).toBe('http://10.0.0.5:30765/k8s-audit');
  });
});

describe('a static pod', () => {
  test('a volume per folder, host path -> the same container path, reused by the paths in it', () => {
    const b = bindAudit(webhook(), { ...HOST, placement: { kind: 'static-pod', existing: [] } });
    expect(b.volumes).toEqual([
      {
        name: 'falco-audit',
        hostPath: '/etc/test/falco-audit',
        mountPath: '/etc/test/falco-audit',
        readOnly: true,
        serves: ['/etc/test/falco-audit/audit-policy.yaml', '/etc/test/falco-audit/audit-webhook-kubeconfig.yaml'],
      },
      { name: 'audit-log', hostPath: '/var/log/test', mountPath: '/var/log/test', readOnly: false, serves: ['/var/log/test/audit.log'] },
    ]);
  });

  test('a folder the distribution mounts is reused, at its host path; a taken volume name gets a suffix', () => {
    const b = bindAudit(webhook(), {
      ...HOST,
      placement: {
        kind: 'static-pod',
        existing: [{ name: 'logs', hostPath: '/data/logs', mountPath: '/var/log/test', readOnly: false }],
        takenNames: ['falco-audit'],
      },
    });
    expect(b.mountsReused).toEqual([{ name: 'logs', mountPath: '/var/log/test', readOnly: false, serves: '/var/log/test/audit.log' }]);
    expect(b.volumes.map((v) => v.name)).toEqual(['falco-audit-2']);
  });

  test('a target that cannot add volumes says why, at the option that named the path', () => {
    expect(() =>
      bindAudit(webhook({ directory: '/srv/audit' }), {
        ...HOST,
        distribution: 'minikube',
        placement: { kind: 'static-pod', existing: [], noVolumes: 'it passes flags only' },
      }),
    ).toThrow('webhook.directory: minikube cannot make /srv/audit/audit-policy.yaml readable for kube-apiserver: it passes flags only');
  });

  test('a writable path under a read-only mount is refused', () => {
    expect(() =>
      bindAudit(webhook({ auditLog: { path: '/etc/ssl/certs/audit.log' } }), {
        ...HOST,
        placement: { kind: 'static-pod', existing: [{ name: 'ca-certs', hostPath: '/etc/ssl/certs', mountPath: '/etc/ssl/certs', readOnly: true }] },
      }),
    ).toThrow('webhook.auditLog.path: cannot make /etc/ssl/certs/audit.log writable for kube-apiserver on test: it lies under /etc/ssl/certs');
  });
});

describe("the distribution's own flags", () => {
  const own: BindingOptions['ownFlags'] = [
    { flag: 'audit-log-maxage', value: '30', source: 'staticpod.go', field: 'webhook.auditLog.maxAge' },
    { flag: 'audit-log-path', value: '/var/log/test/audit.log', source: 'staticpod.go', field: 'webhook.auditLog.path', overridable: true },
  ];

  test('ours agreeing are kept and not written', () => {
    const b = bindAudit(webhook(), { ...HOST, ownFlags: own });
    expect(emitted(b)).not.toContain('audit-log-maxage=30');
    expect(b.flagChanges.find((c) => c.flag === 'audit-log-maxage')).toEqual({
      flag: 'audit-log-maxage',
      action: 'kept',
      from: '30',
      to: '30',
      reason: 'passed by test itself (staticpod.go)',
    });
  });

  test('ours differing is refused at the option, unless the distribution takes ours', () => {
    expect(() => bindAudit(webhook({ auditLog: { maxAge: 7 } }), { ...HOST, ownFlags: own })).toThrow(
      'webhook.auditLog.maxAge: test passes --audit-log-maxage=30 to the API server itself (staticpod.go)',
    );
    const b = bindAudit(webhook({ auditLog: { path: '/var/log/other/audit.log' } }), { ...HOST, ownFlags: own });
    expect(emitted(b)).toContain('audit-log-path=/var/log/other/audit.log');
  });
});

describe("a target that reads the user's flags (Cluster API)", () => {
  test('what the user set is kept and not written again; the operator policy is kept', () => {
    const commandLine = ApiServerCommandLine.parse({
      command: ['kube-apiserver', '--audit-policy-file=/etc/own/policy.yaml', '--audit-log-maxage=7'],
    });
    const b = bindAudit(webhook(), { ...HOST, commandLine });
    expect(emitted(b)).not.toContain('audit-log-maxage=30');
    expect(b.files.map((f) => f.id)).toEqual(['WebhookKubeconfig']);
    expect(b.flagChanges.filter((c) => c.action === 'kept').map((c) => c.flag)).toEqual(['audit-policy-file', 'audit-log-maxage']);
  });
});

test('the dynamic backend binds its flags and map keys, and writes no files', () => {
  const b = bindAudit(ApiServerAuditBackend.dynamic(), { ...HOST, version: KubernetesVersion.of('1.18') });
  expect(b.emitted.map((c) => [c.flag, c.key, c.to])).toEqual([
    ['audit-dynamic-configuration', undefined, 'true'],
    ['feature-gates', 'DynamicAuditing', 'true'],
    ['runtime-config', 'auditregistration.k8s.io/v1alpha1', 'true'],
  ]);
  expect(b.files).toEqual([]);
});
