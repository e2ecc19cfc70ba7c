/**
 * The falcosecurity/falco 9.1.0 values model: the loader's errors (file, line, did you mean), what it refuses and why,
 * the k8saudit open_params as the plugin reads them, and what the release contract still decides.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { Chart, Testing } from 'cdk8s';
import { StaticPodManifest } from '../../lib/apiserver';
import { FalcoAudit } from '../../lib/falco-audit';
import {
  CHART_9_DEFAULTS,
  CHART_VALUES_SCHEMA,
  detectFalcoChart,
  _chartEvidence,
  FalcoChart,
  FalcosecurityChartValues,
  FalcoVersion,
  loadFalcosecurityValues,
  loadFalcoValuesFile,
  parseK8sAuditOpenParams,
  resolveChartValues,
} from '../../lib/falco';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { container, synthFalco } from './helpers';
import { errorOf } from '../errors';

const FIXTURES = path.join(__dirname, 'fixtures', 'chart-9.1.0');
const PRESET = path.join(FIXTURES, 'values-k8saudit.yaml');
const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const SHARED_CHART = path.resolve(__dirname, '../../../shared/reference/charts/falco-9.1.0');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-values-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes a values file; `file` is how messages name it. */
function valuesFile(text: string): { file: string; shown: string } {
  const file = path.join(dir, `values-${n++}.yaml`);
  fs.writeFileSync(file, text);
  return { file, shown: 'values.yaml' };
}

/** The preset's text with `replace` applied, loaded as values. */
function preset(edit: (text: string) => string = (t) => t): FalcosecurityChartValues {
  const { file, shown } = valuesFile(edit(fs.readFileSync(PRESET, 'utf8')));
  return loadFalcosecurityValues(file, shown);
}

const presetValues = () => yaml.load(fs.readFileSync(PRESET, 'utf8')) as any;

/** The preset as data with changes deep-merged into it (lists replaced). */
function withPreset(change: Record<string, any>): any {
  const merge = (a: any, b: any): any => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
      return out;
    }
    return b;
  };
  return merge(presetValues(), change);
}

const synth = (values: unknown, extra: Record<string, unknown> = {}) =>
  synthFalco({ values: values as FalcosecurityChartValues, service: { nodePort: 30007 }, k8s: '1.30', ...extra } as any);

describe('the vendored chart defaults', () => {
  (fs.existsSync(SHARED_CHART) ? test : test.skip)('lib/falco/chart-9.1.0-values.ts is what scripts/gen-chart-values.js makes from ../shared', () => {
    const { generate } = require('../../scripts/gen-chart-values.js');
    expect(fs.readFileSync(path.join(__dirname, '../../lib/falco/chart-9.1.0-values.ts'), 'utf8')).toBe(generate(SHARED_CHART));
  });

  test('every key of values.yaml has a type, and the defaults pass the checker except what this tool refuses', () => {
    expect(CHART_VALUES_SCHEMA['driver.enabled']).toBe('boolean');
    expect(CHART_VALUES_SCHEMA['falcoctl.config.artifact.install.refs']).toBe('string-list');
    expect(CHART_VALUES_SCHEMA.services).toBe('map-list');
    const e = errorOf(() => loadFalcosecurityValues(valuesFile(JSON.stringify(CHART_9_DEFAULTS)).file, 'values.yaml'));
    // the chart's defaults are a syscall DaemonSet: the required keys are refused, and the /proc mount plugins_hostinfo asks for
    expect(
      e.message
        .split('\n')
        .slice(1)
        .map((l) => l.replace(/^ {2}- values\.yaml: ([^:]+):.*$/, '$1')),
    ).toEqual(['driver.enabled', 'collectors.containerEngine.enabled', 'controller.kind', 'falco.plugins_hostinfo']);
  });
});

