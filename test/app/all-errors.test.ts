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

test('one cluster with ten mistakes: all ten in one run (the schema, the missing file and the settings), in file order', () => {
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
    '3 apiServer.serviceClusterIPRange',
    '6 audit.auditSink.name',
    '7 audit.auditSink.level',
    '8 audit.auditSink.stages[0]',
    '9 audit.auditSink.throttle.qps',
    '10 audit.auditSink.certificateAuthority',
    '12 falco.releaseName',
    '13 falco.namespace',
    '14 falco.clusterIP',
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

/** One mistake of the fixture: where it is, how the report names it, and how to fix it. */
interface Mistake {
  readonly file: string;
  /** Text on the mistake's line (unique in the file). */
  readonly at: string;
  /** What the reported line says after `file:line: `. */
  readonly says: RegExp;
  /** The fix: the text on that line, and its replacement. */
  readonly fix: readonly [string, string];
}

/**
 * test/app/fixtures/many-mistakes: a fleet of three clusters (1.18 with stable/falco values, 1.30 with falcosecurity/falco
 * values, 1.20) and fifteen mistakes that do not depend on each other, across the config, both values files and
 * the three clusters: schema errors, a fleet name, construct checks, values checks and an output check.
 */
const MISTAKES: readonly Mistake[] = [
  { file: 'falco-audit.yaml', at: 'name: Falco', says: /clusters\[0\]\.audit\.auditSink\.name: .*"Falco"/, fix: ['name: Falco', 'name: falco'] },
  { file: 'falco-audit.yaml', at: 'burts', says: /clusters\[0\]\.audit\.auditSink\.throttle\.burts: .*unknown key "burts"/, fix: ['burts', 'burst'] },
  { file: 'falco-audit.yaml', at: '10.200.0.1', says: /clusters\[0\]\.falco\.clusterIP: .*10\.200\.0\.1/, fix: ['10.200.0.1', '10.96.0.100'] },
  {
    file: 'falco-audit.yaml',
    at: 'name: Lab',
    says: /clusters\[1\]\.name: .*cluster name must be lowercase .*"Lab"/,
    fix: ['name: Lab', 'name: lab'],
  },
  {
    file: 'falco-audit.yaml',
    at: 'mode: batched',
    says: /clusters\[1\]\.audit\.webhook\.mode: .*must be one of .*"batched"/,
    fix: ['batched', 'batch'],
  },
  { file: 'falco-audit.yaml', at: 'releaseNmae', says: /clusters\[1\]\.falco\.releaseNmae: .*unknown key/, fix: ['releaseNmae', 'releaseName'] },
  { file: 'falco-audit.yaml', at: 'nodePort: 3007', says: /clusters\[1\]\.falco\.nodePort: .*3007/, fix: ['3007', '30007'] },
  {
    file: 'falco-audit.yaml',
    at: 'serviceClusterIPRange',
    says: /clusters\[2\]\.apiServer\.serviceClusterIPRange: .*10\.100\.0\.0\/16 differs/,
    fix: ['10.100.0.0/16', '10.96.0.0/12'],
  },
  {
    file: 'falco-audit.yaml',
    at: 'backend: dynamic',
    says: /clusters\[2\]\.audit\.backend: .*dynamic audit backend .*1\.20/,
    fix: ['dynamic', 'webhook'],
  },
  { file: 'falco-audit.yaml', at: 'falco_ns', says: /clusters\[2\]\.falco\.namespace: .*falco_ns/, fix: ['falco_ns', 'falco'] },
  { file: 'values.yaml', at: 'jsonOutput', says: /falco\.jsonOutput: .*expected a boolean/, fix: ['"true"', 'true'] },
  { file: 'values.yaml', at: '1 core', says: /resources\.limits\.cpu: .*"1 core"/, fix: ['1 core', '1'] },
  { file: 'values.yaml', at: 'efect', says: /tolerations\[0\]\.efect: .*unknown field "efect"/, fix: ['efect', 'effect'] },
  { file: 'values-lab.yaml', at: 'security ops', says: /podLabels\.team: .*"security ops"/, fix: ['security ops', 'security-ops'] },
  { file: 'values-lab.yaml', at: 'listen_prot', says: /falco\.webserver\.listen_prot: /, fix: ['listen_prot', 'listen_port'] },
];

const FIXTURE = path.join(__dirname, 'fixtures', 'many-mistakes');

/** The line of `at` in a fixture file as it is now. */
function lineOf(file: string, at: string): number {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  const found = lines.findIndex((l) => l.includes(at));
  if (found < 0 || lines.slice(found + 1).some((l) => l.includes(at))) throw new Error(`${at} is not on exactly one line of ${file}`);
  return found + 1;
}

/** The mistakes a run's report names, each on a line of its own that starts with its file and line. */
function reported(stderr: string, open: readonly Mistake[], anywhere = false): Mistake[] {
  // one problem is the error line itself
  const lines = [
    ...problems(stderr).map((l) => l.slice(4)),
    ...stderr
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .map((l) => l.slice(7)),
  ];
  return open.filter((m) =>
    lines.some((l) => (l.startsWith(`${m.file}:${lineOf(m.file, m.at)}:`) && m.says.test(l)) || (anywhere && l.includes(m.at))),
  );
}

/** Fixes a mistake in the scratch copy. */
function fix(m: Mistake): void {
  const file = path.join(dir, m.file);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lineOf(m.file, m.at) - 1;
  lines[i] = lines[i].replace(m.fix[0], m.fix[1]);
  fs.writeFileSync(file, lines.join('\n'));
}

test('a fleet with fifteen independent mistakes across the config, two values files and three clusters: all in the first run, each at its file:line', () => {
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const first = run();
  expect(first.status).toBe(1);
  expect(first.stderr).not.toMatch(/\n\s+at /);
  const found = reported(first.stderr, MISTAKES);
  expect(MISTAKES.filter((m) => !found.includes(m)).map((m) => `${m.file}: ${m.at}`)).toEqual([]);
  expect(problems(first.stderr)).toHaveLength(MISTAKES.length);
  // the config first, then the values files by name; by line within a file
  const order = problems(first.stderr).map((l) => /^ {2}- ([^:]+):(\d+):/.exec(l)!.slice(1));
  const rank = (f: string) => (f === 'falco-audit.yaml' ? '' : f);
  expect(order.map(([f, n]) => `${f}:${n}`)).toEqual(
    [...order]
      .sort((a, b) => (rank(a[0]) < rank(b[0]) ? -1 : rank(a[0]) > rank(b[0]) ? 1 : Number(a[1]) - Number(b[1])))
      .map(([f, n]) => `${f}:${n}`),
  );
  expect([...new Set(order.map(([f]) => f))]).toEqual(['falco-audit.yaml', 'values-lab.yaml', 'values.yaml']);
  for (const m of MISTAKES) fix(m);
  const second = run();
  expect(second.stderr).not.toMatch(/error/);
  expect(second.status).toBe(0);
});

/**
 * How many runs the fixture takes when a user fixes what each run reports (and only that): the measure of issue 22
 * (SHOW_RUNS=1 prints what each run reported; before issue 22 it took ten runs with errors).
 */
function runsToClean(): number {
  fs.cpSync(FIXTURE, dir, { recursive: true });
  let open = [...MISTAKES];
  for (let runs = 1; runs <= MISTAKES.length + 1; runs++) {
    const r = run();
    if (r.status === 0) return runs - 1;
    const found = reported(r.stderr, open, true);
    if (found.length === 0) throw new Error(`run ${runs} reports none of the open mistakes:\n${r.stderr}`);
    if (process.env.SHOW_RUNS) process.stdout.write(`run ${runs}: ${found.map((m) => m.at).join(', ')}\n`);
    found.forEach(fix);
    open = open.filter((m) => !found.includes(m));
  }
  throw new Error('the fixture never became clean');
}

test('the fixture needs one run to see every mistake (the second run is clean)', () => {
  expect(runsToClean()).toBe(1);
});

describe('stages do not hide each other (issue 22)', () => {
  const MANIFEST_130 = fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8');
  const MANIFEST_120 = MANIFEST_130.replace('v1.30.6', 'v1.20.15');

  test("a fleet-name error hides neither that cluster's other problems nor the other clusters' (issue 23)", () => {
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST,
      'falco-audit.yaml': [
        'clusters:',
        '  - name: Prod',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {clusterIP: 10.200.0.1}',
        '  - name: lab',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {clusterIP: 10.200.0.2}',
        '  - name: lab',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {nodePort: 30765}',
        '',
      ].join('\n'),
    });
    const r = run();
    expect(r.stderr).toMatch(/^error: falco-audit\.yaml: 4 problems in 3 clusters:\n/);
    expect(problems(r.stderr).map((l) => /^ {2}- (falco-audit\.yaml:\d+: [^:]+):/.exec(l)![1])).toEqual([
      'falco-audit.yaml:2: clusters[0].name',
      'falco-audit.yaml:4: clusters[0].falco.clusterIP',
      'falco-audit.yaml:7: clusters[1].falco.clusterIP',
      'falco-audit.yaml:8: clusters[2].name',
    ]);
    expect(r.stderr).toMatch(/clusters\[2\]\.name: cluster "lab": cluster name "lab" is used twice \(clusters\[1\] and clusters\[2\]\)/);
  });

  test('a cluster name that is no folder name is never made a folder, not even in the staging folder', () => {
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST,
      'falco-audit.yaml': [
        'clusters:',
        '  - name: ../../escaped',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {clusterIP: 10.96.0.100}',
        '  - name: ok',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {clusterIP: 10.96.0.101}',
        '',
      ].join('\n'),
    });
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: falco-audit\.yaml:2: clusters\[0\]\.name: cluster "\.\.\/\.\.\/escaped": cluster name must be/);
    expect(fs.readdirSync(dir).sort()).toEqual(['falco-audit.yaml', 'kube-apiserver.yaml']);
    expect(fs.existsSync(path.join(dir, '..', 'escaped'))).toBe(false);
  });

  test('a schema error in one cluster does not stop its own checks, nor those of a cluster on another version', () => {
    writeFiles(dir, {
      'a/kube-apiserver.yaml': MANIFEST_130,
      'c/kube-apiserver.yaml': MANIFEST_120,
      'falco-audit.yaml': [
        'clusters:',
        '  - name: a',
        '    apiServer: {manifest: a/kube-apiserver.yaml}',
        '    audit: {webhook: {mdoe: blocking}}',
        '    falco: {clusterIP: 10.200.0.1}',
        '  - name: c',
        '    apiServer: {manifest: c/kube-apiserver.yaml}',
        '    audit: {backend: dynamic}',
        '    falco: {namespace: falco_ns, clusterIP: 10.96.0.100}',
        '',
      ].join('\n'),
    });
    expect(problems(run().stderr).map((l) => /^ {2}- (falco-audit\.yaml:\d+: [^:]+):/.exec(l)![1])).toEqual([
      'falco-audit.yaml:4: clusters[0].audit.webhook.mdoe',
      'falco-audit.yaml:5: clusters[0].falco.clusterIP',
      'falco-audit.yaml:8: clusters[1].audit.backend',
      'falco-audit.yaml:9: clusters[1].falco.namespace',
    ]);
  });

  test('a problem that follows from a value left out is not reported: a mistyped nodePort is not also "neither clusterIP nor nodePort"', () => {
    writeFiles(dir, { 'kube-apiserver.yaml': MANIFEST, 'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {nodePrt: 30765}\n' });
    const r = run();
    expect(r.stderr).toMatch(/^error: falco-audit\.yaml:2: falco\.nodePrt: unknown key "nodePrt" \(allowed: .*\)\nnothing was written/);
    writeFiles(dir, { 'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {nodePort: "30765"}\n' });
    expect(run().stderr).toMatch(/^error: falco-audit\.yaml:2: falco\.nodePort: must be a whole number, got "30765"\nnothing was written/);
  });

  test("a values file's mistyped key hides neither its API server problems nor the schema's in a list item (each at its values line)", () => {
    const values = [
      'falco:',
      '  jsonOutput: "true"',
      'resources:',
      '  limits: {cpu: 1 core}',
      'tolerations:',
      '  - key: a',
      '    efect: NoSchedule',
      '',
    ];
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST,
      'values.yaml': values.join('\n'),
      'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.200.0.1}\n',
    });
    const r = run();
    expect(r.stderr).toMatch(/^error: falco-audit\.yaml: 4 problems:\n/);
    expect(problems(r.stderr)).toEqual([
      '  - falco-audit.yaml:2: falco.clusterIP: cluster IP 10.200.0.1 is outside the service cluster IP range 10.96.0.0/12',
      '  - values.yaml:2: falco.jsonOutput: expected a boolean (true or false), got the string "true"',
      '  - values.yaml:4: resources.limits.cpu: limits.cpu "1 core" is not a quantity such as 100m, 0.5 or 512Mi',
      '  - values.yaml:7: tolerations[0].efect: unknown field "efect": not in the Kubernetes 1.18 apps/v1 DaemonSet schema',
    ]);
  });

  test("a tolerations typo alone is reported at the values file's line, not as the config's", () => {
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST,
      'values.yaml': 'tolerations:\n  - key: node-role.kubernetes.io/master\n    efect: NoSchedule\n',
      'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100}\n',
    });
    expect(run().stderr).toMatch(
      /^error: values\.yaml:3: tolerations\[0\]\.efect: unknown field "efect": not in the Kubernetes 1\.18 apps\/v1 DaemonSet schema\n/,
    );
  });

  test("a problem the output checks find (the manifest's own field) is listed with the settings' and the values'", () => {
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST.replace('  hostNetwork: true\n', '  hostNetwork: true\n  priority: high\n'),
      'values.yaml': 'falco:\n  jsonOutput: maybe\n',
      'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, namespace: falco_ns, clusterIP: 10.96.0.100}\n',
    });
    expect(problems(run().stderr)).toEqual([
      expect.stringMatching(/^ {2}- falco-audit\.yaml:2: falco\.namespace: namespace "falco_ns" is not a valid DNS-1123 label/),
      '  - values.yaml:2: falco.jsonOutput: expected a boolean (true or false), got the string "maybe"',
      '  - falco-audit.yaml: node/kube-apiserver.yaml: spec.priority: must be of type integer, not string "high" (schema.type)',
    ]);
  });

  test('a shared values file: its problem is listed once, naming every cluster that reads it', () => {
    writeFiles(dir, {
      'kube-apiserver.yaml': MANIFEST,
      'values.yaml': 'falco:\n  jsonOutput: maybe\n',
      'falco-audit.yaml': [
        'clusters:',
        '  - name: a',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {values: values.yaml, clusterIP: 10.96.0.100}',
        '  - name: b',
        '    apiServer: {manifest: kube-apiserver.yaml}',
        '    falco: {values: values.yaml, clusterIP: 10.200.0.1}',
        '',
      ].join('\n'),
    });
    const found = problems(run().stderr);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^ {2}- falco-audit\.yaml:7: clusters\[1\]\.falco\.clusterIP: cluster "b": /);
    expect(found[1]).toBe('  - values.yaml:2: falco.jsonOutput: clusters "a" and "b": expected a boolean (true or false), got the string "maybe"');
  });
});
