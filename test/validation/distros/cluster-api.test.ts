/**
 * The Cluster API oracle: a KubeadmControlPlane patch merged onto a minimal KubeadmControlPlane (or a user's) passes
 * the CRD of that Cluster API release (v1.10.0 v1beta1 map-form extraArgs, v1.11.0 v1beta2 list form), with its
 * item-count and length limits and its CEL rule on unique extraArgs names.
 */
import { formatViolation, Violation } from '../../../lib/validation/violation';
import {
  kubeadmControlPlaneApiVersion,
  mergeAppending,
  minimalKubeadmControlPlane,
  validateKubeadmControlPlane,
  validateKubeadmControlPlanePatch,
} from '../../../lib/validation/distros';

type Obj = Record<string, any>;

const API_SERVER = 'spec.kubeadmConfigSpec.clusterConfiguration.apiServer';
const POLICY = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n';

/** What the Cluster API target emits for CAPI 1.11+ (v1beta2): list-form extraArgs, a volume, the node files. */
function v1beta2Patch(): Obj {
  return {
    spec: {
      kubeadmConfigSpec: {
        files: [
          { path: '/etc/kubernetes/falco-audit/policy.yaml', owner: 'root:root', permissions: '0600', content: POLICY },
          {
            path: '/etc/kubernetes/falco-audit/webhook.kubeconfig',
            owner: 'root:root',
            permissions: '0600',
            contentFrom: { secret: { name: 'falco-audit-webhook', key: 'kubeconfig' } },
          },
        ],
        clusterConfiguration: {
          apiServer: {
            extraArgs: [
              { name: 'audit-policy-file', value: '/etc/kubernetes/falco-audit/policy.yaml' },
              { name: 'audit-webhook-config-file', value: '/etc/kubernetes/falco-audit/webhook.kubeconfig' },
              { name: 'audit-webhook-batch-max-wait', value: '5s' },
            ],
            extraVolumes: [
              {
                name: 'falco-audit',
                hostPath: '/etc/kubernetes/falco-audit',
                mountPath: '/etc/kubernetes/falco-audit',
                readOnly: true,
                pathType: 'DirectoryOrCreate',
              },
            ],
          },
        },
      },
    },
  };
}

/** The same for CAPI 1.10 and older (v1beta1): map-form extraArgs. */
function v1beta1Patch(): Obj {
  const patch = v1beta2Patch();
  const args = patch.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs as { name: string; value: string }[];
  patch.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = Object.fromEntries(args.map((a) => [a.name, a.value]));
  return patch;
}

const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

test('the apiVersion follows the Cluster API version: v1beta1 up to 1.10, v1beta2 from 1.11', () => {
  expect(kubeadmControlPlaneApiVersion('1.10')).toBe('controlplane.cluster.x-k8s.io/v1beta1');
  expect(kubeadmControlPlaneApiVersion('1.9.3')).toBe('controlplane.cluster.x-k8s.io/v1beta1');
  expect(kubeadmControlPlaneApiVersion('v1.11.0')).toBe('controlplane.cluster.x-k8s.io/v1beta2');
  expect(kubeadmControlPlaneApiVersion('1.12')).toBe('controlplane.cluster.x-k8s.io/v1beta2');
  expect(() => kubeadmControlPlaneApiVersion('2.0')).toThrow('not a Cluster API version: "2.0"');
});

test.each(['1.10', '1.11'])('the minimal KubeadmControlPlane of %s passes its CRD', (capi) => {
  expect(validateKubeadmControlPlane(minimalKubeadmControlPlane(capi), capi)).toEqual([]);
});

test("the target's patches pass: v1beta2 on 1.11, v1beta1 on 1.10", () => {
  expect(validateKubeadmControlPlanePatch(v1beta2Patch(), '1.11')).toEqual([]);
  expect(validateKubeadmControlPlanePatch(v1beta1Patch(), '1.10')).toEqual([]);
});

test("merged onto a user's KubeadmControlPlane, the patch adds to the user's lists", () => {
  const user = mergeAppending(minimalKubeadmControlPlane('1.11'), {
    spec: {
      kubeadmConfigSpec: {
        files: [{ path: '/etc/motd', content: 'hi' }],
        clusterConfiguration: { apiServer: { extraArgs: [{ name: 'enable-admission-plugins', value: 'NodeRestriction' }] } },
      },
    },
  }) as Obj;
  const merged = mergeAppending(user, v1beta2Patch()) as Obj;
  expect(merged.spec.kubeadmConfigSpec.files.map((f: Obj) => f.path)).toEqual([
    '/etc/motd',
    '/etc/kubernetes/falco-audit/policy.yaml',
    '/etc/kubernetes/falco-audit/webhook.kubeconfig',
  ]);
  expect(merged.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs).toHaveLength(4);
  expect(validateKubeadmControlPlanePatch(v1beta2Patch(), '1.11', 'patch', user)).toEqual([]);
});