describe('which chart a values file is for', () => {
  test('falcosecurity/falco keys, falco.yaml keys under falco, or stable/falco', () => {
    expect(detectFalcoChart(presetValues())).toBe(FalcoChart.FALCOSECURITY_FALCO_9_1_0);
    expect(detectFalcoChart({ controller: { kind: 'deployment' } })).toBe(FalcoChart.FALCOSECURITY_FALCO_9_1_0);
    expect(detectFalcoChart({ falco: { rules_files: ['/etc/falco/k8s_audit_rules.yaml'] } })).toBe(FalcoChart.FALCOSECURITY_FALCO_9_1_0);
    expect(detectFalcoChart({ image: { tag: '0.44.1' }, falco: { jsonOutput: true } })).toBe(FalcoChart.STABLE_FALCO_1_1_1);
    expect(detectFalcoChart(undefined)).toBe(FalcoChart.STABLE_FALCO_1_1_1);
  });

  test('by the evidence of every key: a stable/falco file with one falcosecurity/falco key left in is stable/falco (issue 22)', () => {
    const values = { auditLog: { enabled: true }, falco: { jsonOutput: true }, falcosidekick: { enabled: true } };
    expect(detectFalcoChart(values)).toBe(FalcoChart.STABLE_FALCO_1_1_1);
    expect(_chartEvidence(values)).toEqual({
      chart: FalcoChart.STABLE_FALCO_1_1_1,
      chartKeys: ['falcosidekick'],
      stableKeys: ['auditLog', 'auditLog.enabled', 'falco.jsonOutput'],
    });
    // keys both charts have (image, resources) and keys neither has count for none; a tie is stable/falco's
    expect(detectFalcoChart({ image: { tag: '0.44.1' }, resources: {}, nope: 1 })).toBe(FalcoChart.STABLE_FALCO_1_1_1);
    expect(detectFalcoChart({ auditLog: { enabled: true }, falcosidekick: { enabled: true } })).toBe(FalcoChart.STABLE_FALCO_1_1_1);
    // the chart's preset with one stable/falco key left in is still the chart's
    expect(detectFalcoChart({ ...presetValues(), auditLog: { enabled: true } })).toBe(FalcoChart.FALCOSECURITY_FALCO_9_1_0);
  });

  test('a detected stable/falco file: a falcosecurity/falco key in it is unknown, and the message names the keys that decided', () => {
    const file = path.join(dir, 'values.yaml');
    fs.writeFileSync(file, 'auditLog:\n  enabled: true\nfalco:\n  jsonOutput: true\nfalcosidekick:\n  enabled: true\n');
    expect(errorOf(() => loadFalcoValuesFile(file, 'values.yaml')).message).toBe(
      'values.yaml:5: falcosidekick: unknown key "falcosidekick" for the stable/falco 1.1.x values; known keys here: nameOverride, fullnameOverride, image, ' +
        'docker, containerd, resources, extraArgs, nodeSelector, affinity, rbac, podSecurityPolicy, serviceAccount, fakeEventGenerator, daemonset, proxy, ' +
        'timezone, priorityClassName, ebpf, auditLog, falco, customRules, integrations, tolerations (a falcosecurity/falco 9.1.0 key: the file is read as ' +
        'stable/falco values by its keys auditLog, falco.jsonOutput, against falcosidekick; one file cannot mix the two; set falco.chart (library: chart) ' +
        'to say which chart it is for)',
    );
  });

  test("a stated stable/falco chart reads the file as before: the chart's keys are unknown there", () => {
    const e = errorOf(() => loadFalcoValuesFile(PRESET, 'values-k8saudit.yaml', FalcoChart.STABLE_FALCO_1_1_1));
    // every chart key the stable values do not know, each at its line
    expect(e.message).toMatch(
      /^values-k8saudit\.yaml: the values have \d+ problems:\n {2}- values-k8saudit\.yaml:2: driver: unknown key "driver" for the stable\/falco 1\.1\.x values/,
    );
    expect(e.message).toContain('values-k8saudit.yaml:10: controller: unknown key "controller"');
    expect(loadFalcoValuesFile(PRESET, 'values-k8saudit.yaml')).toMatchObject({ chart: FalcoChart.FALCOSECURITY_FALCO_9_1_0, detected: true });
  });
});

describe('the loader: file, line, did you mean', () => {
  test('an unknown key names the file, its line, the nearest key and the keys there', () => {
    const e = errorOf(() => preset((t) => t.replace('controller:\n  kind: deployment', 'controller:\n  kind: deployment\n  replica: 2')));
    expect(e.message).toBe(
      'values.yaml:12: controller.replica: unknown key "controller.replica" for the falcosecurity/falco 9.1.0 values; ' +
        'did you mean "controller.deployment.replicas"?; known keys here: kind, annotations, labels, daemonset, deployment',
    );
    const top = errorOf(() => preset((t) => `drivr:\n  enabled: false\n${t}`));
    expect(top.message).toMatch(/^values\.yaml:1: drivr: unknown key "drivr" for the falcosecurity\/falco 9\.1\.0 values; did you mean "driver"\?/);
  });

  test('a stable/falco key in a falcosecurity/falco file says the two cannot mix', () => {
    const e = errorOf(() => preset((t) => `${t}auditLog:\n  enabled: true\n`));
    expect(e.message).toMatch(/auditLog: unknown key "auditLog" .*is a stable\/falco 1\.1\.x key: this file has falcosecurity\/falco keys/);
  });

  test('a wrong type names the expected one; an unquoted version says to quote it', () => {
    const e = errorOf(() => preset((t) => `image:\n  tag: 0.44\n${t}`));
    expect(e.message).toBe('values.yaml:2: image.tag: expected a string, got number 0.44 (quote it: unquoted YAML 0.44 is a number)');
    const list = errorOf(() => preset((t) => `extra:\n  args: [-U, 3]\n${t}`));
    expect(list.message).toMatch(/^values\.yaml:2: extra\.args\[1\]: expected a string \(an item of a list of strings\), got number 3/);
  });

  test('every problem is reported at once, each at its line', () => {
    const e = errorOf(() => loadFalcosecurityValues(path.join(FIXTURES, 'values-syscall-k8saudit.yaml'), 'values-syscall-k8saudit.yaml'));
    expect(e.message.split('\n')[0]).toBe('values-syscall-k8saudit.yaml: 3 problems in the falcosecurity/falco 9.1.0 values:');
    expect(e.message).toMatch(/- values-syscall-k8saudit\.yaml:4: driver\.enabled: is true, but a kernel driver/);
  });

  test('removed chart keys say where they went', () => {
    const e = errorOf(() => preset((t) => t.replace('driver:\n  enabled: false', 'driver:\n  enabled: false\n  ebpf:\n    hostNetwork: true')));
    expect(e.message).toMatch(/^values\.yaml:4: driver\.ebpf: "driver\.ebpf" is no longer a chart key: the legacy eBPF probe was removed in chart 9/);
  });
});

