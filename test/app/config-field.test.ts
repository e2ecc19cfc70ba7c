import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { StaticPodManifest } from '../../lib/apiserver';
import { configField } from '../../lib/app/run-app';
import { UserError, UserErrors } from '../../lib/core/errors';
import { FalcoAudit, FalcoAuditProps } from '../../lib/falco-audit';

/**
 * The regex table configField replaced (one table of renamed props now also builds the props): same answers for
 * FalcoAudit's props. Inner fields of what FalcoAudit builds (Falco's `service.*`, the AuditSink's `service.*`) no
 * longer reach the app: FalcoAudit names them as its own props (tested below).
 */
const BEFORE: readonly [RegExp, string][] = [
  // not in the old table (no error named it): the manifest prop is the config's apiServer.manifest
  [/^apiServerManifest$/, 'apiServer.manifest'],
  [/^serviceClusterIPRange$/, 'apiServer.serviceClusterIPRange'],
  [/^backend$/, 'audit.backend'],
  [/^falco\.webserverTlsSecret$/, 'falco.tlsSecret'],
  [/^falco\.falcoVersion$/, 'falco.version'],
  [/^auditSink\.(qps|burst)$/, 'audit.auditSink.throttle.$1'],
  [/^auditSink\.caBundle$/, 'audit.auditSink.certificateAuthority'],
  [/^auditSink\.useServiceReference$/, 'audit.auditSink.serviceReference'],
  [/^auditSink(\..*)?$/, 'audit.auditSink$1'],
  [/^webhook\.certificateAuthorityData$/, 'audit.webhook.certificateAuthority'],
  [/^webhook\.replaceExistingWebhook$/, 'audit.webhook.replaceExisting'],
  [/^webhook(\..*)?$/, 'audit.webhook$1'],
];
const before = (p: string) => {
  for (const [pattern, replacement] of BEFORE) if (pattern.test(p)) return p.replace(pattern, replacement);
  return p;
};

test.each([
  'serviceClusterIPRange',
  'backend',
  'kubernetesVersion',
  'apiServerManifest',
  'falco',
  'falco.releaseName',
  'falco.namespace',
  'falco.clusterIP',
  'falco.nodePort',
  'falco.webserverTlsSecret',
  'falco.falcoVersion',
  'falco.values[0].x',
  'falco.k8sAudit.port',
  'auditSink',
  'auditSink.name',
  'auditSink.level',
  'auditSink.stages[1]',
  'auditSink.qps',
  'auditSink.burst',
  'auditSink.caBundle',
  'auditSink.useServiceReference',
  'auditSink.serviceX',
  'webhook',
  'webhook.policy',
  'webhook.mode',
  'webhook.auditLog.path',
  'webhook.certificateAuthorityData',
  'webhook.replaceExistingWebhook',
  'webhooks',
])('configField(%s) is what the regex table said', (p) => {
  expect(configField(p)).toBe(before(p));
});

describe('FalcoAudit names the fields of what it builds as its own props', () => {
  const manifest = (dir: string) =>
    StaticPodManifest.fromFile(path.join(__dirname, '..', '..', 'examples', dir, 'kube-apiserver.yaml'), 'kube-apiserver.yaml');
  const fieldsOf = (props: FalcoAuditProps): string[] => {
    try {
      new FalcoAudit(new Chart(Testing.app(), 'test'), 'FalcoAudit', props);
    } catch (err) {
      if (UserErrors.isUserErrors(err)) return err.errors.map((e) => e.location.field ?? '');
      if (UserError.isUserError(err)) return [err.location.field ?? ''];
      throw err;
    }
    throw new Error('no error');
  };

  test("Falco's Service address is falco.clusterIP (Falco's own field is service.clusterIP)", () => {
    const fields = fieldsOf({ apiServerManifest: manifest('default'), falco: { clusterIP: 'not-an-ip' } });
    expect(fields).toContain('falco.clusterIP');
    expect(fields.filter((f) => f.includes('service'))).toEqual([]);
    expect(configField('falco.clusterIP')).toBe('falco.clusterIP');
  });

  test("the AuditSink's service reference is auditSink.useServiceReference (its own field is service)", () => {
    const fields = fieldsOf({
      apiServerManifest: manifest('default'),
      falco: { clusterIP: '10.96.0.100' },
      auditSink: { useServiceReference: true },
    });
    expect(fields).toEqual(['auditSink.useServiceReference']);
    expect(configField(fields[0])).toBe('audit.auditSink.serviceReference');
  });
});
