import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { DEFAULT_FALCOCTL_REFS, FalcoShape, FalcoVersion, PLUGIN_SHAPE_OMISSIONS } from '../../lib/falco';
import { container, synthFalco } from './helpers';

const falcoYaml = (s: { find(kind: string, name?: string): any }) => yaml.load(s.find('ConfigMap', 'falco').data['falco.yaml']) as any;
const tag = (t: string, extra: any = {}) => ({ ...extra, image: { tag: t, ...(extra.image ?? {}) } });

describe('plugin shape snapshots', () => {
  test('Falco 0.37.1 with falcoctl, custom rules and JSON output (plugin.yaml) on Kubernetes 1.28', () => {
    expect(synthFalco({ valuesFile: 'plugin.yaml', k8s: '1.28.4' }).objects).toMatchSnapshot();
  });
  test('Falco 0.35.1 (plugins bundled) on Kubernetes 1.18 with a pinned ClusterIP', () => {
    expect(synthFalco({ values: tag('0.35.1'), k8s: '1.18.2', service: { clusterIP: '10.96.0.97' } }).objects).toMatchSnapshot();
  });
});

describe('shape by Falco version', () => {
  test.each([
    ['0.18.0', FalcoShape.LEGACY], ['0.31.1', FalcoShape.LEGACY], ['v0.31.1', FalcoShape.LEGACY],
    ['0.32.0', FalcoShape.PLUGIN], ['0.36.2-debian', FalcoShape.PLUGIN], ['0.44.1@sha256:abc', FalcoShape.PLUGIN], ['1.0.0', FalcoShape.PLUGIN],
  ])('%s -> %s', (t, shape) => {
    expect(FalcoVersion.fromTag(t).shape).toBe(shape);
  });

  test('kinds: legacy DaemonSet + RBAC, plugin Deployment without RBAC', () => {
    expect(synthFalco({ values: tag('0.31.1') }).objects.map((o) => o.kind)).toContain('DaemonSet');
    const kinds = synthFalco({ values: tag('0.37.1') }).objects.map((o) => o.kind);
    expect(kinds).toEqual(['ServiceAccount', 'ConfigMap', 'ConfigMap', 'Service', 'Deployment']);
  });

  test('--disable-source syscall from 0.33, falcoctl from 0.37, rules_files from 0.36', () => {
    const args = (t: string) => container(synthFalco({ values: tag(t) }).find('Deployment'), 'falco').args;
    expect(args('0.32.1')).toEqual(['/usr/bin/falco']);
    expect(args('0.33.0')).toEqual(['/usr/bin/falco', '--disable-source', 'syscall']);
    const inits = (t: string) => synthFalco({ values: tag(t) }).find('Deployment').spec.template.spec.initContainers;
    expect(inits('0.36.2')).toBeUndefined();
    expect(inits('0.37.0').map((c: any) => c.name)).toEqual(['falcoctl-artifact-install']);
    expect(Object.keys(falcoYaml(synthFalco({ values: tag('0.35.1') })))).toContain('rules_file');
    expect(Object.keys(falcoYaml(synthFalco({ values: tag('0.36.0') })))).toContain('rules_files');
  });
});