describe('refused, each with its reason', () => {
  const refused: [string, (t: string) => string, RegExp][] = [
    [
      "the chart's default driver",
      (t) => t.replace('driver:\n  enabled: false\n', ''),
      /driver\.enabled: is true \(the chart's default\), but a kernel driver reads system calls .*this tool renders an audit-only Falco/,
    ],
    [
      'a DaemonSet',
      (t) => t.replace('kind: deployment', 'kind: daemonset'),
      /:11: controller\.kind: is "daemonset", but a DaemonSet runs one Falco per node/,
    ],
    [
      'the k8s-metacollector',
      (t) =>
        t.replace(
          'collectors:\n  enabled: false',
          'collectors:\n  enabled: true\n  containerEngine:\n    enabled: false\n  kubernetes:\n    enabled: true',
        ),
      /collectors\.kubernetes\.enabled: collectors\.kubernetes is on, but the k8smeta plugin and the k8s-metacollector subchart enrich syscall events/,
    ],
    [
      'metrics',
      (t) => `${t}metrics:\n  enabled: true\n`,
      /metrics\.enabled: is true, but the metrics Service is not rendered by this tool; set falco\.metrics/,
    ],
    [
      'falcosidekick',
      (t) => `${t}falcosidekick:\n  enabled: true\n`,
      /falcosidekick\.enabled: is true, but the falcosidekick subchart is not rendered/,
    ],
    [
      'a key in Git',
      (t) => `${t}certs:\n  server:\n    key: "-----BEGIN PRIVATE KEY-----"\n`,
      /certs\.server\.key: holds a certificate or key.*a private key does not belong in Git.*certs\.existingSecret/,
    ],
    ['userspace instrumentation', (t) => `${t}extra:\n  args: [--userspace]\n`, /extra\.args\[0\]: "--userspace" keeps the syscall source on/],
    [
      'plugins_hostinfo: true',
      (t) => t.replace('  load_plugins:', '  plugins_hostinfo: true\n  load_plugins:'),
      /falco\.plugins_hostinfo: is true, so the chart mounts the host's \/proc/,
    ],
    ['podHostname', (t) => `${t}podHostname: falco\n`, /podHostname: is set, but chart 9\.1\.0 never reads it/],
    [
      'a removed driver kind',
      (t) => t.replace('driver:\n  enabled: false', 'driver:\n  enabled: false\n  kind: ebpf'),
      /driver\.kind: is "ebpf", which chart 9 no longer supports/,
    ],
    [
      'a privileged Falco',
      (t) => `${t}containerSecurityContext:\n  privileged: true\n`,
      /:\d+: containerSecurityContext\.privileged: is true, but a privileged container is what a kernel driver needs, and this tool renders an audit-only Falco/,
    ],
    [
      'capabilities for falcoctl',
      (t) =>
        t.replace('      enabled: true\n    follow:', '      enabled: true\n      securityContext: {capabilities: {add: [NET_ADMIN]}}\n    follow:'),
      /falcoctl\.artifact\.install\.securityContext\.capabilities\.add: adds "NET_ADMIN", but capabilities are what a syscall driver needs/,
    ],
    [
      'a privileged init container',
      (t) => `${t}extra:\n  initContainers: [{name: x, image: busybox, securityContext: {privileged: true}}]\n`,
      /extra\.initContainers\[0\]\.securityContext\.privileged: is true/,
    ],
    [
      'a hostPath volume',
      (t) => `${t}mounts:\n  volumes: [{name: host, hostPath: {path: /var/log}}]\n`,
      /mounts\.volumes\[0\]\.hostPath: mounts a folder of the node, and this tool renders an audit-only Falco .*; use a configMap, secret or emptyDir volume instead/,
    ],
  ];
  test.each(refused)('%s', (_name, edit, message) => {
    expect(errorOf(() => preset(edit)).message).toMatch(message);
  });

  test('what the chart would need to run Falco at all: the falcoctl installer, the plugin type, a k8saudit ref', () => {
    expect(errorOf(() => synth(withPreset({ falcoctl: { artifact: { install: { enabled: false } } } }))).message).toMatch(
      /^falcoctl\.artifact\.install\.enabled: is false, but from Falco 0\.37 the image bundles no plugins/,
    );
    expect(errorOf(() => synth(withPreset({ falcoctl: { config: { artifact: { allowedTypes: ['rulesfile'] } } } }))).message).toMatch(
      /^falcoctl\.config\.artifact\.allowedTypes: does not allow "plugin"/,
    );
    expect(errorOf(() => synth(withPreset({ falcoctl: { config: { artifact: { install: { refs: ['falco-rules:5'] } } } } }))).message).toMatch(
      /^falcoctl\.config\.artifact\.install\.refs: \[falco-rules:5\] installs no k8saudit plugin/,
    );
  });

  test('webserver off or with TLS, a namespaceOverride elsewhere, a Helm template in env, a props setting the values own', () => {
    expect(errorOf(() => synth(withPreset({ falco: { webserver: { enabled: false } } }))).message).toMatch(
      /^falco\.webserver\.enabled: is false, but the health probes need/,
    );
    expect(errorOf(() => synth(withPreset({ falco: { webserver: { ssl_enabled: true } } }))).message).toMatch(
      /^falco\.webserver\.ssl_enabled: is true/,
    );
    expect(errorOf(() => synth(withPreset({ namespaceOverride: 'security' }))).message).toMatch(
      /^namespaceOverride: is "security", but the objects go to the namespace the config names \("falco"\)/,
    );
    expect(errorOf(() => synth(withPreset({ extra: { env: [{ name: 'X', value: '{{ .Release.Name }}' }] } }))).message).toMatch(
      /^extra\.env: holds a Helm template/,
    );
    expect(errorOf(() => synth(presetValues(), { k8sAudit: { port: 9000 } })).message).toMatch(
      /^k8sAudit: is set, but with falcosecurity\/falco@9\.1\.0 values the values say it/,
    );
  });

  test("no values with the chart stated: the chart's defaults are a syscall DaemonSet", () => {
    expect(errorOf(() => synth(undefined, { chart: FalcoChart.FALCOSECURITY_FALCO_9_1_0 })).message).toMatch(
      /^values: the chart is falcosecurity\/falco 9\.1\.0, but no values were given/,
    );
  });
});

describe('open_params, as the k8saudit plugin reads them (source.go @ plugins/k8saudit/v0.16.1)', () => {
  test.each([
    ['http://:9765/k8s-audit', { scheme: 'http', port: 9765, path: '/k8s-audit' }],
    ['HTTPS://:8443/audit/events', { scheme: 'https', port: 8443, path: '/audit/events' }],
    ['http://0.0.0.0:9765/k8s-audit', { scheme: 'http', port: 9765, path: '/k8s-audit' }],
    ['http://[::]:9765/k8s-audit', { scheme: 'http', port: 9765, path: '/k8s-audit' }],
    ['  http://:9765/k8s-audit/ ', { scheme: 'http', port: 9765, path: '/k8s-audit/' }],
  ])('%s', (text, expected) => {
    expect(parseK8sAuditOpenParams(text, 'x')).toEqual(expected);
  });

  test.each([
    ['/var/log/kubernetes/audit.log', /has no scheme, so the k8saudit plugin reads audit events from that file/],
    ['file:///var/log/audit', /serves only http and https \(scheme "file" reads a file\)/],
    ['grpc://:9765/x', /scheme "grpc" is an error/],
    ['http:9765/k8s-audit', /has no "\/\/host:port" part/],
    ['http://127.0.0.1:9765/k8s-audit', /listen on 127\.0\.0\.1 only, but the Service forwards .* to the pod's own IP/],
    ['http:///k8s-audit', /has no port, so Go would listen on :80/],
    ['http://:/k8s-audit', /has no port, so Go would listen on a random port/],
    ['http://:http/k8s-audit', /has port "http", which is not a port number/],
    ['http://:0/k8s-audit', /has port "0"/],
    ['http://:9765', /has no path, and the plugin registers its handler for exactly that path/],
    ['http://:9765/k8s-audit?token=x', /has a query or fragment \("\?token=x"\), which the plugin ignores/],
    ['http://:9765/k8s audit', /must be a URL path/],
  ])('%s is refused', (text, message) => {
    expect(errorOf(() => parseK8sAuditOpenParams(text, 'falco.plugins[0].open_params')).message).toMatch(message);
  });

  test('the endpoint follows open_params: the webhook kubeconfig calls its port and path, the Service forwards there', () => {
    const values = loadFalcosecurityValues(path.join(FIXTURES, 'http-output.yaml'));
    const chart = new Chart(Testing.app(), 'test');
    const audit = new FalcoAudit(chart, 'FalcoAudit', {
      apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml')),
      falco: { values, clusterIP: '10.96.0.100' },
    });
    expect(audit.url).toBe('http://10.96.0.100:9766/audit/events');
    const kubeconfig = audit.nodeFiles.find((f) => f.fileName === 'audit-webhook-kubeconfig.yaml')!;
    expect(kubeconfig.toYaml()).toContain('server: http://10.96.0.100:9766/audit/events');
    const service = Testing.synth(chart).find((o: any) => o.kind === 'Service');
    expect(service.spec.ports).toEqual([{ nodePort: 30766, port: 9766, protocol: 'TCP' }]);
    expect(service.spec.clusterIP).toBe('10.96.0.100');
    expect(audit.validateOutput()).toEqual([]);
  });

  test('a listener below 1024: refused while the container drops every capability or runs as another user', () => {
    const low = (extra: Record<string, any> = {}) => ({
      ...withPreset({
        services: [{ name: 'k8saudit-webhook', type: 'NodePort', ports: [{ port: 443, nodePort: 30007, protocol: 'TCP' }] }],
        ...extra,
      }),
      falco: {
        ...presetValues().falco,
        plugins: [{ ...presetValues().falco.plugins[0], open_params: 'http://:443/k8s-audit' }, presetValues().falco.plugins[1]],
      },
    });
    expect(errorOf(() => synth(low())).message).toMatch(
      /^falco\.plugins\[0\]\.open_params: is 443, below 1024, but Falco's container drops every capability/,
    );
    expect(errorOf(() => synth(low({ containerSecurityContext: { runAsUser: 1000 } }))).message).toMatch(
      /runs as user 1000 and so lacks NET_BIND_SERVICE/,
    );
    expect(() => synth(low({ containerSecurityContext: { readOnlyRootFilesystem: true } }))).not.toThrow();
    expect(errorOf(() => synth(withPreset({ falco: { webserver: { listen_port: 80 } } }))).message).toMatch(
      /^falco\.webserver\.listen_port: is 80, below 1024/,
    );
  });

  test('a wrong open_params in a values file points at its line', () => {
    const e = errorOf(() => synth(preset((t) => t.replace('"http://:9765/k8s-audit"', '"http://localhost:9765/k8s-audit"'))));
    expect(e.message).toMatch(
      /^values\.yaml:53: falco\.plugins\[0\]\.open_params: "http:\/\/localhost:9765\/k8s-audit" makes the plugin listen on localhost only/,
    );
  });
});

describe('the k8saudit plugin and its init_config', () => {
  test("a key the plugin does not know (the preset's own comment says maxEventBytes) suggests the real one", () => {
    const values = withPreset({});
    values.falco.plugins[0].init_config = { maxEventBytes: 1048576 };
    expect(errorOf(() => synth(values)).message).toMatch(
      /^falco\.plugins\[0\]\.init_config\.maxEventBytes: unknown k8saudit init_config key "maxEventBytes" \(the plugin ignores it\); did you mean "maxEventSize"\?/,
    );
    values.falco.plugins[0].init_config = { webhookMaxBatchSize: '12MB' };
    expect(errorOf(() => synth(values)).message).toMatch(/webhookMaxBatchSize: expected a positive integer \(bytes\), got "12MB"/);
    values.falco.plugins[0].init_config = '{"maxEventSize": 1048576}';
    expect(() => synth(values)).not.toThrow();
    values.falco.plugins[0].init_config = 'maxEventSize=1';
    expect(errorOf(() => synth(values)).message).toMatch(/is not JSON, and the k8saudit plugin reads a string init_config as JSON/);
  });

  test('plugins and load_plugins as Falco reads them', () => {
    const values = withPreset({});
    values.falco.load_plugins = ['json'];
    expect(errorOf(() => synth(values)).message).toMatch(
      /^falco\.load_plugins: does not name k8saudit, and with load_plugins set Falco loads only the plugins it names/,
    );
    values.falco.load_plugins = ['k8saudit', 'json', 'k8smeta'];
    expect(errorOf(() => synth(values)).message).toMatch(
      /^falco\.load_plugins\[2\]: "k8smeta" has no entry in falco\.plugins, and Falco exits at start/,
    );
    values.falco.load_plugins = ['k8saudit', 'json'];
    values.falco.plugins = [values.falco.plugins[1]];
    expect(errorOf(() => synth(values)).message).toMatch(
      /^2 problems in the falcosecurity\/falco 9\.1\.0 values:\n {2}- falco\.plugins: has no k8saudit plugin/,
    );
    const container = withPreset({});
    container.falco.plugins.push({ name: 'container', library_path: 'libcontainer.so', init_config: {} });
    expect(errorOf(() => synth(container)).message).toMatch(/^falco\.plugins\[2\]\.name: "container" enriches syscall events/);
  });

  test('https needs the certificate mounted: certs.existingSecret at /etc/falco/certs', () => {
    const values = withPreset({});
    values.falco.plugins[0].open_params = 'https://:9765/k8s-audit';
    expect(errorOf(() => synth(values)).message).toMatch(
      /^falco\.plugins\[0\]\.open_params: is https, so the k8saudit plugin reads its certificate and key from \/etc\/falco\/falco\.pem .*\(\/etc\/falco is falcoctl's rules folder\); create a Secret with falco\.pem/,
    );
    values.falco.plugins[0].init_config = { sslCertificate: '/etc/falco/certs/falco.pem' };
    values.certs = { existingSecret: 'falco-tls' };
    const s = synth(values);
    expect(s.falco.auditEndpoint).toEqual({ scheme: 'https', containerPort: 9765, path: '/k8s-audit' });
    expect(container(s.find('Deployment'), 'falco').volumeMounts).toContainEqual({
      mountPath: '/etc/falco/certs',
      name: 'certs-volume',
      readOnly: true,
    });
  });

  test('https through FalcoAudit needs the CA, and says where the https comes from', () => {
    const values = loadFalcosecurityValues(path.join(FIXTURES, 'tls.yaml'));
    const e = errorOf(
      () =>
        new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
          apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml')),
          falco: { values, clusterIP: '10.96.0.100' },
        }),
    );
    expect(e.message).toMatch(
      /^webhook\.certificateAuthorityData: Falco serves audit events over https \(the k8saudit plugin's open_params are https\), but no CA was given/,
    );
  });
});

describe('the Service and the address the API server calls', () => {
  test('no Service forwarding to the listener', () => {
    const e = errorOf(() => synth(preset((t) => t.replace('port: 9765 # See plugin open_params', 'port: 9766'))));
    expect(e.message).toMatch(/^values\.yaml:34: services: no Service here forwards to the k8saudit listener's port 9765/);
  });

  test('a config nodePort that differs from services[] is an error at the values line; one services[] lacks is added', () => {
    const e = errorOf(() => synth(preset(), { service: { nodePort: 30765 } }));
    expect(e.message).toMatch(/^values\.yaml:39: services\[0\]\.ports\[0\]\.nodePort: is 30007, but the config's falco\.nodePort is 30765/);
    const s = synth(loadFalcosecurityValues(path.join(FIXTURES, 'nodeport.yaml')), { service: { nodePort: 30765 } });
    expect(s.find('Service').spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30765, port: 9765, protocol: 'TCP' }] });
  });

  test("without a config address, FalcoAudit calls the values' nodePort (with the plan's nodePort warning)", () => {
    const audit = new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
      apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml')),
      falco: { values: loadFalcosecurityValues(PRESET) },
    });
    expect(audit.url).toBe('http://127.0.0.1:30007/k8s-audit');
    expect(audit.warnings.map((w) => w.message).join('\n')).toMatch(/the API server calls Falco at 127\.0\.0\.1:30007/);
    expect(audit.notes.map((n) => n.message).join('\n')).toMatch(
      /the values are read as falcosecurity\/falco@9\.1\.0 values \(they have driver, collectors, controller, falcoctl, services/,
    );
  });

  test("a values nodePort outside the API server's range points at the values line", () => {
    const values = preset((t) => t.replace('nodePort: 30007', 'nodePort: 20007'));
    const e = errorOf(
      () =>
        new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
          apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml')),
          falco: { values },
        }),
    );
    expect(e.message).toBe(
      'values.yaml:39: services[0].ports[0].nodePort: must be inside the service node port range 30000-32767 (--service-node-port-range), got 20007',
    );
  });
});

