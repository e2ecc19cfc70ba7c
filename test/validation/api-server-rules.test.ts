/*
 * The API server's field checks (issue 14, section 3): for each rule, inputs it must accept next to the ones it
 * must refuse (the refusals of whole objects are in api-server-rule-cases.ts, run by semantic-rules.test.ts).
 */
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import * as V from '../../lib/validation';
import { compareQuantities, isWholeQuantity, parseQuantity } from '../../lib/validation/quantity';
import { apiServerValueProblems, chartApiServerValueProblems, parseRulePath } from '../../lib/falco/values-api-checks';
import { auditSink, clusterRoleBinding, daemonSet, NS, Obj } from './fixtures';

const V118 = KubernetesVersion.of('1.18.2');
const V125 = KubernetesVersion.of('1.25.0');
const V132 = KubernetesVersion.of('1.32.0');

function check(rule: V.SemanticRule, object: Obj, version = V118): string[] {
  const item = { source: `${object.kind} ${object.metadata?.name ?? ''}`.trim(), object };
  return rule(item, { version, items: [item] }).map((v) => v.message);
}
const pod = (edit: (spec: Obj, container: Obj) => void): Obj => {
  const d = daemonSet();
  edit(d.spec.template.spec, d.spec.template.spec.containers[0]);
  return d;
};
const withEnv = (...names: string[]) =>
  pod((_s, c) => {
    c.env = names.map((name) => ({ name, value: 'x' }));
  });
const withResources = (resources: Obj) =>
  pod((_s, c) => {
    c.resources = resources;
  });
const withStrategy = (updateStrategy: Obj) => {
  const d = daemonSet();
  d.spec.updateStrategy = updateStrategy;
  return d;
};
const ok = (fn: (s: string) => string[], values: string[]) => values.forEach((v) => expect({ v, p: fn(v) }).toEqual({ v, p: [] }));
const bad = (fn: (s: string) => string[], values: string[]) => values.forEach((v) => expect({ v, n: fn(v).length > 0 }).toEqual({ v, n: true }));

describe('names (apimachinery validation.go)', () => {
  test('ConfigMap keys: IsConfigMapKey', () => {
    ok(V.configMapKeyProblems, ['rules.yaml', 'k8s_audit-rules.yaml', '.hidden', 'a'.repeat(253), '.a..b']);
    bad(V.configMapKeyProblems, ['', '.', '..', '..x', '../../etc/passwd', 'a/b', 'a b', 'a'.repeat(254)]);
  });
  test('environment variable names before 1.32: IsEnvVarName', () => {
    ok(V.envVarNameProblems, ['TZ', 'http_proxy', 'my.env-name', '_X', 'MyEnvName1', '.a']);
    bad(V.envVarNameProblems, ['', '1A', 'A=B', 'A\nB', 'A B', '.', '..', '..a', 'é']);
  });
  test('environment variable names from 1.32: IsRelaxedEnvVarName', () => {
    ok(V.relaxedEnvVarNameProblems, ['1A', 'A B', 'a-b.c', '!@#$%^&*()', '..']);
    bad(V.relaxedEnvVarNameProblems, ['', 'A=B', 'A\nB', 'A\tB', 'é', '\x7f']);
  });
  test('percents: IsValidPercent', () => {
    ok(V.percentProblems, ['0%', '25%', '100%', '150%']);
    bad(V.percentProblems, ['25', '%', '-1%', '1.5%', ' 5%']);
  });
});