describe('plugin shape details', () => {
  test('the audit endpoint, Service, ports and plugin config come from one place', () => {
    const s = synthFalco({ values: tag('0.37.1'), k8sAudit: { port: 9000, path: '/audit/events' }, service: { nodePort: 30007 } });
    const { falco } = s;
    expect(falco.shape).toBe(FalcoShape.PLUGIN);
    expect(falco.auditEndpoint).toEqual({ scheme: 'http', containerPort: 9000, path: '/audit/events' });
    expect(falco.serviceName).toBe('falco-k8saudit-webhook');
    expect(falco.servicePort).toBe(9000);
    expect(falco.nodePort).toBe(30007);
    expect(s.find('Service').spec).toEqual({
      type: 'NodePort',
      selector: { app: 'falco', role: 'k8saudit' },
      ports: [{ name: 'k8saudit', protocol: 'TCP', port: 9000, targetPort: 9000, nodePort: 30007 }],
    });
    const c = container(s.find('Deployment'), 'falco');
    expect(c.ports).toEqual([
      { name: 'k8saudit', containerPort: 9000, protocol: 'TCP' },
      { name: 'web', containerPort: 8765, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8765 });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8765 });
    const f = falcoYaml(s);
    expect(f.plugins[0]).toEqual({ name: 'k8saudit', library_path: 'libk8saudit.so', init_config: '', open_params: 'http://:9000/audit/events' });
    expect(f.load_plugins).toEqual(['k8saudit', 'json']);
    expect(f.webserver).toMatchObject({ enabled: true, listen_port: 8765, k8s_healthz_endpoint: '/healthz' });
    expect(s.find('Deployment').spec.selector.matchLabels).toEqual(falco.podSelector);
    expect(falco.workload).toBe(falco.node.findChild('Deployment'));
  });

  test('least privilege: no privileged container, no RBAC, no token, no host paths', () => {
    const s = synthFalco({ values: tag('0.37.1'), k8s: '1.28' });
    const spec = s.find('Deployment').spec.template.spec;
    const text = JSON.stringify(s.objects);
    expect(text).not.toContain('privileged');
    expect(text).not.toContain('hostPath');
    expect(s.objects.some((o) => /Role/.test(o.kind))).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(s.find('ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...spec.containers, ...spec.initContainers]) {
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    // seccompProfile is not a field before 1.19
    expect(synthFalco({ values: tag('0.37.1'), k8s: '1.18' }).find('Deployment').spec.template.spec.securityContext).toBeUndefined();
  });

  test('falcoctl refs, image and indexes are configurable', () => {
    const s = synthFalco({
      values: tag('0.39.2'),
      falcoctl: { image: 'registry.example/falcoctl:0.10.1', refs: ['ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0', 'ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.11.0'], indexes: [] },
    });
    const cfg = yaml.load(s.find('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any;
    expect(cfg.artifact.install.refs).toEqual(['ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0', 'ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.11.0']);
    expect(cfg.indexes).toEqual([]);
    expect(container(s.find('Deployment'), 'falcoctl-artifact-install').image).toBe('registry.example/falcoctl:0.10.1');
    const def = yaml.load(synthFalco({ values: tag('0.39.2') }).find('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any;
    expect(def.artifact.install.refs).toEqual(DEFAULT_FALCOCTL_REFS);
  });

  test('output values, env and scheduling carry over; custom rules go to rules.d', () => {
    const s = synthFalco({ valuesFile: 'plugin.yaml' });
    const f = falcoYaml(s);
    expect(f.json_output).toBe(true);
    expect(f.priority).toBe('notice');
    expect(f.rules_files).toEqual(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);
    const c = container(s.find('Deployment'), 'falco');
    expect(c.env).toEqual([{ name: 'SKIP_DRIVER_LOADER', value: 'true' }, { name: 'TZ', value: 'UTC' }]);
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/falco/rules.d', name: 'rules-volume' });
    expect(Object.keys(s.find('ConfigMap', 'falco-rules').data)).toEqual(['audit-overrides.yaml']);
  });

  test.each([
    [{ ebpf: { enabled: true } }, 'ebpf.enabled: ebpf.enabled is true, but Falco 0.37.1 runs as an audit-only Deployment with the k8saudit plugin'],
    [{ fakeEventGenerator: { enabled: true } }, 'fakeEventGenerator.enabled: fakeEventGenerator.enabled is true'],
    [{ integrations: { natsOutput: { enabled: true } } }, 'integrations.natsOutput.enabled: integrations.natsOutput.enabled is true'],
    [{ podSecurityPolicy: { create: true } }, 'podSecurityPolicy.create: podSecurityPolicy.create is true'],
    [{ falco: { webserver: { sslEnabled: true } } }, 'falco.webserver.sslEnabled: falco.webserver.sslEnabled is true'],
    [{ falco: { webserver: { enabled: false } } }, 'falco.webserver.enabled: falco.webserver.enabled is false'],
  ])('legacy-only value %j is refused', (values, message) => {
    expect(() => synthFalco({ values: tag('0.37.1', values) })).toThrow(message);
  });

  test.each([
    [{ k8sAudit: { port: 8765 } }, "k8sAudit.port: port 8765 is both the k8saudit listener's and the webserver's"],
    [{ k8sAudit: { path: 'k8s-audit' } }, 'k8sAudit.path: the audit endpoint path must be a URL path starting with "/"'],
    [{ k8sAudit: { port: 0 } }, 'k8sAudit.port: must be a port number (an integer from 1 to 65535), got 0'],
    [{ falcoctl: { refs: [] } }, 'falcoctl.refs: falcoctl.refs is empty'],
    [{ releaseName: 'a'.repeat(47) }, 'is longer than 63 characters; set fullnameOverride'],
  ])('%j is refused', (props, message) => {
    expect(() => synthFalco({ values: tag('0.37.1'), ...(props as any) })).toThrow(message);
  });

  test('falcoctl options before 0.37 are refused', () => {
    expect(() => synthFalco({ values: tag('0.35.1'), falcoctl: { refs: ['k8saudit:0.7'] } })).toThrow(
      'falcoctl: falcoctl is set, but Falco 0.35.1 bundles its plugins and audit rules (falcoctl is used from Falco 0.37)',
    );
  });

  test('the omissions from chart 9.1.0 are documented', () => {
    expect(PLUGIN_SHAPE_OMISSIONS.map((d) => d.id)).toEqual(
      expect.arrayContaining(['no-role', 'no-follow-sidecar', 'no-host-proc', 'restricted-security-context', 'selector-labels', 'cluster-ip-service']),
    );
  });
});

const REFERENCE = path.resolve(__dirname, '../../../shared/reference/falco-9.1.0-k8saudit.yaml');
const haveReference = fs.existsSync(REFERENCE);
if (!haveReference) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED plugin-shape reference comparison: ${REFERENCE} not found (../shared is missing)`);
}
(haveReference ? describe : describe.skip)('compared with falco chart 9.1.0 (values-k8saudit.yaml, Falco 0.44.1)', () => {
  const ref = () => (yaml.loadAll(fs.readFileSync(REFERENCE, 'utf8')) as any[]).filter((o) => o);
  const refFind = (kind: string, name?: string) => ref().find((o) => o.kind === kind && (!name || o.metadata.name === name));
  const ours = () => synthFalco({ values: tag('0.44.1'), service: { nodePort: 30007 }, k8s: '1.30' });

  test('same object names for what both render; only the documented objects are dropped', () => {
    const mine = ours().objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const theirs = ref().map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(theirs.filter((k) => !mine.includes(k))).toEqual(['Role/falco', 'RoleBinding/falco']);
    expect(mine.filter((k) => !theirs.includes(k))).toEqual([]);
  });

  test('Service port, nodePort and health probes match', () => {
    const s = ours();
    const refSvc = refFind('Service');
    expect(s.find('Service').spec.ports[0]).toMatchObject(refSvc.spec.ports[0]);
    expect(s.find('Service').spec.type).toBe(refSvc.spec.type);
    const refFalco = refFind('Deployment').spec.template.spec.containers.find((c: any) => c.name === 'falco');
    const c = container(s.find('Deployment'), 'falco');
    expect(c.readinessProbe.httpGet).toEqual(refFalco.readinessProbe.httpGet);
    expect(c.livenessProbe.httpGet).toEqual(refFalco.livenessProbe.httpGet);
    expect(c.ports).toContainEqual(refFalco.ports[0]);
    expect(c.args).toEqual(refFalco.args);
  });

  test('mounts match except the documented host /proc and /root/.falco', () => {
    const s = ours();
    const refSpec = refFind('Deployment').spec.template.spec;
    const refFalco = refSpec.containers.find((c: any) => c.name === 'falco');
    const dropped = ['root-falco-fs', 'proc-fs'];
    expect(container(s.find('Deployment'), 'falco').volumeMounts).toEqual(refFalco.volumeMounts.filter((m: any) => !dropped.includes(m.name)));
    expect(container(s.find('Deployment'), 'falcoctl-artifact-install').volumeMounts).toEqual(refSpec.initContainers[0].volumeMounts);
    const ourVolumes = s.find('Deployment').spec.template.spec.volumes.map((v: any) => v.name).sort();
    expect(ourVolumes).toEqual(refSpec.volumes.map((v: any) => v.name).filter((n: string) => !dropped.includes(n)).sort());
  });

  test('plugins, load_plugins, rules files and falcoctl install refs match', () => {
    const s = ours();
    const mine = falcoYaml(s);
    const theirs = yaml.load(refFind('ConfigMap', 'falco').data['falco.yaml']) as any;
    expect(mine.plugins).toEqual(theirs.plugins);
    expect(mine.load_plugins).toEqual(theirs.load_plugins);
    expect(mine.rules_files).toEqual(theirs.rules_files);
    expect(mine.webserver.listen_port).toBe(theirs.webserver.listen_port);
    const myCtl = yaml.load(s.find('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any;
    const refCtl = yaml.load(refFind('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any;
    expect(myCtl.artifact.install).toEqual(refCtl.artifact.install);
    expect(myCtl.indexes).toEqual(refCtl.indexes);
    expect(container(s.find('Deployment'), 'falcoctl-artifact-install').args).toEqual(refSpec().initContainers[0].args);
  });
  const refSpec = () => refFind('Deployment').spec.template.spec;
});