describe('the release contract still decides', () => {
  test("the Falco version: image.tag, else the chart's appVersion; falcoVersion for tags that are no release", () => {
    expect(synth(presetValues()).falco.falcoVersion.toString()).toBe('0.44.1');
    expect(errorOf(() => synth(preset((t) => `image:\n  tag: master\n${t}`))).message).toMatch(
      /^values\.yaml:2: image\.tag: cannot tell the Falco version: the image tag "master" is not a Falco release/,
    );
    const s = synth(withPreset({ image: { tag: 'master' } }), { falcoVersion: FalcoVersion.of('0.44.1') });
    expect(container(s.find('Deployment'), 'falco').image).toBe('docker.io/falcosecurity/falco:master');
  });

  test('Falco older than 0.37 is refused: chart 9 values install plugins with falcoctl', () => {
    expect(errorOf(() => synth(preset((t) => `image:\n  tag: 0.36.2\n${t}`))).message).toMatch(
      /^values\.yaml:2: image\.tag: Falco 0\.36\.2 is older than 0\.37: the falcosecurity\/falco 9\.1\.0 values install the plugins with falcoctl/,
    );
    expect(errorOf(() => synth(presetValues(), { falcoVersion: FalcoVersion.of('0.35.1') })).message).toMatch(
      /^falcoVersion: Falco 0\.35\.1 is older than 0\.37/,
    );
  });

  test('refs the release cannot load: k8saudit 0.16 on Falco 0.40 (plugin API 3.10.0)', () => {
    const e = errorOf(() => synth(preset((t) => `image:\n  tag: 0.40.0\n${t}`)));
    expect(e.message).toMatch(
      /^values\.yaml:\d+: falcoctl\.config\.artifact\.install\.refs\[0\]: "k8saudit-rules:0\.16" floats to the newest 0\.16\.x|^values\.yaml:\d+: falcoctl\.config\.artifact\.install\.refs\[1\]: "k8saudit:0\.16" floats to the newest 0\.16\.x, which needs plugin API 3\.11\.0, but Falco 0\.40\.0 provides 3\.10\.0/,
    );
  });

  test('0.39: an empty HOST_ROOT and no plugins_hostinfo; 0.40+: plugins_hostinfo false; defaults 0.39 does not know are left out', () => {
    const v39 = withPreset({
      image: { tag: '0.39.2' },
      falcoctl: { config: { artifact: { install: { refs: ['k8saudit-rules:0.11.0', 'k8saudit:0.11.0'] } } } },
    });
    const s = synth(v39);
    expect(container(s.find('Deployment'), 'falco').env[0]).toEqual({ name: 'HOST_ROOT', value: '' });
    const falcoYaml = yaml.load(s.find('ConfigMap', 'falco').data['falco.yaml']) as any;
    expect(falcoYaml.plugins_hostinfo).toBeUndefined();
    expect(falcoYaml.capture).toBeUndefined();
    expect(falcoYaml.falco_libs).toEqual({ thread_table_size: 262144 });
    expect(s.falco.validateConfig()).toEqual([]);
    const s44 = synth(presetValues());
    expect((yaml.load(s44.find('ConfigMap', 'falco').data['falco.yaml']) as any).plugins_hostinfo).toBe(false);
  });

  test("0.37 reads only rules_file: the values' rules_files is written under that key", () => {
    const v37 = withPreset({
      image: { tag: '0.37.1' },
      falcoctl: { config: { artifact: { install: { refs: ['k8saudit-rules:0.7.0', 'k8saudit:0.7.0'] } } } },
    });
    const falcoYaml = yaml.load(synth(v37).find('ConfigMap', 'falco').data['falco.yaml']) as any;
    expect(falcoYaml.rules_file).toEqual(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);
    expect(falcoYaml.rules_files).toBeUndefined();
  });

  test("0.38+: a rules_file of the values replaces the chart's rules_files (both keys stop Falco); both in the values are refused", () => {
    const refs = { falcoctl: { config: { artifact: { install: { refs: ['k8saudit-rules:0.7.0', 'k8saudit:0.7.0'] } } } } };
    const own = { ...presetValues().falco, rules_files: undefined, rules_file: ['/etc/falco/k8s_audit_rules.yaml'] };
    for (const tag of ['0.38.2', '0.44.1']) {
      const r = synth({ ...withPreset({ image: { tag }, ...(tag === '0.38.2' ? refs : {}) }), falco: own });
      const falcoYaml = yaml.load(r.find('ConfigMap', 'falco').data['falco.yaml']) as any;
      expect({ tag, files: falcoYaml.rules_files, file: falcoYaml.rules_file }).toEqual({
        tag,
        files: ['/etc/falco/k8s_audit_rules.yaml'],
        file: undefined,
      });
      expect(r.falco.warnings).toContainEqual({
        code: 'rules-file-renamed',
        message: expect.stringMatching(/^falco\.rules_file is the key Falco 0\.38 deprecated/),
      });
    }
    const both = errorOf(() => synth(preset((t) => t.replace('  rules_files:', '  rules_file: [/etc/falco/rules.d]\n  rules_files:'))));
    expect(both.message).toMatch(
      /^values\.yaml:43: falco\.rules_file: is set beside falco\.rules_files, and Falco 0\.44\.1 exits at start with both keys/,
    );
    const both37 = errorOf(() =>
      synth({ ...withPreset({ image: { tag: '0.37.1' }, ...refs }), falco: { ...presetValues().falco, rules_file: ['/etc/falco/rules.d'] } }),
    );
    expect(both37.message).toMatch(
      /^falco\.rules_file: is set beside falco\.rules_files, and Falco 0\.37\.1 reads only rules_file, ignoring rules_files/,
    );
  });

  test('the json plugin the k8saudit rules require: its entry, load_plugins, and its library without resolveDeps', () => {
    const f = presetValues().falco;
    expect(errorOf(() => synth({ ...presetValues(), falco: { ...f, load_plugins: ['k8saudit'] } })).message).toMatch(
      /^falco\.load_plugins: does not name json, and with load_plugins set Falco loads only the plugins it names; the k8saudit rules require the json plugin/,
    );
    expect(errorOf(() => synth({ ...presetValues(), falco: { ...f, plugins: [f.plugins[0]], load_plugins: ['k8saudit'] } })).message).toMatch(
      /^falco\.plugins: has no json plugin entry; the k8saudit rules require the json plugin/,
    );
    const noDeps = (refs: string[]) => withPreset({ falcoctl: { config: { artifact: { install: { refs, resolveDeps: false } } } } });
    expect(errorOf(() => synth(noDeps(['k8saudit-rules:0.16.1', 'k8saudit:0.16.1']))).message).toMatch(
      /^falcoctl\.config\.artifact\.install\.resolveDeps: is false and \[k8saudit-rules:0\.16\.1, k8saudit:0\.16\.1\] has no json ref/,
    );
    expect(() => synth(noDeps(['k8saudit-rules:0.16.1', 'k8saudit:0.16.1', 'json:0.7.0']))).not.toThrow();
    // without the k8saudit rules nothing requires json: rules of the team's own and no json entry
    const own = withPreset({
      customRules: { 'team.yaml': '- rule: x' },
      falcoctl: { config: { artifact: { install: { refs: ['k8saudit:0.16.1'] } } } },
    });
    expect(() => synth({ ...own, falco: { ...f, plugins: [f.plugins[0]], load_plugins: ['k8saudit'] } })).not.toThrow();
  });

  test("a rules source: a rules ref, customRules, or a mount of the team's own at a rules_files path", () => {
    const refs = (r: string[], extra: Record<string, any> = {}) =>
      withPreset({ falcoctl: { config: { artifact: { install: { refs: r } } } }, ...extra });
    expect(errorOf(() => synth(refs(['k8saudit:0.16.1', 'json:0.7.0']))).message).toMatch(
      /^falcoctl\.config\.artifact\.install\.refs: \[k8saudit:0\.16\.1, json:0\.7\.0\] installs no rules \(no \*-rules ref\) and customRules is empty/,
    );
    expect(() => synth(refs(['k8saudit:0.16.1'], { customRules: { 'team.yaml': '- rule: x' } }))).not.toThrow();
    expect(() =>
      synth(
        refs(['k8saudit:0.16.1'], {
          mounts: {
            volumes: [{ name: 'team-rules', configMap: { name: 'team-rules' } }],
            volumeMounts: [{ name: 'team-rules', mountPath: '/etc/falco/rules.d' }],
          },
        }),
      ),
    ).not.toThrow();
  });

  test("falco.* the values set is checked against the release's schema at its line, never dropped", () => {
    const typo = errorOf(() =>
      synth(preset((t) => t.replace('  load_plugins: [k8saudit, json]', '  load_plugins: [k8saudit, json]\n  jsn_output: true'))),
    );
    expect(typo.message).toMatch(
      /^values\.yaml:59: falco\.jsn_output: unknown field "jsn_output": not in the Falco 0\.44\.1 falco\.yaml schema; did you mean "falco\.json_output"\?$/,
    );
    // a key of a newer Falco: never "did you mean" the key itself, and the release that has it
    const older = errorOf(() =>
      synth(
        withPreset({
          image: { tag: '0.40.0' },
          falco: { capture: { enabled: true } },
          falcoctl: { config: { artifact: { install: { refs: ['k8saudit-rules:0.11.0', 'k8saudit:0.11.0'] } } } },
        }),
      ),
    );
    expect(older.message).toBe(
      'falco.capture: unknown field "capture": not in the Falco 0.40.0 falco.yaml schema; "falco.capture" is a key of a newer Falco ' +
        '(in the falco.yaml schema of 0.42.1): run that release or newer (image.tag), or remove it',
    );
    // a typo of a key the release knows, one level down
    const nested = errorOf(() => synth(withPreset({ falco: { webserver: { listen_prot: 8765 } } })));
    expect(nested.message).toMatch(
      /^falco\.webserver\.listen_prot: unknown field "listen_prot": .*; did you mean "falco\.webserver\.listen_port"\?$/,
    );
  });

  test('Kubernetes before 1.18: no startupProbe, delayed liveness and readiness (no-startup-probe-before-1.18)', () => {
    const falco = container(synthFalco({ values: presetValues(), service: { nodePort: 30007 }, k8s: '1.17.4' }).find('Deployment'), 'falco');
    expect(falco.startupProbe).toBeUndefined();
    expect(falco.livenessProbe).toMatchObject({ initialDelaySeconds: 60, periodSeconds: 15, httpGet: { path: '/healthz', port: 8765 } });
    expect(falco.readinessProbe).toMatchObject({ initialDelaySeconds: 30 });
  });
});