describe('quantities', () => {
  const q = (v: unknown) => parseQuantity(v)!;
  test('the forms ParseQuantity takes', () => {
    for (const v of ['1', '+1', '0.5', '.5', '1.', '100m', '512Mi', '1Gi', '1e3', '1E3', '1E', '2k', '-1', 0.5, 3, 1e-7])
      expect({ v, q: parseQuantity(v) !== undefined }).toEqual({ v, q: true });
    for (const v of ['', 'lots', '1 Gi', '1gi', '1KB', '--1', 'e3', '1e', Infinity, NaN, null, true])
      expect({ v, q: parseQuantity(v) }).toEqual({ v, q: undefined });
  });
  test('compares exactly across suffixes', () => {
    expect(compareQuantities(q('1'), q('1000m'))).toBe(0);
    expect(compareQuantities(q('1Ki'), q('1k'))).toBe(1);
    expect(compareQuantities(q('1024Mi'), q('1Gi'))).toBe(0);
    expect(compareQuantities(q('0.1'), q('100m'))).toBe(0);
    expect(compareQuantities(q('1e3'), q('1k'))).toBe(0);
    expect(compareQuantities(q('300m'), q('200m'))).toBe(1);
    expect(compareQuantities(q(0.5), q('1'))).toBe(-1);
    expect(q('-0').negative).toBe(false);
    expect(q('-1m').negative).toBe(true);
  });
  test('huge exponents parse without arithmetic, and are not compared', () => {
    const huge = q('1e99999999');
    expect(huge.negative).toBe(false);
    expect(compareQuantities(huge, q('1'))).toBeUndefined();
    expect(isWholeQuantity(q('1.5'))).toBe(false);
    expect(isWholeQuantity(q('1500m'))).toBe(false);
    expect(isWholeQuantity(q('2000m'))).toBe(true);
  });
});

