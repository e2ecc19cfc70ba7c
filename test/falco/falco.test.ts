import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as yaml from 'js-yaml';
import { Chart, Testing } from 'cdk8s';
import { Falco, FalcoShape } from '../../lib/falco';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { container, synthFalco } from './helpers';

const falcoYaml = (s: { find(kind: string, name?: string): any }, name = 'falco') => yaml.load(s.find('ConfigMap', name).data['falco.yaml']) as any;

describe('snapshots of realistic configurations (legacy shape, Falco 0.19.0)', () => {
  test('chart defaults', () => {
    expect(synthFalco().objects).toMatchSnapshot();
  });
  test.each(['ebpf.yaml', 'custom-rules.yaml', 'json-http-output.yaml', 'integrations.yaml', 'gcscc.yaml'])('%s', (file) => {
    expect(synthFalco({ valuesFile: file }).objects).toMatchSnapshot();
  });
  test('release "security" in namespace "runtime-security" (renamed-release.yaml)', () => {
    expect(
      synthFalco({ valuesFile: 'renamed-release.yaml', releaseName: 'security', namespace: 'runtime-security', k8s: '1.16.3' }).objects,
    ).toMatchSnapshot();
  });
});

describe('naming (the chart fullname rule)', () => {
  test.each([
    ['falco', {}, 'falco'],
    ['my-falco-prod', {}, 'my-falco-prod'],
    ['security', {}, 'security-falco'],
    ['security', { nameOverride: 'agent' }, 'security-agent'],
    ['agent-x', { nameOverride: 'agent' }, 'agent-x'],
    ['security', { fullnameOverride: 'runtime' }, 'runtime'],
    ['a'.repeat(50), { nameOverride: 'b'.repeat(12) }, `${'a'.repeat(50)}-${'b'.repeat(12)}`],
    ['a'.repeat(50), { nameOverride: 'b'.repeat(13) }, `${'a'.repeat(50)}-${'b'.repeat(12)}`],
    ['a'.repeat(50), { fullnameOverride: `${'c'.repeat(62)}-d` }, 'c'.repeat(62)],
  ])('release %s with %j is named %s', (releaseName, values, expected) => {
    const s = synthFalco({ releaseName, values });
    expect(s.falco.fullname).toBe(expected);
    for (const kind of ['ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'DaemonSet']) {
      expect(s.find(kind).metadata.name).toBe(expected);
    }
    expect(s.find('DaemonSet').spec.selector.matchLabels).toEqual({ app: expected, role: 'security' });
    expect(s.find('DaemonSet').metadata.labels).toEqual({ app: expected, chart: 'falco-1.1.1', release: releaseName, heritage: 'Helm' });
  });

  test('a fullname ending in "-" after truncation is trimmed once, as Helm does', () => {
    const s = synthFalco({ values: { fullnameOverride: `${'x'.repeat(62)}-y` } });
    expect(s.falco.fullname).toBe('x'.repeat(62));
  });
});

describe('legacy shape details', () => {
  test('namespaced objects carry the namespace, cluster-scoped ones none, whatever the Chart says', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'elsewhere' });
    new Falco(chart, 'falco', { kubernetesVersion: KubernetesVersion.of('1.18'), namespace: 'sec', values: { podSecurityPolicy: { create: true } } });
    for (const o of Testing.synth(chart)) {
      if (['ClusterRole', 'ClusterRoleBinding', 'PodSecurityPolicy'].includes(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe('sec');
    }
  });

  test('the audit endpoint and the Service come from falco.webserver', () => {
    const s = synthFalco({
      values: { falco: { webserver: { listenPort: 9443, k8sAuditEndpoint: '/audit', sslEnabled: true } } },
      webserverTlsSecret: 'falco-tls',
    });
    expect(s.falco.auditEndpoint).toEqual({ scheme: 'https', containerPort: 9443, path: '/audit' });
    expect(s.falco.servicePort).toBe(9443);
    expect(s.falco.serviceName).toBe('falco');
    expect(s.find('Service').spec.ports).toEqual([{ protocol: 'TCP', port: 9443 }]);
    expect(falcoYaml(s).webserver).toEqual({
      enabled: true,
      listen_port: 9443,
      k8s_audit_endpoint: '/audit',
      ssl_enabled: true,
      ssl_certificate: '/etc/falco/falco.pem',
    });
    expect(s.falco.shape).toBe(FalcoShape.LEGACY);
    expect(s.falco.workload).toBe(s.falco.node.findChild('DaemonSet'));
    expect(s.falco.podSelector).toEqual({ app: 'falco', role: 'security' });
  });

  test('webserver TLS needs the certificate Secret, which is mounted at sslCertificate', () => {
    const tls = { falco: { webserver: { sslEnabled: true, sslCertificate: '/etc/falco/tls/falco.pem' } } };
    expect(() => synthFalco({ values: tls })).toThrow(
      /sslEnabled: is true, but Falco's webserver needs its certificate and key at \/etc\/falco\/tls\/falco\.pem/,
    );
    expect(() => synthFalco({ webserverTlsSecret: 'falco-tls' })).toThrow(
      /webserverTlsSecret "falco-tls" is set, but falco\.webserver\.sslEnabled is false/,
    );
    expect(() => synthFalco({ values: tls, webserverTlsSecret: 'Falco_TLS' })).toThrow(/secret name "Falco_TLS" must be a DNS-1123 subdomain/);
    expect(() => synthFalco({ values: tls, webserverTlsSecret: 'falco.tls' })).not.toThrow(); // Secret names are subdomains
    const spec = synthFalco({ values: tls, webserverTlsSecret: 'falco-tls' }).find('DaemonSet').spec.template.spec;
    expect(spec.containers[0].volumeMounts).toContainEqual({
      mountPath: '/etc/falco/tls/falco.pem',
      name: 'webserver-tls',
      readOnly: true,
      subPath: 'falco.pem',
    });
    expect(spec.volumes).toContainEqual({
      name: 'webserver-tls',
      secret: { secretName: 'falco-tls', items: [{ key: 'falco.pem', path: 'falco.pem' }] },
    });
  });

  test('on 1.24+ the default tolerations also cover the control-plane taint; set tolerations win', () => {
    const tolerations = (k8s: string, values = {}) => synthFalco({ k8s, values }).find('DaemonSet').spec.template.spec.tolerations;
    expect(tolerations('1.23.0')).toEqual([{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }]);
    expect(tolerations('1.24.0')).toEqual([
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
    ]);
    expect(tolerations('1.30.0', { tolerations: [{ operator: 'Exists' }] })).toEqual([{ operator: 'Exists' }]);
  });

  test('a pinned clusterIP and a nodePort go on the Service', () => {
    const s = synthFalco({ service: { clusterIP: '10.96.0.200', nodePort: 30765 } });
    expect(s.find('Service').spec).toEqual({
      type: 'NodePort',
      clusterIP: '10.96.0.200',
      selector: { app: 'falco' },
      ports: [{ protocol: 'TCP', port: 8765, nodePort: 30765 }],
    });
    expect(s.falco.clusterIP).toBe('10.96.0.200');
    expect(s.falco.nodePort).toBe(30765);
  });

  test('eBPF: host network, probe variable, /etc mount', () => {
    const s = synthFalco({ valuesFile: 'ebpf.yaml' });
    const spec = s.find('DaemonSet').spec.template.spec;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(spec.priorityClassName).toBe('system-node-critical');
    const falco = container(s.find('DaemonSet'), 'falco');
    expect(falco.env).toEqual([
      { name: 'SYSDIG_BPF_PROBE', value: '' },
      { name: 'TZ', value: 'Europe/Madrid' },
    ]);
    expect(falco.volumeMounts).toContainEqual({ mountPath: '/host/etc', name: 'etc-fs', readOnly: true });
    expect(spec.volumes).toContainEqual({ name: 'etc-fs', hostPath: { path: '/etc' } });
    const noEtc = synthFalco({ values: { ebpf: { enabled: true, settings: { mountEtcVolume: false, hostNetwork: false } } } });
    expect(noEtc.find('DaemonSet').spec.template.spec.hostNetwork).toBeUndefined();
    expect(JSON.stringify(noEtc.find('DaemonSet'))).not.toContain('etc-fs');
  });

  test('custom rules: their own ConfigMap, mounted at /etc/falco/rules.d, guarded by checksum/rules', () => {
    const s = synthFalco({ valuesFile: 'custom-rules.yaml' });
    const rules = s.find('ConfigMap', 'falco-rules');
    expect(Object.keys(rules.data)).toEqual(['rules-admin.yaml', 'rules-traefik.yaml']);
    expect(rules.data['rules-admin.yaml'].endsWith('priority: WARNING')).toBe(true);
    const ds = s.find('DaemonSet');
    expect(container(ds, 'falco').volumeMounts).toContainEqual({ mountPath: '/etc/falco/rules.d', name: 'rules-volume' });
    expect(ds.spec.template.metadata.annotations['checksum/rules']).toBe(
      createHash('sha256')
        .update(JSON.stringify({ 'rules-admin.yaml': rules.data['rules-admin.yaml'], 'rules-traefik.yaml': rules.data['rules-traefik.yaml'] }))
        .digest('hex'),
    );
    // The image's own rules are not copied: the ConfigMap holds falco.yaml only.
    expect(Object.keys(s.find('ConfigMap', 'falco').data)).toEqual(['falco.yaml']);
  });

  test('checksums change with the data they guard and nothing else', () => {
    const ann = (values: any, props: any = {}) => synthFalco({ values, ...props }).find('DaemonSet').spec.template.metadata.annotations;
    const base = ann({});
    expect(ann({}, { releaseName: 'falco', namespace: 'other' })).toEqual(base);
    expect(ann({ timezone: 'UTC' })).toEqual(base);
    expect(ann({ falco: { jsonOutput: true } })['checksum/config']).not.toBe(base['checksum/config']);
    expect(ann({ falco: { jsonOutput: true } })['checksum/rules']).toBe(base['checksum/rules']);
    expect(ann({ customRules: { 'a.yaml': 'x' } })['checksum/rules']).not.toBe(base['checksum/rules']);
    expect(ann({ customRules: { 'a.yaml': 'x' } })['checksum/config']).toBe(base['checksum/config']);
  });

  test('JSON/HTTP output, proxy, env, sockets, resources, extra args, update strategy', () => {
    const s = synthFalco({ valuesFile: 'json-http-output.yaml' });
    const f = falcoYaml(s);
    expect(f.json_output).toBe(true);
    expect(f.json_include_output_property).toBe(false);
    expect(f.log_syslog).toBe(false);
    expect(f.priority).toBe('warning');
    expect(f.syslog_output).toEqual({ enabled: false });
    expect(f.http_output).toEqual({ enabled: true, url: 'http://falcosidekick.falco.svc.cluster.local:2801/' });
    const ds = s.find('DaemonSet');
    const c = container(ds, 'falco');
    expect(c.args).toEqual([
      '/usr/bin/falco',
      '--cri',
      '/host/run/containerd/containerd.sock',
      '-K',
      '/var/run/secrets/kubernetes.io/serviceaccount/token',
      '-k',
      'https://$(KUBERNETES_SERVICE_HOST)',
      '-pk',
      '--unbuffered',
    ]);
    expect(c.env).toEqual([
      { name: 'http_proxy', value: 'http://proxy.corp.example:3128' },
      { name: 'https_proxy', value: 'http://proxy.corp.example:3128' },
      { name: 'no_proxy', value: '10.0.0.0/8,.svc,.cluster.local' },
      { name: 'A_FLAG', value: 'true' },
      { name: 'FALCO_BPF_PROBE_DEBUG', value: '1' },
    ]);
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '1024Mi' }, requests: { cpu: '100m', memory: '512Mi' } });
    expect(JSON.stringify(ds)).not.toMatch(/docker-socket|docker\.sock/);
    expect(ds.spec.template.spec.volumes).toContainEqual({ name: 'containerd-socket', hostPath: { path: '/run/k3s/containerd/containerd.sock' } });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } });
    expect(ds.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  });

  test('containerd off: no --cri and no containerd mount', () => {
    const c = container(synthFalco({ values: { containerd: { enabled: false } } }).find('DaemonSet'), 'falco');
    expect(c.args).not.toContain('--cri');
    expect(JSON.stringify(c)).not.toContain('containerd');
  });

  test('NATS and SNS integrations: sidecars, pipe, keys from the existing Secret, JSON file output to the pipe', () => {
    const s = synthFalco({ valuesFile: 'integrations.yaml' });
    const ds = s.find('DaemonSet');
    const spec = ds.spec.template.spec;
    expect(spec.containers.map((c: any) => c.name)).toEqual(['falco', 'falco-nats', 'falco-sns']);
    expect(container(ds, 'falco-nats').args).toEqual(['/bin/falco-nats', '-s', 'nats://nats.messaging.svc.cluster.local:4222']);
    expect(container(ds, 'init-pipe').command).toEqual(['mkfifo', '/var/run/falco/nats']);
    expect(spec.volumes).toContainEqual({ name: 'shared-pipe', emptyDir: {} });
    // the chart's key names, in the user's Secret; no Secret is rendered
    expect(container(ds, 'falco-sns').env).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'falco-sns', key: 'aws_access_key_id' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'falco-sns', key: 'aws_secret_access_key' } } },
      { name: 'AWS_DEFAULT_REGION', valueFrom: { configMapKeyRef: { name: 'falco', key: 'aws_default_region' } } },
    ]);
    expect(s.objects.map((o) => o.kind)).not.toContain('Secret');
    expect(s.find('ConfigMap', 'falco').data.aws_default_region).toBe('eu-west-1');
    const f = falcoYaml(s);
    expect(f.json_output).toBe(true);
    expect(f.json_include_output_property).toBe(true);
    expect(f.file_output).toEqual({ enabled: true, keep_alive: true, filename: '/var/run/falco/nats' });
  });

  test('gcscc integration: JSON program output to the connector, the token from the existing Secret', () => {
    const s = synthFalco({ valuesFile: 'gcscc.yaml' });
    const f = falcoYaml(s);
    expect(f.json_output).toBe(true);
    expect(f.program_output.enabled).toBe(true);
    expect(f.program_output.keep_alive).toBe(false);
    const program: string = f.program_output.program;
    expect(program).toContain(`--header 'Authorization: '"$GCSCC_WEBHOOK_AUTHENTICATION_TOKEN"'' http://gcscc.security.svc:8080/events`);
    expect(container(s.find('DaemonSet'), 'falco').env).toContainEqual({
      name: 'GCSCC_WEBHOOK_AUTHENTICATION_TOKEN',
      valueFrom: { secretKeyRef: { name: 'gcscc-connector', key: 'webhook-authentication-token' } },
    });
    // Falco runs the program with /bin/sh -c: the header is one word, with the variable's value in it
    const header = program.slice(program.indexOf("'Authorization: "), program.indexOf(' http://'));
    const r = spawnSync('/bin/sh', ['-c', `printf '[%s]\\n' ${header}`], {
      env: { GCSCC_WEBHOOK_AUTHENTICATION_TOKEN: 'tok en*' },
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('[Authorization: tok en*]\n');
  });

  test("gcscc without an existing Secret keeps the chart's published default token, as the chart renders it", () => {
    const f = falcoYaml(synthFalco({ values: { integrations: { gcscc: { enabled: true } } } }));
    expect(f.program_output.program).toContain("--header 'Authorization: b27511f86e911f20b9e0f9c8104b4ec4' ");
  });

  test('Pub/Sub integration: sidecar with credentials and project from the existing Secret', () => {
    const s = synthFalco({ values: { integrations: { pubsubOutput: { enabled: true, topic: 'alerts', existingSecret: 'gcp-pubsub' } } } });
    expect(container(s.find('DaemonSet'), 'falco-pubsub').env).toEqual([
      { name: 'GOOGLE_PROJECT_ID', valueFrom: { secretKeyRef: { name: 'gcp-pubsub', key: 'gcp-project-id' } } },
      { name: 'GOOGLE_CREDENTIALS_DATA', valueFrom: { secretKeyRef: { name: 'gcp-pubsub', key: 'gcp-credentials-data' } } },
    ]);
    expect(s.objects.map((o) => o.kind)).not.toContain('Secret');
  });

  test('service account, RBAC and PSP switches', () => {
    const s = synthFalco({ valuesFile: 'renamed-release.yaml', releaseName: 'security', namespace: 'runtime-security', k8s: '1.16' });
    expect(s.find('ServiceAccount').metadata.name).toBe('falco-agent');
    expect(s.find('DaemonSet').spec.template.spec.serviceAccountName).toBe('falco-agent');
    expect(s.find('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'falco-agent', namespace: 'runtime-security' }]);
    expect(s.find('PodSecurityPolicy').apiVersion).toBe('policy/v1beta1');
    expect(s.find('ClusterRole').rules).toContainEqual({
      apiGroups: ['policy'],
      resources: ['podsecuritypolicies'],
      resourceNames: ['security-falco'],
      verbs: ['use'],
    });
    const gen = s.find('Deployment', 'security-falco-event-generator');
    expect(gen.spec.selector).toEqual({ matchLabels: { app: 'security-falco-event-generator' } });
    expect(gen.spec.template.metadata.labels).toEqual({ app: 'security-falco-event-generator' });
    expect(gen.spec.replicas).toBe(2);

    const none = synthFalco({ values: { rbac: { create: false }, serviceAccount: { create: false } } });
    expect(none.objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'DaemonSet', 'Service']);
    expect(none.find('DaemonSet').spec.template.spec.serviceAccountName).toBe('default');
    expect(
      synthFalco({ values: { serviceAccount: { create: false, name: 'existing' } } }).find('DaemonSet').spec.template.spec.serviceAccountName,
    ).toBe('existing');
  });

  test('the Service is rendered even with auditLog disabled (the chart default)', () => {
    const s = synthFalco();
    expect(s.find('Service').spec.selector).toEqual({ app: 'falco' });
    expect(s.falco.serviceObject).toBe(s.falco.node.findChild('Service'));
  });

  test('output is deterministic', () => {
    expect(JSON.stringify(synthFalco({ valuesFile: 'integrations.yaml' }).objects)).toBe(
      JSON.stringify(synthFalco({ valuesFile: 'integrations.yaml' }).objects),
    );
  });
});

describe('user errors', () => {
  test.each([
    [
      { values: { image: { tag: 'latest' } } },
      'image.tag: cannot tell the Falco version: the image tag "latest" is not a Falco release; set falco.version (library: falcoVersion) to the Falco release the image runs, e.g. "0.44.1", or set image.tag to a release',
    ],
    [
      { values: { image: { tag: '0.17.1' } } },
      'image.tag: Falco 0.17.1 (image tag "0.17.1") is older than 0.18.0, the oldest release the stable/falco 1.1.x chart shipped; use Falco 0.19.0 or newer',
    ],
    [
      { values: { image: { tag: '0.45.0' } } },
      'image.tag: Falco 0.45.0 (image tag "0.45.0") is newer than 0.44.1, the newest release whose start-up needs this version of cdk8s-falco-audit knows',
    ],
    [
      { values: { image: { tag: '@sha256:abc' } } },
      'image.tag: cannot tell the Falco version: the image reference "@sha256:abc" has no tag; set falco.version',
    ],
    [
      { values: { podSecurityPolicy: { create: true } }, k8s: '1.25.0' },
      'podSecurityPolicy.create: is true but Kubernetes 1.25.0 no longer serves policy/v1beta1 PodSecurityPolicy',
    ],
    [
      { values: { falco: { webserver: { enabled: false } } } },
      'falco.webserver.enabled: falco.webserver.enabled is false, so Falco would serve no audit endpoint',
    ],
    [
      { values: { falco: { webserver: { k8sAuditEndpoint: 'k8s-audit' } } } },
      'the audit endpoint path must be a URL path starting with "/" (letters, digits, ".", "_", "~", "-", "/"), got "k8s-audit"',
    ],
    [{ service: { clusterIP: '10.96.0' } }, 'service.clusterIP: service.clusterIP "10.96.0" is not an IP address'],
    [{ service: { nodePort: 70000 } }, 'service.nodePort: must be a port number (an integer from 1 to 65535), got 70000'],
    [{ releaseName: 'My_Falco' }, 'releaseName: release name "My_Falco" is not a valid Helm release name'],
    [{ namespace: 'Falco' }, 'namespace: namespace "Falco" is not a valid DNS-1123 label'],
    [{ k8sAudit: { port: 9765 } }, 'k8sAudit: k8sAudit is set, but Falco 0.19.0 serves audit events on its webserver'],
    [{ falcoctl: { refs: ['k8saudit:0.7'] } }, 'falcoctl: falcoctl is set, but Falco 0.19.0 has no plugins to install'],
    [{ values: { fullnameOverride: 'Falco' } }, 'fullnameOverride: object name "Falco" is not a valid DNS-1123 label'],
  ])('%j', (props, message) => {
    expect(() => synthFalco(props as any)).toThrow(message);
  });

  test.each([
    ['snsOutput', { snsOutput: { enabled: true, topic: 't' } }, 'aws_access_key_id and aws_secret_access_key'],
    ['pubsubOutput', { pubsubOutput: { enabled: true, topic: 't' } }, 'gcp-credentials-data and gcp-project-id'],
  ])('%s enabled without existingSecret is refused: no Secret is rendered and the sidecar needs one', (name, integrations, keys) => {
    expect(() => synthFalco({ values: { integrations } as any })).toThrow(
      `integrations.${name}.enabled: is true, but the sidecar's credentials must come from a Secret you create (the output, meant for Git, ` +
        `holds no Secret): set integrations.${name}.existingSecret to a Secret in Falco's namespace with the keys ${keys}`,
    );
  });

  test('a literal credential is refused by the construct too, and the message does not show it', () => {
    let message = '';
    try {
      synthFalco({
        values: { integrations: { snsOutput: { enabled: true, aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG', existingSecret: 'sns' } } },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /^integrations\.snsOutput\.aws_secret_access_key: refused: a literal AWS secret access key here would be written into the output/,
    );
    expect(message).not.toContain('wJalrXUtnFEMI');
  });

  test('PSP is fine up to 1.24', () => {
    expect(synthFalco({ values: { podSecurityPolicy: { create: true } }, k8s: '1.24.9' }).find('PodSecurityPolicy').metadata.name).toBe('falco');
  });
});
