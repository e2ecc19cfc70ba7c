/**
 * The plan is the runbook: the ordered procedure per backend, the commands with owner and mode, the checks (the API
 * server came back, an audit event reached Falco), the prerequisites the cluster objects need, the plain-HTTP
 * warning, and the refusal of a kubernetesVersion the manifest does not run. Through the app process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, runApp, scratch, writeFiles } from './run';

const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const MODERN_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8');
const PEM = fs.readFileSync(path.join(EXAMPLES, 'reference-dynamic', 'falco-ca.pem'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function plan(config: string, manifest: string, extra: Record<string, string> = {}) {
  writeFiles(dir, { 'falco-audit.yaml': config, 'kube-apiserver.yaml': manifest, ...extra });
  return runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: path.join(dir, 'dist'), env: {} });
}

/** The numbered steps, as their first lines, and every line of the steps section. */
function steps(stderr: string): { titles: string[]; text: string } {
  const section = stderr.slice(stderr.indexOf('  steps:\n'), stderr.indexOf('  files written:'));
  return {
    titles: section
      .split('\n')
      .filter((l) => /^ {4}\d+\. /.test(l))
      .map((l) => l.trim()),
    text: section,
  };
}

test('webhook backend: Falco first, then the files the manifest names, the manifest last, then the checks', () => {
  const r = plan('apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', MODERN_MANIFEST);
  expect(r.status).toBe(0);
  const { titles, text } = steps(r.stderr);
  const at = (s: string) => titles.findIndex((t) => t.includes(s));
  expect(titles[0]).toMatch(/^1\. prerequisites: the namespace falco \(kubectl create namespace falco, or Argo CD's CreateNamespace=true/);
  expect(at('apply dist/cluster/')).toBeLessThan(at('place the files the manifest names'));
  expect(at('place the files the manifest names')).toBeLessThan(at('replace the manifest last'));
  expect(at('replace the manifest last')).toBeLessThan(at('check the API server came back'));
  expect(at('check the API server came back')).toBeLessThan(at('check an audit event reaches Falco'));
  // owner and mode of every node file: root:root 0600 (CIS 1.1.1 for the manifest)
  for (const [file, target] of [
    ['audit-policy.yaml', '/etc/kubernetes/audit/audit-policy.yaml'],
    ['audit-webhook-kubeconfig.yaml', '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml'],
    ['kube-apiserver.yaml', '/etc/kubernetes/manifests/kube-apiserver.yaml'],
  ]) {
    expect(text).toContain(`install -D -o root -g root -m 0600 dist/node/${file} ${target}`);
  }
  expect(text.indexOf('audit-webhook-kubeconfig.yaml /etc')).toBeLessThan(text.indexOf('kube-apiserver.yaml /etc/kubernetes/manifests'));
  expect(text).toContain('kubectl -n falco rollout status deployment/falco');
  expect(text).toContain('crictl ps --name kube-apiserver');
  expect(text).toContain("kubectl get --raw='/readyz?verbose'");
  expect(text).toContain('trigger the default rule "Attach/Exec Pod"');
  // SPDY, a POST: the rules up to k8saudit 0.11 match only create, and kubectl 1.30+ would exec over WebSocket (a GET)
  expect(text).toContain('KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false kubectl -n falco exec deployment/falco -c falco -- /usr/bin/falco --version');
  // every pod's log, by the pods' own labels
  expect(text).toContain("kubectl -n falco logs -l app=falco,role=k8saudit -c falco --prefix --tail=-1 | grep 'Attach/Exec to pod (user='");
  expect(text).toContain('kubeadm clusters: also put dist/node/kube-apiserver+json.yaml in the patches folder');
  expect(r.stderr).toMatch(/warning: audit events go to Falco over plain HTTP \(http:\/\/10\.96\.0\.100:9765\/k8s-audit\).*NetworkPolicy/);
});

test('dynamic backend: the manifest first (it enables the AuditSink kind), then the cluster objects', () => {
  const r = plan('apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', DEFAULT_MANIFEST);
  expect(r.status).toBe(0);
  const { titles } = steps(r.stderr);
  const at = (s: string) => titles.findIndex((t) => t.includes(s));
  expect(at('replace the manifest')).toBeGreaterThan(0);
  expect(at('replace the manifest')).toBeLessThan(at('apply dist/cluster/'));
  expect(titles.some((t) => t.includes('kubeadm'))).toBe(false); // kubeadm has no patches before 1.19
  expect(r.stderr).toContain("the AuditSink's one level, RequestResponse, applies to every request, so every Secret body travels in clear");
  expect(r.stderr).toContain("kubectl -n falco logs -l app=falco,role=security -c falco --prefix --tail=-1 | grep 'Attach/Exec to pod (user='");
});

test('Kubernetes before 1.16 has no /readyz: the check asks /healthz', () => {
  const manifest = fs.readFileSync(path.join(__dirname, '..', 'apiserver', 'fixtures', '04-kubeadm-v1.13.4-nadamdb.yaml'), 'utf8');
  const r = plan('apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', manifest);
  expect(r.stderr).not.toMatch(/^error/m);
  expect(steps(r.stderr).text).toContain("kubectl get --raw='/healthz?verbose'");
});

test('paths with spaces are quoted for the shell', () => {
  writeFiles(dir, {
    'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n',
    'kube-apiserver.yaml': MODERN_MANIFEST,
  });
  const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: path.join(dir, 'my out'), env: {} });
  expect(r.status).toBe(0);
  expect(r.stderr).toContain("kubectl apply -f 'my out/cluster/'");
  expect(r.stderr).toContain("install -D -o root -g root -m 0600 'my out/node/kube-apiserver.yaml' /etc/kubernetes/manifests/kube-apiserver.yaml");
});

