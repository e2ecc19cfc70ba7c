import { generateKeyPairSync } from 'crypto';
import { validateWebhookServerUrl, WebhookKubeconfig } from '../../lib/audit/webhook-kubeconfig';
import { UserError } from '../../lib/core/errors';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n').toString('base64');

describe('WebhookKubeconfig', () => {
  test('http URL: one cluster, context and empty user', () => {
    expect(new WebhookKubeconfig({ server: 'http://10.96.0.50:8765/k8s-audit' }).toDocument()).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'falco', cluster: { server: 'http://10.96.0.50:8765/k8s-audit' } }],
      contexts: [{ name: 'falco', context: { cluster: 'falco', user: 'falco' } }],
      'current-context': 'falco',
      preferences: {},
      users: [{ name: 'falco', user: {} }],
    });
  });

  test('https URL with CA data and an IPv6 host', () => {
    const doc = new WebhookKubeconfig({
      server: 'https://[fd00::50]:9765/k8s-audit',
      certificateAuthorityData: CA,
      name: 'falco-k8saudit',
    }).toDocument() as any;
    expect(doc.clusters).toEqual([
      { name: 'falco-k8saudit', cluster: { server: 'https://[fd00::50]:9765/k8s-audit', 'certificate-authority-data': CA } },
    ]);
    expect(doc['current-context']).toBe('falco-k8saudit');
    expect(doc).toMatchSnapshot();
  });

  test.each([
    [{ server: 'ftp://10.0.0.1/x' }, 'server: url "ftp://10.0.0.1/x" must use http or https, not ftp'],
    [{ server: 'falco.falco.svc' }, 'server: url "falco.falco.svc" is not a valid absolute URL; desired format: http(s)://host[:port][/path]'],
    [{ server: 'http://a:b@10.0.0.1/x' }, 'user information is not permitted in the url'],
    [{ server: 'http://10.0.0.1/x?' }, 'query parameters are not permitted in the url'],
    [{ server: 'https://10.0.0.1/x', certificateAuthorityData: 'not base64!' }, 'certificateAuthorityData: must be base64 of a PEM CA certificate'],
    [
      { server: 'https://10.0.0.1/x', certificateAuthorityData: Buffer.from('hello').toString('base64') },
      'certificateAuthorityData: decodes to something other than a PEM certificate',
    ],
    [
      { server: 'http://10.0.0.1/x', certificateAuthorityData: CA },
      'certificateAuthorityData: certificateAuthorityData is set but the audit webhook URL "http://10.0.0.1/x" is http; use https or drop the CA',
    ],
    [{ server: 'http://10.0.0.1/x', name: 'Falco_1' }, 'name: kubeconfig name must be lowercase letters, digits, "-" and ".", got "Falco_1"'],
  ])('%j is refused', (props, message) => {
    expect(() => new WebhookKubeconfig(props)).toThrow(UserError);
    expect(() => new WebhookKubeconfig(props)).toThrow(message);
  });

  test('certificateAuthorityData with a private key in it is refused, without showing the key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const data = Buffer.from(Buffer.from(CA, 'base64').toString('utf8') + key).toString('base64');
    const make = () => new WebhookKubeconfig({ server: 'https://10.0.0.1/x', certificateAuthorityData: data });
    expect(make).toThrow(UserError);
    expect(make).toThrow(
      /^certificateAuthorityData: decodes to PEM with a private key \(line 4\); it would be written into the output, which is meant for Git/,
    );
    let message = '';
    try {
      make();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain(key.split('\n')[1]);
    expect(message).not.toContain(data.slice(0, 40));
  });

  test('certificateAuthorityData that is not well-formed PEM is refused at its decoded line', () => {
    const data = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n').toString('base64');
    expect(() => new WebhookKubeconfig({ server: 'https://10.0.0.1/x', certificateAuthorityData: data })).toThrow(
      'certificateAuthorityData: decodes to PEM that is not valid: line 1: the "CERTIFICATE" block begun here has no END line',
    );
  });

  test('validateWebhookServerUrl names the field it checks', () => {
    expect(() => validateWebhookServerUrl('nope', 'audit.webhook.server')).toThrow(/^audit\.webhook\.server: /);
    expect(validateWebhookServerUrl('http://127.0.0.1:30765/k8s-audit').port).toBe('30765');
  });
});
