/**
 * Every error in one run: the inputs of a cluster are all read and checked before the first error is reported, and
 * every cluster of a fleet is built, so a config with several mistakes needs one run to show them all, each with its
 * file and line. Through the app process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, runApp, scratch, writeFiles } from './run';

const MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = () => runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: path.join(dir, 'dist'), env: {} });
const problems = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('  - '));

test("the README's former full config block: its four missing files in one run, in file order", () => {
  writeFiles(dir, { 'falco-audit.yaml': fs.readFileSync(path.join(__dirname, 'fixtures', 'four-mistakes.yaml'), 'utf8') });
  const r = run();
  expect(r.status).toBe(1);
  const found = problems(r.stderr);
  expect(found).toHaveLength(4);
  expect(found[0]).toMatch(/falco-audit\.yaml:\d+: apiServer\.manifest: kube-apiserver manifest path\/to\/kube-apiserver\.yaml not found/);
  expect(found.join('\n')).toMatch(/audit\.auditSink\.certificateAuthority: certificate authority file ca\.pem not found/);
  expect(found.join('\n')).toMatch(/audit\.webhook\.certificateAuthority: certificate authority file ca\.pem not found/);
  expect(found.join('\n')).toMatch(/falco\.values: Falco values file path\/to\/values\.yaml not found/);
  const lines = found.map((l) => Number(/yaml:(\d+):/.exec(l)![1]));
  expect(lines).toEqual([...lines].sort((a, b) => a - b));
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
});

test('a fleet with three mistakes in three clusters: all three in one run, each naming its cluster and line', () => {
  writeFiles(dir, {
    'prod/kube-apiserver.yaml': MANIFEST,
    'lab/kube-apiserver.yaml': MANIFEST,
    'falco-audit.yaml': [
      'clusters:',
      '  - name: prod',
      '    apiServer: {manifest: prod/kube-apiserver.yaml}',
      '    falco: {clusterIP: 10.200.0.1}', // outside 10.96.0.0/12
      '  - name: lab',
      '    apiServer: {manifest: lab/kube-apiserver.yaml}',
      '    falco: {clusterIP: 10.96.0.100, values: lab/values.yaml}', // missing file
      '  - name: edge',
      '    apiServer: {manifest: edge/kube-apiserver.yaml}', // missing file
      '    falco: {nodePort: 30765}',
      '',
    ].join('\n'),
  });
  const r = run();
  expect(r.status).toBe(1);
  const found = problems(r.stderr);
  expect(r.stderr).toMatch(/^error: falco-audit\.yaml: 3 problems in 3 clusters:/);
  expect(found).toHaveLength(3);
  expect(found[0]).toMatch(/^ {2}- falco-audit\.yaml:4: clusters\[0\]\.falco\.clusterIP: cluster "prod": .*10\.200\.0\.1/);
  expect(found[1]).toMatch(/^ {2}- falco-audit\.yaml:7: clusters\[1\]\.falco\.values: .*lab\/values\.yaml not found/);
  expect(found[2]).toMatch(/^ {2}- falco-audit\.yaml:9: clusters\[2\]\.apiServer\.manifest: .*edge\/kube-apiserver\.yaml not found/);
});

test('one mistake keeps its one-line form', () => {
  writeFiles(dir, { 'falco-audit.yaml': 'apiServer: {manifest: nope.yaml}\nfalco: {clusterIP: 10.96.0.100}\n' });
  const r = run();
  expect(r.stderr).toMatch(/^error: falco-audit\.yaml:1: apiServer\.manifest: kube-apiserver manifest nope\.yaml not found\n/);
});

test('one cluster with ten mistakes: the config-file ones (schema and missing files) in one run, the settings ones in the next', () => {
  const config = (fixed: boolean) =>
    [
      'apiServer:',
      '  manifest: kube-apiserver.yaml',
      '  serviceClusterIPRange: 10.100.0.0/16', // differs from the manifest's
      'audit:',
      '  auditSink:',
      '    name: Falco', // not a DNS-1123 subdomain
      `    level: ${fixed ? 'Metadata' : 'Everything'}`,
      `    stages: [${fixed ? 'ResponseComplete' : 'Sometimes'}]`,
      '    throttle: {qps: 0, burst: 15}', // qps must be > 0
      ...(fixed ? [] : ['    certificateAuthority: missing-ca.pem']),
      'falco:',
      '  releaseName: Falco', // not a Helm release name
      '  namespace: falco_ns', // not a DNS label
      '  clusterIP: 10.200.0.1', // outside the range
      ...(fixed ? [] : ['  relaseName: x']),
      '',
    ].join('\n');
  writeFiles(dir, { 'kube-apiserver.yaml': MANIFEST, 'falco-audit.yaml': config(false) });
  const first = problems(run().stderr);
  expect(first.map((l) => /yaml:(\d+): ([^:]+):/.exec(l)!.slice(1).join(' '))).toEqual([
    '7 audit.auditSink.level',
    '8 audit.auditSink.stages[0]',
    '10 audit.auditSink.certificateAuthority',
    '15 falco.relaseName',
  ]);
  writeFiles(dir, { 'falco-audit.yaml': config(true) });
  const second = problems(run().stderr);
  expect(second.map((l) => /yaml:(\d+): ([^:]+):/.exec(l)!.slice(1).join(' '))).toEqual([
    '3 apiServer.serviceClusterIPRange',
    '6 audit.auditSink.name',
    '9 audit.auditSink.throttle.qps',
    '11 falco.releaseName',
    '12 falco.namespace',
    '13 falco.clusterIP',
  ]);
});

test('a values file with six mistakes: all six in one run, each at its line', () => {
  writeFiles(dir, {
    'kube-apiserver.yaml': MANIFEST,
    'values.yaml': [
      'foo: 1',
      'bar: 2',
      'image:',
      '  tga: 0.19.0',
      'falco:',
      '  jsonOutput: maybe',
      '  logLevel: [info]',
      'daemonset:',
      '  evn: {}',
      '',
    ].join('\n'),
    'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100}\n',
  });
  const r = run();
  expect(r.stderr).toMatch(/^error: values\.yaml: the values have 6 problems:/);
  expect(problems(r.stderr).map((l) => /values\.yaml:(\d+):/.exec(l)![1])).toEqual(['1', '2', '4', '6', '7', '9']);
});
