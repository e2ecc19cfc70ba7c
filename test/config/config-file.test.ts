import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfigFile, readConfigFile } from '../../lib/config/config-file';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(text: string, name = 'falco-audit.yaml'): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('loadConfigFile', () => {
  test('a single cluster: defaults, and paths resolved against the config file folder', () => {
    const file = write(
      ['apiServer:', '  manifest: manifests/kube-apiserver.yaml', 'falco:', '  values: values.yaml', '  clusterIP: 10.96.0.100', ''].join('\n'),
      'conf/falco-audit.yaml',
    );
    const config = loadConfigFile(file);
    expect(config.fleet).toBe(false);
    expect(config.clusters).toHaveLength(1);
    const [c] = config.clusters;
    expect(c.apiServer.manifest).toBe(path.join(dir, 'conf', 'manifests', 'kube-apiserver.yaml'));
    expect(c.falco.values).toBe(path.join(dir, 'conf', 'values.yaml'));
    expect(c.audit.backend).toBe('auto');
    expect(c.name).toBeUndefined();
  });

  test('a fleet: every cluster named, locations point into clusters[i]', () => {
    const file = write(
      [
        'clusters:',
        '- name: prod',
        '  apiServer: {manifest: a.yaml}',
        '- name: staging',
        '  kubernetesVersion: "1.30"',
        '  apiServer: {manifest: b.yaml}',
        '',
      ].join('\n'),
    );
    const config = loadConfigFile(file, 'falco-audit.yaml');
    expect(config.fleet).toBe(true);
    expect(config.clusters.map((c) => c.name)).toEqual(['prod', 'staging']);
    expect(config.clusters[1].locate(['kubernetesVersion'])).toEqual({ file: 'falco-audit.yaml', field: 'clusters[1].kubernetesVersion', line: 5 });
  });

  test.each<[string, string, RegExp]>([
    [
      'an unknown key, with its line',
      'apiServer:\n  manifest: a.yaml\n  flags: []\n',
      /falco-audit\.yaml:3: apiServer\.flags: unknown key "flags" \(allowed: distribution, manifest, version, serviceClusterIPRange, controllersRunWorkloads, hostFolder\)/,
    ],
    ['a typo at the top', 'apiserver:\n  manifest: a.yaml\n', /falco-audit\.yaml:1: apiserver: unknown key "apiserver"/],
    ['a missing manifest', 'apiServer: {}\n', /apiServer: missing required key "manifest"/],
    [
      'a wrong type',
      'apiServer:\n  manifest: a.yaml\nfalco:\n  nodePort: "30765"\n',
      /falco-audit\.yaml:4: falco\.nodePort: must be a whole number, got "30765"/,
    ],
    ['an unquoted version', 'kubernetesVersion: 1.20\napiServer: {manifest: a.yaml}\n', /kubernetesVersion: must be a string, got 1\.2 \(quote it/],
    [
      'a bad backend',
      'apiServer: {manifest: a.yaml}\naudit:\n  backend: sink\n',
      /falco-audit\.yaml:3: audit\.backend: must be one of auto, dynamic, webhook, got "sink"/,
    ],
    [
      'a bad policy',
      'apiServer: {manifest: a.yaml}\naudit:\n  webhook:\n    policy: strict\n',
      /audit\.webhook\.policy: must be "hardened", "metadata" or a mapping with rules, got "strict"/,
    ],
    [
      'a bad rule inside a custom policy',
      'apiServer: {manifest: a.yaml}\naudit:\n  webhook:\n    policy:\n      rules:\n      - level: Loud\n',
      /:6: audit\.webhook\.policy\.rules\[0\]\.level: must be one of None, Metadata, Request, RequestResponse, got "Loud"/,
    ],
    ['not a mapping', '- a\n- b\n', /config file must be a mapping/],
    ['fleet clusters without a name', 'clusters:\n- apiServer: {manifest: a.yaml}\n', /clusters\[0\]: missing required key "name"/],
    [
      'duplicate cluster names',
      'clusters:\n- name: a\n  apiServer: {manifest: a.yaml}\n- name: a\n  apiServer: {manifest: a.yaml}\n',
      /:4: clusters\[1\]\.name: cluster name "a" is used twice/,
    ],
    [
      'a cluster name that is no folder name',
      'clusters:\n- name: ../x\n  apiServer: {manifest: a.yaml}\n',
      /cluster name must be lowercase letters, digits and '-'.*"\.\.\/x"/,
    ],
    ['malformed YAML', 'apiServer:\n  manifest: [a\n', /falco-audit\.yaml:3:1: config file is not valid YAML/],
  ])('refuses %s', (_what, text, message) => {
    const file = write(text);
    expect(() => loadConfigFile(file, 'falco-audit.yaml')).toThrow(message);
  });

  test('reports every problem at once', () => {
    const file = write('apiServer:\n  manifest: 3\n  extra: 1\naudit:\n  backend: x\n');
    let message = '';
    try {
      loadConfigFile(file, 'falco-audit.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/the config has 3 problems/);
    expect(message).toMatch(/apiServer\.manifest: must be a string, got 3/);
    expect(message).toMatch(/apiServer\.extra: unknown key/);
    expect(message).toMatch(/audit\.backend: must be one of/);
  });

  test('a missing config file names it', () => {
    expect(() => loadConfigFile(path.join(dir, 'nope.yaml'), 'nope.yaml')).toThrow(
      /^nope\.yaml: config file not found; run where falco-audit.yaml is, or name the file with --config FILE \(or FALCO_AUDIT_CONFIG=FILE\)$/,
    );
  });
});

describe('readConfigFile: every cluster checked, each with its own problems', () => {
  test("a wrong value is its cluster's problem and is left out; the other clusters and settings are kept", () => {
    const file = write(
      [
        'clusters:',
        '- name: a',
        '  apiServer: {manifest: a.yaml}',
        '  audit: {backend: sink, auditSink: {stages: [Sometimes, ResponseStarted]}}',
        '  falco: {nodePrt: 30765, clusterIP: 10.96.0.100}',
        '- name: B',
        '  apiServer: {manifest: b.yaml}',
        '- name: c',
        '  apiServer: {manifest: 3}',
        '',
      ].join('\n'),
    );
    const config = readConfigFile(file, 'falco-audit.yaml');
    expect(config.problems).toEqual([]);
    const [a, b, c] = config.clusters;
    expect(a.problems.map((p) => p.message)).toEqual([
      'falco-audit.yaml:4: clusters[0].audit.backend: must be one of auto, dynamic, webhook, got "sink"',
      'falco-audit.yaml:4: clusters[0].audit.auditSink.stages[0]: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic, got "Sometimes"',
      expect.stringMatching(/^falco-audit\.yaml:5: clusters\[0\]\.falco\.nodePrt: unknown key "nodePrt"/),
    ]);
    // the value is left out (the whole list, so that no index moves); the rest is as written
    expect(a.leftOut).toEqual(['clusters[0].audit.backend', 'clusters[0].audit.auditSink.stages', 'clusters[0].falco.nodePrt']);
    expect(a.audit.backend).toBe('auto');
    expect(a.audit.auditSink).toEqual({ certificateAuthority: undefined });
    expect(a.falco.clusterIP).toBe('10.96.0.100');
    expect(b.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^falco-audit\.yaml:6: clusters\[1\]\.name: cluster name must be/)]);
    expect(b.name).toBe('B');
    expect(b.apiServer.manifest).toBe(path.join(dir, 'b.yaml'));
    expect(c.problems.map((p) => p.message)).toEqual(['falco-audit.yaml:9: clusters[2].apiServer.manifest: must be a string, got 3']);
    expect(c.apiServer.manifest).toBeUndefined();
  });

  test("a missing required key: the problem at its parent, the key left out; a problem outside the clusters is the file's", () => {
    const config = readConfigFile(write('clusters:\n- apiServer: {}\nextra: 1\n'), 'falco-audit.yaml');
    expect(config.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^falco-audit\.yaml:3: extra: unknown key "extra"/)]);
    expect(config.clusters[0].problems.map((p) => p.message)).toEqual([
      'falco-audit.yaml:2: clusters[0].apiServer: missing required key "manifest" (or name the control plane in apiServer.distribution: kind, k3s, rke2, talos, cluster-api, k0s, minikube or microk8s)',
      'falco-audit.yaml:2: clusters[0]: missing required key "name"',
    ]);
    expect([...config.clusters[0].leftOut].sort()).toEqual(['clusters[0].apiServer.manifest', 'clusters[0].name']);
  });
});

test('schemas/config-validators.js is what scripts/gen-config-validator.js makes from the schema', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = path.join(dir, 'config-validators.js');
  require('child_process').execFileSync(process.execPath, [path.join(root, 'scripts', 'gen-config-validator.js')], {
    env: { ...process.env, CONFIG_VALIDATOR_OUT: out },
    stdio: 'pipe',
  });
  expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(root, 'schemas', 'config-validators.js'), 'utf8'));
});
