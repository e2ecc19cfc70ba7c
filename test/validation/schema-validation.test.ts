import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { formatViolation, knownKinds, validateAll, validateManifest } from '../../lib/validation';
import { auditPolicy, auditSink, daemonSet, legacySet, Obj, RANGE, staticPod, webhookKubeconfig } from './fixtures';

const v = (s: string) => KubernetesVersion.of(s);
const rules = (vs: { rule: string }[]) => vs.map((x) => x.rule);

function podWith(spec: Obj): Obj {
  const pod = staticPod();
  Object.assign(pod.spec, spec);
  return pod;
}

describe('strict schema per minor', () => {
  test('setHostnameAsFQDN in a Pod spec is an unknown field on 1.18 and accepted on 1.19', () => {
    const pod = podWith({ setHostnameAsFQDN: false });
    expect(validateManifest(pod, v('1.18.2'), 'node/kube-apiserver.yaml')).toEqual([
      {
        source: 'node/kube-apiserver.yaml',
        path: 'spec.setHostnameAsFQDN',
        rule: 'schema.unknown-field',
        message: 'unknown field "setHostnameAsFQDN": not in the Kubernetes 1.18 v1 Pod schema',
        value: false,
      },
    ]);
    expect(validateManifest(pod, v('1.19.0'))).toEqual([]);
  });

  test('an unknown field deep inside a DaemonSet template is reported with its path', () => {
    const ds = daemonSet();
    ds.spec.template.spec.containers[0].securityContext.privilegedd = true;
    const found = validateManifest(ds, v('1.30'));
    expect(found.map(formatViolation)).toEqual([
      'DaemonSet falco: spec.template.spec.containers[0].securityContext.privilegedd: unknown field "privilegedd": not in the Kubernetes 1.30 apps/v1 DaemonSet schema (schema.unknown-field)',
    ]);
  });

  test('AuditSink is accepted on 1.18 and 1.13 (1.14 schema), rejected on 1.19', () => {
    expect(validateManifest(auditSink(), v('1.18'))).toEqual([]);
    expect(validateManifest(auditSink(), v('1.13.4'))).toEqual([]);
    expect(validateManifest(auditSink(), v('1.19'))).toEqual([
      {
        source: 'AuditSink falco',
        path: '',
        rule: 'unknown-kind',
        message: 'auditregistration.k8s.io/v1alpha1 AuditSink is not served by Kubernetes 1.19.0 (only by 1.13-1.18)',
        value: 'auditregistration.k8s.io/v1alpha1/AuditSink',
      },
    ]);
  });

  test('AuditSink service port is unknown to the 1.14 schema and known from 1.15', () => {
    const sink = auditSink();
    sink.spec.webhook.clientConfig = { service: { name: 'falco', namespace: 'falco', port: 8765, path: '/k8s-audit' } };
    expect(rules(validateManifest(sink, v('1.14')))).toEqual(['schema.unknown-field']);
    expect(validateManifest(sink, v('1.15'))).toEqual([]);
  });

  test('PodSecurityPolicy is served up to 1.24, gone on 1.25', () => {
    const psp = {
      apiVersion: 'policy/v1beta1',
      kind: 'PodSecurityPolicy',
      metadata: { name: 'falco' },
      spec: {
        privileged: true,
        seLinux: { rule: 'RunAsAny' },
        runAsUser: { rule: 'RunAsAny' },
        supplementalGroups: { rule: 'RunAsAny' },
        fsGroup: { rule: 'RunAsAny' },
        volumes: ['hostPath'],
      },
    };
    expect(validateManifest(psp, v('1.24'))).toEqual([]);
    expect(validateManifest(psp, v('1.25')).map((x) => x.message)).toEqual([
      'policy/v1beta1 PodSecurityPolicy is not served by Kubernetes 1.25.0 (only by 1.13-1.24)',
    ]);
  });

  test('rbac v1beta1 is served up to 1.21, gone on 1.22', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kind: 'ClusterRole', metadata: { name: 'falco' }, rules: [] };
    expect(validateManifest(role, v('1.21'))).toEqual([]);
    expect(rules(validateManifest(role, v('1.22')))).toEqual(['unknown-kind']);
  });

  test('a kind the project does not emit is unknown on every minor', () => {
    const found = validateManifest({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' } }, v('1.30'));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^unknown apiVersion\/kind batch\/v1 Job: not a kind this project emits \(apps\/v1\/DaemonSet, /);
  });

  test('wrong types, int-or-string, quantities, int32 range, base64 data, missing fields', () => {
    const pod = staticPod();
    pod.metadata.labels.tier = 3;
    pod.spec.containers[0].livenessProbe.httpGet.port = 1.5;
    pod.spec.containers[0].resources = { limits: { cpu: true } };
    pod.spec.containers[0].ports = [{ containerPort: 99999999999 }];
    delete pod.spec.containers[0].name;
    expect(validateManifest(pod, v('1.28')).map(formatViolation)).toEqual([
      'Pod kube-apiserver: metadata.labels.tier: must be of type string, not integer 3 (schema.type)',
      'Pod kube-apiserver: spec.containers[0].name: required field "name" is missing (schema.required)',
      'Pod kube-apiserver: spec.containers[0].livenessProbe.httpGet.port: must be string or integer, not number 1.5 (schema.type)',
      'Pod kube-apiserver: spec.containers[0].ports[0].containerPort: 99999999999 is out of range: must be <= 2147483647 (schema.range)',
      'Pod kube-apiserver: spec.containers[0].resources.limits.cpu: must be string or number, not boolean true (schema.type)',
    ]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'falco' }, data: { 'tls.pem': 'not base64!' } };
    expect(validateManifest(secret, v('1.20')).map(formatViolation)).toEqual([
      'Secret s: data["tls.pem"]: must be base64-encoded data, not "not base64!" (schema.pattern)',
    ]);
    secret.data['tls.pem'] = Buffer.from('pem').toString('base64');
    expect(validateManifest(secret, v('1.20'))).toEqual([]);
  });

  test('int64 range: beyond it in either direction fails, 2^53 - 1 and -2^63 pass (issue 23)', () => {
    const pod = staticPod();
    const container = pod.spec.containers[0];
    pod.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1e20 }];
    pod.spec.securityContext = { runAsUser: -(2 ** 63) - 4096, fsGroup: Number.MAX_SAFE_INTEGER, runAsGroup: -(2 ** 63) };
    container.livenessProbe.terminationGracePeriodSeconds = 2 ** 63;
    expect(validateManifest(pod, v('1.30')).map(formatViolation)).toEqual([
      'Pod kube-apiserver: spec.containers[0].livenessProbe.terminationGracePeriodSeconds: 9223372036854776000 is out of range: must be <= ' +
        '9223372036854775807 (a 64-bit integer) (a number beyond 2^53 is read rounded: what is written out is this value) (schema.range)',
      'Pod kube-apiserver: spec.securityContext.runAsUser: -9223372036854780000 is out of range: must be >= -9223372036854775808 (a 64-bit integer) ' +
        '(a number beyond 2^53 is read rounded: what is written out is this value) (schema.range)',
      'Pod kube-apiserver: spec.tolerations[0].tolerationSeconds: 100000000000000000000 is out of range: must be <= 9223372036854775807 (a 64-bit integer) ' +
        '(a number beyond 2^53 is read rounded: what is written out is this value) (schema.range)',
    ]);
  });

  test('a null field counts as absent, as the API server decodes it', () => {
    const ds = daemonSet();
    ds.spec.template.spec.containers[0].env = null;
    expect(validateManifest(ds, v('1.18'))).toEqual([]);
  });

  test('input that is not an object, or lacks apiVersion/kind', () => {
    expect(validateManifest('kind: Pod', v('1.18'), 'x.yaml').map(formatViolation)).toEqual([
      'x.yaml: must be an object, not string "kind: Pod" (schema.type)',
    ]);
    expect(validateManifest(42, v('1.18'), 'x.yaml')[0].message).toBe('must be an object, not integer 42');
    expect(validateManifest({ kind: 'Pod' }, v('1.18'), 'x.yaml').map(formatViolation)).toEqual([
      'x.yaml: apiVersion: required field "apiVersion" is missing or not a string (schema.required)',
    ]);
  });

  test('every supported minor knows the core kinds, and the realistic set validates where it applies', () => {
    for (const minor of KubernetesVersion.SUPPORTED_MINORS) {
      const version = v(`1.${minor}`);
      expect(knownKinds(version)).toEqual(
        expect.arrayContaining(['v1/Pod', 'apps/v1/DaemonSet', 'v1/Service', 'audit.k8s.io/v1/Policy', 'v1/Config']),
      );
      const found = validateAll(legacySet(version.supportsDynamicAuditing), version, { serviceClusterIPRange: RANGE });
      expect({ minor, found: found.map(formatViolation) }).toEqual({ minor, found: [] });
    }
  });
});

