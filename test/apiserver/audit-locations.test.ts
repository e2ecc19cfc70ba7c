/*
 * Where audit files may go (issue 14, section 4): kube-apiserver gets a hostPath mount of each audit file's folder,
 * so a folder that hides the container's own files or hands it the node's would keep it from starting, or worse.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ApiServerAuditBackend, KubeApiServerManifest, StaticPodManifest, WebhookBackendOptions } from '../../lib/apiserver';
import { protectedFolderProblem } from '../../lib/apiserver/kube-apiserver-manifest';
import { errorOf } from '../errors';

const SERVER = 'http://10.96.0.50:9765/k8s-audit';
const MODERN = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'modern', 'kube-apiserver.yaml'), 'utf8');
const webhook = (o: Partial<WebhookBackendOptions>) => ApiServerAuditBackend.webhook({ server: SERVER, ...o });

test('protected folders: the folders themselves, inside them, and above them', () => {
  const refused = [
    '/',
    '/etc',
    '/etc/kubernetes',
    '/etc/kubernetes/manifests',
    '/etc/kubernetes/manifests/audit',
    '/usr',
    '/usr/local/bin',
    '/bin',
    '/lib64',
    '/var',
    '/var/lib',
    '/var/lib/etcd',
    '/var/lib/kubelet/pods',
    '/var/run',
    '/run',
    '/run/containerd',
    '/proc/1',
    '/sys/fs',
    '/dev',
    '/boot',
  ];
  const accepted = [
    '/etc/kubernetes/audit',
    '/etc/kubernetes/pki',
    '/etc/falco-audit',
    '/var/log',
    '/var/log/kubernetes/audit',
    '/var/lib/falco-audit',
    '/srv/kubernetes',
    '/run/falco',
    '/tmp/audit',
    '/etc/kubernetes/manifests-backup',
    '/usrlocal',
  ];
  for (const dir of refused) expect({ dir, refused: protectedFolderProblem(dir) !== undefined }).toEqual({ dir, refused: true });
  for (const dir of accepted) expect({ dir, problem: protectedFolderProblem(dir) }).toEqual({ dir, problem: undefined });
  expect(protectedFolderProblem('/etc/kubernetes/manifests')).toBe(
    "/etc/kubernetes/manifests is the kubelet's static pod folder (it runs every file there)",
  );
  expect(protectedFolderProblem('/etc')).toBe("/etc contains /etc/kubernetes/manifests, the kubelet's static pod folder (it runs every file there)");
});

describe('webhook options', () => {
  test.each([
    [{ auditLog: { path: '/' } }, 'auditLog.path: must name the log file, not a folder, got "/"'],
    [{ auditLog: { path: '/var/log/audit/' } }, 'auditLog.path: must name the log file, not a folder, got "/var/log/audit/"'],
    [{ auditLog: { path: '/var/log/audit/.' } }, 'auditLog.path: must name the log file, not a folder, got "/var/log/audit/."'],
    [
      { auditLog: { path: '/audit.log' } },
      'auditLog.path: "/audit.log" cannot be the audit log: kube-apiserver would get a writable mount of /, and that mounts',
    ],
    [
      { auditLog: { path: '/etc/kubernetes/manifests/evil.yaml' } },
      "writable mount of /etc/kubernetes/manifests, and /etc/kubernetes/manifests is the kubelet's static pod folder",
    ],
    [{ directory: '/' }, 'directory: "/" cannot hold audit files: that mounts the host\'s root folder over the whole kube-apiserver container'],
    [{ directory: '/usr/local/bin' }, 'directory: "/usr/local/bin" cannot hold audit files: /usr/local/bin is inside /usr'],
    [
      { directory: '/srv/audit', auditLog: { path: '/srv/audit/audit-policy.yaml' } },
      'auditLog.path: "/srv/audit/audit-policy.yaml" is the audit policy file',
    ],
    [
      { auditLog: { maxSize: 1e30 } },
      'auditLog.maxSize: must be at most 9007199254740991 (kube-apiserver reads it as a Go int, and a larger number is written as 1e+30), got 1e+30',
    ],
    [{ auditLog: { maxBackup: 2 ** 53 } }, 'auditLog.maxBackup: must be at most 9007199254740991'],
    [{ auditLog: { maxAge: 1.5 } }, 'auditLog.maxAge: must be a whole number of 0 or more, got 1.5'],
    [{ batchMaxWait: '2562047h47m16.854775808s' }, 'batchMaxWait: must be a Go duration of at most 2562047h47m16.854775807s'],
    [{ initialBackoff: '106751d' }, 'initialBackoff: must be a Go duration such as "30s"'],
    [{ initialBackoff: '153722868m' }, 'initialBackoff: must be a Go duration of at most'],
  ] as [Partial<WebhookBackendOptions>, string][])('%j is refused', (options, message) => {
    expect(errorOf(() => webhook(options)).message).toContain(message);
  });

  test.each([
    [{ auditLog: { path: '-' } }],
    [{ auditLog: { path: '/var/log/kube-apiserver-audit.log' } }],
    [{ directory: '/srv/audit', auditLog: { path: '/srv/audit/audit.log' } }],
    [{ auditLog: { maxSize: Number.MAX_SAFE_INTEGER, maxAge: 0, maxBackup: 0 } }],
    [{ batchMaxWait: '2562047h47m16.854775807s', initialBackoff: '0' }],
    [{ initialBackoff: '1.5h30m0.000000001s' }],
    [{ initialBackoff: '153722867m16s' }],
  ] as [Partial<WebhookBackendOptions>][])('%j is accepted', (options) => {
    expect(() => webhook(options)).not.toThrow();
  });

  test('durations Go takes and this check once refused reach the flags as written (.5s, 1.s, the Greek mu)', () => {
    const manifest = StaticPodManifest.fromString(MODERN, 'kube-apiserver.yaml');
    const backend = webhook({ batchMaxWait: '.5s', initialBackoff: '250\u03bcs1.s' });
    const command = (new KubeApiServerManifest(Testing.chart(), 'ApiServer', { manifest, backend }).pod as any).spec.containers[0].command;
    expect(command).toEqual(expect.arrayContaining(['--audit-webhook-batch-max-wait=.5s', '--audit-webhook-initial-backoff=250\u03bcs1.s']));
  });
});

test("an operator's --audit-log-path in a protected folder is not mounted, and the error is at that flag's line", () => {
  const text = MODERN.replace('    - kube-apiserver\n', '    - kube-apiserver\n    - --audit-log-path=/var/lib/etcd/audit.log\n');
  const manifest = StaticPodManifest.fromString(text, 'kube-apiserver.yaml');
  const err = errorOf(() => new KubeApiServerManifest(Testing.chart(), 'ApiServer', { manifest, backend: webhook({}) }));
  const line = text.split('\n').findIndex((l) => l.includes('--audit-log-path')) + 1;
  expect(err.message).toBe(
    `kube-apiserver.yaml:${line}: spec.containers[0].command[1]: cannot mount /var/lib/etcd into kube-apiserver for /var/lib/etcd/audit.log: ` +
      "/var/lib/etcd is etcd's data; change --audit-log-path to a folder of its own",
  );
});

test('a mount that clashes names the option that set the path: webhook.auditLog.path or webhook.directory', () => {
  // kubeadm mounts /etc/kubernetes/pki read-only: a log there cannot be written, a directory under a config map not read
  const log = errorOf(
    () =>
      new KubeApiServerManifest(Testing.chart(), 'ApiServer', {
        manifest: StaticPodManifest.fromString(MODERN, 'kube-apiserver.yaml'),
        backend: webhook({ auditLog: { path: '/etc/kubernetes/pki/audit.log' } }),
      }),
  );
  expect(log.location).toEqual({ field: 'webhook.auditLog.path' });
  expect(log.message).toMatch(
    /^webhook\.auditLog\.path: cannot mount \/etc\/kubernetes\/pki into kube-apiserver for \/etc\/kubernetes\/pki\/audit\.log: the container already mounts volume "k8s-certs" there/,
  );
  const doc = StaticPodManifest.fromString(MODERN).document as any;
  doc.spec.containers[0].volumeMounts.push({ mountPath: '/etc/kubernetes/audit', name: 'audit-config' });
  doc.spec.volumes.push({ configMap: { name: 'audit' }, name: 'audit-config' });
  const dir = errorOf(
    () =>
      new KubeApiServerManifest(Testing.chart(), 'ApiServer', { manifest: StaticPodManifest.fromString(JSON.stringify(doc)), backend: webhook({}) }),
  );
  expect(dir.location).toEqual({ field: 'webhook.directory' });
  expect(dir.message).toMatch(
    /^webhook\.directory: cannot mount \/etc\/kubernetes\/audit into kube-apiserver for \/etc\/kubernetes\/audit\/audit-policy\.yaml: the container already mounts volume "audit-config" there \(not a plain hostPath\)/,
  );
});
