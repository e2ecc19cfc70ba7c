/**
 * Talos 1.12 and 1.13: one strategic-merge machine config patch, checked against Talos's config.schema.json of that
 * minor; the policy as cluster.apiServer.auditPolicy, the webhook flags only, the kubeconfig as a machine.files entry
 * under /var written as Talos writes modes (0o644).
 */
import { ControlPlane } from '../../../lib/apiserver';
import { AuditPolicy } from '../../../lib/audit';
import { validateTalosPatch, validateTalosPatchYaml } from '../../../lib/validation/distros';
import { build, file, parsed, serverOf, serviceListensAt, steps } from './helpers';

const talos = (version: string, kubernetesVersion: string, settings = {}) =>
  build(ControlPlane.talos({ version }), {
    kubernetesVersion,
    serviceClusterIPRange: '10.96.0.0/12',
    falco: { clusterIP: '10.96.0.100' },
    ...settings,
  });
const PATCH = 'talos-falco-audit-patch.yaml';

describe.each([
  ['1.12', '1.30', 12],
  ['1.13', '1.33', 13],
])('Talos %s', (version, kubernetesVersion, minor) => {
  test("one patch: webhook flags, the volume, the policy, the kubeconfig under /var; it passes that minor's schema", () => {
    const audit = talos(version, kubernetesVersion);
    expect(audit.validateOutput()).toEqual([]);
    expect(audit.controlPlane.files.map((f) => [f.fileName, f.nodePath])).toEqual([[PATCH, undefined]]);
    const text = file(audit, PATCH).toYaml();
    expect(validateTalosPatchYaml(text, minor)).toEqual([]);
    const patch = parsed(audit, PATCH);
    expect(patch.cluster.apiServer.extraArgs).toEqual({
      'audit-webhook-config-file': '/var/etc/kubernetes/falco-audit/audit-webhook-kubeconfig.yaml',
      'audit-webhook-mode': 'batch',
      'audit-webhook-batch-max-wait': '30s',
      'audit-webhook-initial-backoff': '10s',
    });
    expect(patch.cluster.apiServer.extraVolumes).toEqual([
      { hostPath: '/var/etc/kubernetes/falco-audit', mountPath: '/var/etc/kubernetes/falco-audit', readonly: true },
    ]);
    expect(patch.cluster.apiServer.auditPolicy).toEqual(AuditPolicy.hardened().toDocument());
    expect(patch.machine.files).toEqual([
      { content: expect.any(String), permissions: 0o644, path: '/var/etc/kubernetes/falco-audit/audit-webhook-kubeconfig.yaml', op: 'create' },
    ]);
    expect(text).toMatch(/^ {6}permissions: 0o644$/m);
    expect(serverOf(patch.machine.files[0].content)).toBe(serviceListensAt(audit));
  });

  test('mutations the oracle catches: readOnly for readonly, 0644 for 0o644, op: create outside /var', () => {
    const audit = talos(version, kubernetesVersion);
    const patch = parsed(audit, PATCH);
    const readOnly = structuredClone(patch);
    readOnly.cluster.apiServer.extraVolumes[0] = { ...readOnly.cluster.apiServer.extraVolumes[0], readOnly: true };
    expect(validateTalosPatch(readOnly, minor).map((v) => [v.path, v.rule])).toEqual([
      ['cluster.apiServer.extraVolumes[0].readOnly', 'talos-schema.unknown-field'],
    ]);
    const text = file(audit, PATCH).toYaml().replace('permissions: 0o644', 'permissions: 0644');
    expect(validateTalosPatchYaml(text, minor).map((v) => v.rule)).toContain('talos.ambiguous-octal');
    const outside = structuredClone(patch);
    outside.machine.files[0].path = '/etc/kubernetes/falco-audit/audit-webhook-kubeconfig.yaml';
    expect(validateTalosPatch(outside, minor).map((v) => v.rule)).toContain('talos.file-outside-var');
  });
});

test('Talos 1.12 takes extraArgs as strings only: a list value is caught (1.13 takes it)', () => {
  const patch = parsed(talos('1.12', '1.30'), PATCH);
  patch.cluster.apiServer.extraArgs['audit-webhook-mode'] = ['batch'];
  expect(validateTalosPatch(patch, 12).map((v) => v.rule)).toEqual(['talos-schema.type']);
  expect(validateTalosPatch(patch, 13)).toEqual([]);
});

test('the version: 1.14 is refused with the reason, others are named; each minor has its Kubernetes range', () => {
  expect(() => ControlPlane.talos({ version: '1.14' })).toThrow(
    'controlPlane.version: Talos 1.14 is refused until it can hold a webhook kubeconfig: its KubeAPIServerConfig document has no volumes',
  );
  expect(() => ControlPlane.talos({ version: '1.11' })).toThrow(
    'controlPlane.version: must be the Talos minor the control plane runs, "1.12" or "1.13", got "1.11"',
  );
  expect(ControlPlane.talos({ version: 'v1.13.9' }).distribution).toBe('talos');
  expect(() => talos('1.12', '1.29')).toThrow(
    'kubernetesVersion: Talos 1.12 runs Kubernetes 1.30-1.35 (pkg/machinery/compatibility/talos112), not 1.29.0',
  );
  expect(() => talos('1.13', '1.30')).toThrow('kubernetesVersion: Talos 1.13 runs Kubernetes 1.31-1.36');
});

test('a folder outside /var, or a log rotation Talos sets itself, is refused at the option', () => {
  expect(() => talos('1.13', '1.33', { webhook: { directory: '/etc/kubernetes/audit' } })).toThrow(
    'webhook.directory: Talos writes files with op: create only under /var',
  );
  expect(() => talos('1.13', '1.33', { webhook: { auditLog: { maxSize: 50 } } })).toThrow(
    'webhook.auditLog.maxSize: Talos passes --audit-log-maxsize=100 to the API server itself',
  );
});

test('the service range is required: the references give Talos no default', () => {
  expect(() => build(ControlPlane.talos({ version: '1.13' }), { kubernetesVersion: '1.33' })).toThrow(
    'serviceClusterIPRange: is required for Talos 1.13, which documents no default',
  );
  expect(() => build(ControlPlane.talos({ version: '1.13' }), { serviceClusterIPRange: '10.96.0.0/12' })).toThrow(
    'kubernetesVersion: is required for Talos 1.13',
  );
});

test('the plan says what needs a reboot, one node at a time; the steps patch with --mode=reboot', () => {
  const audit = talos('1.13', '1.33');
  const plan = audit.controlPlane.plan.toText();
  expect(plan).toContain('it writes machine.files only when the node boots');
  expect(plan).toContain('patch one control-plane node at a time');
  expect(plan).toContain('falco-audit: hostPath /var/etc/kubernetes/falco-audit (no type)');
  expect(steps(audit)).toContain('  talosctl patch mc --mode=reboot --patch @dist/node/talos-falco-audit-patch.yaml -n <control-plane node>');
});
