import { generateKeyPairSync } from 'crypto';
import { Chart, Testing } from 'cdk8s';
import { AuditLevel, AuditStage, FalcoAuditSink, FalcoAuditSinkProps } from '../../lib/audit/falco-audit-sink';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';

const v118 = KubernetesVersion.of('1.18.2');
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTONLY\n-----END CERTIFICATE-----\n').toString('base64');
/** A real private key, made per run (PKCS#8 PEM). */
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function synth(props: Partial<FalcoAuditSinkProps>, namespace?: string): any[] {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  new FalcoAuditSink(chart, 'AuditSink', { kubernetesVersion: v118, url: 'http://10.96.0.100:8765/k8s-audit', ...props });
  return chart.toJson();
}

describe('FalcoAuditSink', () => {
  test('defaults are the working form of the manual procedure', () => {
    const [sink] = synth({});
    expect(sink).toEqual({
      apiVersion: 'auditregistration.k8s.io/v1alpha1',
      kind: 'AuditSink',
      metadata: { name: 'falco' },
      spec: {
        policy: { level: 'RequestResponse', stages: ['ResponseComplete', 'ResponseStarted'] },
        webhook: { clientConfig: { url: 'http://10.96.0.100:8765/k8s-audit' }, throttle: { burst: 15, qps: 10 } },
      },
    });
  });

  test('is cluster-scoped even in a chart with a namespace', () => {
    const [sink] = synth({}, 'falco');
    expect(sink.metadata).toEqual({ name: 'falco' });
  });

  test('a service reference with TLS, on 1.15+ with a port', () => {
    const [sink] = synth({
      url: undefined,
      service: { namespace: 'falco', name: 'falco', port: 8765, path: '/k8s-audit' },
      caBundle: CA,
    });
    expect(sink.spec.webhook.clientConfig).toEqual({
      caBundle: CA,
      service: { name: 'falco', namespace: 'falco', path: '/k8s-audit', port: 8765 },
    });
  });

  test('level None may have no stages', () => {
    const [sink] = synth({ level: AuditLevel.NONE, stages: [] });
    expect(sink.spec.policy).toEqual({ level: 'None', stages: [] });
  });

  test.each<[string, Partial<FalcoAuditSinkProps>, RegExp]>([
    ['1.19', { kubernetesVersion: KubernetesVersion.of('1.19.0') }, /AuditSink does not exist on Kubernetes 1\.19\.0.*webhook backend/],
    ['a bad name', { name: 'Falco_Sink' }, /auditsink name "Falco_Sink" must be a DNS-1123 subdomain/],
    ['a bad level', { level: 'Everything' as AuditLevel }, /audit level must be one of None, Metadata, Request, RequestResponse, got "Everything"/],
    ['a bad stage', { stages: ['Done' as AuditStage] }, /audit stage must be one of .* got "Done"/],
    ['no stages', { stages: [] }, /stages must not be empty when the level is RequestResponse/],
    ['qps 0', { qps: 0 }, /throttle qps must be a whole number greater than 0, got 0/],
    ['negative burst', { burst: -1 }, /throttle burst .* got -1/],
    ['neither url nor service', { url: undefined }, /exactly one of url and service, got neither/],
    ['both url and service', { service: { namespace: 'falco', name: 'falco' }, caBundle: 'x' }, /got both/],
    ['a url with user info', { url: 'http://u:p@10.0.0.1:8765/k8s-audit' }, /user information is not permitted in the url/],
    ['a url with a query', { url: 'http://10.0.0.1:8765/k8s-audit?x=1' }, /query parameters are not permitted in the url/],
    ['a url with a fragment', { url: 'http://10.0.0.1:8765/k8s-audit#x' }, /fragments are not permitted in the url/],
    ['a relative url', { url: '/k8s-audit' }, /is not a valid absolute URL/],
    [
      'a caBundle that is no PEM certificate',
      { url: 'https://10.0.0.1:8765/k8s-audit', caBundle: Buffer.from('hello').toString('base64') },
      /^caBundle: decodes to something other than a PEM certificate/,
    ],
    ['a non-http url', { url: 'ftp://10.0.0.1/k8s-audit' }, /must use http or https, not ftp/],
    [
      'a caBundle with a private key (a cert + key PEM base64-encoded whole)',
      { url: 'https://10.0.0.1:8765/k8s-audit', caBundle: Buffer.from(Buffer.from(CA, 'base64').toString('utf8') + KEY).toString('base64') },
      /^caBundle: decodes to PEM with a private key \(line 4\); it would be written into the output, which is meant for Git\. Give base64 of the CA certificate alone/,
    ],
    ['a service without TLS', { url: undefined, service: { namespace: 'falco', name: 'falco', port: 8765 } }, /needs TLS.*HTTPS/],
    [
      'a service path with an underscore',
      { url: undefined, service: { namespace: 'falco', name: 'falco', path: '/k8s_audit' }, caBundle: 'x' },
      /DNS-1123 subdomain segments.*"\/k8s_audit"/,
    ],
    [
      'a service port on 1.14',
      {
        kubernetesVersion: KubernetesVersion.of('1.14.0'),
        url: undefined,
        service: { namespace: 'falco', name: 'falco', port: 8765 },
        caBundle: 'x',
      },
      /service port is not accepted by Kubernetes 1\.14\.0/,
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
