/**
 * minikube has no schema: what can be checked is the `--extra-config` grammar and component list of minikube's source
 * (v1.38.1) and where the API server's files go (the folder the audit tutorial syncs into).
 */
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { MINIKUBE_EXTRA_CONFIG_COMPONENTS, validateMinikubeExtraConfig, validateMinikubeFilePaths } from '../../../lib/validation/distros';

const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

/** What the minikube target puts on the start line. */
const TARGET = [
  '--extra-config=apiserver.audit-policy-file=/etc/ssl/certs/falco-audit-policy.yaml',
  '--extra-config=apiserver.audit-webhook-config-file=/etc/ssl/certs/falco-audit-webhook.kubeconfig',
  '--extra-config=apiserver.audit-webhook-batch-max-wait=5s',
];

test("the target's start line and files pass, and so do the tutorial's own values", () => {
  expect(validateMinikubeExtraConfig(TARGET)).toEqual([]);
  expect(validateMinikubeExtraConfig(['apiserver.audit-policy-file=/etc/ssl/certs/audit-policy.yaml', 'apiserver.audit-log-path=-'])).toEqual([]);
  expect(validateMinikubeFilePaths(['/etc/ssl/certs/falco-audit-policy.yaml', '/etc/ssl/certs/falco-audit-webhook.kubeconfig'])).toEqual([]);
});

test("the components are minikube's KubeadmExtraConfigOpts", () => {
  expect(MINIKUBE_EXTRA_CONFIG_COMPONENTS).toEqual(['apiserver', 'controller-manager', 'scheduler', 'etcd', 'kubeadm', 'kubelet', 'kube-proxy']);
});

test('values minikube cannot parse, an unknown component, a flag with dashes and a repeated flag are refused', () => {
  const found = validateMinikubeExtraConfig([
    'audit-policy-file=/x',
    'apiserver.audit-policy-file',
    'api-server.audit-log-path=-',
    'apiserver.--audit-log-maxage=7',
    'apiserver.audit-webhook-batch-max-wait=5s',
    '--extra-config=apiserver.audit-webhook-batch-max-wait=10s',
    'apiserver.audit-log-path=-\u201d',
  ]);
  expect(rules(found)).toEqual([
    '--extra-config[0] minikube.extra-config',
    '--extra-config[1] minikube.extra-config',
    '--extra-config[2] minikube.extra-config',
    '--extra-config[3] minikube.extra-config',
    '--extra-config[5] minikube.extra-config',
    '--extra-config[6] minikube.extra-config',
  ]);
  expect(found.map(formatViolation)[2]).toBe(
    'minikube start: --extra-config[2]: "api-server" is not a component minikube configures: one of apiserver, controller-manager, scheduler, etcd, kubeadm, kubelet, kube-proxy (minikube.extra-config)',
  );
});

test('a file outside /etc/ssl/certs, one climbing out of it, and a .pem that minikube would take for a CA are refused', () => {
  expect(
    rules(
      validateMinikubeFilePaths(['/etc/kubernetes/audit.yaml', '/etc/ssl/certs/../x.yaml', 'etc/ssl/certs/a.yaml', '/etc/ssl/certs/falco-ca.pem']),
    ),
  ).toEqual(['files[0] minikube.file-path', 'files[1] minikube.file-path', 'files[2] minikube.file-path', 'files[3] minikube.file-path']);
});