describe('audit Policy (audit.k8s.io/v1), hand-written strict schema', () => {
  test('a real policy passes', () => {
    expect(validateManifest(auditPolicy(), v('1.18'))).toEqual([]);
  });

  test('unknown fields, bad levels and stages, no rules', () => {
    const policy = auditPolicy();
    policy.rules[0].level = 'Everything';
    policy.rules[1].omitStage = ['RequestReceived'];
    policy.omitStages = ['Received'];
    expect(validateManifest(policy, v('1.24'), 'node/audit-policy.yaml').map(formatViolation)).toEqual([
      'node/audit-policy.yaml: omitStages[0]: must be one of "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic", not "Received" (schema.enum)',
      'node/audit-policy.yaml: rules[0].level: must be one of "None", "Metadata", "Request", "RequestResponse", not "Everything" (schema.enum)',
      'node/audit-policy.yaml: rules[1].omitStage: unknown field "omitStage": not in the Kubernetes 1.24 audit.k8s.io/v1 Policy schema (schema.unknown-field)',
    ]);
    expect(rules(validateManifest({ ...auditPolicy(), rules: [] }, v('1.24')))).toEqual(['schema.min-items']);
    expect(rules(validateManifest({ ...auditPolicy(), apiVersion: 'audit.k8s.io/v1beta1' }, v('1.24')))).toEqual(['unknown-kind']);
  });

  test('omitManagedFields exists from 1.23', () => {
    const policy = { ...auditPolicy(), omitManagedFields: true };
    expect(rules(validateManifest(policy, v('1.22')))).toEqual(['schema.unknown-field']);
    expect(validateManifest(policy, v('1.23'))).toEqual([]);
  });
});

