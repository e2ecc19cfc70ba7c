import * as backendModule from '../../lib/apiserver/api-server-audit-backend';
import * as folders from '../../lib/apiserver/audit-folders';
import { DynamicBackend } from '../../lib/apiserver/backends/dynamic-backend';
import { WebhookBackend } from '../../lib/apiserver/backends/webhook-backend';
import * as manifestModule from '../../lib/apiserver/kube-apiserver-manifest';

test('the moved symbols stay importable from kube-apiserver-manifest', () => {
  expect(manifestModule.ApiServerAuditBackend).toBe(backendModule.ApiServerAuditBackend);
  expect(manifestModule.DEFAULT_AUDIT_LOG).toBe(folders.DEFAULT_AUDIT_LOG);
  expect(manifestModule.DEFAULT_AUDIT_DIRECTORY).toBe(folders.DEFAULT_AUDIT_DIRECTORY);
  expect(manifestModule.protectedFolderProblem).toBe(folders.protectedFolderProblem);
});

test('each backend is a plug-in of its own kind', () => {
  expect(new DynamicBackend().kind).toBe('dynamic');
  expect(new WebhookBackend({ server: 'https://falco.example:9765/k8s-audit' }).kind).toBe('webhook');
  expect(backendModule.ApiServerAuditBackend.dynamic().kind).toBe('dynamic');
  expect(backendModule.ApiServerAuditBackend.webhook({ server: 'https://falco.example:9765/k8s-audit' }).kind).toBe('webhook');
});