test('TLS: the Secret Falco reads is a prerequisite, and there is no plain-HTTP warning', () => {
  const r = plan(
    'apiServer: {manifest: kube-apiserver.yaml}\naudit:\n  auditSink: {certificateAuthority: ca.pem}\nfalco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}\n',
    DEFAULT_MANIFEST,
    { 'ca.pem': PEM, 'values.yaml': 'falco:\n  webserver:\n    sslEnabled: true\n' },
  );
  expect(r.status).toBe(0);
  expect(steps(r.stderr).text).toContain('kubectl -n falco create secret generic falco-tls --from-file=falco.pem=');
  expect(steps(r.stderr).text).toContain('the certificate must name what the API server calls, IP:10.96.0.100, in its subjectAltName');
  expect(r.stderr).not.toContain('plain HTTP');
});

test('a fleet: each cluster its own runbook with its own folder', () => {
  writeFiles(dir, { 'lab/kube-apiserver.yaml': MODERN_MANIFEST });
  const r = plan(
    'clusters:\n  - name: prod\n    apiServer: {manifest: kube-apiserver.yaml}\n    falco: {clusterIP: 10.96.0.100}\n' +
      '  - name: lab\n    apiServer: {manifest: lab/kube-apiserver.yaml}\n    falco: {clusterIP: 10.96.0.101}\n',
    DEFAULT_MANIFEST,
  );
  expect(r.status).toBe(0);
  expect(r.stderr).toContain('install -D -o root -g root -m 0600 dist/prod/node/kube-apiserver.yaml /etc/kubernetes/manifests/kube-apiserver.yaml');
  expect(r.stderr).toContain('install -D -o root -g root -m 0600 dist/lab/node/audit-policy.yaml /etc/kubernetes/audit/audit-policy.yaml');
});

test('kubernetesVersion of another minor than the manifest image is refused at its line', () => {
  const r = plan('kubernetesVersion: "1.18.2"\napiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', MODERN_MANIFEST);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    "falco-audit.yaml:1: kubernetesVersion: kubernetesVersion 1.18.2 does not match the manifest's kube-apiserver image, which runs Kubernetes 1.30.6",
  );
  expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  // the same minor at another patch is fine (the image tag may lag a patch release)
  expect(
    plan('kubernetesVersion: "1.30.2"\napiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', MODERN_MANIFEST).status,
  ).toBe(0);
});

test('kubernetesVersion "1.30" with a v1.30.6 image: the plan names the version the manifest runs, 1.30.6', () => {
  writeFiles(dir, { 'falco-audit.yaml': 'kubernetesVersion: "1.30"\napiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n' });
  writeFiles(dir, { 'kube-apiserver.yaml': MODERN_MANIFEST });
  const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: path.join(dir, 'dist'), env: {} });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/^Kubernetes 1\.30\.6, webhook audit backend/);
});

describe('the check waits for the audit source: its batch wait plus a margin, and says so', () => {
  const checkStep = (stderr: string) => steps(stderr).text.slice(steps(stderr).text.indexOf('check an audit event reaches Falco'));
  test.each([
    [
      'webhook, batch mode by default: 30s',
      '',
      'look for its alert for up to 45s, as the webhook sends events in batches up to 30s apart (--audit-webhook-batch-max-wait)',
      'seq 9',
    ],
    [
      'webhook, batchMaxWait 5s',
      'audit: {webhook: {batchMaxWait: 5s}}\n',
      'for up to 20s, as the webhook sends events in batches up to 5s apart',
      'seq 4',
    ],
    [
      'webhook, batchMaxWait 1m30s',
      'audit: {webhook: {batchMaxWait: 1m30s}}\n',
      'for up to 105s, as the webhook sends events in batches up to 1m30s apart',
      'seq 21',
    ],
    [
      'webhook, blocking mode',
      'audit: {webhook: {mode: blocking}}\n',
      'for up to 15s, as the webhook sends each event as the request is served (blocking mode does not batch)',
      'seq 3',
    ],
    ['webhook, batchMaxWait 1h: at most 60 tries', 'audit: {webhook: {batchMaxWait: 1h}}\n', 'for up to 3615s', 'seq 60); do'],
  ])('%s', (_what, audit, says, loop) => {
    const r = plan(`apiServer: {manifest: kube-apiserver.yaml}\n${audit}falco: {clusterIP: 10.96.0.100}\n`, MODERN_MANIFEST);
    expect(r.status).toBe(0);
    const text = checkStep(r.stderr);
    expect(text).toContain(says);
    expect(text).toContain(`for try in $(${loop}`);
    expect(text).toMatch(
      /do kubectl -n falco logs -l app=falco,role=k8saudit -c falco --prefix --tail=-1 \| grep 'Attach\/Exec to pod \(user=' && break; sleep \d+; done/,
    );
  });

  test("the AuditSink's fixed 30s", () => {
    const r = plan('apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.96.0.100}\n', DEFAULT_MANIFEST);
    const text = checkStep(r.stderr);
    expect(text).toContain("look for its alert for up to 45s, as an AuditSink's events go in batches up to 30s apart (fixed in kube-apiserver)");
    expect(text).toContain('for try in $(seq 9); do kubectl -n falco logs -l app=falco,role=security');
  });
});
