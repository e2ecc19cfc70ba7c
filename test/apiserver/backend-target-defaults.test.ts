/**
 * The backend plug-in contract with a target of its own folders (a distribution target): the webhook backend binds
 * against any AuditBackendTarget, takes the target's folder for the policy and kubeconfig and its audit log file when
 * the options leave them out, and keeps the static pod's defaults otherwise.
 */
import { AuditBackendTarget, MountNeed } from '../../lib/apiserver/api-server-audit-backend';
import { WebhookBackend } from '../../lib/apiserver/backends/webhook-backend';
import { ApiServerCommandLine, FlagChange } from '../../lib/apiserver/flags';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';

const SERVER = 'http://10.43.0.100:9765/k8s-audit';

/** A target that is a host process: every path is a node path, nothing is mounted; records what was asked. */
function hostTarget(defaults?: AuditBackendTarget['defaults']) {
  const flagChanges: FlagChange[] = [];
  const needs: MountNeed[] = [];
  const target: AuditBackendTarget = {
    version: KubernetesVersion.of('1.30'),
    commandLine: ApiServerCommandLine.parse({ command: ['kube-apiserver'] }),
    flagChanges,
    notes: [],
    defaults,
    locateFlag: () => ({}),
    isReadable: () => true,
    mount: (n) => {
      needs.push(...n);
      return new Map(n.map((x) => [x.path, x.path]));
    },
  };
  return { target, flagChanges, needs };
}

const flags = (changes: FlagChange[]) => Object.fromEntries(changes.map((c) => [c.flag, c.to]));

test("the target's folders are used when the options leave them out", () => {
  const { target, flagChanges, needs } = hostTarget({
    directory: '/etc/rancher/k3s/falco-audit',
    auditLogPath: '/var/lib/rancher/k3s/server/logs/audit.log',
  });
  const files = new WebhookBackend({ server: SERVER }).bind(target);
  expect(flags(flagChanges)).toMatchObject({
    'audit-policy-file': '/etc/rancher/k3s/falco-audit/audit-policy.yaml',
    'audit-webhook-config-file': '/etc/rancher/k3s/falco-audit/audit-webhook-kubeconfig.yaml',
    'audit-log-path': '/var/lib/rancher/k3s/server/logs/audit.log',
  });
  expect(files.map((f) => f.nodePath)).toEqual([
    '/etc/rancher/k3s/falco-audit/audit-policy.yaml',
    '/etc/rancher/k3s/falco-audit/audit-webhook-kubeconfig.yaml',
  ]);
  expect(needs.map((n) => [n.directory, n.writable])).toEqual([
    ['/etc/rancher/k3s/falco-audit', false],
    ['/etc/rancher/k3s/falco-audit', false],
    ['/var/lib/rancher/k3s/server/logs', true],
  ]);
});

test("the options win over the target's folders", () => {
  const { target, flagChanges } = hostTarget({ directory: '/etc/rancher/k3s/falco-audit', auditLogPath: '-' });
  new WebhookBackend({ server: SERVER, directory: '/srv/audit', auditLog: { path: '/var/log/audit/api.log' } }).bind(target);
  expect(flags(flagChanges)).toMatchObject({ 'audit-policy-file': '/srv/audit/audit-policy.yaml', 'audit-log-path': '/var/log/audit/api.log' });
});

test('without target folders, the static pod defaults, as before', () => {
  const { target, flagChanges } = hostTarget();
  new WebhookBackend({ server: SERVER }).bind(target);
  expect(flags(flagChanges)).toMatchObject({
    'audit-policy-file': '/etc/kubernetes/audit/audit-policy.yaml',
    'audit-log-path': '/var/log/kubernetes/audit/audit.log',
  });
});

test("a log file that is the policy in the target's folder is refused when the backend binds, naming the option", () => {
  const backend = new WebhookBackend({ server: SERVER, auditLog: { path: '/etc/rancher/k3s/falco-audit/audit-policy.yaml' } });
  const { target } = hostTarget({ directory: '/etc/rancher/k3s/falco-audit', auditLogPath: '/var/log/x.log' });
  expect(() => backend.bind(target)).toThrow(
    'webhook.auditLog.path: "/etc/rancher/k3s/falco-audit/audit-policy.yaml" is the audit policy file; the log backend would append events to it',
  );
});

test('the same clash with the static pod defaults is still refused when the backend is made', () => {
  expect(() => new WebhookBackend({ server: SERVER, auditLog: { path: '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml' } })).toThrow(
    'auditLog.path: "/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml" is the audit webhook kubeconfig file',
  );
});
