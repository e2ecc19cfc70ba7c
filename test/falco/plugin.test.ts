import * as yaml from 'js-yaml';
import { FalcoShape, FalcoVersion, PLUGIN_SHAPE_DIFFERENCES } from '../../lib/falco';
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
    ['0.18.0', FalcoShape.LEGACY],
    ['0.31.1', FalcoShape.LEGACY],
    ['v0.31.1', FalcoShape.LEGACY],
    ['0.32.0', FalcoShape.PLUGIN],
    ['0.36.2-debian', FalcoShape.PLUGIN],
    ['0.44.1@sha256:abc', FalcoShape.PLUGIN],
    ['0.44.9', FalcoShape.PLUGIN],
  ])('%s -> %s', (t, shape) => {
    expect(FalcoVersion.fromTag(t).shape).toBe(shape);
  });

  test.each(['0.45.0', '1.0.0'])('%s, newer than any release whose start-up needs are known, is refused', (t) => {
    expect(() => FalcoVersion.fromTag(t)).toThrow(
      `is newer than 0.44.1, the newest release whose start-up needs this version of cdk8s-falco-audit knows`,
    );
  });

  test('kinds: legacy DaemonSet + RBAC, plugin Deployment without RBAC', () => {
    expect(synthFalco({ values: tag('0.31.1') }).objects.map((o) => o.kind)).toContain('DaemonSet');
    const kinds = synthFalco({ values: tag('0.37.1') }).objects.map((o) => o.kind);
    expect(kinds).toEqual(['ServiceAccount', 'ConfigMap', 'ConfigMap', 'Service', 'Deployment']);
  });

  test('--disable-source syscall from 0.33, falcoctl from 0.37, rules_files from 0.38', () => {
    const args = (t: string) => container(synthFalco({ values: tag(t) }).find('Deployment'), 'falco').args;
    expect(args('0.32.1')).toEqual(['/usr/bin/falco']);
    expect(args('0.33.0')).toEqual(['/usr/bin/falco', '--disable-source', 'syscall']);
    const inits = (t: string) => synthFalco({ values: tag(t) }).find('Deployment').spec.template.spec.initContainers;
    expect(inits('0.36.2')).toBeUndefined();
    expect(inits('0.37.0').map((c: any) => c.name)).toEqual(['falcoctl-artifact-install']);
    const rulesKeys = (t: string) => Object.keys(falcoYaml(synthFalco({ values: tag(t) }))).filter((k) => k.startsWith('rules_'));
    // 0.36-0.37 read only rules_file and exit without rules (configuration.cpp @ 0.37.0); rules_files from 0.38.0
    expect(rulesKeys('0.35.1')).toEqual(['rules_file']);
    expect(rulesKeys('0.36.2')).toEqual(['rules_file']);
    expect(rulesKeys('0.37.1')).toEqual(['rules_file']);
    expect(rulesKeys('0.38.0')).toEqual(['rules_files']);
    expect(rulesKeys('0.44.1')).toEqual(['rules_files']);
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

  test.each(['0.35.1', '0.37.1', '0.39.2', '0.44.1'])('Falco %s meets Pod Security "restricted" except runAsNonRoot (so "baseline")', (t) => {
    const spec = synthFalco({ values: tag(t), k8s: '1.30' }).find('Deployment').spec.template.spec;
    // restricted: volume types (configMap, emptyDir, secret, ... no hostPath), no host namespaces, seccomp, no escalation, caps
    for (const v of spec.volumes)
      expect(Object.keys(v).filter((k) => k !== 'name')).toEqual([expect.stringMatching(/^(configMap|emptyDir|secret|projected)$/)]);
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    expect(spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
      expect(c.securityContext.privileged).toBeUndefined();
      expect(c.ports?.every((p: any) => p.hostPort === undefined) ?? true).toBe(true);
      // the one control it does not meet: the image runs as root (documented in the README's security notes)
      expect(c.securityContext.runAsNonRoot).toBeUndefined();
    }
  });

  test('falcoctl refs, image and indexes are configurable', () => {
    const s = synthFalco({
      values: tag('0.39.2'),
      falcoctl: {
        image: 'registry.example/falcoctl:0.10.1',
        refs: ['ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0', 'ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.11.0'],
        indexes: [],
      },
    });
    const cfg = yaml.load(s.find('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any;
    expect(cfg.artifact.install.refs).toEqual([
      'ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0',
      'ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.11.0',
    ]);
    expect(cfg.indexes).toEqual([]);
    expect(container(s.find('Deployment'), 'falcoctl-artifact-install').image).toBe('registry.example/falcoctl:0.10.1');
    const refs = (t: string) =>
      (yaml.load(synthFalco({ values: tag(t) }).find('ConfigMap', 'falco-falcoctl').data['falcoctl.yaml']) as any).artifact.install.refs;
    // the defaults follow the Falco version, pinned to full versions
    expect(refs('0.37.1')).toEqual(['k8saudit-rules:0.7.0', 'k8saudit:0.7.0']);
    expect(refs('0.39.2')).toEqual(['k8saudit-rules:0.11.0', 'k8saudit:0.11.0']);
    expect(refs('0.41.3')).toEqual(['k8saudit-rules:0.11.0', 'k8saudit:0.11.0']);
    expect(refs('0.42.0')).toEqual(['k8saudit-rules:0.16.1', 'k8saudit:0.16.1']);
  });

  test('output values, env and scheduling carry over; custom rules go to rules.d', () => {
    const s = synthFalco({ valuesFile: 'plugin.yaml' });
    const f = falcoYaml(s);
    expect(f.json_output).toBe(true);
    expect(f.priority).toBe('notice');
    expect(f.rules_file).toEqual(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);
    const c = container(s.find('Deployment'), 'falco');
    expect(c.env).toEqual([
      { name: 'HOST_ROOT', value: '/host' },
      { name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SKIP_DRIVER_LOADER', value: 'true' },
      { name: 'TZ', value: 'UTC' },
    ]);
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
    [
      { k8sAudit: { port: 443 } },
      "k8sAudit.port: is 443, below 1024, but Falco's container drops every capability (capabilities.drop: [ALL]) and so lacks NET_BIND_SERVICE",
    ],
    [
      { falcoctl: { refs: ['k8saudit:0.7.0', 'json:0.7.0'] } },
      'falcoctl.refs: [k8saudit:0.7.0, json:0.7.0] installs no rules (no *-rules ref) and the values have no customRules',
    ],
    [{ releaseName: 'a'.repeat(47) }, 'is longer than 63 characters; set fullnameOverride'],
  ])('%j is refused', (props, message) => {
    expect(() => synthFalco({ values: tag('0.37.1'), ...(props as any) })).toThrow(message);
  });

  test('the webserver below 1024 cannot be bound either; 1024 can', () => {
    expect(() => synthFalco({ values: tag('0.37.1', { falco: { webserver: { listenPort: 80 } } }) })).toThrow(
      'falco.webserver.listenPort: is 80, below 1024',
    );
    expect(() => synthFalco({ values: tag('0.37.1'), k8sAudit: { port: 1024 } })).not.toThrow();
  });

  test('refs without rules are fine beside customRules (rules.d); an OCI ruleset ref is a rules artifact', () => {
    expect(() =>
      synthFalco({ values: tag('0.37.1', { customRules: { 'team.yaml': '- rule: x' } }), falcoctl: { refs: ['k8saudit:0.7.0'] } }),
    ).not.toThrow();
    expect(() => synthFalco({ values: tag('0.37.1'), falcoctl: { refs: ['ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.7.0'] } })).not.toThrow();
  });

  test('falcoctl options before 0.37 are refused', () => {
    expect(() => synthFalco({ values: tag('0.35.1'), falcoctl: { refs: ['k8saudit:0.7'] } })).toThrow(
      'falcoctl: falcoctl is set, but Falco 0.35.1 bundles its plugins and audit rules (falcoctl is used from Falco 0.37)',
    );
  });

  test('the omissions from chart 9.1.0 are documented', () => {
    expect(PLUGIN_SHAPE_DIFFERENCES.map((d) => d.id)).toEqual(
      expect.arrayContaining([
        'no-role',
        'no-follow-sidecar',
        'no-host-proc',
        'restricted-security-context',
        'selector-labels',
        'cluster-ip-service',
      ]),
    );
  });
});
