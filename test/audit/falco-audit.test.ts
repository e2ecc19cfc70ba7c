import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { StaticPodManifest } from '../../lib/apiserver';
import { AuditBackend, FalcoAudit, FalcoAuditProps } from '../../lib/falco-audit';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const manifest118 = () => StaticPodManifest.fromFile(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'kube-apiserver.yaml');
const manifest130 = () => StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'kube-apiserver.yaml');
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTONLY\n-----END CERTIFICATE-----\n';

function build(props: Partial<FalcoAuditProps> & Pick<FalcoAuditProps, 'apiServerManifest' | 'falco'>, namespace?: string) {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const audit = new FalcoAudit(chart, 'FalcoAudit', props);
  return { chart, audit };
}

/** Everything a user gets: the cluster objects and the node files, as text. */
function render({ chart, audit }: ReturnType<typeof build>): string {
  const objects = Testing.synth(chart);
  return [
    `url: ${audit.url}`,
    ...audit.warnings.map((w) => `warning: ${w.code}: ${w.message}`),
    audit.apiServer.plan.toText(),
    ...objects.map((o) => `=== ${o.kind} ${o.metadata.name}\n${JSON.stringify(o, null, 2)}`),
    ...audit.nodeFiles.map((f) => `=== node/${f.fileName} -> ${f.nodePath ?? '(kubeadm patches folder)'}\n${f.toYaml()}`),
  ].join('\n');
}

describe('snapshots of realistic configurations', () => {
  test('Kubernetes 1.18, AuditSink, legacy Falco 0.19 (the default example)', () => {
    const built = build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } });
    expect(built.audit.validateOutput()).toEqual([]);
    expect(render(built)).toMatchSnapshot();
  });

  test('Kubernetes 1.30, static webhook, Falco 0.44 k8saudit plugin', () => {
    const built = build({ apiServerManifest: manifest130(), falco: { clusterIP: '10.96.0.100', values: { image: { tag: '0.44.1' } } } });
    expect(built.audit.backend).toBe(AuditBackend.WEBHOOK);
    expect(built.audit.validateOutput()).toEqual([]);
    expect(render(built)).toMatchSnapshot();
  });

  test('Kubernetes 1.18, webhook backend, legacy Falco with TLS, release "security" in namespace "runtime"', () => {
    const built = build({
      apiServerManifest: manifest118(),
      backend: AuditBackend.WEBHOOK,
      falco: {
        releaseName: 'security',
        namespace: 'runtime',
        clusterIP: '10.96.0.100',
        values: { falco: { webserver: { sslEnabled: true } } },
        webserverTlsSecret: 'falco-tls',
      },
      webhook: { certificateAuthorityData: Buffer.from(PEM).toString('base64'), mode: 'blocking' },
    });
    expect(built.audit.url).toBe('https://10.96.0.100:8765/k8s-audit');
    expect(built.audit.validateOutput()).toEqual([]);
    expect(render(built)).toMatchSnapshot();
  });
});