describe('each rule accepts what the API server accepts', () => {
  test('hostPath: absolute paths and dots inside names', () => {
    expect(
      check(
        V.checkHostPathTypes,
        pod((s) => {
          s.volumes[0].hostPath.path = '/var/run/docker.sock';
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        V.checkHostPathTypes,
        pod((s) => {
          s.volumes[0].hostPath.path = '/var/..hidden/a..b/.';
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        V.checkHostPathTypes,
        pod((s) => {
          s.volumes[0].hostPath.path = '/var/../etc';
        }),
      ),
    ).toHaveLength(1);
  });
  test('volume mounts: the same path in two containers', () => {
    const d = daemonSet();
    d.spec.template.spec.containers.push({ name: 'sidecar', image: 'x', volumeMounts: [{ name: 'dev-fs', mountPath: '/host/dev' }] });
    expect(check(V.checkVolumeMounts, d)).toEqual([]);
  });
  test('subPath and subPathExpr: relative paths with dots inside names, one of the two', () => {
    const d = pod((_s, c) => {
      c.volumeMounts[0].subPath = 'a/..b/c..';
      c.volumeMounts[1].subPathExpr = '$(POD_NAME)/./x';
      c.volumeMounts[2].subPath = '';
    });
    expect(check(V.checkVolumeMountSubPaths, d)).toEqual([]);
  });
  test('security contexts: root, the largest id, both fsGroupChangePolicy values', () => {
    const d = pod((s, c) => {
      s.securityContext = {
        runAsUser: 0,
        runAsGroup: 2147483647,
        fsGroup: 0,
        supplementalGroups: [0, 2147483647],
        fsGroupChangePolicy: 'OnRootMismatch',
      };
      c.securityContext = { privileged: true, runAsUser: 2147483647, runAsGroup: 0 };
    });
    expect(check(V.checkSecurityContexts, d)).toEqual([]);
    d.spec.template.spec.securityContext.fsGroupChangePolicy = 'Always';
    expect(check(V.checkSecurityContexts, d)).toEqual([]);
  });
  test('hugepages: whole pages (0 included) from 1.21; before 1.21 any quantity', () => {
    const huge = (limit: string) => withResources({ limits: { memory: '1Gi', 'hugepages-2Mi': limit }, requests: { 'hugepages-2Mi': limit } });
    const v121 = KubernetesVersion.of('1.21.0');
    for (const limit of ['4Mi', '0', '2097152', '1Gi'])
      expect({ limit, p: check(V.checkResourceQuantities, huge(limit), v121) }).toEqual({ limit, p: [] });
    expect(check(V.checkResourceQuantities, huge('3Mi'), v121)).toHaveLength(1);
    expect(check(V.checkResourceQuantities, huge('3Mi'), KubernetesVersion.of('1.20.0'))).toEqual([]);
  });
  test('config data: the chart keys, 1 MiB exactly', () => {
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NS }, data });
    expect(check(V.checkConfigData, cm({ 'falco.yaml': 'a', 'k8s_audit_rules.yaml': 'b', '.dot': 'c' }))).toEqual([]);
    expect(check(V.checkConfigData, cm({ big: 'x'.repeat(1024 * 1024) }))).toEqual([]);
    expect(check(V.checkConfigData, cm({ big: 'x'.repeat(1024 * 1024 + 1) }))).toHaveLength(1);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x', namespace: NS },
      data: { aws_access_key_id: 'eA==', 'bad/key': 'eA==' },
    };
    expect(check(V.checkConfigData, secret)).toEqual(["Secret key \"bad/key\" must consist of alphanumerics, '-', '_' or '.'"]);
  });
  test('environment: distinct names; names 1.32 relaxed are fine there only', () => {
    expect(check(V.checkContainerEnv, withEnv('TZ', 'http_proxy', 'my.env-name'))).toEqual([]);
    expect(check(V.checkContainerEnv, withEnv('1A', 'A B'), V132)).toEqual([]);
    expect(check(V.checkContainerEnv, withEnv('1A', 'A B'), V125)).toHaveLength(2);
    // the same name in two containers is no repeat
    const d = withEnv('TZ');
    d.spec.template.spec.containers.push({ name: 'sidecar', image: 'x', env: [{ name: 'TZ', value: 'x' }] });
    expect(check(V.checkContainerEnv, d)).toEqual([]);
    // case matters
    expect(check(V.checkContainerEnv, withEnv('TZ', 'tz'))).toEqual([]);
    // a static Pod is not applied but created by the kubelet (as a mirror pod), which takes repeats
    const staticPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kube-apiserver', namespace: 'kube-system' },
      spec: withEnv('A', 'A').spec.template.spec,
    };
    expect(check(V.checkContainerEnv, staticPod)).toEqual([]);
    expect(check(V.checkContainerEnv, withEnv('A', 'A'))).toHaveLength(1);
  });
  test('image and pull policy: each of the three policies, none', () => {
    for (const imagePullPolicy of ['Always', 'IfNotPresent', 'Never', undefined]) {
      expect(
        check(
          V.checkContainerImage,
          pod((_s, c) => {
            c.imagePullPolicy = imagePullPolicy;
          }),
        ),
      ).toEqual([]);
    }
    expect(
      check(
        V.checkContainerImage,
        pod((_s, c) => {
          c.imagePullPolicy = 'always';
        }),
      ),
    ).toHaveLength(1);
    expect(
      check(
        V.checkContainerImage,
        pod((_s, c) => {
          delete c.image;
        }),
      ),
    ).toEqual(['container "falco" needs an image']);
  });
  test('pod spec names: subdomains, label keys with prefixes, empty label values', () => {
    const d = pod((s) => {
      s.priorityClassName = 'system-node-critical';
      s.serviceAccountName = 'falco.audit';
      s.nodeSelector = { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' };
    });
    expect(check(V.checkPodSpecNames, d)).toEqual([]);
    expect(
      check(
        V.checkPodSpecNames,
        pod((s) => {
          s.nodeSelector = { a: 'v'.repeat(63) };
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        V.checkPodSpecNames,
        pod((s) => {
          s.nodeSelector = { a: 'v'.repeat(64) };
        }),
      ),
    ).toHaveLength(1);
  });
  test('resources: requests equal to limits, a request without limit, extended resources whole and equal', () => {
    expect(
      check(V.checkResourceQuantities, withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })),
    ).toEqual([]);
    expect(check(V.checkResourceQuantities, withResources({ requests: { cpu: '5', 'ephemeral-storage': '1Gi' } }))).toEqual([]);
    expect(check(V.checkResourceQuantities, withResources({ requests: { cpu: '0' }, limits: { cpu: '0' } }))).toEqual([]);
    expect(
      check(V.checkResourceQuantities, withResources({ limits: { 'example.com/gpu': '2', cpu: '1' }, requests: { 'example.com/gpu': '2' } })),
    ).toEqual([]);
    expect(
      check(V.checkResourceQuantities, withResources({ limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' }, requests: { 'hugepages-2Mi': '4Mi' } })),
    ).toEqual([]);
    expect(check(V.checkResourceQuantities, withResources({ requests: { 'kubernetes.io/foo': '1.5' } }))).toEqual([]);
    expect(check(V.checkResourceQuantities, withResources({ requests: { cpu: '201m' }, limits: { cpu: '0.2' } }))).toEqual([
      'requests.cpu "201m" must be less than or equal to the cpu limit "0.2"',
    ]);
  });
  test('tolerations: Exists without a key, an empty Equal value', () => {
    expect(
      check(
        V.checkTolerations,
        pod((s) => {
          s.tolerations = [{ operator: 'Exists' }, { key: 'node-role.kubernetes.io/master', value: '', effect: 'NoSchedule' }];
        }),
      ),
    ).toEqual([]);
  });
  test('affinity: the kinds of terms operators use', () => {
    const d = pod((s) => {
      s.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
                  { key: 'gpu', operator: 'Gt', values: ['1'] },
                ],
                matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }],
              },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] } },
          ],
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 1,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'falco' } }, namespaces: ['falco'] },
            },
          ],
        },
      };
    });
    expect(check(V.checkAffinity, d)).toEqual([]);
  });
  test('update strategy: OnDelete, percents, a surge with maxUnavailable 0 on 1.22+', () => {
    expect(check(V.checkDaemonSetUpdateStrategy, withStrategy({ type: 'OnDelete' }))).toEqual([]);
    expect(check(V.checkDaemonSetUpdateStrategy, withStrategy({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } }))).toEqual([]);
    expect(check(V.checkDaemonSetUpdateStrategy, withStrategy({ rollingUpdate: { maxUnavailable: '100%' } }))).toEqual([]);
    expect(
      check(V.checkDaemonSetUpdateStrategy, withStrategy({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } }), V125),
    ).toEqual([]);
    // the same on 1.18 (no maxSurge there: the schema refuses the field) fails on maxUnavailable 0
    expect(
      check(V.checkDaemonSetUpdateStrategy, withStrategy({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } })),
    ).toHaveLength(1);
    // 1.21 drops maxSurge (alpha gate off): maxUnavailable 0 still fails, maxSurge beside 1 does not
    const v121 = KubernetesVersion.of('1.21.0');
    expect(check(V.checkDaemonSetUpdateStrategy, withStrategy({ rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }), v121)).toEqual([]);
  });
  test('RBAC subjects: a dotted service account name; users and groups are not service accounts', () => {
    const b = clusterRoleBinding();
    b.subjects = [
      { kind: 'ServiceAccount', name: 'falco.audit', namespace: NS },
      { kind: 'User', name: 'Jane Doe', apiGroup: 'rbac.authorization.k8s.io' },
    ];
    expect(check(V.checkRbacBinding, b)).toEqual([]);
  });
  test('AuditSink throttle: the largest exact whole number', () => {
    const s = auditSink();
    s.spec.webhook.throttle = { qps: Number.MAX_SAFE_INTEGER, burst: 1 };
    expect(check(V.checkAuditSinkThrottle, s)).toEqual([]);
    s.spec.webhook.throttle.qps = Number.MAX_SAFE_INTEGER + 2;
    expect(check(V.checkAuditSinkThrottle, s)).toHaveLength(1);
  });
});

