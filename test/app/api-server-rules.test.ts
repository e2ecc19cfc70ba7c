/**
 * What the API server would refuse, and what would keep kube-apiserver from starting, through the real app process
 * (issue 14, sections 3-5): each refusal exits 1 with one message naming the file, line and field, no stack trace,
 * and the output folder untouched; each has a valid neighbour that is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { EXAMPLES, ROOT, flagsOf, listFiles, readDoc, runApp, scratch, writeFiles } from './run';

const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const MODERN_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8');
/** Kubernetes 1.25 (webhook backend, DaemonSet maxSurge) and 1.33 (relaxed environment variable names). */
const MANIFEST_1_25 = fs.readFileSync(path.join(ROOT, 'test', 'apiserver', 'fixtures', '19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), 'utf8');
const MANIFEST_1_33 = MODERN_MANIFEST.replace('kube-apiserver:v1.30.6', 'kube-apiserver:v1.33.1');

const CONFIG = ['apiServer:', '  manifest: kube-apiserver.yaml', 'falco:', '  values: values.yaml', '  clusterIP: 10.96.0.100', ''].join('\n');
/** An earlier run's output (marked, so a valid run may replace it), with a file a bad run must not lose. */
const SEED = { '.cdk8s-falco-audit': '# Output of cdk8s-falco-audit\n', 'keep.txt': 'written by an earlier run\n' };

let dir: string;
let runs = 0;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Inputs {
  /** The values file (legacy Falco 0.19 unless it sets image.tag). */
  readonly values?: string;
  /** The config file. @default CONFIG */
  readonly config?: string;
  /** The kube-apiserver manifest. @default Kubernetes 1.18 (the default example) */
  readonly manifest?: string;
}

/** Runs the app in a folder holding the inputs; a fresh output folder each time, seeded with a file of an earlier run. */
function run(inputs: Inputs) {
  writeFiles(dir, {
    'falco-audit.yaml': inputs.config ?? CONFIG,
    'kube-apiserver.yaml': inputs.manifest ?? DEFAULT_MANIFEST,
    'values.yaml': inputs.values ?? '{}\n',
  });
  const outdir = path.join(dir, `out-${++runs}`);
  writeFiles(outdir, SEED);
  return runApp({ cwd: dir, config: 'falco-audit.yaml', outdir });
}

/** Exit 1, exactly one located message (`error: <file>:<line>: <field>: <message>`), no stack, nothing written. */
function expectRefused(inputs: Inputs, message: string): void {
  const r = run(inputs);
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 1,
    stderr: `error: ${message}\nnothing was written: ${r.outdir} still holds the previous output, unchanged.\n`,
  });
  expect(r.stdout).toBe('');
  expect(listFiles(r.outdir)).toEqual(Object.keys(SEED));
}

/** Exit 0; returns the output folder. */
function expectWritten(inputs: Inputs): string {
  const r = run(inputs);
  // the plan goes to stderr (cdk8s synth swallows stdout); every plain-HTTP run warns about that, nothing else may
  expect(r.stderr.replace(/^ +warning: audit events go to Falco over plain HTTP.*$/gm, '')).not.toMatch(/^error|warning/m);
  expect(r.status).toBe(0);
  return r.outdir;
}

const daemonSetPod = (out: string) => readDoc(out, 'cluster/daemonset-falco.yaml').spec.template.spec;
const falcoContainer = (out: string) => daemonSetPod(out).containers[0];
const envOf = (out: string) => Object.fromEntries((falcoContainer(out).env ?? []).map((e: any) => [e.name, e.value]));

