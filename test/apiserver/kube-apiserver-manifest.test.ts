import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import {
  ApiServerAuditBackend,
  ApiServerCommandLine,
  KubeApiServerManifest,
  KubeApiServerManifestProps,
  StaticPodManifest,
  WebhookBackendOptions,
} from '../../lib/apiserver';
import { AuditPolicy } from '../../lib/audit';
import { UserError } from '../../lib/core/errors';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { NodeFile } from '../../lib/core/node-file';
import { formatViolation, validateAll } from '../../lib/validation';
import { dumpYaml } from '../../lib/core/yaml';
import * as yamlEdit from '../../lib/core/yaml-edit';

const FIXTURES = path.join(__dirname, 'fixtures');
const SERVER = 'http://10.96.0.50:8765/k8s-audit';
const fixture = (name: string) => StaticPodManifest.fromFile(path.join(FIXTURES, name), name);

function build(manifest: StaticPodManifest, backend: ApiServerAuditBackend, extra: Partial<KubeApiServerManifestProps> = {}) {
  const chart = Testing.chart();
  const k = new KubeApiServerManifest(chart, 'ApiServer', { manifest, backend, ...extra });
  const files = NodeFile.all(chart);
  const text = (name: string) => files.find((f) => f.fileName === name)?.toYaml();
  return { k, files, text, chart };
}
const webhook = (o: Partial<WebhookBackendOptions> = {}) => ApiServerAuditBackend.webhook({ server: SERVER, ...o });
const flagsOf = (pod: any) => ApiServerCommandLine.parse(pod.spec.containers[0]);

/** Patches the output again with the same backend; the result must be byte-identical. */
function expectIdempotent(out: ReturnType<typeof build>, backend: () => ApiServerAuditBackend, extra: Partial<KubeApiServerManifestProps> = {}) {
  const first = out.text('kube-apiserver.yaml')!;
  const again = build(StaticPodManifest.fromString(first, 'patched.yaml'), backend(), extra);
  expect(again.text('kube-apiserver.yaml')).toBe(first);
  expect(again.k.plan.unchanged).toBe(true);
  expect(again.k.plan.flagsAdded).toEqual([]);
  expect(again.k.plan.flagsChanged).toEqual([]);
}

