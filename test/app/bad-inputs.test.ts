/**
 * Hostile and broken inputs, through the real app process: every one must end with exit status 1, one specific
 * message (file, field, value, and line:column for YAML), no stack trace, and the output folder exactly as it was.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { EXAMPLES, ROOT, listFiles, runApp, scratch, writeFiles } from './run';

const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const DEFAULT_VALUES = fs.readFileSync(path.join(EXAMPLES, 'default', 'values.yaml'), 'utf8');
const MANIFEST_1_25 = fs.readFileSync(path.join(ROOT, 'test', 'apiserver', 'fixtures', '19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), 'utf8');

const CONFIG = ['apiServer:', '  manifest: kube-apiserver.yaml', 'falco:', '  values: values.yaml', '  clusterIP: 10.96.0.100', ''].join('\n');
/** An earlier run's output (marked, so a valid run may replace it), with a file a bad run must not lose. */
const SEED = { '.cdk8s-falco-audit': '# Output of cdk8s-falco-audit\n', 'keep.txt': 'written by an earlier run\n' };

/** The default example's inputs (Kubernetes 1.18, legacy Falco), with some files replaced. */
function inputs(over: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return { 'falco-audit.yaml': CONFIG, 'kube-apiserver.yaml': DEFAULT_MANIFEST, 'values.yaml': DEFAULT_VALUES, ...over };
}
/** The config with `falco-audit.yaml`'s text edited. */
const config = (edit: (text: string) => string) => ({ 'falco-audit.yaml': edit(CONFIG) });
/** The default manifest with one line replaced. */
const manifest = (from: string | RegExp, to: string) => {
  const out = DEFAULT_MANIFEST.replace(from, to);
  if (out === DEFAULT_MANIFEST) throw new Error(`test bug: ${from} is not in the manifest`);
  return { 'kube-apiserver.yaml': out };
};
/** 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** A "billion laughs": 10 levels of 9 aliases each, 9^10 nodes once expanded, in under 1 KB. */
function billionLaughs(top = 'lol'): string {
  const lines = [`${top}0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i < 10; i++)
    lines.push(
      `${top}${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

/** A few hundred KB of one string, used 20,000 times: 10 GB once expanded, though few nodes. */
function stringBomb(): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: &s "${'x'.repeat(500_000)}"\n  labels: [${Array(20_000).fill('*s').join(', ')}]\n`;
}

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x01]);

interface Case {
  readonly name: string;
  readonly files: Record<string, string | Buffer>;
  /** Each must appear in stderr (after `error: `). */
  readonly expect: readonly (string | RegExp)[];
  /** Directories to create besides the files. */
  readonly dirs?: readonly string[];
}

const JSON_MANIFEST = JSON.stringify(yaml.load(DEFAULT_MANIFEST), null, 2);

const WEBHOOK_CONFIG = (webhook: string) => CONFIG.replace('falco:\n', `audit:\n  backend: webhook\n  webhook:\n${webhook}falco:\n`);
/** The default manifest with an emptyDir volume mounted at the default audit directory. */
const AUDIT_DIR_TAKEN = DEFAULT_MANIFEST.replace(
  '    volumeMounts:\n',
  '    volumeMounts:\n    - mountPath: /etc/kubernetes/audit\n      name: scratch\n',
).replace('  volumes:\n', '  volumes:\n  - emptyDir: {}\n    name: scratch\n');

const cases: Case[] = [
  // --- a path the API server's mounts cannot serve: at the config line that set it, or the manifest's flag
  {
    name: 'an audit log under the read-only /etc/kubernetes/pki mount',
    files: { 'falco-audit.yaml': WEBHOOK_CONFIG('    auditLog: {path: /etc/kubernetes/pki/audit.log}\n') },
    expect: [
      `falco-audit.yaml:${lineOf(WEBHOOK_CONFIG('    auditLog: {path: /etc/kubernetes/pki/audit.log}\n'), 'auditLog')}: audit.webhook.auditLog.path: ` +
        'cannot mount /etc/kubernetes/pki into kube-apiserver for /etc/kubernetes/pki/audit.log: the container already mounts volume "k8s-certs" there',
    ],
  },
  {
    name: 'an audit directory where the manifest mounts an emptyDir',
    files: { 'falco-audit.yaml': WEBHOOK_CONFIG('    directory: /etc/kubernetes/audit\n'), 'kube-apiserver.yaml': AUDIT_DIR_TAKEN },
    expect: [
      `falco-audit.yaml:${lineOf(WEBHOOK_CONFIG('    directory: /etc/kubernetes/audit\n'), 'directory')}: audit.webhook.directory: ` +
        'cannot mount /etc/kubernetes/audit into kube-apiserver for /etc/kubernetes/audit/audit-policy.yaml: the container already mounts volume "scratch" there',
    ],
  },
  {
    name: "the operator's --audit-log-path under a read-only mount: at the manifest's flag",
    files: {
      'falco-audit.yaml': WEBHOOK_CONFIG('    mode: batch\n'),
      ...manifest('    - --advertise-address', '    - --audit-log-path=/etc/kubernetes/pki/audit.log\n    - --advertise-address'),
    },
    expect: [
      /kube-apiserver\.yaml:\d+: spec\.containers\[0\]\.command\[\d+\]: cannot mount \/etc\/kubernetes\/pki into kube-apiserver for \/etc\/kubernetes\/pki\/audit\.log/,
    ],
  },
  // --- malformed YAML, with line and column, in each of the three inputs
  {
    name: 'malformed YAML in the manifest',
    files: manifest('  name: kube-apiserver\n', '  name: kube-apiserver\n   bad: indent\n'),
    expect: [`kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, '  name: kube-apiserver') + 1}:`, 'kube-apiserver manifest is not valid YAML'],
  },
  {
    name: 'malformed YAML in the config',
    files: config((t) => t.replace('  clusterIP: 10.96.0.100', '  clusterIP: [10.96.0.100')),
    expect: [/falco-audit\.yaml:6:1: config file is not valid YAML: unexpected end of the stream within a flow collection/],
  },
  {
    name: 'malformed YAML in the values file',
    files: { 'values.yaml': 'falco:\n  jsonOutput: true\n    httpOutput: {enabled: true}\n' },
    expect: [/values\.yaml:3:15: Falco values file is not valid YAML: bad indentation of a mapping entry/],
  },
  // --- empty inputs
  { name: 'an empty manifest', files: { 'kube-apiserver.yaml': '' }, expect: ['kube-apiserver.yaml: kube-apiserver manifest is empty'] },
  {
    name: 'a manifest of comments only',
    files: { 'kube-apiserver.yaml': '# nothing here\n\n' },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest is empty'],
  },
  { name: 'an empty config', files: { 'falco-audit.yaml': '' }, expect: ['falco-audit.yaml: config file is empty'] },
  { name: 'an empty values file', files: { 'values.yaml': '   \n' }, expect: ['values.yaml: Falco values file is empty'] },
  // --- several documents
  {
    name: 'two documents in the manifest',
    files: { 'kube-apiserver.yaml': `${DEFAULT_MANIFEST}---\n${DEFAULT_MANIFEST}` },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest holds 2 YAML documents; expected exactly one'],
  },
  {
    name: 'two documents in the config',
    files: { 'falco-audit.yaml': `${CONFIG}---\n${CONFIG}` },
    expect: ['falco-audit.yaml: config file holds 2 YAML documents; expected exactly one'],
  },
  // --- JSON
  {
    name: 'malformed JSON manifest (a missing comma)',
    files: { 'kube-apiserver.yaml': JSON_MANIFEST.replace('"kind": "Pod",', '"kind": "Pod"') },
    expect: [`kube-apiserver.yaml:${lineOf(JSON_MANIFEST, '"metadata"')}:`, 'kube-apiserver manifest is not valid JSON'],
  },
  {
    name: 'truncated JSON manifest',
    files: { 'kube-apiserver.yaml': JSON_MANIFEST.slice(0, 300) },
    expect: [/kube-apiserver\.yaml:\d+:\d+: kube-apiserver manifest is not valid JSON/],
  },
  // --- bombs and oversized input
  {
    name: 'a billion laughs alias bomb in the manifest',
    files: { 'kube-apiserver.yaml': `apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n${billionLaughs('    l').trimEnd()}\n` },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest expands to more than', 'YAML aliases'],
  },
  {
    name: 'a billion laughs alias bomb in the values file',
    files: { 'values.yaml': billionLaughs() },
    expect: ['values.yaml: Falco values file expands to more than', 'YAML aliases'],
  },
  {
    name: 'a billion laughs alias bomb in the config',
    files: { 'falco-audit.yaml': `${CONFIG}${billionLaughs('x')}` },
    expect: ['falco-audit.yaml: config file expands to more than', 'YAML aliases'],
  },
  {
    name: 'a few long strings repeated through aliases (gigabytes once expanded)',
    files: { 'kube-apiserver.yaml': stringBomb() },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest expands to more than', 'YAML aliases'],
  },
  {
    name: 'a 5 MB manifest',
    files: { 'kube-apiserver.yaml': DEFAULT_MANIFEST + `# ${'x'.repeat(5 * 1024 * 1024)}\n` },
    expect: [/kube-apiserver\.yaml: kube-apiserver manifest is 52\d{5} bytes, more than the 1048576 bytes any real one needs/],
  },
  {
    name: 'a 5 MB values file',
    files: { 'values.yaml': `customRules:\n  big.yaml: "${'x'.repeat(5 * 1024 * 1024)}"\n` },
    expect: [/values\.yaml: Falco values file is 52\d{5} bytes/],
  },
  // --- duplicate keys
  {
    name: 'a duplicate key in the manifest',
    files: manifest('  namespace: kube-system\n', '  namespace: kube-system\n  name: kube-apiserver-2\n'),
    expect: [`kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, '  namespace: kube-system') + 1}:`, 'duplicated mapping key'],
  },
  {
    name: 'a duplicate key in the config',
    files: config((t) => `${t}falco:\n  nodePort: 30765\n`),
    expect: ['falco-audit.yaml:6:1: config file is not valid YAML: duplicated mapping key'],
  },
  {
    name: 'a duplicate key in a JSON manifest',
    files: { 'kube-apiserver.yaml': JSON_MANIFEST.replace('"kind": "Pod",', '"kind": "Pod", "kind": "Pod",') },
    expect: [/kube-apiserver\.yaml:3:\d+: kube-apiserver manifest is not valid JSON: duplicated mapping key/],
  },
  // --- not what we patch
  {
    name: 'a Deployment instead of a Pod',
    files: manifest('apiVersion: v1\nkind: Pod\n', 'apiVersion: v1\nkind: Deployment\n'),
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'kind: Pod')}: kind: kube-apiserver manifest must be a Pod (kind: Pod), got kind "Deployment"`,
    ],
  },
  {
    name: 'an apps/v1 Deployment',
    files: manifest('apiVersion: v1\nkind: Pod\n', 'apiVersion: apps/v1\nkind: Deployment\n'),
    expect: ['kube-apiserver manifest must have apiVersion "v1", got "apps/v1"'],
  },
  {
    name: 'a YAML list instead of a Pod',
    files: { 'kube-apiserver.yaml': '- a\n- b\n' },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest must be a Pod object, got a list'],
  },
  {
    name: 'no kube-apiserver container',
    files: {
      'kube-apiserver.yaml': DEFAULT_MANIFEST.replace('    - kube-apiserver\n', '    - etcd\n').replace(
        '    name: kube-apiserver\n',
        '    name: etcd\n',
      ),
    },
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'containers:')}: spec.containers: kube-apiserver manifest has no kube-apiserver container (no container is named "kube-apiserver" and none runs the kube-apiserver binary; containers: "etcd")`,
    ],
  },
  // --- placeholders and bad numbers
  {
    name: 'a <ip> placeholder as clusterIP',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'clusterIP: "<ip>"')),
    expect: ['falco-audit.yaml:5: falco.clusterIP', '"<ip>"'],
  },
  {
    name: 'a <cidr> placeholder in --service-cluster-ip-range',
    files: manifest('--service-cluster-ip-range=10.96.0.0/12', '--service-cluster-ip-range=<service-cidr>'),
    expect: ['kube-apiserver.yaml', '--service-cluster-ip-range', '"<service-cidr>"'],
  },
  {
    name: 'a <version> placeholder in the image',
    files: manifest('k8s.gcr.io/kube-apiserver:v1.18.20', 'k8s.gcr.io/kube-apiserver:<version>'),
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'image:')}: spec.containers[0].image: cannot tell the Kubernetes version from the image "k8s.gcr.io/kube-apiserver:<version>"`,
    ],
  },
  {
    name: 'nodePort "30765x"',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'nodePort: "30765x"')),
    expect: ['falco-audit.yaml:5: falco.nodePort: must be a whole number, got "30765x"'],
  },
  {
    name: 'nodePort 3.5',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'nodePort: 3.5')),
    expect: ['falco-audit.yaml:5: falco.nodePort: must be a whole number, got 3.5'],
  },
  {
    name: 'nodePort 70000',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'nodePort: 70000')),
    expect: ['falco.nodePort', '70000', '30000-32767'],
  },
  // --- shell command lines
  {
    name: 'a /bin/sh -c command with shell syntax',
    files: manifest(
      / {2}- command:\n {4}- kube-apiserver\n[^]*?(?= {4}image:)/,
      '  - command:\n    - /bin/sh\n    - -c\n    - kube-apiserver --secure-port=6443 --service-cluster-ip-range=10.96.0.0/12 2>&1 | tee /var/log/kube-apiserver.log\n',
    ),
    expect: [
      /kube-apiserver\.yaml:\d+: spec\.containers\[0\]: runs kube-apiserver through "\/bin\/sh -c" with shell syntax \("[>|&]"\)/,
      'convert it to list form',
    ],
  },
  {
    name: 'a /bin/sh -c command with a variable',
    files: manifest(
      / {2}- command:\n {4}- kube-apiserver\n[^]*?(?= {4}image:)/,
      '  - command:\n    - /bin/sh\n    - -c\n    - exec kube-apiserver --advertise-address=$HOST_IP --secure-port=6443\n',
    ),
    expect: [/spec\.containers\[0\]: runs kube-apiserver through "\/bin\/sh -c" with shell syntax \("\$"\)/],
  },
  // --- volumes
  {
    name: 'a volume without a name',
    files: manifest('      type: DirectoryOrCreate\n    name: ca-certs\n', '      type: DirectoryOrCreate\n'),
    expect: [`kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, '  - hostPath:')}: spec.volumes[0]`, 'name'],
  },
  // --- unknown keys and wrong types
  {
    name: 'an unknown config key',
    files: config((t) => t.replace('  clusterIP: 10.96.0.100', '  clusterIP: 10.96.0.100\n  clusterIp: 10.96.0.100')),
    expect: ['falco-audit.yaml:6: falco.clusterIp: unknown key "clusterIp"'],
  },
  {
    name: 'an unknown top-level config key',
    files: config((t) => `${t}kubernetesVerison: "1.18"\n`),
    expect: ['falco-audit.yaml:6: kubernetesVerison: unknown key "kubernetesVerison"'],
  },
  {
    name: 'an unknown values key',
    files: { 'values.yaml': `${DEFAULT_VALUES}falco:\n`.replace(/falco:\n$/, 'ebpf:\n  enable: true\n') },
    expect: [
      `values.yaml:${DEFAULT_VALUES.split('\n').length + 1}: ebpf.enable: unknown key "ebpf.enable" for the stable/falco 1.1.x values; did you mean "ebpf.enabled"?`,
    ],
  },
  {
    name: 'a wrong type in the config (apiServer a string)',
    files: config((t) => t.replace('apiServer:\n  manifest: kube-apiserver.yaml', 'apiServer: kube-apiserver.yaml')),
    expect: ['falco-audit.yaml:1: apiServer: must be a mapping, got "kube-apiserver.yaml"'],
  },
  {
    name: 'an unquoted kubernetesVersion (a number)',
    files: config((t) => `kubernetesVersion: 1.20\n${t}`),
    expect: ['falco-audit.yaml:1: kubernetesVersion: must be a string, got 1.2 (quote it'],
  },
  {
    name: 'a wrong type in the values (jsonOutput "yes")',
    files: { 'values.yaml': DEFAULT_VALUES.replace('jsonOutput: true', 'jsonOutput: "yes"') },
    expect: [`values.yaml:${lineOf(DEFAULT_VALUES, 'jsonOutput')}: falco.jsonOutput: expected a boolean (true or false), got the string "yes"`],
  },
  {
    name: 'a wrong type in the manifest (command a string)',
    files: manifest(/ {2}- command:\n {4}- kube-apiserver\n[^]*?(?= {4}image:)/, '  - command: kube-apiserver --secure-port=6443\n'),
    expect: [/kube-apiserver\.yaml:\d+: spec\.containers\[0\]\.command: must be a list of strings, got "kube-apiserver --secure-port=6443"/],
  },
  {
    name: 'a number in the command list',
    files: manifest('    - --secure-port=6443\n', '    - --secure-port\n    - 6443\n'),
    expect: [/spec\.containers\[0\]\.command: must be a list of strings, but item \d+ is 6443 \(quote it in YAML\)/],
  },
  // --- IPs and CIDRs
  {
    name: 'serviceClusterIPRange 10.96.0.0/33',
    files: config((t) => t.replace('  manifest: kube-apiserver.yaml', '  manifest: kube-apiserver.yaml\n  serviceClusterIPRange: 10.96.0.0/33')),
    expect: ['falco-audit.yaml:3: apiServer.serviceClusterIPRange', '"10.96.0.0/33"'],
  },
  {
    name: 'serviceClusterIPRange "banana"',
    files: config((t) => t.replace('  manifest: kube-apiserver.yaml', '  manifest: kube-apiserver.yaml\n  serviceClusterIPRange: banana')),
    expect: ['falco-audit.yaml:3: apiServer.serviceClusterIPRange', '"banana"'],
  },
  {
    name: 'a bad --service-cluster-ip-range in the manifest',
    files: manifest('--service-cluster-ip-range=10.96.0.0/12', '--service-cluster-ip-range=10.96.0.0/40'),
    expect: ['kube-apiserver.yaml', '--service-cluster-ip-range', '"10.96.0.0/40"'],
  },
  {
    name: 'clusterIP 10.96.0.300',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'clusterIP: 10.96.0.300')),
    expect: ['falco-audit.yaml:5: falco.clusterIP', '"10.96.0.300"'],
  },
  {
    name: 'a clusterIP outside the service range',
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'clusterIP: 192.168.1.10')),
    expect: ['falco-audit.yaml:5: falco.clusterIP', '192.168.1.10', '10.96.0.0/12'],
  },
  {
    name: "the range's network address as clusterIP",
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'clusterIP: 10.96.0.0')),
    expect: ['falco-audit.yaml:5: falco.clusterIP', '10.96.0.0'],
  },
  {
    name: "the range's first address (the kubernetes Service's) as clusterIP",
    files: config((t) => t.replace('clusterIP: 10.96.0.100', 'clusterIP: 10.96.0.1')),
    expect: ['falco-audit.yaml:5: falco.clusterIP', '10.96.0.1', 'kubernetes'],
  },
  // --- versions
  {
    name: 'kubernetesVersion 1.12',
    files: config((t) => `kubernetesVersion: "1.12"\n${t}`),
    expect: ['falco-audit.yaml:1: kubernetesVersion: Kubernetes 1.12 (from "1.12") is not supported'],
  },
  {
    name: 'kubernetesVersion 1.36',
    files: config((t) => `kubernetesVersion: "1.36"\n${t}`),
    expect: ['falco-audit.yaml:1: kubernetesVersion: Kubernetes 1.36 (from "1.36") is newer than the newest supported version'],
  },
  {
    name: 'kubernetesVersion "latest"',
    files: config((t) => `kubernetesVersion: latest\n${t}`),
    expect: ['falco-audit.yaml:1: kubernetesVersion: "latest" is not a Kubernetes version'],
  },
  {
    name: 'the API server image tagged latest',
    files: manifest('k8s.gcr.io/kube-apiserver:v1.18.20', 'k8s.gcr.io/kube-apiserver:latest'),
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'image:')}: spec.containers[0].image: cannot tell the Kubernetes version from the image "k8s.gcr.io/kube-apiserver:latest" (its tag "latest" is not a version)`,
    ],
  },
  {
    name: 'the API server image at 1.12',
    files: manifest('k8s.gcr.io/kube-apiserver:v1.18.20', 'k8s.gcr.io/kube-apiserver:v1.12.10'),
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'image:')}: spec.containers[0].image: Kubernetes 1.12 (from "k8s.gcr.io/kube-apiserver:v1.12.10") is not supported`,
    ],
  },
  {
    name: 'Falco image.tag latest',
    files: { 'values.yaml': `${DEFAULT_VALUES}image:\n  tag: latest\n` },
    expect: [
      `values.yaml:${DEFAULT_VALUES.split('\n').length + 1}: image.tag: cannot tell the Falco version: the image tag "latest" is not a Falco release; set falco.version`,
    ],
  },
  {
    name: 'Falco image.tag 0.10.0',
    files: { 'values.yaml': `${DEFAULT_VALUES}image:\n  tag: 0.10.0\n` },
    expect: [`values.yaml:${DEFAULT_VALUES.split('\n').length + 1}: image.tag: Falco 0.10.0 (image tag "0.10.0") is older than 0.18.0`],
  },
  {
    name: 'a PodSecurityPolicy asked for on Kubernetes 1.25',
    files: {
      'kube-apiserver.yaml': MANIFEST_1_25,
      'values.yaml': `${DEFAULT_VALUES}podSecurityPolicy:\n  create: true\n`,
    },
    expect: [
      `values.yaml:${DEFAULT_VALUES.split('\n').length + 1}: podSecurityPolicy.create: is true but Kubernetes 1.25.3 no longer serves policy/v1beta1 PodSecurityPolicy`,
    ],
  },
  // --- not a file of text
  {
    name: 'a directory as the manifest',
    files: config((t) => t.replace('manifest: kube-apiserver.yaml', 'manifest: manifests')),
    dirs: ['manifests'],
    expect: ['manifests: kube-apiserver manifest is not a regular file'],
  },
  {
    name: 'a missing manifest',
    files: config((t) => t.replace('manifest: kube-apiserver.yaml', 'manifest: nowhere.yaml')),
    expect: ['falco-audit.yaml:2: apiServer.manifest: kube-apiserver manifest nowhere.yaml not found'],
  },
  {
    name: 'a missing values file',
    files: config((t) => t.replace('values: values.yaml', 'values: missing-values.yaml')),
    expect: ['falco-audit.yaml:4: falco.values: Falco values file missing-values.yaml not found'],
  },
  {
    name: 'a binary manifest',
    files: { 'kube-apiserver.yaml': BINARY },
    expect: ['kube-apiserver.yaml: kube-apiserver manifest is not a text file'],
  },
  { name: 'a binary values file', files: { 'values.yaml': BINARY }, expect: ['values.yaml: Falco values file is not a text file'] },
  {
    name: 'a manifest that is not UTF-8',
    files: { 'kube-apiserver.yaml': Buffer.from(DEFAULT_MANIFEST.replace('kube-system', 'kube-syst\u00e8me'), 'latin1') },
    expect: [
      `kube-apiserver.yaml:${lineOf(DEFAULT_MANIFEST, 'namespace: kube-system')}:23: kube-apiserver manifest is not UTF-8 text (byte 0xe8 is invalid UTF-8`,
    ],
  },
];

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(files: Record<string, string | Buffer>, dirs: readonly string[] = []) {
  writeFiles(dir, inputs(files) as Record<string, string>);
  for (const d of dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const out = path.join(dir, 'out');
  writeFiles(out, SEED);
  const started = process.hrtime.bigint();
  const r = runApp({ cwd: dir, outdir: out });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ...r, ms };
}

function expectMessage(stderr: string, expected: readonly (string | RegExp)[]) {
  for (const e of expected) {
    if (typeof e === 'string') expect(stderr).toContain(e);
    else expect(stderr).toMatch(e);
  }
}

describe('a broken or hostile input: exit 1, one specific message, no stack trace, output untouched', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = run(c.files, c.dirs);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr: expect.stringMatching(/^error: [^]*\nnothing was written: [^\n]*\.\n$/),
    });
    expectMessage(r.stderr, c.expect);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toBe('');
    // the output folder is exactly as it was, and nothing was left beside it
    expect(listFiles(r.outdir)).toEqual(Object.keys(SEED));
    expect(fs.readFileSync(path.join(r.outdir, 'keep.txt'), 'utf8')).toBe(SEED['keep.txt']);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    // a guard against hangs (alias bombs, huge inputs), not a performance measurement: those are in npm run bench
    expect(r.ms).toBeLessThan(2000);
  });
});

describe('inputs that look odd but are valid', () => {
  test('a JSON manifest works like the YAML one and stays JSON', () => {
    const yamlRun = run({});
    const yamlOut = fs.readFileSync(path.join(yamlRun.outdir, 'node', 'kube-apiserver.yaml'), 'utf8');
    fs.rmSync(yamlRun.outdir, { recursive: true });
    const r = run({ 'kube-apiserver.yaml': JSON_MANIFEST });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const jsonOut = fs.readFileSync(path.join(r.outdir, 'node', 'kube-apiserver.yaml'), 'utf8');
    expect(yaml.load(jsonOut)).toEqual(yaml.load(yamlOut));
    // the marker line, then the input's JSON with the change in it
    expect(jsonOut.startsWith('# +argocd:skip-file-rendering\n{\n  "apiVersion": "v1",\n')).toBe(true);
    expect(JSON.parse(jsonOut.slice(jsonOut.indexOf('\n') + 1))).toEqual(yaml.load(yamlOut));
    expect(listFiles(r.outdir)).not.toContain('keep.txt');
  });

  test('a trailing document marker does not count as a second document', () => {
    const r = run({ 'kube-apiserver.yaml': `---\n${DEFAULT_MANIFEST}---\n` });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
  });

  test('unquoted dates and other YAML 1.1 scalars in the manifest are kept as written', () => {
    const dated = run(manifest('    tier: control-plane\n', '    tier: control-plane\n    since: 2021-01-01\n'));
    expect(dated.stderr).not.toMatch(/^error/m);
    const text = fs.readFileSync(path.join(dated.outdir, 'node', 'kube-apiserver.yaml'), 'utf8');
    // the line is the input's, and reads as the string it is to the kubelet (go-yaml v2 keeps a timestamp-like
    // scalar a string when decoding into interface{}: gopkg.in/yaml.v2 decode.go, decoder.scalar); YAML 1.2 core has no dates
    expect(text).toContain('    tier: control-plane\n    since: 2021-01-01\n');
    const pod: any = yaml.load(text, { schema: yaml.CORE_SCHEMA });
    expect(pod.metadata.labels.since).toBe('2021-01-01');
  });
});