describe('values the API server would refuse are refused at their line (section 3)', () => {
  test("hostPath with '..'", () => {
    expectRefused(
      { values: 'docker:\n  socket: /var/run/../../etc\n' },
      `values.yaml:2: docker.socket: hostPath path "/var/run/../../etc" must not contain '..'`,
    );
    const out = expectWritten({ values: 'docker:\n  socket: /run/docker.sock\n' });
    expect(daemonSetPod(out).volumes).toContainEqual({ name: 'docker-socket', hostPath: { path: '/run/docker.sock' } });
  });

  test.each([
    ['../../etc/passwd', `ConfigMap key "../../etc/passwd" must consist of alphanumerics, '-', '_' or '.'`],
    ['..', `ConfigMap key ".." must not be '..'`],
    ['.', `ConfigMap key "." must not be '.'`],
    ['a'.repeat(305), `ConfigMap key "${'a'.repeat(76)}... must be no more than 253 characters`],
  ])('customRules key %s', (key, message) => {
    const full = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `customRules.${key}` : `customRules[${JSON.stringify(key)}]`;
    // messages cut a field path to 200 characters (lib/errors.ts)
    const field = full.length > 200 ? `${full.slice(0, 197)}...` : full;
    expectRefused({ values: `customRules:\n  ${JSON.stringify(key)}: "- list: x"\n` }, `values.yaml:2: ${field}: ${message}`);
  });

  test('customRules: a valid file name is written', () => {
    const out = expectWritten({ values: 'customRules:\n  my_rules.local.yaml: "- list: x"\n' });
    expect(Object.keys(readDoc(out, 'cluster/configmap-falco-rules.yaml').data)).toEqual(['my_rules.local.yaml']);
  });

  test.each([
    ['A=B', '"A=B"'],
    ['A\nB', '"A\\nB"'],
  ])('daemonset.env name %j', (name, shown) => {
    expectRefused(
      { values: `daemonset:\n  env:\n    ${JSON.stringify(name)}: x\n` },
      `values.yaml:3: daemonset.env[${JSON.stringify(name)}]: environment variable name ${shown} must consist of letters, digits, '_', '-' or '.', and must not start with a digit ` +
        "(Kubernetes 1.18.20; from 1.32 any printable ASCII but '=' is accepted)",
    );
  });

  test('daemonset.env: valid names are written; from 1.32 relaxed names pass, "=" still fails', () => {
    // a name JavaScript objects also have (constructor) is plain data here, written as given
    const written = falcoContainer(expectWritten({ values: 'daemonset:\n  env:\n    MY_ENV.NAME: x\n    constructor: y\n' })).env;
    expect(written).toEqual([
      { name: 'MY_ENV.NAME', value: 'x' },
      { name: 'constructor', value: 'y' },
    ]);
    const modern = { config: CONFIG, manifest: MANIFEST_1_33, values: 'image:\n  tag: 0.44.1\ndaemonset:\n  env:\n    1A: x\n' };
    const out = expectWritten(modern);
    expect(readDoc(out, 'cluster/deployment-falco.yaml').spec.template.spec.containers[0].env).toContainEqual({ name: '1A', value: 'x' });
    expectRefused(
      { ...modern, values: 'image:\n  tag: 0.44.1\ndaemonset:\n  env:\n    "1=A": x\n' },
      `values.yaml:5: daemonset.env["1=A"]: environment variable name "1=A" must consist only of printable ASCII characters other than '='`,
    );
  });

  test('a repeated environment variable (timezone and daemonset.env TZ)', () => {
    expectRefused(
      { values: 'timezone: UTC\ndaemonset:\n  env:\n    TZ: Europe/Paris\n' },
      'values.yaml:4: daemonset.env.TZ: environment variable "TZ" of container "falco" is also set by timezone; a name may appear once (server-side apply refuses duplicates)',
    );
    expect(envOf(expectWritten({ values: 'timezone: UTC\ndaemonset:\n  env:\n    tz: other\n' }))).toEqual({ TZ: 'UTC', tz: 'other' });
  });

  test('nodeSelector: a bad key, a 70-character value', () => {
    expectRefused(
      { values: 'nodeSelector:\n  "bad key!": x\n' },
      `values.yaml:2: nodeSelector["bad key!"]: nodeSelector key "bad key!": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    );
    expectRefused(
      { values: `nodeSelector:\n  role: ${'v'.repeat(70)}\n` },
      `values.yaml:2: nodeSelector.role: nodeSelector value "${'v'.repeat(70)}" must be no more than 63 characters`,
    );
    const out = expectWritten({ values: `nodeSelector:\n  kubernetes.io/os: linux\n  role: ${'v'.repeat(63)}\n` });
    expect(daemonSetPod(out).nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', role: 'v'.repeat(63) });
  });

  test('priorityClassName', () => {
    expectRefused(
      { values: 'priorityClassName: Bad_Name\n' },
      `values.yaml:1: priorityClassName: priorityClassName "Bad_Name" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
    expect(daemonSetPod(expectWritten({ values: 'priorityClassName: system-node-critical\n' })).priorityClassName).toBe('system-node-critical');
  });

  test.each([['true'], ['false']])('serviceAccount.name ../x (create: %s)', (create) => {
    expectRefused(
      { values: `serviceAccount:\n  create: ${create}\n  name: ../x\n` },
      `values.yaml:3: serviceAccount.name: serviceAccountName "../x" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
    expect(daemonSetPod(expectWritten({ values: `serviceAccount:\n  create: ${create}\n  name: falco.audit\n` })).serviceAccountName).toBe(
      'falco.audit',
    );
  });

  test('image.pullPolicy', () => {
    expectRefused(
      { values: 'image:\n  pullPolicy: Sometimes\n' },
      'values.yaml:2: image.pullPolicy: imagePullPolicy "Sometimes" must be one of Always, IfNotPresent, Never',
    );
    expect(falcoContainer(expectWritten({ values: 'image:\n  pullPolicy: Always\n' })).imagePullPolicy).toBe('Always');
  });

  test('a negative cpu request', () => {
    expectRefused(
      { values: 'resources:\n  requests:\n    cpu: "-1"\n' },
      'values.yaml:3: resources.requests.cpu: requests.cpu "-1" must be greater than or equal to 0',
    );
    expect(falcoContainer(expectWritten({ values: 'resources:\n  requests:\n    cpu: 0\n' })).resources.requests).toEqual({
      cpu: 0,
      memory: '512Mi',
    });
  });

  test("requests above limits (the chart's 200m cpu limit, or the file's own)", () => {
    expectRefused(
      { values: 'resources:\n  requests:\n    cpu: 300m\n' },
      'values.yaml:3: resources.requests.cpu: requests.cpu "300m" must be less than or equal to the cpu limit "200m"',
    );
    expectRefused(
      { values: 'resources:\n  limits:\n    memory: 1Gi\n  requests:\n    memory: 1025Mi\n' },
      'values.yaml:5: resources.requests.memory: requests.memory "1025Mi" must be less than or equal to the memory limit "1Gi"',
    );
    const out = expectWritten({ values: 'resources:\n  limits:\n    memory: 1Gi\n  requests:\n    cpu: 0.2\n    memory: 1024Mi\n' });
    expect(falcoContainer(out).resources).toEqual({ limits: { cpu: '200m', memory: '1Gi' }, requests: { cpu: 0.2, memory: '1024Mi' } });
  });

  test('DaemonSet updateStrategy.type Recreate', () => {
    expectRefused(
      { values: 'daemonset:\n  updateStrategy:\n    type: Recreate\n' },
      'values.yaml:3: daemonset.updateStrategy.type: DaemonSet updateStrategy type "Recreate" must be RollingUpdate or OnDelete (Recreate is a Deployment strategy)',
    );
    expect(
      readDoc(expectWritten({ values: 'daemonset:\n  updateStrategy:\n    type: OnDelete\n' }), 'cluster/daemonset-falco.yaml').spec.updateStrategy,
    ).toEqual({ type: 'OnDelete' });
  });

  test('maxUnavailable 0 with maxSurge 0 (Kubernetes 1.25); a surge with maxUnavailable 0 passes', () => {
    // image.tag stated: on 1.19+ a values file without one gets a plan warning about Falco 0.19.0
    const strategy = (maxSurge: number) =>
      `image:\n  tag: 0.19.0\ndaemonset:\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 0\n      maxSurge: ${maxSurge}\n`;
    const webhook = { manifest: MANIFEST_1_25 };
    expectRefused(
      { ...webhook, values: strategy(0) },
      'values.yaml:7: daemonset.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable cannot be 0 when maxSurge is 0: no pod could ever be replaced',
    );
    const out = expectWritten({ ...webhook, values: strategy(1) });
    expect(readDoc(out, 'cluster/daemonset-falco.yaml').spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    // 1.18 has no maxSurge: maxUnavailable 0 alone is refused
    expectRefused(
      { values: 'daemonset:\n  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 0\n' },
      'values.yaml:4: daemonset.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable cannot be 0 (Kubernetes 1.18.20): no pod could ever be replaced',
    );
  });

  test('AuditSink throttle.qps 1e30 (an int64 cannot hold it)', () => {
    const config = (qps: string) => `${CONFIG}audit:\n  auditSink:\n    throttle:\n      qps: ${qps}\n`;
    expectRefused(
      { config: config('1e30') },
      'falco-audit.yaml:9: audit.auditSink.throttle.qps: auditsink throttle qps must be at most 9007199254740991 (an int64 in the API), got 1e+30',
    );
    expect(readDoc(expectWritten({ config: config('9007199254740991') }), 'cluster/auditsink-falco.yaml').spec.webhook.throttle).toEqual({
      qps: 9007199254740991,
      burst: 15,
    });
  });

  test.each([['constructor'], ['hasOwnProperty'], ['toString']])('a values key named after a JavaScript built-in (%s) is an unknown key', (key) => {
    const r = run({ values: `image:\n  ${key}: x\n` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: values\\.yaml:2: image\\.${key}: unknown key "image\\.${key}" for the stable/falco 1\\.1\\.x values; .*known keys here: registry, repository, tag, pullPolicy\\nnothing was written: [^\\n]*\\.\\n$`,
      ),
    );
    const top = run({ values: `${key}: 1\n` });
    expect(top.status).toBe(1);
    expect(top.stderr).toMatch(new RegExp(`^error: values\\.yaml:1: ${key}: unknown key "${key}"`));
  });

  test('__proto__ is refused anywhere, not dropped', () => {
    expectRefused(
      { values: '__proto__:\n  image: x\n' },
      'values.yaml:1: __proto__: the key "__proto__" is not accepted: JavaScript reads it as an object\'s prototype and would drop it',
    );
    expectRefused(
      { values: 'nodeSelector:\n  __proto__: x\n' },
      'values.yaml:2: nodeSelector.__proto__: the key "__proto__" is not accepted: JavaScript reads it as an object\'s prototype and would drop it',
    );
    // keys named after other built-ins are plain data where the values take any key
    expect(daemonSetPod(expectWritten({ values: 'nodeSelector:\n  hasOwnProperty: x\n' })).nodeSelector).toEqual({ hasOwnProperty: 'x' });
  });
});

