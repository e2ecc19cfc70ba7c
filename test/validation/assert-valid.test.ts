import { UserErrors } from '../../lib/core/errors';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { assertValid, formatViolation, validateAll } from '../../lib/validation';
import { auditSink, clusterRole, daemonSet, legacySet, NS, Obj, RANGE, service } from './fixtures';

function thrown(fn: () => void): UserErrors {
  try {
    fn();
  } catch (e) {
    return e as UserErrors;
  }
  throw new Error('expected an error');
}

describe('assertValid', () => {
  test('passes on the realistic legacy set (1.18) and the static-webhook set (1.30)', () => {
    expect(() => assertValid(legacySet(), KubernetesVersion.of('1.18.2'), { serviceClusterIPRange: RANGE })).not.toThrow();
    expect(() => assertValid(legacySet(false), KubernetesVersion.of('1.30.0'), { serviceClusterIPRange: RANGE })).not.toThrow();
  });

  test('cdk8s-plus defaults on 1.18: every problem listed in one UserErrors', () => {
    const ds = daemonSet();
    Object.assign(ds.spec.template.spec, { setHostnameAsFQDN: false, automountServiceAccountToken: false, securityContext: { runAsNonRoot: true } });
    ds.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = false;
    const svc = service();
    Object.assign(svc.spec, { selector: {}, externalIPs: [] });
    const items = legacySet().map((i) =>
      i.source === 'DaemonSet falco' ? { ...i, object: ds } : i.source === 'Service falco' ? { ...i, object: svc } : i,
    );
    const err = thrown(() => assertValid(items, KubernetesVersion.of('1.18.2'), { serviceClusterIPRange: RANGE }));
    expect(err).toBeInstanceOf(UserErrors);
    expect(err.problems).toHaveLength(3);
    expect(err.message).toMatchSnapshot();
  });

  test('the legacy set unchanged on 1.19, and a chart namespace stamped on cluster-scoped objects', () => {
    const role = clusterRole();
    role.metadata.namespace = NS;
    const sink: Obj = auditSink();
    sink.metadata.namespace = NS;
    const items = legacySet().map((i) =>
      i.source === 'ClusterRole falco' ? { ...i, object: role } : i.source === 'AuditSink falco' ? { ...i, object: sink } : i,
    );
    expect(validateAll(items, KubernetesVersion.of('1.19.4'), { serviceClusterIPRange: RANGE }).map(formatViolation)).toMatchSnapshot();
  });

  test('an AuditSink wired to the Falco Service the way the legacy chart did it, on 1.14', () => {
    const sink: Obj = auditSink();
    sink.spec.webhook.clientConfig = { service: { namespace: NS, name: 'falco', port: 8765, path: '/k8s_audit' } };
    const items = legacySet().map((i) => (i.source === 'AuditSink falco' ? { ...i, object: sink } : i));
    const err = thrown(() => assertValid(items, KubernetesVersion.of('1.14.10'), { serviceClusterIPRange: RANGE }));
    expect(err.message).toMatchSnapshot();
  });
});