describe('webhook kubeconfig (v1 Config), hand-written strict schema', () => {
  test('a real webhook kubeconfig passes', () => {
    const config = webhookKubeconfig();
    config.clusters[0].cluster['certificate-authority-data'] = Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64');
    expect(validateManifest(config, v('1.30'))).toEqual([]);
  });

  test('typos, a blank server and no clusters are caught', () => {
    const config = webhookKubeconfig();
    config.clusters[0].cluster.server = ' ';
    config.clusters[0].cluster['insecure-skip-tls-verfy'] = true;
    expect(validateManifest(config, v('1.30'), 'node/audit-webhook.kubeconfig').map(formatViolation)).toEqual([
      'node/audit-webhook.kubeconfig: clusters[0].cluster.insecure-skip-tls-verfy: unknown field "insecure-skip-tls-verfy": not in the Kubernetes 1.30 v1 Config schema (schema.unknown-field)',
      'node/audit-webhook.kubeconfig: clusters[0].cluster.server: " " must not be blank (schema.pattern)',
    ]);
    expect(rules(validateManifest({ ...webhookKubeconfig(), clusters: [] }, v('1.30')))).toEqual(['schema.min-items']);
  });
});

describe('JSON patch files (kubeadm --patches)', () => {
  test('a kubeadm JSON patch passes', () => {
    const patch = [
      { op: 'test', path: '/spec/containers/0/name', value: 'kube-apiserver' },
      { op: 'add', path: '/spec/containers/0/command/-', value: '--audit-policy-file=/etc/kubernetes/audit/policy.yaml' },
      { op: 'remove', path: '/spec/containers/0/command/5' },
      { op: 'copy', from: '/spec/volumes/0', path: '/spec/volumes/-' },
    ];
    expect(validateManifest(patch, v('1.28'), 'node/kube-apiserver+json.yaml')).toEqual([]);
  });

  test('bad operations are reported one by one', () => {
    const patch = [{ op: 'append', path: '/x' }, { op: 'add', path: 'spec/x' }, { op: 'remove', path: '/a', value: 1 }, 'x'];
    expect(validateManifest(patch, v('1.28'), 'node/kube-apiserver+json.yaml').map(formatViolation)).toEqual([
      'node/kube-apiserver+json.yaml: [0].op: op must be one of add, replace, test, remove, move, copy, not "append" (json-patch)',
      'node/kube-apiserver+json.yaml: [1].value: required field "value" is missing for op add (json-patch)',
      'node/kube-apiserver+json.yaml: [1].path: path must be a JSON pointer such as /spec/containers/0/command, not "spec/x" (json-patch)',
      'node/kube-apiserver+json.yaml: [2].value: unknown field "value" for op remove (json-patch)',
      'node/kube-apiserver+json.yaml: [3]: a JSON patch operation must be an object, not string "x" (json-patch)',
    ]);
    expect(rules(validateManifest([], v('1.28')))).toEqual(['json-patch']);
  });
});