describe("Helm's merge, and what the plan is told", () => {
  test('null removes a default, lists replace, mappings merge', () => {
    const v = resolveChartValues(withPreset({ falco: { http_output: null, webserver: { listen_port: 8766 } }, tolerations: [] }));
    expect(v.falco.http_output).toBeUndefined();
    expect(v.falco.webserver).toMatchObject({ listen_port: 8766, enabled: true, k8s_healthz_endpoint: '/healthz' });
    expect(v.tolerations).toEqual([]);
  });

  test('more than one replica, no replica, the follower and floating refs are warnings', () => {
    expect(synth(presetValues()).falco.warnings).toEqual([
      {
        code: 'falcoctl-follow',
        message: expect.stringMatching(
          /^falcoctl\.artifact\.follow\.enabled is true: the falcoctl-artifact-follow sidecar replaces rules in the running pod/,
        ),
      },
      {
        code: 'floating-falcoctl-refs',
        message: expect.stringMatching(/^falcoctl\.config\.artifact\.install\.refs \[k8saudit-rules:0\.16, k8saudit:0\.16\] float/),
      },
    ]);
    const two = synth(loadFalcosecurityValues(path.join(FIXTURES, 'replicas-2.yaml')), { service: { clusterIP: '10.96.0.101' } });
    expect(two.find('Deployment').spec.replicas).toBe(2);
    expect(two.falco.warnings).toEqual([
      {
        code: 'replicas-split-events',
        message: expect.stringMatching(/^controller\.deployment\.replicas is 2: each replica receives a share of the API server's batches/),
      },
    ]);
    const none = synth(withPreset({ controller: { deployment: { replicas: 0 } } }));
    expect(none.falco.warnings).toContainEqual({ code: 'replicas-zero', message: expect.stringMatching(/replicas is 0: no Falco runs/) });
  });

  test("the library takes the chart as a typed prop; the chart's keys decide when it is not given", () => {
    const falco = synth(presetValues(), { chart: FalcoChart.FALCOSECURITY_FALCO_9_1_0 }).falco;
    expect(falco.chart).toBe('falcosecurity/falco@9.1.0');
    expect(falco.podSelector).toEqual({ 'app.kubernetes.io/name': 'falco', 'app.kubernetes.io/instance': 'falco' });
    expect(synthFalco({ values: { image: { tag: '0.44.1' } }, k8s: '1.30' }).falco.chart).toBe('stable/falco@1.1.1');
    expect(errorOf(() => synth(presetValues(), { chart: 'falcosecurity/falco@8.0.0' })).message).toMatch(
      /^chart: chart must be one of stable\/falco@1\.1\.1, falcosecurity\/falco@9\.1\.0, got "falcosecurity\/falco@8\.0\.0"/,
    );
  });

  test('the objects validate for the target Kubernetes version', () => {
    const audit = new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
      apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml')),
      kubernetesVersion: KubernetesVersion.of('1.30.6'),
      falco: { values: loadFalcosecurityValues(path.join(FIXTURES, 'replicas-2.yaml')), releaseName: 'falco-audit', clusterIP: '10.96.0.101' },
    });
    expect(audit.validateOutput()).toEqual([]);
  });
});

