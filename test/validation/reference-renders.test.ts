/*
 * Real `helm template` renders (../shared/reference) through validateAll. Reads ../shared only for
 * this reference comparison; skipped, with a message, when that folder is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { formatViolation, validateAll, ValidationItem } from '../../lib/validation';

const REFERENCE = path.resolve(__dirname, '..', '..', '..', 'shared', 'reference');
const LEGACY = path.join(REFERENCE, 'stable-falco-1.1.1-audit-dynamic.yaml');
const MODERN = path.join(REFERENCE, 'falco-9.1.0-k8saudit.yaml');
const present = fs.existsSync(LEGACY) && fs.existsSync(MODERN);
if (!present) {
  console.warn(`reference-renders.test.ts: skipped, ${REFERENCE} is missing (the shared reference renders are not checked out)`);
}
const maybe = present ? describe : describe.skip;

type Obj = Record<string, any>;

function load(file: string): Obj[] {
  return (yaml.loadAll(fs.readFileSync(file, 'utf8')) as Obj[]).filter((d) => d && typeof d === 'object');
}

function items(objects: Obj[]): ValidationItem[] {
  return objects.map((o) => ({ source: `${o.kind} ${o.metadata.name}`, object: o }));
}

const CLUSTER_SCOPED = ['ClusterRole', 'ClusterRoleBinding', 'AuditSink'];

maybe('reference renders', () => {
  test('stable/falco 1.1.1 (dynamic audit) on 1.18: real deviations are found, and the fixed set validates', () => {
    const objects = load(LEGACY);
    const v118 = KubernetesVersion.of('1.18.2');
    expect(validateAll(items(objects), v118, { serviceClusterIPRange: '10.96.0.0/12' }).map(formatViolation)).toEqual([
      'ServiceAccount falco: metadata.namespace: ServiceAccount is namespaced and needs an explicit metadata.namespace (namespace-scope)',
      'ConfigMap falco: metadata.namespace: ConfigMap is namespaced and needs an explicit metadata.namespace (namespace-scope)',
      'Service falco: metadata.namespace: Service is namespaced and needs an explicit metadata.namespace (namespace-scope)',
      'Service falco: spec.ports[0].port: target port 8765/TCP is not a container port of the selected pods (they declare none) (service-selector)',
      'DaemonSet falco: metadata.namespace: DaemonSet is namespaced and needs an explicit metadata.namespace (namespace-scope)',
    ]);
    // What `helm install --namespace falco` does, plus the container port the webserver listens on.
    for (const o of objects) if (!CLUSTER_SCOPED.includes(o.kind)) o.metadata.namespace = 'falco';
    const ds = objects.find((o) => o.kind === 'DaemonSet')!;
    ds.spec.template.spec.containers[0].ports = [{ containerPort: 8765, protocol: 'TCP', name: 'audit' }];
    expect(validateAll(items(objects), v118, { serviceClusterIPRange: '10.96.0.0/12' })).toEqual([]);
    // The same objects on 1.22: rbac v1beta1 and AuditSink are gone.
    expect(validateAll(items(objects), KubernetesVersion.of('1.22')).map((v) => `${v.source}: ${v.rule}`)).toEqual([
      'ClusterRole falco: unknown-kind',
      'ClusterRoleBinding falco: unknown-kind',
      'AuditSink falco: unknown-kind',
    ]);
  });

  test('falco 9.1.0 (k8saudit plugin) on 1.30: real deviations are found, and the fixed set validates', () => {
    const objects = load(MODERN);
    const v130 = KubernetesVersion.of('1.30.1');
    expect(validateAll(items(objects), v130, { serviceClusterIPRange: '10.96.0.0/12' }).map(formatViolation)).toEqual([
      'Role falco: rules[0].verbs[2]: verb "update" is not read-only: Falco\'s rules may only use get, list and watch (or use of named PodSecurityPolicies) (rbac-read-only)',
      'Service falco-k8saudit-webhook: spec.ports[0].port: target port 9765/TCP is not a container port of the selected pods (web=8765/TCP) (service-selector)',
    ]);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    deployment.spec.template.spec.containers[0].ports.push({ containerPort: 9765, name: 'k8saudit', protocol: 'TCP' });
    objects.find((o) => o.kind === 'Role')!.rules[0].verbs = ['get', 'list'];
    expect(validateAll(items(objects), v130, { serviceClusterIPRange: '10.96.0.0/12' })).toEqual([]);
  });
});