describe('mutations', () => {
  test('a map-form extraArgs on v1beta2 (CAPI 1.11) is refused', () => {
    expect(rules(validateKubeadmControlPlanePatch(v1beta1Patch(), '1.11'))).toEqual([`${API_SERVER}.extraArgs cluster-api-schema.type`]);
  });

  test('a list-form extraArgs on v1beta1 (CAPI 1.10) is refused', () => {
    expect(validateKubeadmControlPlanePatch(v1beta2Patch(), '1.10').map(formatViolation)).toEqual([
      `KubeadmControlPlane patch: ${API_SERVER}.extraArgs: must be an object, not array [{"name":"audit-policy-file","value":"/etc/kubernetes/falco-audit/policy.yaml... (cluster-api-schema.type)`,
    ]);
  });

  test("duplicate extraArgs names break the CRD's CEL rule, which is cited with its line", () => {
    const user = mergeAppending(minimalKubeadmControlPlane('1.11'), {
      spec: { kubeadmConfigSpec: { clusterConfiguration: { apiServer: { extraArgs: [{ name: 'audit-policy-file', value: '/etc/mine.yaml' }] } } } },
    });
    expect(validateKubeadmControlPlanePatch(v1beta2Patch(), '1.11', 'KubeadmControlPlane cp', user).map(formatViolation)).toEqual([
      `KubeadmControlPlane cp: ${API_SERVER}.extraArgs: extraArgs name must be unique: "audit-policy-file" is given 2 times (items 0, 1); ` +
        'CEL rule self.all(x, self.exists_one(y, x.name == y.name)) of the KubeadmControlPlane CRD of kubernetes-sigs/cluster-api v1.11.0 line 5111 (crd.cel)',
    ]);
  });

  test('a file content of 10,241 characters is refused; 10,240 passes (use contentFrom.secret above it)', () => {
    const long = v1beta2Patch();
    long.spec.kubeadmConfigSpec.files[0].content = 'x'.repeat(10241);
    expect(validateKubeadmControlPlanePatch(long, '1.11').map(formatViolation)).toEqual([
      'KubeadmControlPlane patch: spec.kubeadmConfigSpec.files[0].content: is 10241 characters long: the Cluster API v1.11.0 ' +
        'KubeadmControlPlane v1beta2 schema allows at most 10240 (cluster-api-schema.too-long)',
    ]);
    long.spec.kubeadmConfigSpec.files[0].content = 'x'.repeat(10240);
    expect(validateKubeadmControlPlanePatch(long, '1.11')).toEqual([]);
    const v1beta1 = v1beta1Patch();
    v1beta1.spec.kubeadmConfigSpec.files[0].content = 'x'.repeat(10241);
    expect(rules(validateKubeadmControlPlanePatch(v1beta1, '1.10'))).toEqual(['spec.kubeadmConfigSpec.files[0].content cluster-api-schema.too-long']);
  });

  test('lengths are counted in code points, as the API server does (an emoji is one)', () => {
    const emoji = v1beta2Patch();
    emoji.spec.kubeadmConfigSpec.files[0].content = '\u{1F600}'.repeat(10240);
    expect(validateKubeadmControlPlanePatch(emoji, '1.11')).toEqual([]);
    emoji.spec.kubeadmConfigSpec.files[0].content += 'x';
    expect(rules(validateKubeadmControlPlanePatch(emoji, '1.11'))).toEqual(['spec.kubeadmConfigSpec.files[0].content cluster-api-schema.too-long']);
  });

  test('v1beta2 limits: an empty extraArgs, 101 items, a value of 1025 characters', () => {
    const empty = v1beta2Patch();
    empty.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = [];
    expect(validateKubeadmControlPlanePatch(empty, '1.11').map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'cluster-api-schema.too-short: must not be an empty list (leave the field out instead)',
    ]);
    const many = v1beta2Patch();
    many.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = Array.from({ length: 101 }, (_, i) => ({ name: `flag-${i}`, value: 'x' }));
    expect(rules(validateKubeadmControlPlanePatch(many, '1.11'))).toEqual([`${API_SERVER}.extraArgs cluster-api-schema.too-long`]);
    const longValue = v1beta2Patch();
    longValue.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs[0].value = '/'.repeat(1025);
    expect(rules(validateKubeadmControlPlanePatch(longValue, '1.11'))).toEqual([`${API_SERVER}.extraArgs[0].value cluster-api-schema.too-long`]);
  });

  test('a misspelled field, which the API server would prune silently, is an error with the right name offered', () => {
    const patch = v1beta2Patch();
    const volume = patch.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraVolumes[0];
    delete volume.readOnly;
    volume.readonly = true;
    expect(validateKubeadmControlPlanePatch(patch, '1.11').map((v) => v.message)).toEqual([
      'unknown field "readonly": not in the Cluster API v1.11.0 KubeadmControlPlane v1beta2 schema (did you mean "readOnly"?)',
    ]);
  });

  test('a volume without a name and a secret reference without a key are refused', () => {
    const patch = v1beta2Patch();
    delete patch.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraVolumes[0].name;
    delete patch.spec.kubeadmConfigSpec.files[1].contentFrom.secret.key;
    expect(rules(validateKubeadmControlPlanePatch(patch, '1.11')).sort()).toEqual([
      `${API_SERVER}.extraVolumes[0].name cluster-api-schema.required`,
      'spec.kubeadmConfigSpec.files[1].contentFrom.secret.key cluster-api-schema.required',
    ]);
  });

  test('an object of the other apiVersion is refused, naming the one to use', () => {
    const kcp = mergeAppending(minimalKubeadmControlPlane('1.10'), v1beta1Patch());
    expect(validateKubeadmControlPlane(kcp, '1.11')[0].message).toBe(
      'must be controlplane.cluster.x-k8s.io/v1beta2 for Cluster API 1.11 (list-form extraArgs), not "controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlane"',
    );
    expect(rules(validateKubeadmControlPlanePatch(v1beta1Patch(), 'latest'))).toEqual([' cluster-api.version']);
  });
});