describe('honoured keys the parity matrix does not show', () => {
  test("an existing service account, security contexts of the team's own, init containers and mounts of its own", () => {
    const s = synth(
      withPreset({
        serviceAccount: { create: false, name: 'falco-sa' },
        podSecurityContext: { runAsNonRoot: true, runAsUser: 1000 },
        containerSecurityContext: { readOnlyRootFilesystem: true },
        falcoctl: { artifact: { install: { securityContext: { runAsUser: 1000 } } } },
        extra: { initContainers: [{ name: 'wait', image: 'busybox:1.36', command: ['true'] }] },
        mounts: {
          volumes: [{ name: 'extra-rules', configMap: { name: 'team-rules' } }],
          volumeMounts: [{ name: 'extra-rules', mountPath: '/etc/falco/team' }],
        },
        falcoHostnameEnv: false,
      }),
    );
    expect(s.objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    const pod = s.find('Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('falco-sa');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container(s.find('Deployment'), 'falco').securityContext).toEqual({ readOnlyRootFilesystem: true });
    expect(container(s.find('Deployment'), 'falcoctl-artifact-install').securityContext).toEqual({ runAsUser: 1000 });
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait', 'falcoctl-artifact-install']);
    expect(pod.volumes[pod.volumes.length - 1]).toEqual({ name: 'extra-rules', configMap: { name: 'team-rules' } });
    expect(container(s.find('Deployment'), 'falco').volumeMounts).toContainEqual({ name: 'extra-rules', mountPath: '/etc/falco/team' });
    expect(container(s.find('Deployment'), 'falco').env.map((e: any) => e.name)).toEqual(['HOST_ROOT', 'SKIP_DRIVER_LOADER']);
  });

  const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTONLY\n-----END CERTIFICATE-----\n';
  const matrix: [string, Record<string, unknown>][] = [
    ['values-k8saudit.yaml', {}],
    ['nodeport.yaml', { releaseName: 'audit', namespace: 'security', nodePort: 30765 }],
    ['tls.yaml', { clusterIP: '10.96.0.100' }],
    ['custom-rules.yaml', {}],
    ['http-output.yaml', {}],
    ['extra-env.yaml', { clusterIP: '10.96.0.100' }],
    ['replicas-2.yaml', { releaseName: 'falco-audit', clusterIP: '10.96.0.101' }],
    ['private-registry.yaml', {}],
    ['older-falco.yaml', {}],
  ];
  test.each(matrix)('%s: every object valid for Kubernetes 1.30 and 1.18, the wiring agreeing', (file, falco) => {
    for (const [version, manifest] of [
      ['1.30.6', 'modern'],
      ['1.18.20', 'default'],
    ]) {
      const audit = new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
        apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, manifest, 'kube-apiserver.yaml')),
        kubernetesVersion: KubernetesVersion.of(version),
        falco: { values: loadFalcosecurityValues(path.join(FIXTURES, file)), ...falco },
        ...(file === 'tls.yaml'
          ? version === '1.30.6'
            ? { webhook: { certificateAuthorityData: Buffer.from(PEM).toString('base64') } }
            : { auditSink: { caBundle: Buffer.from(PEM).toString('base64') } }
          : {}),
      });
      expect({ version, problems: audit.validateOutput() }).toEqual({ version, problems: [] });
    }
  });
});
