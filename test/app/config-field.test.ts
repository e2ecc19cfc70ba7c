import { configField } from '../../lib/app/run-app';

/** The regex table configField replaced (one table of renamed props now also builds the props): same answers. */
const BEFORE: readonly [RegExp, string][] = [
  [/^serviceClusterIPRange$/, 'apiServer.serviceClusterIPRange'],
  [/^backend$/, 'audit.backend'],
  [/^falco\.webserverTlsSecret$/, 'falco.tlsSecret'],
  [/^falco\.falcoVersion$/, 'falco.version'],
  [/^falco\.service\.(clusterIP|nodePort)$/, 'falco.$1'],
  [/^auditSink\.(qps|burst)$/, 'audit.auditSink.throttle.$1'],
  [/^auditSink\.caBundle$/, 'audit.auditSink.certificateAuthority'],
  [/^auditSink\.(useServiceReference|service(\..*)?)$/, 'audit.auditSink.serviceReference'],
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
  'falco.service.clusterIP',
  'falco.service.nodePort',
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
  'auditSink.service',
  'auditSink.service.port',
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