/** Applies RFC 6902 `test` and `add` (as kubeadm would) to a copy of `doc`. */
function applyJsonPatch(doc: any, ops: readonly any[]): any {
  const out = JSON.parse(JSON.stringify(doc));
  for (const op of ops) {
    const parts = op.path.split('/').slice(1);
    const last = parts.pop();
    let target = out;
    for (const p of parts) target = target[p];
    if (op.op === 'test') {
      if (JSON.stringify(target[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else if (op.op === 'add') {
      if (Array.isArray(target) && last === '-') target.push(op.value);
      else throw new Error(`unsupported add ${op.path}`);
    } else throw new Error(`unsupported op ${op.op}`);
  }
  return out;
}

const AUDIT_FLAGS = [
  'audit-policy-file',
  'audit-webhook-config-file',
  'audit-webhook-mode',
  'audit-webhook-batch-max-wait',
  'audit-webhook-initial-backoff',
  'audit-log-path',
  'audit-log-maxage',
  'audit-log-maxbackup',
  'audit-log-maxsize',
  'audit-dynamic-configuration',
];
function expectSameEffect(a: any, b: any) {
  const fa = flagsOf(a);
  const fb = flagsOf(b);
  for (const f of AUDIT_FLAGS) expect([f, fb.get(f)]).toEqual([f, fa.get(f)]);
  expect([...fb.mapValue('feature-gates')].sort()).toEqual([...fa.mapValue('feature-gates')].sort());
  expect([...fb.mapValue('runtime-config')].sort()).toEqual([...fa.mapValue('runtime-config')].sort());
  expect(b.spec.volumes).toEqual(a.spec.volumes);
  expect(b.spec.containers[0].volumeMounts).toEqual(a.spec.containers[0].volumeMounts);
}

describe('every sample manifest', () => {
  test('02 hyperkube 1.10 is refused, whatever the backend, with file, field and line', () => {
    const m = fixture('02-hyperkube-v1.10.4-cookie-s.yaml');
    for (const backend of [ApiServerAuditBackend.dynamic(), webhook()]) {
      expect(() => build(m, backend)).toThrow(UserError);
      expect(() => build(m, backend)).toThrow(
        '02-hyperkube-v1.10.4-cookie-s.yaml:10: spec.containers[0].image: Kubernetes 1.10 (from "quay.io/coreos/hyperkube:v1.10.4_coreos.0") is not supported',
      );
    }
  });

  test('02 hyperkube form is patched when a supported version is given (its 3-token runtime-config key kept)', () => {
    const m = fixture('02-hyperkube-v1.10.4-cookie-s.yaml');
    const out = build(m, ApiServerAuditBackend.dynamic(), { kubernetesVersion: KubernetesVersion.of('1.13.0') });
    const cmd = (out.k.pod as any).spec.containers[0].command;
    expect(cmd.slice(0, 2)).toEqual(['/hyperkube', 'apiserver']);
    expect(cmd).toContain('--runtime-config=extensions/v1beta1/networkpolicies=true,auditregistration.k8s.io/v1alpha1=true');
    expect(cmd.slice(-2)).toEqual(['--audit-dynamic-configuration', '--feature-gates=DynamicAuditing=true']);
    expect(out.k.kubeadmPatch).toEqual([]);
    expect(out.k.plan.notes).toContain(
      'no kubeadm patch: the manifest starts kube-apiserver as "/hyperkube apiserver" (hyperkube), not in kubeadm\'s layout',
    );
    expectIdempotent(out, () => ApiServerAuditBackend.dynamic(), { kubernetesVersion: KubernetesVersion.of('1.13.0') });
  });

  test.each(['04-kubeadm-v1.13.4-nadamdb.yaml', '10-kubeadm-v1.18.2-danil.yaml'])('%s: dynamic backend', (name) => {
    const m = fixture(name);
    const out = build(m, ApiServerAuditBackend.dynamic());
    const input = (m.document as any).spec.containers[0].command as string[];
    const cmd = (out.k.pod as any).spec.containers[0].command as string[];
    expect(cmd.slice(0, input.length)).toEqual(input);
    expect(cmd.slice(input.length)).toEqual([
      '--audit-dynamic-configuration',
      '--feature-gates=DynamicAuditing=true',
      '--runtime-config=auditregistration.k8s.io/v1alpha1=true',
    ]);
    // nothing else changes: no volumes, no files besides the manifest (kubeadm before 1.19 applies no patches)
    const rest = (d: any) => ({ ...d, spec: { ...d.spec, containers: [{ ...d.spec.containers[0], command: undefined }] } });
    expect(rest(out.k.pod)).toEqual(rest(m.document));
    expect(out.files.map((f) => [f.node.id, f.fileName, f.nodePath])).toEqual([
      ['Manifest', 'kube-apiserver.yaml', '/etc/kubernetes/manifests/kube-apiserver.yaml'],
    ]);
    expect(out.k.kubeadmPatch).toEqual([]);
    expect(out.k.plan.notes.some((n) => /^no kubeadm patch: kubeadm 1\.1[38] cannot apply patch files \(they came in 1\.19\)/.test(n))).toBe(true);
    expect(out.k.version.toString()).toBe(name.startsWith('04') ? '1.13.4' : '1.18.2');
    expectIdempotent(out, () => ApiServerAuditBackend.dynamic());
  });

  test.each([
    ['13-kubeadm-v1.20.11-dupflags-jcbrouwer.yaml', '1.20.11'],
    ['19-kubeadm-v1.25.3-featuregates-sallyom.yaml', '1.25.3'],
    ['23-kubeadm-v1.28.2-audit-devsecaiops.yaml', '1.28.2'],
  ])('%s: the dynamic backend is refused naming the version and the webhook backend', (name, version) => {
    expect(() => build(fixture(name), ApiServerAuditBackend.dynamic())).toThrow(
      `the dynamic audit backend needs Kubernetes 1.13-1.18, but this API server runs ${version}: DynamicAuditing and auditregistration.k8s.io were removed in 1.19 and kube-apiserver would refuse to start; use the webhook backend (ApiServerAuditBackend.webhook / backend: webhook) instead`,
    );
  });

  test.each([
    '04-kubeadm-v1.13.4-nadamdb.yaml',
    '10-kubeadm-v1.18.2-danil.yaml',
    '13-kubeadm-v1.20.11-dupflags-jcbrouwer.yaml',
    '19-kubeadm-v1.25.3-featuregates-sallyom.yaml',
  ])('%s: webhook backend with defaults', (name) => {
    const m = fixture(name);
    const out = build(m, webhook());
    const pod = out.k.pod as any;
    const input = (m.document as any).spec.containers[0].command as string[];
    const cmd = pod.spec.containers[0].command as string[];
    expect(cmd.slice(0, input.length)).toEqual(input);
    expect(cmd.slice(input.length)).toEqual([
      '--audit-policy-file=/etc/kubernetes/audit/audit-policy.yaml',
      '--audit-webhook-config-file=/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml',
      '--audit-webhook-mode=batch',
      '--audit-webhook-batch-max-wait=30s',
      '--audit-webhook-initial-backoff=10s',
      '--audit-log-path=/var/log/kubernetes/audit/audit.log',
      '--audit-log-maxage=30',
      '--audit-log-maxbackup=10',
      '--audit-log-maxsize=100',
    ]);
    const inVolumes = (m.document as any).spec.volumes;
    expect(pod.spec.volumes.slice(0, inVolumes.length)).toEqual(inVolumes);
    expect(pod.spec.volumes.slice(inVolumes.length)).toEqual([
      { hostPath: { path: '/etc/kubernetes/audit', type: 'DirectoryOrCreate' }, name: 'falco-audit' },
      { hostPath: { path: '/var/log/kubernetes/audit', type: 'DirectoryOrCreate' }, name: 'audit-log' },
    ]);
    const inMounts = (m.document as any).spec.containers[0].volumeMounts;
    expect(pod.spec.containers[0].volumeMounts.slice(0, inMounts.length)).toEqual(inMounts);
    expect(pod.spec.containers[0].volumeMounts.slice(inMounts.length)).toEqual([
      { mountPath: '/etc/kubernetes/audit', name: 'falco-audit', readOnly: true },
      { mountPath: '/var/log/kubernetes/audit', name: 'audit-log' },
    ]);
    const patchable = out.k.version.isAtLeast(19);
    expect(out.files.map((f) => [f.node.id, f.fileName, f.nodePath])).toEqual([
      ['Manifest', 'kube-apiserver.yaml', '/etc/kubernetes/manifests/kube-apiserver.yaml'],
      ['Policy', 'audit-policy.yaml', '/etc/kubernetes/audit/audit-policy.yaml'],
      ['WebhookKubeconfig', 'audit-webhook-kubeconfig.yaml', '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml'],
      ...(patchable ? [['KubeadmPatch', 'kube-apiserver+json.yaml', undefined]] : []),
    ]);
    expect((out.files[2].document as any).clusters[0].cluster.server).toBe(SERVER);
    expect(out.files[1].document).toEqual(AuditPolicy.hardened().toDocument());
    if (patchable) expectSameEffect(pod, applyJsonPatch(m.document, out.k.kubeadmPatch));
    else expect(out.k.kubeadmPatch).toEqual([]);
    expectIdempotent(out, () => webhook());
  });

  test('13: duplicated flags keep their effective (last) values and their places', () => {
    const out = build(fixture('13-kubeadm-v1.20.11-dupflags-jcbrouwer.yaml'), webhook());
    const cl = flagsOf(out.k.pod);
    expect(cl.count('service-account-issuer')).toBe(2);
    expect(cl.get('service-account-issuer')).toBe('kubernetes.default.svc');
    expect(cl.count('service-account-signing-key-file')).toBe(2);
  });

  test('19: existing feature gates are kept when DynamicAuditing would be merged (1.18 given explicitly)', () => {
    // the 1.25 manifest with a 1.18 version claims what the flag engine does with an existing --feature-gates
    const out = build(fixture('19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), ApiServerAuditBackend.dynamic(), {
      kubernetesVersion: KubernetesVersion.of('1.18.0'),
    });
    const cmd = (out.k.pod as any).spec.containers[0].command as string[];
    expect(cmd).toContain('--feature-gates=APIServerTracing=true,KubeletTracing=true,DynamicAuditing=true');
    expect(cmd.filter((c) => c.startsWith('--feature-gates'))).toHaveLength(1);
    expect(cmd.indexOf('--feature-gates=APIServerTracing=true,KubeletTracing=true,DynamicAuditing=true')).toBe(11);
    // kubeadm 1.18 applies no patch files, so none is written for the dynamic backend
    expect(out.k.kubeadmPatch).toEqual([]);
  });

  test('the kubeadm patch names the way each kubeadm version takes patches', () => {
    const m = fixture('19-kubeadm-v1.25.3-featuregates-sallyom.yaml');
    const describe = (v: string) => build(m, webhook(), { kubernetesVersion: KubernetesVersion.of(v) }).k.kubeadmPatchFile?.description;
    expect(describe('1.18.0')).toBeUndefined();
    expect(describe('1.20.0')).toMatch(/pass --experimental-patches <folder> to kubeadm init\/join\/upgrade$/);
    expect(describe('1.22.0')).toMatch(
      /pass --patches <folder> to kubeadm init\/join\/upgrade \(or set \{Init\|Join\}Configuration\.patches\.directory\)$/,
    );
    expect(describe('1.25.3')).toMatch(
      /name that folder in \{Init\|Join\}Configuration\.patches\.directory \(kubeadm init\/join\) or pass --patches <folder> to kubeadm upgrade$/,
    );
  });

  test('23: the operator policy and audit-log values are kept and reported; existing mounts reused', () => {
    const m = fixture('23-kubeadm-v1.28.2-audit-devsecaiops.yaml');
    const out = build(m, webhook());
    const cl = flagsOf(out.k.pod);
    expect(cl.get('audit-policy-file')).toBe('/etc/kubernetes/audit-policy.yaml');
    expect(cl.get('audit-log-path')).toBe('/var/log/audit.log');
    expect(cl.get('audit-log-maxage')).toBe('3');
    expect(cl.get('audit-log-maxbackup')).toBe('5');
    expect(cl.get('audit-log-maxsize')).toBe('100');
    expect(cl.get('audit-webhook-config-file')).toBe('/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml');
    expect(out.k.plan.flagsKept.map((f) => [f.flag, f.to, f.reason])).toEqual([
      [
        'audit-policy-file',
        '/etc/kubernetes/audit-policy.yaml',
        "the operator's policy is kept and ours is not written; make sure it records what Falco needs",
      ],
      ['audit-log-path', '/var/log/audit.log', "kept the operator's value; ours would be /var/log/kubernetes/audit/audit.log"],
      ['audit-log-maxage', '3', "kept the operator's value; ours would be 30"],
      ['audit-log-maxbackup', '5', "kept the operator's value; ours would be 10"],
    ]);
    expect(out.files.map((f) => f.fileName)).toEqual(['kube-apiserver.yaml', 'audit-webhook-kubeconfig.yaml', 'kube-apiserver+json.yaml']);
    expect(out.k.plan.mountsReused).toEqual([{ name: 'audit-log', mountPath: '/var/log/audit.log', readOnly: false, serves: '/var/log/audit.log' }]);
    expect(out.k.plan.volumesAdded).toEqual([{ name: 'falco-audit', hostPath: '/etc/kubernetes/audit', type: 'DirectoryOrCreate' }]);
    expectSameEffect(out.k.pod, applyJsonPatch(m.document, out.k.kubeadmPatch));
    expectIdempotent(out, () => webhook());
  });

  test('every sample in ../shared/apiserver-samples is handled like its copy here', () => {
    const shared = path.join(__dirname, '..', '..', '..', 'shared', 'apiserver-samples');
    if (!fs.existsSync(shared)) {
      console.warn(`skipped: ${shared} is missing (the comparison with the shared samples needs it)`);
      return;
    }
    const names = fs
      .readdirSync(shared)
      .filter((n) => n.endsWith('.yaml'))
      .sort();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const m = StaticPodManifest.fromFile(path.join(shared, name), name);
      let version: KubernetesVersion;
      try {
        version = m.imageVersion();
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        expect(String((err as Error).message)).toMatch(/is not supported|set kubernetesVersion/);
        continue;
      }
      const out = build(m, webhook());
      expect(flagsOf(out.k.pod).get('audit-webhook-config-file')).toBe('/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml');
      expectIdempotent(out, () => webhook());
      if (version.supportsDynamicAuditing) {
        const dyn = build(m, ApiServerAuditBackend.dynamic());
        expect(flagsOf(dyn.k.pod).mapValue('feature-gates').get('DynamicAuditing')).toBe('true');
        expectIdempotent(dyn, () => ApiServerAuditBackend.dynamic());
      } else {
        expect(() => build(m, ApiServerAuditBackend.dynamic())).toThrow(/use the webhook backend/);
      }
      if (fs.existsSync(path.join(FIXTURES, name))) {
        expect(fs.readFileSync(path.join(shared, name), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
      }
    }
  });
});

describe('every output is valid for its Kubernetes version', () => {
  test.each([
    ['04-kubeadm-v1.13.4-nadamdb.yaml', true],
    ['10-kubeadm-v1.18.2-danil.yaml', true],
    ['13-kubeadm-v1.20.11-dupflags-jcbrouwer.yaml', false],
    ['19-kubeadm-v1.25.3-featuregates-sallyom.yaml', false],
    ['23-kubeadm-v1.28.2-audit-devsecaiops.yaml', false],
    ['kops-go-runner-v1.21.5.yaml', false],
    ['mirror-pod-kubectl-get-v1.22.4.yaml', false],
  ])('%s (strict schema of the minor + semantic rules)', (name, dynamic) => {
    for (const backend of dynamic ? [webhook(), ApiServerAuditBackend.dynamic()] : [webhook()]) {
      const out = build(fixture(name), backend);
      const items = out.files.filter((f) => f.fileName !== 'kube-apiserver+json.yaml').map((f) => ({ source: f.fileName, object: f.document }));
      expect(validateAll(items, out.k.version).map(formatViolation)).toEqual([]);
    }
  });
});

describe('snapshots of realistic configurations', () => {
  const all = (out: ReturnType<typeof build>) =>
    `${out.k.plan.toText()}${out.files.map((f) => `\n=== ${f.fileName} -> ${f.nodePath ?? '(kubeadm patches folder)'}\n${f.toYaml()}`).join('')}`;

  test('kubeadm 1.18 dynamic', () => {
    expect(all(build(fixture('10-kubeadm-v1.18.2-danil.yaml'), ApiServerAuditBackend.dynamic()))).toMatchSnapshot();
  });
  test('kubeadm 1.25 webhook, defaults', () => {
    expect(all(build(fixture('19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), webhook()))).toMatchSnapshot();
  });
  test('kubeadm 1.28 with an existing audit setup, blocking webhook', () => {
    expect(
      all(build(fixture('23-kubeadm-v1.28.2-audit-devsecaiops.yaml'), webhook({ mode: 'blocking', policy: AuditPolicy.metadataOnly() }))),
    ).toMatchSnapshot();
  });
  test('kops go-runner 1.21 webhook', () => {
    expect(all(build(fixture('kops-go-runner-v1.21.5.yaml'), webhook({ server: 'http://127.0.0.1:30765/k8s-audit' })))).toMatchSnapshot();
  });
  test('mirror pod dump 1.22 webhook', () => {
    expect(all(build(fixture('mirror-pod-kubectl-get-v1.22.4.yaml'), webhook()))).toMatchSnapshot();
  });
});

describe('forms and layouts', () => {
  test('kops go-runner: flags appended to args, go-runner flags untouched, the log file mount is not the audit log', () => {
    const m = fixture('kops-go-runner-v1.21.5.yaml');
    const out = build(m, webhook());
    const c = (out.k.pod as any).spec.containers[0];
    expect(c.command).toEqual(['/go-runner']);
    expect(c.args.slice(0, 3)).toEqual(['--log-file=/var/log/kube-apiserver.log', '--also-stdout', '/usr/local/bin/kube-apiserver']);
    expect(c.args.slice(-1)).toEqual(['--audit-log-maxsize=100']);
    expect(out.k.kubeadmPatch).toEqual([]);
    expect(out.files.map((f) => f.fileName)).toEqual(['kube-apiserver.yaml', 'audit-policy.yaml', 'audit-webhook-kubeconfig.yaml']);
    expectIdempotent(out, () => webhook());
  });

  test('a mirror pod dump is cleaned to a static pod manifest and the plan says so', () => {
    const m = fixture('mirror-pod-kubectl-get-v1.22.4.yaml');
    expect(m.cleanups).toEqual([
      'metadata.uid',
      'metadata.resourceVersion',
      'metadata.ownerReferences',
      'metadata.creationTimestamp',
      'metadata.annotations["kubernetes.io/config.hash"]',
      'metadata.annotations["kubernetes.io/config.mirror"]',
      'metadata.annotations["kubernetes.io/config.seen"]',
      'metadata.annotations["kubernetes.io/config.source"]',
      'the node name suffix of metadata.name ("kube-apiserver-cp-1" -> "kube-apiserver")',
      'spec.nodeName',
      'status',
    ]);
    const out = build(m, webhook());
    const pod = out.k.pod as any;
    expect(pod.metadata).toEqual({
      annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': '10.0.0.10:6443' },
      labels: { component: 'kube-apiserver', tier: 'control-plane' },
      name: 'kube-apiserver',
      namespace: 'kube-system',
    });
    expect(pod.status).toBeUndefined();
    expect(pod.spec.nodeName).toBeUndefined();
    expect(out.k.plan.toText()).toContain('removed from the mirror pod dump:\n  metadata.uid\n');
    expect(m.serviceClusterIPRange).toBe('10.96.0.0/12,fd00:10:96::/112');
    expectIdempotent(out, () => webhook());
  });

  test('an operator policy file on no mount is kept and the plan warns', () => {
    const text = fs
      .readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8')
      .replace('    - --advertise-address', '    - --audit-policy-file=/opt/policy.yaml\n    - --advertise-address');
    const out = build(StaticPodManifest.fromString(text), webhook());
    expect(out.k.plan.notes).toContain(
      "the operator's policy file /opt/policy.yaml is on no hostPath mount of the container: kube-apiserver cannot read it",
    );
    expect(out.k.policyFile).toBeUndefined();
    expect(out.k.kubeconfigFile!.nodePath).toBe('/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml');
    expect(out.k.kubeadmPatchFile).toBeUndefined(); // kubeadm 1.18 applies no patch files
  });

  test('kubeadm keeps creationTimestamp: null and status: {}', () => {
    const out = build(fixture('10-kubeadm-v1.18.2-danil.yaml'), webhook());
    expect(out.text('kube-apiserver.yaml')).toContain('  creationTimestamp: null\n');
    expect(out.text('kube-apiserver.yaml')!.endsWith('status: {}\n')).toBe(true);
    expect(out.k.plan.cleanups).toEqual([]);
  });

  test('output is the input plus the change: key order kept, no cdk8s labels or names, same namespace', () => {
    const m = fixture('19-kubeadm-v1.25.3-featuregates-sallyom.yaml');
    const out = build(m, webhook());
    const pod = out.k.pod as any;
    expect(Object.keys(pod)).toEqual(Object.keys(m.document));
    expect(Object.keys(pod.spec)).toEqual(Object.keys(m.document.spec as object));
    expect(Object.keys(pod.spec.containers[0])).toEqual(Object.keys((m.document as any).spec.containers[0]));
    expect(pod.metadata).toEqual(m.document.metadata);
    expect(Testing.synth(out.chart)).toEqual([]);
  });

  test('JSON input works like YAML and stays JSON (after the marker line)', () => {
    const yamlText = fs.readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8');
    const json = JSON.stringify(StaticPodManifest.fromString(yamlText).document);
    const fromJson = build(StaticPodManifest.fromString(json, 'm.json'), webhook());
    const fromYaml = build(fixture('10-kubeadm-v1.18.2-danil.yaml'), webhook());
    expect(fromJson.k.pod).toEqual(fromYaml.k.pod);
    expect(fromJson.k.plan).toEqual(fromYaml.k.plan);
    const [marker, body, ...rest] = fromJson.text('kube-apiserver.yaml')!.split('\n');
    expect([marker, rest]).toEqual(['# +argocd:skip-file-rendering', []]);
    expect(JSON.parse(body)).toEqual(fromYaml.k.pod);
    expectIdempotent(fromJson, () => webhook());
  });

  test('the manifest is written anew, with a note, where its text cannot be edited in place', () => {
    const text =
      fs.readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8').replace('  volumes:\n', '  volumes: &v\n') + 'x-copy: *v\n';
    const out = build(StaticPodManifest.fromString(text), webhook());
    expect(out.k.plan.notes).toContain(
      "kube-apiserver.yaml is the patched pod written anew, without the input's comments and layout: the input could not be edited in place (spec.volumes has a YAML anchor, and its aliases would change with it)",
    );
    expect(out.text('kube-apiserver.yaml')).toBe(`# +argocd:skip-file-rendering\n${dumpYaml(out.k.pod)}`);
    expectIdempotent(out, () => webhook());
  });

  test('an edited text that does not read back as the patched pod is an internal error, not a user error', () => {
    const spy = jest.spyOn(yamlEdit, 'editYamlText').mockImplementation((text) => text.replace('--secure-port=6443', '--secure-port=6444'));
    try {
      expect(() => build(fixture('10-kubeadm-v1.18.2-danil.yaml'), webhook())).toThrow(
        'internal error: the edited text of 10-kubeadm-v1.18.2-danil.yaml does not read back as the patched pod; please report this with the manifest',
      );
      expect(() => build(fixture('10-kubeadm-v1.18.2-danil.yaml'), webhook())).not.toThrow(UserError);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('webhook options', () => {
  const m = () => fixture('10-kubeadm-v1.18.2-danil.yaml');

  test('blocking mode writes no batch flag; auditLog false writes no log flags or log mount', () => {
    const out = build(m(), webhook({ mode: 'blocking-strict', auditLog: false, initialBackoff: '5s' }));
    const cl = flagsOf(out.k.pod);
    expect(cl.get('audit-webhook-mode')).toBe('blocking-strict');
    expect(cl.has('audit-webhook-batch-max-wait')).toBe(false);
    expect(cl.get('audit-webhook-initial-backoff')).toBe('5s');
    expect(AUDIT_FLAGS.filter((f) => f.startsWith('audit-log') && cl.has(f))).toEqual([]);
    expect(out.k.plan.volumesAdded.map((v) => v.name)).toEqual(['falco-audit']);
  });

  test('a changed mode is replaced and reported', () => {
    const first = build(m(), webhook({ mode: 'blocking' })).text('kube-apiserver.yaml')!;
    const out = build(StaticPodManifest.fromString(first), webhook());
    expect(out.k.plan.flagsChanged).toEqual([{ flag: 'audit-webhook-mode', action: 'changed', from: 'blocking', to: 'batch' }]);
    expect(out.k.plan.flagsAdded).toEqual([{ flag: 'audit-webhook-batch-max-wait', action: 'added', to: '30s' }]);
    expect(out.k.plan.toText()).toContain('flags changed:\n  --audit-webhook-mode: blocking -> batch\n');
  });

  test('custom directory and log path; an existing mount covering the directory is reused and its host path used', () => {
    const doc = StaticPodManifest.fromString(fs.readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8')).document as any;
    doc.spec.containers[0].volumeMounts.push({ mountPath: '/etc/kubernetes/conf', name: 'conf', readOnly: true });
    doc.spec.volumes.push({ hostPath: { path: '/srv/k8s-conf', type: 'Directory' }, name: 'conf' });
    doc.spec.volumes.push({ hostPath: { path: '/tmp' }, name: 'falco-audit' });
    const out = build(
      StaticPodManifest.fromString(dumpYaml(doc)),
      webhook({ directory: '/etc/kubernetes/conf/falco/', auditLog: { path: '/var/log/apiserver/audit.log', maxAge: 7 } }),
    );
    const cl = flagsOf(out.k.pod);
    expect(cl.get('audit-policy-file')).toBe('/etc/kubernetes/conf/falco/audit-policy.yaml');
    expect(cl.get('audit-log-maxage')).toBe('7');
    expect(out.k.plan.mountsReused.map((r) => r.name)).toEqual(['conf', 'conf']);
    expect(out.files.find((f) => f.fileName === 'audit-policy.yaml')!.nodePath).toBe('/srv/k8s-conf/falco/audit-policy.yaml');
    expect(out.k.plan.volumesAdded).toEqual([{ name: 'audit-log', hostPath: '/var/log/apiserver', type: 'DirectoryOrCreate' }]);
  });

  test('volume names never collide; a read-only parent mount gets a writable nested log mount', () => {
    const doc = StaticPodManifest.fromString(fs.readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8')).document as any;
    doc.spec.containers[0].volumeMounts.push({ mountPath: '/var/log', name: 'falco-audit', readOnly: true });
    doc.spec.volumes.push({ hostPath: { path: '/var/log' }, name: 'falco-audit' }, { emptyDir: {}, name: 'audit-log' });
    const out = build(StaticPodManifest.fromString(dumpYaml(doc)), webhook());
    expect(out.k.plan.volumesAdded.map((v) => v.name)).toEqual(['falco-audit-2', 'audit-log-2']);
    expect(out.k.plan.mountsAdded.map((v) => [v.mountPath, v.readOnly])).toEqual([
      ['/etc/kubernetes/audit', true],
      ['/var/log/kubernetes/audit', false],
    ]);
    const names = (out.k.pod as any).spec.volumes.map((v: any) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('a read-only mount exactly where the log must be written is refused', () => {
    const doc = StaticPodManifest.fromString(fs.readFileSync(path.join(FIXTURES, '10-kubeadm-v1.18.2-danil.yaml'), 'utf8')).document as any;
    doc.spec.containers[0].volumeMounts.push({ mountPath: '/var/log/kubernetes/audit', name: 'logs', readOnly: true });
    doc.spec.volumes.push({ hostPath: { path: '/var/log/kubernetes/audit' }, name: 'logs' });
    expect(() => build(StaticPodManifest.fromString(dumpYaml(doc)), webhook())).toThrow(
      'cannot mount /var/log/kubernetes/audit into kube-apiserver for /var/log/kubernetes/audit/audit.log: the container already mounts volume "logs" there (read-only or not a hostPath, and the audit log must be writable); choose another directory',
    );
  });

  test.each([
    [{ server: 'falco:8765' }, 'url "falco:8765" must use http or https, not falco'],
    [{ server: '/k8s-audit' }, 'url "/k8s-audit" is not a valid absolute URL'],
    [{ server: 'http://u:p@10.0.0.1:8765/k8s-audit' }, 'user information is not permitted in the url'],
    [{ server: 'http://10.0.0.1:8765/k8s-audit?x=1' }, 'query parameters are not permitted in the url'],
    [{ server: 'http://10.0.0.1:8765/k8s-audit#x' }, 'fragments are not permitted in the url'],
    [{ mode: 'async' }, 'mode: unknown audit webhook mode "async"; use one of batch, blocking, blocking-strict'],
    [{ batchMaxWait: '30' }, 'batchMaxWait: must be a Go duration such as "30s", "1m30s" or "500ms", got "30"'],
    [{ directory: 'etc/audit' }, 'directory: must be an absolute path without spaces or "..", got "etc/audit"'],
    [{ auditLog: { maxAge: -1 } }, 'auditLog.maxAge: must be a whole number of 0 or more, got -1'],
  ])('bad option %j is a UserError', (options, message) => {
    expect(() => ApiServerAuditBackend.webhook({ server: SERVER, ...(options as any) })).toThrow(UserError);
    expect(() => ApiServerAuditBackend.webhook({ server: SERVER, ...(options as any) })).toThrow(message);
  });
});

describe('bad manifests', () => {
  const load = (text: string) => () => StaticPodManifest.fromString(text, 'bad.yaml');
  test('not a Pod', () => {
    expect(load('apiVersion: apps/v1\nkind: Deployment\n')).toThrow(
      'bad.yaml:1: apiVersion: kube-apiserver manifest must have apiVersion "v1", got "apps/v1"',
    );
    expect(load('apiVersion: v1\nkind: Service\n')).toThrow(
      'bad.yaml:2: kind: kube-apiserver manifest must be a Pod (kind: Pod), got kind "Service"',
    );
    expect(load('- a\n')).toThrow('bad.yaml: kube-apiserver manifest must be a Pod object, got a list');
  });
  test('malformed YAML names the line', () => {
    expect(load('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: x\n   image: y\n')).toThrow(
      /^bad\.yaml:6:\d+: kube-apiserver manifest is not valid YAML/,
    );
  });
  test('no kube-apiserver container', () => {
    expect(load('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd]\n')).toThrow(
      'bad.yaml:4: spec.containers: kube-apiserver manifest has no kube-apiserver container (no container is named "kube-apiserver" and none runs the kube-apiserver binary; containers: "etcd")',
    );
    expect(load('apiVersion: v1\nkind: Pod\nspec: {}\n')).toThrow('bad.yaml:3: spec.containers: kube-apiserver manifest has no containers');
  });
  test('a container found by its binary', () => {
    const m = StaticPodManifest.fromString(
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: sidecar\n    image: busybox\n  - name: apiserver\n    image: k8s.gcr.io/kube-apiserver:v1.16.3\n    command: [kube-apiserver, --secure-port=6443]\n',
    );
    expect(m.containerIndex).toBe(1);
    expect(m.imageVersion().toString()).toBe('1.16.3');
    expect(m.serviceClusterIPRange).toBeUndefined();
  });
  test('unknown version tells to set kubernetesVersion', () => {
    const m = StaticPodManifest.fromString(
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    image: my.registry/apiserver:latest\n    command: [kube-apiserver]\n',
      'm.yaml',
    );
    expect(() => m.imageVersion()).toThrow(
      'm.yaml:6: spec.containers[0].image: cannot tell the Kubernetes version from the image "my.registry/apiserver:latest" (its tag "latest" is not a version); set kubernetesVersion explicitly',
    );
    expect(() => build(m, webhook())).toThrow(UserError);
    expect(build(m, webhook(), { kubernetesVersion: KubernetesVersion.of('1.30') }).k.version.toString()).toBe('1.30.0');
  });
  test('sh -c with shell syntax is refused with file and line', () => {
    expect(
      load(
        'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    image: k8s.gcr.io/kube-apiserver:v1.15.0\n    command:\n    - /bin/sh\n    - -c\n    - kube-apiserver --v=2 1>>/var/log/kube-apiserver.log 2>&1\n',
      ),
    ).toThrow(/^bad\.yaml:5: spec\.containers\[0\]: runs kube-apiserver through "\/bin\/sh -c" with shell syntax \(">"\).*convert it to list form/);
  });
  test('a plain sh -c manifest is patched and stays idempotent', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n  - name: kube-apiserver\n    image: k8s.gcr.io/kube-apiserver:v1.16.0\n    command:\n    - /bin/sh\n    - -c\n    - exec /usr/local/bin/kube-apiserver --secure-port=443 --feature-gates=DynamicAuditing=false\n';
    const out = build(StaticPodManifest.fromString(text), ApiServerAuditBackend.dynamic());
    expect((out.k.pod as any).spec.containers[0].command[2]).toBe(
      'exec /usr/local/bin/kube-apiserver --secure-port=443 --feature-gates=DynamicAuditing=true --audit-dynamic-configuration --runtime-config=auditregistration.k8s.io/v1alpha1=true',
    );
    expect(out.k.plan.flagsChanged).toEqual([{ flag: 'feature-gates', key: 'DynamicAuditing', action: 'changed', from: 'false', to: 'true' }]);
    expectIdempotent(out, () => ApiServerAuditBackend.dynamic());
  });
});

describe('an audit webhook the operator already has', () => {
  const text = fs
    .readFileSync(path.join(FIXTURES, '19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), 'utf8')
    .replace(
      '    - --advertise-address',
      '    - --audit-webhook-config-file=/etc/kubernetes/siem/webhook.yaml\n    - --audit-webhook-mode=blocking\n    - --advertise-address',
    );

  test('is never replaced silently', () => {
    expect(() => build(StaticPodManifest.fromString(text, 'kube-apiserver.yaml'), webhook())).toThrow(
      /^kube-apiserver\.yaml:16: spec\.containers\[0\]\.command\[1\]: the manifest already sends audit events to a webhook \(--audit-webhook-config-file=\/etc\/kubernetes\/siem\/webhook\.yaml\).*replaceExisting/,
    );
  });

  test('is replaced when asked, and the plan says what it was', () => {
    const out = build(StaticPodManifest.fromString(text), ApiServerAuditBackend.webhook({ server: SERVER, replaceExistingWebhook: true }));
    expect(flagsOf(out.k.pod).get('audit-webhook-config-file')).toBe('/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml');
    expect(out.k.plan.toText()).toContain(
      '--audit-webhook-config-file: /etc/kubernetes/siem/webhook.yaml -> /etc/kubernetes/audit/audit-webhook-kubeconfig.yaml',
    );
  });
});