describe('kube-apiserver must still start (section 4)', () => {
  const webhook = (lines: string[]) => ({
    manifest: MODERN_MANIFEST,
    values: 'image:\n  tag: 0.44.1\n',
    config: `${CONFIG}audit:\n  webhook:\n${lines.map((l) => `    ${l}\n`).join('')}`,
  });

  test.each([
    [
      ['auditLog:', '  path: /'],
      'falco-audit.yaml:9: audit.webhook.auditLog.path: must name the log file, not a folder, got "/"; e.g. /var/log/kubernetes/audit/audit.log',
    ],
    [
      ['auditLog:', '  path: /var/log/'],
      'falco-audit.yaml:9: audit.webhook.auditLog.path: must name the log file, not a folder, got "/var/log/"; e.g. /var/log/kubernetes/audit/audit.log',
    ],
    [
      ['auditLog:', '  path: /etc/kubernetes/manifests/evil.yaml'],
      'falco-audit.yaml:9: audit.webhook.auditLog.path: "/etc/kubernetes/manifests/evil.yaml" cannot be the audit log: kube-apiserver would get a writable mount of ' +
        "/etc/kubernetes/manifests, and /etc/kubernetes/manifests is the kubelet's static pod folder (it runs every file there); e.g. /var/log/kubernetes/audit/audit.log",
    ],
    [
      ['auditLog:', '  path: /usr/local/bin/audit.log'],
      'falco-audit.yaml:9: audit.webhook.auditLog.path: "/usr/local/bin/audit.log" cannot be the audit log: kube-apiserver would get a writable mount of /usr/local/bin, ' +
        'and /usr/local/bin is inside /usr, which is the folder of programs and libraries (kube-apiserver itself is /usr/local/bin/kube-apiserver); e.g. /var/log/kubernetes/audit/audit.log',
    ],
    [
      ['auditLog:', '  path: /etc/kubernetes/audit/audit-webhook-kubeconfig.yaml'],
      'falco-audit.yaml:9: audit.webhook.auditLog.path: "/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml" is the audit webhook kubeconfig file; ' +
        'the log backend would append events to it and kube-apiserver would not start again; give the log a file of its own',
    ],
    [
      ['directory: /'],
      'falco-audit.yaml:8: audit.webhook.directory: "/" cannot hold audit files: that mounts the host\'s root folder over the whole kube-apiserver container; use a folder of its own such as /etc/kubernetes/audit',
    ],
    [
      ['directory: /etc'],
      'falco-audit.yaml:8: audit.webhook.directory: "/etc" cannot hold audit files: /etc contains /etc/kubernetes/manifests, the kubelet\'s static pod folder (it runs every file there); use a folder of its own such as /etc/kubernetes/audit',
    ],
    [
      ['directory: /var/lib/kubelet/audit'],
      'falco-audit.yaml:8: audit.webhook.directory: "/var/lib/kubelet/audit" cannot hold audit files: /var/lib/kubelet/audit is inside /var/lib/kubelet, which is the kubelet\'s state, with every pod\'s volumes and secrets; use a folder of its own such as /etc/kubernetes/audit',
    ],
    [
      ['auditLog:', '  maxSize: 1e30'],
      'falco-audit.yaml:9: audit.webhook.auditLog.maxSize: must be at most 9007199254740991 (kube-apiserver reads it as a Go int, and a larger number is written as 1e+30), got 1e+30',
    ],
    [['auditLog:', '  maxAge: -1'], 'falco-audit.yaml:9: audit.webhook.auditLog.maxAge: must be a whole number of 0 or more, got -1'],
    [
      ['batchMaxWait: 2562048h'],
      'falco-audit.yaml:8: audit.webhook.batchMaxWait: must be a Go duration of at most 2562047h47m16.854775807s (what a Go time.Duration holds), got "2562048h"',
    ],
    [
      ['initialBackoff: 9223372036854775808ns'],
      'falco-audit.yaml:8: audit.webhook.initialBackoff: must be a Go duration of at most 2562047h47m16.854775807s (what a Go time.Duration holds), got "9223372036854775808ns"',
    ],
  ])('%j', (lines, message) => {
    expectRefused(webhook(lines), message);
  });

  test('the largest values kube-apiserver parses, and a log folder of its own, are written', () => {
    const out = expectWritten(
      webhook([
        'batchMaxWait: 2562047h47m16.854775807s',
        'initialBackoff: 9223372036854775807ns',
        'auditLog:',
        '  path: /var/log/falco-audit/audit.log',
        `  maxSize: ${Number.MAX_SAFE_INTEGER}`,
        '  maxAge: 0',
      ]),
    );
    const pod = readDoc(out, 'node/kube-apiserver.yaml');
    const flags = flagsOf(pod);
    expect(flags.get('audit-log-path')).toBe('/var/log/falco-audit/audit.log');
    expect(flags.get('audit-log-maxsize')).toBe('9007199254740991');
    expect(flags.get('audit-log-maxage')).toBe('0');
    expect(flags.get('audit-webhook-batch-max-wait')).toBe('2562047h47m16.854775807s');
    expect(flags.get('audit-webhook-initial-backoff')).toBe('9223372036854775807ns');
    expect(pod.spec.volumes).toContainEqual({ hostPath: { path: '/var/log/falco-audit', type: 'DirectoryOrCreate' }, name: 'audit-log' });
    // no mount of / or of a system folder
    const mountPaths = pod.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mountPaths).not.toContain('/');
    expect(mountPaths.filter((p: string) => p.startsWith('/etc/kubernetes/manifests'))).toEqual([]);
  });
});