describe('FalcoAudit', () => {
  test('construct ids and object names are a stable contract', () => {
    const { chart } = build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } });
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    expect(objects.map((o) => [o.node.path, o.kind, o.name])).toEqual([
      ['test/FalcoAudit/Falco/ServiceAccount', 'ServiceAccount', 'falco'],
      ['test/FalcoAudit/Falco/ConfigMap', 'ConfigMap', 'falco'],
      ['test/FalcoAudit/Falco/ClusterRole', 'ClusterRole', 'falco'],
      ['test/FalcoAudit/Falco/ClusterRoleBinding', 'ClusterRoleBinding', 'falco'],
      ['test/FalcoAudit/Falco/Service', 'Service', 'falco'],
      ['test/FalcoAudit/Falco/DaemonSet', 'DaemonSet', 'falco'],
      ['test/FalcoAudit/AuditSink/Resource', 'AuditSink', 'falco'],
    ]);
  });

  test('in a chart with a namespace: cluster-scoped objects carry none, Falco keeps its own', () => {
    const { chart } = build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } }, 'platform');
    const byKind = Object.fromEntries(Testing.synth(chart).map((o) => [o.kind, o.metadata.namespace]));
    expect(byKind).toEqual({
      ServiceAccount: 'falco',
      ConfigMap: 'falco',
      Service: 'falco',
      DaemonSet: 'falco',
      ClusterRole: undefined,
      ClusterRoleBinding: undefined,
      AuditSink: undefined,
    });
  });

  test('every problem in one throw: a refused setting gives way to what the cluster has', () => {
    let message = '';
    try {
      build({
        apiServerManifest: manifest130(),
        backend: AuditBackend.DYNAMIC,
        serviceClusterIPRange: '10.100.0.0/16',
        falco: {
          namespace: 'falco_ns',
          clusterIP: '10.200.0.1',
          values: { image: { tag: '0.44.1' }, tolerations: [{ key: 'a', efect: 'NoSchedule' }] },
        },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      '5 problems in the settings:',
      '  - backend: the dynamic audit backend (AuditSink) does not exist on Kubernetes 1.30.6: it was removed in 1.19 and kube-apiserver refuses to start with its flags; use the webhook backend',
      "  - serviceClusterIPRange: serviceClusterIPRange 10.100.0.0/16 differs from the manifest's --service-cluster-ip-range=10.96.0.0/12, which is what the API server allocates from; remove serviceClusterIPRange or make the two agree",
      // checked against the manifest's range, which the API server allocates from
      '  - falco.clusterIP: cluster IP 10.200.0.1 is outside the service cluster IP range 10.96.0.0/12',
      '  - falco.namespace: namespace "falco_ns" is not a valid DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
      // what Falco found before the values stopped it
      expect.stringMatching(/^ {2}- falco\.tolerations\[0\]\.efect: unknown field "efect"/),
    ]);
  });

  test("with a settings problem, the objects are checked too: a problem of the manifest's own fields is listed beside it", () => {
    const text = fs
      .readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8')
      .replace('  hostNetwork: true\n', '  hostNetwork: true\n  priority: high\n');
    let message = '';
    try {
      build({
        apiServerManifest: StaticPodManifest.fromString(text, 'kube-apiserver.yaml'),
        falco: { namespace: 'falco_ns', clusterIP: '10.96.0.100' },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      '2 problems in the settings and in the objects for Kubernetes 1.30.6:',
      expect.stringMatching(/^ {2}- falco\.namespace: namespace "falco_ns" is not a valid DNS-1123 label/),
      '  - node/kube-apiserver.yaml: spec.priority: must be of type integer, not string "high" (schema.type)',
    ]);
  });

  test("a stated minor without a patch is the image's release, shown in full", () => {
    const given = build({ apiServerManifest: manifest130(), kubernetesVersion: KubernetesVersion.of('1.30'), falco: { clusterIP: '10.96.0.100' } });
    expect(given.audit.kubernetesVersion.toString()).toBe('1.30.6');
  });

  test('auditDelivery: how late an event may reach Falco, from the backend (the webhook batch wait, none when blocking, the AuditSink 30s)', () => {
    const delivery = (props: Partial<FalcoAuditProps>, m = manifest130()) =>
      build({ apiServerManifest: m, falco: { clusterIP: '10.96.0.100' }, ...props }).audit.auditDelivery.maxDelaySeconds;
    expect(delivery({})).toBe(30);
    expect(delivery({ webhook: { batchMaxWait: '5s' } })).toBe(5);
    expect(delivery({ webhook: { batchMaxWait: '1.5s' } })).toBe(2);
    expect(delivery({ webhook: { batchMaxWait: '2m' } })).toBe(120);
    expect(delivery({ webhook: { mode: 'blocking', batchMaxWait: '2m' } })).toBe(0);
    expect(delivery({ webhook: { mode: 'blocking-strict' } })).toBe(0);
    expect(delivery({}, manifest118())).toBe(30);
    expect(build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } }).audit.auditDelivery.setBy).toMatch(
      /fixed in kube-apiserver/,
    );
  });

  test('the version comes from the image unless given', () => {
    expect(build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } }).audit.kubernetesVersion.toString()).toBe('1.18.20');
    const given = build({ apiServerManifest: manifest118(), kubernetesVersion: KubernetesVersion.of('1.18.2'), falco: { clusterIP: '10.96.0.100' } });
    expect(given.audit.kubernetesVersion.toString()).toBe('1.18.2');
  });

  test('a given version of another minor than the manifest image is refused (the output is made for the running version)', () => {
    expect(() =>
      build({ apiServerManifest: manifest118(), kubernetesVersion: KubernetesVersion.of('1.16.3'), falco: { clusterIP: '10.96.0.100' } }),
    ).toThrow(
      "kubernetesVersion: kubernetesVersion 1.16.3 does not match the manifest's kube-apiserver image, which runs Kubernetes 1.18.20; " +
        'the output is made for the version the API server runs: remove kubernetesVersion (it is read from the image) or make it agree',
    );
  });

  test('a Service changed after construction no longer matches the URL: validation says so, and app.synth fails', () => {
    const { chart, audit } = build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' } });
    audit.falco.serviceObject.addJsonPatch(JsonPatch.replace('/spec/ports/0/port', 9999));
    expect(audit.validateOutput()).toContain('Service falco: no port 8765, which the audit URL http://10.96.0.100:8765/k8s-audit uses');
    expect(() => (chart.node.root as any).synth()).toThrow(/no port 8765, which the audit URL/);
  });

  test.each<[string, Partial<FalcoAuditProps>, RegExp]>([
    [
      'the dynamic backend on 1.30',
      { apiServerManifest: manifest130(), backend: AuditBackend.DYNAMIC },
      /dynamic audit backend \(AuditSink\) does not exist on Kubernetes 1\.30\.6/,
    ],
    ['webhook settings with the dynamic backend', { webhook: { mode: 'blocking' } }, /webhook settings apply to the webhook backend only/],
    [
      'AuditSink settings with the webhook backend',
      { backend: AuditBackend.WEBHOOK, auditSink: { qps: 5 } },
      /auditSink settings apply to the dynamic backend only/,
    ],
    ['both clusterIP and nodePort', { falco: { clusterIP: '10.96.0.100', nodePort: 30765 } }, /falco\.clusterIP and falco\.nodePort are both set/],
    [
      'a range that differs from the manifest',
      { serviceClusterIPRange: '10.100.0.0/16', falco: { clusterIP: '10.100.0.20' } },
      /differs from the manifest's --service-cluster-ip-range=10\.96\.0\.0\/12/,
    ],
    ['a nodePort outside the node port range', { falco: { nodePort: 8080 } }, /must be inside the service node port range 30000-32767/],
    [
      'a CA for plain http',
      { auditSink: { caBundle: Buffer.from(PEM).toString('base64') } },
      /is set, but Falco serves audit events over plain http/,
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => build({ apiServerManifest: manifest118(), falco: { clusterIP: '10.96.0.100' }, ...props })).toThrow(message);
  });
});