describe('the values checks reuse the rules', () => {
  test('rule paths parse back into segments', () => {
    expect(parseRulePath('spec.containers[0].env[12].name')).toEqual(['spec', 'containers', 0, 'env', 12, 'name']);
    expect(parseRulePath('data["../../etc/passwd"]')).toEqual(['data', '../../etc/passwd']);
    expect(parseRulePath('spec.nodeSelector["bad key!"]')).toEqual(['spec', 'nodeSelector', 'bad key!']);
    expect(parseRulePath('data["a\\"b"].x')).toEqual(['data', 'a"b', 'x']);
  });
  test('without a version, only what every supported version refuses', () => {
    const values = { daemonset: { env: { '1A': 'x', 'A=B': 'y' } } };
    expect(apiServerValueProblems(values).map((p) => p.path)).toEqual([['daemonset', 'env', 'A=B']]);
    expect(apiServerValueProblems(values, V118).map((p) => p.path)).toEqual([
      ['daemonset', 'env', '1A'],
      ['daemonset', 'env', 'A=B'],
    ]);
    // a surge beside the default maxUnavailable is refused from 1.22, but not on 1.21 (which drops maxSurge)
    const surge = { daemonset: { updateStrategy: { rollingUpdate: { maxSurge: 1 } } } };
    expect(apiServerValueProblems(surge)).toEqual([]);
    expect(apiServerValueProblems(surge, V125).map((p) => p.path)).toEqual([['daemonset', 'updateStrategy', 'rollingUpdate', 'maxSurge']]);
  });
  test("falcosecurity/falco values: each field at its values key, the chart's own containers and the user's", () => {
    const values = {
      podSecurityContext: { fsGroup: -1 },
      containerSecurityContext: { runAsUser: -1 },
      mounts: { volumeMounts: [{ name: 'x', mountPath: '/x', subPathExpr: '/abs' }], volumes: [{ name: 'h', hostPath: { path: '/a/../b' } }] },
      falcoctl: {
        image: { pullPolicy: 'Sometimes' },
        artifact: {
          install: { securityContext: { runAsGroup: -2 } },
          follow: { enabled: true, mounts: { volumeMounts: [{ name: 'y', mountPath: '/y', subPath: '..' }] } },
        },
      },
      extra: { initContainers: [{ name: 'falcoctl-artifact-install', image: 'busybox', securityContext: { runAsUser: 2147483648 } }] },
      podPriorityClassName: 'Not_A_Name',
    };
    expect(chartApiServerValueProblems(values).map((p) => p.path.join('.'))).toEqual([
      'extra.initContainers.0.name',
      // the mounts name no volume of the pod (the chart's own, or mounts.volumes)
      'mounts.volumeMounts.0.name',
      'falcoctl.artifact.follow.mounts.volumeMounts.0.name',
      'mounts.volumeMounts.0.subPathExpr',
      'falcoctl.artifact.follow.mounts.volumeMounts.0.subPath',
      'mounts.volumes.0.hostPath.path',
      'podSecurityContext.fsGroup',
      'falcoctl.artifact.install.securityContext.runAsGroup',
      'extra.initContainers.0.securityContext.runAsUser',
      'containerSecurityContext.runAsUser',
      // both falcoctl containers take it: said once
      'falcoctl.image.pullPolicy',
      'podPriorityClassName',
    ]);
    // hugepages whole pages from 1.21 only: not what every version refuses
    const huge = { resources: { limits: { memory: '1Gi', 'hugepages-2Mi': '3Mi' }, requests: { 'hugepages-2Mi': '3Mi' } } };
    expect(chartApiServerValueProblems(huge)).toEqual([]);
    expect(chartApiServerValueProblems(huge, KubernetesVersion.of('1.21.0')).map((p) => p.path.join('.'))).toEqual([
      'resources.limits.hugepages-2Mi',
    ]);
  });
  test('a repeated environment variable names the values key it repeats', () => {
    expect(apiServerValueProblems({ proxy: { httpProxy: 'http://p:3128' }, daemonset: { env: { http_proxy: 'x' } } })).toEqual([
      {
        path: ['daemonset', 'env', 'http_proxy'],
        message:
          'environment variable "http_proxy" of container "falco" is also set by proxy.httpProxy; a name may appear once (server-side apply refuses duplicates)',
      },
    ]);
  });
});
