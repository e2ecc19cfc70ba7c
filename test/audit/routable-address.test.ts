/**
 * `falco.address`: a routable address of Falco's Service at a node port, for an API server with no kube-proxy beside
 * it. The Service listens at that node port, and the webhook kubeconfig names exactly that address.
 */
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { StaticPodManifest } from '../../lib/apiserver';
import { parseRoutableAddress } from '../../lib/audit/routable-address';
import { FalcoAudit, FalcoAuditFalcoOptions } from '../../lib/falco-audit';

const manifest = () =>
  StaticPodManifest.fromFile(path.resolve(__dirname, '..', '..', 'examples', 'modern', 'kube-apiserver.yaml'), 'kube-apiserver.yaml');

function build(falco: FalcoAuditFalcoOptions) {
  const chart = new Chart(Testing.app(), 'test');
  return new FalcoAudit(chart, 'FalcoAudit', { apiServerManifest: manifest(), falco: { values: { image: { tag: '0.44.1' } }, ...falco } });
}

describe('parseRoutableAddress', () => {
  test.each([
    ['http://10.0.0.5:30765', { scheme: 'http', host: '10.0.0.5', port: 30765, path: undefined }],
    ['https://falco.example.com:30765/k8s-audit', { scheme: 'https', host: 'falco.example.com', port: 30765, path: '/k8s-audit' }],
    ['http://[fd00::5]:30765/', { scheme: 'http', host: 'fd00::5', port: 30765, path: undefined }],
    // the scheme's default port, written: still the port the user named
    ['http://10.0.0.5:80', { scheme: 'http', host: '10.0.0.5', port: 80, path: undefined }],
  ])('%s', (text, expected) => expect(parseRoutableAddress(text)).toEqual(expected));

  test.each([
    ['http://10.0.0.5', "must name the port, the node port of Falco's Service"],
    ['http://127.0.0.1:30765', 'is this host itself; 127.0.0.1:<nodePort> is what falco.nodePort gives'],
    ['http://localhost:30765', 'is this host itself'],
    ['ftp://10.0.0.5:30765', 'must use http or https'],
    ['http://10.0.0.5:30765/?x=1', 'query parameters are not permitted'],
    ['10.0.0.5:30765', 'is not a valid absolute URL'],
  ])('%s is refused', (text, message) => {
    expect(() => parseRoutableAddress(text)).toThrow('falco.address: ');
    expect(() => parseRoutableAddress(text)).toThrow(message);
  });
});

describe('FalcoAudit with falco.address', () => {
  test('the kubeconfig names the address, with Falco path; the Service listens at that node port', () => {
    const audit = build({ address: 'http://10.0.0.5:30765' });
    expect(audit.url).toBe('http://10.0.0.5:30765/k8s-audit');
    const kubeconfig = audit.nodeFiles.find((f) => f.fileName === 'audit-webhook-kubeconfig.yaml')!.document as any;
    expect(kubeconfig.clusters[0].cluster.server).toBe(audit.url);
    const service = audit.falco.serviceObject.toJson();
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports.map((p: any) => p.nodePort)).toContain(30765);
    expect(audit.warnings.map((w) => w.message).join('\n')).not.toContain('127.0.0.1');
    expect(audit.validateOutput()).toEqual([]);
  });

  test('a nodePort that agrees is fine; one that differs, or a clusterIP beside it, is refused', () => {
    expect(build({ address: 'http://10.0.0.5:30765', nodePort: 30765 }).url).toBe('http://10.0.0.5:30765/k8s-audit');
    expect(() => build({ address: 'http://10.0.0.5:30765', nodePort: 30766 })).toThrow(
      "falco.address: falco.address names port 30765, but falco.nodePort is 30766: the address's port is the Service's node port",
    );
    expect(() => build({ address: 'http://10.0.0.5:30765', clusterIP: '10.96.0.100' })).toThrow(
      'falco.address: falco.address and falco.clusterIP are both set',
    );
  });

  test('a port outside the node port range, a scheme or a path Falco does not serve, are refused at falco.address', () => {
    expect(() => build({ address: 'http://10.0.0.5:8080' })).toThrow('falco.address: must be inside the service node port range 30000-32767');
    expect(() => build({ address: 'https://10.0.0.5:30765' })).toThrow('falco.address: is https, but Falco serves audit events over http');
    expect(() => build({ address: 'http://10.0.0.5:30765/audit' })).toThrow(
      'falco.address: names the path "/audit", but Falco serves audit events at "/k8s-audit"',
    );
  });
});
