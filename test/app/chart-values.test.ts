/**
 * The app with falcosecurity/falco values, as a user runs it (a separate process; the plan goes to stderr): the chart's own
 * values-k8saudit.yaml synthesizes unchanged, the examples/falco-chart example is current, and refusals exit 1 with
 * every key, its line and the reason, and nothing written.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { EXAMPLES, listFiles, readDoc, runApp, scratch, writeFiles } from './run';

const FIXTURES = path.resolve(__dirname, '..', 'falco', 'fixtures', 'chart-9.1.0');
const MODERN_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the falco-chart example (chart 9.1.0's values-k8saudit.yaml, Kubernetes 1.30)", () => {
  test("synthesizes with exit 0: the chart's objects and the webhook files, all agreeing on the address", () => {
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, config: path.join(EXAMPLES, 'falco-chart', 'falco-audit.yaml') });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(listFiles(out)).toEqual([
      '.cdk8s-falco-audit',
      'cluster/configmap-falco-falcoctl.yaml',
      'cluster/configmap-falco.yaml',
      'cluster/deployment-falco.yaml',
      'cluster/service-falco-k8saudit-webhook.yaml',
      'cluster/serviceaccount-falco.yaml',
      'node/audit-policy.yaml',
      'node/audit-webhook-kubeconfig.yaml',
      'node/kube-apiserver+json.yaml',
      'node/kube-apiserver.yaml',
    ]);
    const deployment = readDoc(out, 'cluster/deployment-falco.yaml');
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'falco', 'app.kubernetes.io/name': 'falco' });
    const service = readDoc(out, 'cluster/service-falco-k8saudit-webhook.yaml');
    expect(service.spec).toMatchObject({ type: 'NodePort', clusterIP: '10.96.0.100', ports: [{ nodePort: 30007, port: 9765, protocol: 'TCP' }] });
    const kubeconfig = yaml.load(fs.readFileSync(path.join(out, 'node', 'audit-webhook-kubeconfig.yaml'), 'utf8')) as any;
    expect(kubeconfig.clusters[0].cluster.server).toBe('http://10.96.0.100:9765/k8s-audit');
    const falcoYaml = yaml.load(readDoc(out, 'cluster/configmap-falco.yaml').data['falco.yaml']) as any;
    expect(falcoYaml.plugins[0].open_params).toBe('http://:9765/k8s-audit');
    expect(run.stderr).toMatch(/audit endpoint http:\/\/10\.96\.0\.100:9765\/k8s-audit/);
    expect(run.stderr).toMatch(/warning: falcoctl\.artifact\.follow\.enabled is true/);
    expect(run.stderr).not.toMatch(/note: the values are read as/);
  });

  test("its values file is the chart's preset, unchanged", () => {
    expect(fs.readFileSync(path.join(EXAMPLES, 'falco-chart', 'values-k8saudit.yaml'), 'utf8')).toBe(fixture('values-k8saudit.yaml'));
    const shared = path.resolve(__dirname, '../../../shared/reference/charts/falco-9.1.0/values-k8saudit.yaml');
    if (fs.existsSync(shared)) expect(fixture('values-k8saudit.yaml')).toBe(fs.readFileSync(shared, 'utf8'));
  });
});

describe('values: values-k8saudit.yaml without falco.chart', () => {
  test("exit 0: the chart is read from the keys (the plan says so), and the API server calls the values' nodePort", () => {
    writeFiles(dir, {
      'falco-audit.yaml': 'apiServer:\n  manifest: kube-apiserver.yaml\nfalco:\n  values: values-k8saudit.yaml\n',
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values-k8saudit.yaml': fixture('values-k8saudit.yaml'),
    });
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, config: path.join(dir, 'falco-audit.yaml') });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /note: the values are read as falcosecurity\/falco@9\.1\.0 values \(they have driver, collectors, controller, falcoctl, services/,
    );
    expect(run.stderr).toMatch(/audit endpoint http:\/\/127\.0\.0\.1:30007\/k8s-audit/);
    expect(run.stderr).toMatch(/warning: the API server calls Falco at 127\.0\.0\.1:30007/);
  });
});

describe('refused with exit 1, every problem at its line, nothing written', () => {
  const config = (falco: string) => `apiServer:\n  manifest: kube-apiserver.yaml\nfalco:\n${falco}`;

  test("the chart's values-syscall-k8saudit.yaml: driver, collectors, DaemonSet, each with why", () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values-syscall-k8saudit.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values-syscall-k8saudit.yaml': fixture('values-syscall-k8saudit.yaml'),
    });
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('error: values-syscall-k8saudit.yaml: 3 problems in the falcosecurity/falco 9.1.0 values:');
    expect(lines.slice(1, 4).map((l) => l.replace(/^ {2}- (values-syscall-k8saudit\.yaml:\d+: [^:]+):.*$/, '$1'))).toEqual([
      'values-syscall-k8saudit.yaml:4: driver.enabled',
      'values-syscall-k8saudit.yaml:10: collectors.enabled',
      'values-syscall-k8saudit.yaml:19: controller.kind',
    ]);
    expect(run.stderr).toMatch(/this tool renders an audit-only Falco/);
    expect(lines[lines.length - 1]).toMatch(/^nothing was written: .* does not exist and was not created\.$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });

  test("a config nodePort that differs from the values' services[]", () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values-k8saudit.yaml\n  nodePort: 30765\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values-k8saudit.yaml': fixture('values-k8saudit.yaml'),
    });
    const run = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "error: values-k8saudit.yaml:39: services[0].ports[0].nodePort: is 30007, but the config's falco.nodePort is 30765; the API server would " +
        `call one and the Service open the other: make them agree or remove one\nnothing was written: ${path.join(dir, 'dist')} does not exist and was not created.\n`,
    );
  });

  test('falco.chart must name a chart this version knows; a stated stable/falco chart reads the file as stable/falco values', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  chart: falcosecurity/falco@8.0.0\n  values: values-k8saudit.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values-k8saudit.yaml': fixture('values-k8saudit.yaml'),
    });
    const bad = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /falco-audit\.yaml:4: falco\.chart: must be one of stable\/falco@1\.1\.1, falcosecurity\/falco@9\.1\.0, got "falcosecurity\/falco@8\.0\.0"/,
    );
    // a stated chart the file's keys contradict: the setting is the likely mistake, at its line (not every key of the file)
    writeFiles(dir, { 'falco-audit.yaml': config('  chart: stable/falco@1.1.1\n  values: values-k8saudit.yaml\n  clusterIP: 10.96.0.100\n') });
    const stable = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(stable.status).toBe(1);
    expect(stable.stderr).toBe(
      'error: falco-audit.yaml:4: falco.chart: is stable/falco@1.1.1, but values-k8saudit.yaml is written for falcosecurity/falco@9.1.0: 8 of its keys ' +
        "are only that chart's (driver, collectors, controller, falcoctl, services, falco.rules_files, falco.plugins, falco.load_plugins), none only " +
        "stable/falco@1.1.1's; falco.chart is likely the mistake: set it to falcosecurity/falco@9.1.0, or remove it (the file's keys decide)\n" +
        `nothing was written: ${path.join(dir, 'dist')} does not exist and was not created.\n`,
    );
  });

  test('falco.chart: falcosecurity/falco for a stable/falco file is blamed at its line too; a file with no telling key is read as stated', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  chart: falcosecurity/falco@9.1.0\n  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml': 'image:\n  tag: 0.44.1\nauditLog:\n  enabled: true\nfalco:\n  jsonOutput: true\n',
    });
    const r = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(r.stderr).toMatch(
      /^error: falco-audit\.yaml:4: falco\.chart: is falcosecurity\/falco@9\.1\.0, but values\.yaml is written for stable\/falco@1\.1\.1: 2 of its keys are only that chart's \(auditLog, falco\.jsonOutput\), none only falcosecurity\/falco@9\.1\.0's; falco\.chart is likely the mistake/,
    );
    writeFiles(dir, { 'values.yaml': 'image:\n  tag: 0.44.1\n' });
    expect(runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' }).stderr).not.toMatch(/falco\.chart: is/);
  });

  test('no falco.chart: the keys decide (a key of the other chart is unknown), and the plan names the keys that decided', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values.yaml\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml': `${fixture('values-k8saudit.yaml')}auditLog:\n  enabled: true\n`,
    });
    const r = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    // the stable/falco key is unknown to the chart it is read as; the note is what a good file gets
    expect(r.stderr).toMatch(
      /values\.yaml:\d+: auditLog: unknown key "auditLog" for the falcosecurity\/falco 9\.1\.0 values \("auditLog" is a stable\/falco 1\.1\.x key/,
    );
    writeFiles(dir, { 'values.yaml': fixture('values-k8saudit.yaml') });
    const ok = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(ok.stderr).toContain(
      'note: the values are read as falcosecurity/falco@9.1.0 values (they have driver, collectors, controller, falcoctl, services, falco.rules_files, ' +
        'falco.plugins, falco.load_plugins, which stable/falco does not); set falco.chart (library: chart) to say so',
    );
  });

  test('fields the API server refuses in the pod (subPath, ids, fsGroupChangePolicy, hugepages), each at its values line', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml':
        fixture('values-k8saudit.yaml') +
        'mounts:\n  volumes: [{name: x, emptyDir: {}}]\n  volumeMounts: [{name: x, mountPath: /x, subPath: ../z}]\n' +
        'podSecurityContext:\n  runAsUser: -1\n  supplementalGroups: [4294967296]\n  fsGroupChangePolicy: Sometimes\n' +
        'containerSecurityContext: {runAsGroup: 2147483648}\n' +
        'resources: {limits: {memory: 1Gi, hugepages-2Mi: 3Mi}, requests: {hugepages-2Mi: 3Mi}}\n',
    });
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'error: values.yaml: 6 problems in the falcosecurity/falco 9.1.0 values:',
      '  - values.yaml:61: mounts.volumeMounts[0].subPath: subPath "../z" must not contain \'..\'',
      '  - values.yaml:63: podSecurityContext.runAsUser: runAsUser -1 must be between 0 and 2147483647, inclusive',
      '  - values.yaml:64: podSecurityContext.supplementalGroups[0]: supplementalGroups item 4294967296 must be between 0 and 2147483647, inclusive',
      '  - values.yaml:65: podSecurityContext.fsGroupChangePolicy: fsGroupChangePolicy "Sometimes" must be one of OnRootMismatch, Always',
      '  - values.yaml:66: containerSecurityContext.runAsGroup: runAsGroup 2147483648 must be between 0 and 2147483647, inclusive',
      '  - values.yaml:67: resources.limits.hugepages-2Mi: limits.hugepages-2Mi "3Mi" is not a positive integer multiple of the page size "2Mi" (Kubernetes 1.21+)',
      `nothing was written: ${out} does not exist and was not created.`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  describe('what Falco needs to start: one rules key, the json plugin, a rules source', () => {
    const older = fixture('older-falco.yaml')
      .replace('tag: 0.40.0', 'tag: 0.38.2')
      .replace('k8saudit-rules:0.11.0, k8saudit:0.11.0', 'k8saudit-rules:0.7.0, k8saudit:0.7.0');
    const synthValues = (values: string) => {
      writeFiles(dir, {
        'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
        'kube-apiserver.yaml': MODERN_MANIFEST,
        'values.yaml': values,
      });
      return runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    };
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const refusedAt = (run: ReturnType<typeof synthValues>, text: string, needle: string, field: string) => {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^error: values\\.yaml:${lineOf(text, needle)}: ${field.replace(/[.[\]]/g, '\\$&')}: `));
      expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    };

    test("Falco 0.38: a rules_file alone is written as rules_files, without the chart's default beside it", () => {
      const run = synthValues(older.replace('  rules_files: [', '  rules_file: ['));
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/warning: falco\.rules_file is the key Falco 0\.38 deprecated: written as rules_files/);
      const falcoYaml = yaml.load(readDoc(path.join(dir, 'dist'), 'cluster/configmap-falco.yaml').data['falco.yaml']) as any;
      expect(falcoYaml.rules_files).toEqual(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);
      expect(falcoYaml.rules_file).toBeUndefined();
    });

    test('rules_file and rules_files both set: Falco 0.38+ exits with both', () => {
      const text = older.replace('  rules_files: [', '  rules_file: [/etc/falco/rules.d]\n  rules_files: [');
      const run = synthValues(text);
      refusedAt(run, text, 'rules_file:', 'falco.rules_file');
      expect(run.stderr).toMatch(/and Falco 0\.38\.2 exits at start with both keys \("both 'rules_files' and 'rules_file' keys set"\)/);
    });

    test('the json plugin: missing from load_plugins, from plugins, or not installed with resolveDeps false', () => {
      const preset = fixture('values-k8saudit.yaml');
      const noLoad = preset.replace('load_plugins: [k8saudit, json]', 'load_plugins: [k8saudit]');
      const a = synthValues(noLoad);
      refusedAt(a, noLoad, 'load_plugins:', 'falco.load_plugins');
      expect(a.stderr).toMatch(/the k8saudit rules require the json plugin, and Falco exits at start without it \("Plugin requirement not satisfied/);
      const noEntry = preset
        .replace('    - name: json\n      library_path: libjson.so\n      init_config: ""\n', '')
        .replace('load_plugins: [k8saudit, json]', 'load_plugins: [k8saudit]');
      refusedAt(synthValues(noEntry), noEntry, '  plugins:', 'falco.plugins');
      const noDeps = preset.replace(
        '        refs: [k8saudit-rules:0.16, k8saudit:0.16]',
        '        refs: [k8saudit-rules:0.16.1, k8saudit:0.16.1]\n        resolveDeps: false',
      );
      const c = synthValues(noDeps);
      refusedAt(c, noDeps, 'resolveDeps', 'falcoctl.config.artifact.install.resolveDeps');
      expect(c.stderr).toMatch(/has no json ref, so falcoctl does not install libjson\.so/);
      const withJson = noDeps.replace('k8saudit:0.16.1]', 'k8saudit:0.16.1, json:0.7.0]');
      expect(synthValues(withJson).status).toBe(0);
    });

    test('no rules: refs without a rules artifact and no customRules', () => {
      const text = fixture('values-k8saudit.yaml').replace('refs: [k8saudit-rules:0.16, k8saudit:0.16]', 'refs: [k8saudit:0.16.1, json:0.7.0]');
      const run = synthValues(text);
      refusedAt(run, text, 'refs: [k8saudit:0.16.1', 'falcoctl.config.artifact.install.refs');
      expect(run.stderr).toMatch(/installs no rules \(no \*-rules ref\) and customRules is empty, .* \("You must specify at least one rules file"\)/);
      // rules of the team's own are a source; an OCI ruleset ref is a rules artifact
      expect(synthValues(`${text}customRules:\n  team.yaml: "- rule: x"\n`).status).toBe(0);
      expect(
        synthValues(text.replace('refs: [k8saudit:0.16.1', 'refs: [ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.16.1, k8saudit:0.16.1')).status,
      ).toBe(0);
    });

    test('stable/falco shape: falco.falcoctl.refs without a rules artifact, at the config line', () => {
      writeFiles(dir, {
        'falco-audit.yaml':
          'apiServer:\n  manifest: kube-apiserver.yaml\nfalco:\n  clusterIP: 10.96.0.100\n  falcoctl:\n    refs: [k8saudit:0.16.1]\n',
        'kube-apiserver.yaml': MODERN_MANIFEST,
      });
      const run = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: falco-audit\.yaml:6: falco\.falcoctl\.refs: \[k8saudit:0\.16\.1\] installs no rules \(no \*-rules ref\)/);
      expect(run.stderr).toMatch(/add a rules ref such as k8saudit-rules:0\.16\.1/);
    });
  });

  test('a falco.yaml key of a newer Falco: the release that has it, never "did you mean" the key itself', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml': `${fixture('older-falco.yaml')}  capture:\n    enabled: true\n  json_outptu: true\n`,
    });
    const run = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n').slice(0, 3)).toEqual([
      'error: values.yaml: 2 problems in the falcosecurity/falco 9.1.0 values:',
      '  - values.yaml:36: falco.capture: unknown field "capture": not in the Falco 0.40.0 falco.yaml schema; "falco.capture" is a key of a newer Falco ' +
        '(in the falco.yaml schema of 0.42.1): run that release or newer (image.tag), or remove it',
      '  - values.yaml:38: falco.json_outptu: unknown field "json_outptu": not in the Falco 0.40.0 falco.yaml schema; did you mean "falco.json_output"?',
    ]);
  });

  test('privileges and host mounts an audit-only Falco does not need: privileged, added capabilities, a hostPath volume', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml':
        `${fixture('values-k8saudit.yaml')}containerSecurityContext:\n  privileged: true\n  capabilities:\n    add: [SYS_ADMIN]\n` +
        'mounts:\n  volumes: [{name: host, hostPath: {path: /var/log}}]\n  volumeMounts: [{name: host, mountPath: /host/var/log}]\n',
    });
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('error: values.yaml: 3 problems in the falcosecurity/falco 9.1.0 values:');
    expect(lines.slice(1, 4).map((l) => l.replace(/^ {2}- (values\.yaml:\d+: [^:]+):.*$/, '$1'))).toEqual([
      'values.yaml:60: containerSecurityContext.privileged',
      'values.yaml:62: containerSecurityContext.capabilities.add',
      'values.yaml:64: mounts.volumes[0].hostPath',
    ]);
    expect(lines.slice(1, 4).every((l) => l.includes('this tool renders an audit-only Falco'))).toBe(true);
    expect(fs.existsSync(out)).toBe(false);
  });

  test("a port below 1024, which the capability-less container cannot bind: the config's k8sAudit.port, the values' open_params", () => {
    writeFiles(dir, {
      'falco-audit.yaml': 'apiServer:\n  manifest: kube-apiserver.yaml\nfalco:\n  clusterIP: 10.96.0.100\n  k8sAudit:\n    port: 443\n',
      'kube-apiserver.yaml': MODERN_MANIFEST,
    });
    const a = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(
      /^error: falco-audit\.yaml:6: falco\.k8sAudit\.port: is 443, below 1024, but Falco's container drops every capability .*use a port of 1024 or above, such as 9765\n/,
    );
    const text = fixture('values-k8saudit.yaml').replace('http://:9765/k8s-audit', 'http://:443/k8s-audit').replace('- port: 9765', '- port: 443');
    writeFiles(dir, { 'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'), 'values.yaml': text });
    const b = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(
      new RegExp(
        `^error: values\\.yaml:${text.split('\n').findIndex((l) => l.includes(':443/')) + 1}: falco\\.plugins\\[0\\]\\.open_params: is 443, below 1024`,
      ),
    );
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('an unknown key: file, line and did you mean', () => {
    writeFiles(dir, {
      'falco-audit.yaml': config('  values: values.yaml\n  clusterIP: 10.96.0.100\n'),
      'kube-apiserver.yaml': MODERN_MANIFEST,
      'values.yaml': fixture('values-k8saudit.yaml').replace('falcoctl:\n', 'falcoctl:\n  imag:\n    tag: 0.13.0\n'),
    });
    const run = runApp({ outdir: path.join(dir, 'dist'), cwd: dir, config: 'falco-audit.yaml' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^error: values\.yaml:18: falcoctl\.imag: unknown key "falcoctl\.imag" for the falcosecurity\/falco 9\.1\.0 values; did you mean "falcoctl\.image"\?/,
    );
  });
});