describe('small ones (section 5)', () => {
  test('an audit endpoint path with dot segments (values of legacy Falco, config of plugin Falco)', () => {
    expectRefused(
      { values: 'falco:\n  webserver:\n    k8sAuditEndpoint: /../x\n' },
      'values.yaml:3: falco.webserver.k8sAuditEndpoint: the audit endpoint path must not have "." or ".." segments (the caller would resolve them to another path), got "/../x"',
    );
    const modern = (p: string) => ({
      manifest: MODERN_MANIFEST,
      values: 'image:\n  tag: 0.44.1\n',
      config: `${CONFIG.replace('  clusterIP: 10.96.0.100\n', '  clusterIP: 10.96.0.100\n  k8sAudit:\n')}    path: ${p}\n`,
    });
    expectRefused(
      modern('/k8s/./audit'),
      'falco-audit.yaml:7: falco.k8sAudit.path: the audit endpoint path must not have "." or ".." segments (the caller would resolve them to another path), got "/k8s/./audit"',
    );
    const out = expectWritten(modern('/k8s.audit/v1..x'));
    const kubeconfig: any = yaml.load(fs.readFileSync(path.join(out, 'node', 'audit-webhook-kubeconfig.yaml'), 'utf8'));
    expect(kubeconfig.clusters[0].cluster.server).toBe('http://10.96.0.100:9765/k8s.audit/v1..x');
    const legacy = expectWritten({ values: 'falco:\n  webserver:\n    k8sAuditEndpoint: /k8s-audit/v1\n' });
    expect(readDoc(legacy, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig.url).toBe('http://10.96.0.100:8765/k8s-audit/v1');
  });

  test('name in a single-cluster config is refused (it names fleet output folders only)', () => {
    expectRefused(
      { config: `name: prod\n${CONFIG}` },
      'falco-audit.yaml:1: name: name "prod" is only for the clusters of a fleet (clusters: [{name: ..., apiServer: ...}], written to <outdir>/<name>/); ' +
        'a single cluster is written to the output folder itself: remove name, or list the cluster under clusters:',
    );
    const fleet = `clusters:\n  - name: prod\n${CONFIG.trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`;
    const out = expectWritten({ config: fleet });
    expect(listFiles(out)).toContain('prod/cluster/daemonset-falco.yaml');
  });
});
