/**
 * The Cluster API target's GitOps form, run through a real `kubectl kustomize` (kubectl v1.33, kustomize v5.6): a JSON
 * 6902 patch of `add .../-` operations adds the audit flags, volume and files to a user's KubeadmControlPlane that
 * already has its own, keeps the user's entries, and the result passes the CRD (schema, limits, CEL rule). The same
 * lists in a strategic-merge patch replace the user's (a custom resource has no merge keys), and an `add .../-` onto a
 * list the user's object lacks fails: both facts the target must design for.
 */
import { parse, stringify } from 'yaml';
import { validateKubeadmControlPlane } from '../../../lib/validation/distros';
import { findKubectl, kubectlKustomize } from './kustomize';

type Obj = Record<string, any>;

const { kubectl, reason } = findKubectl();
if (!kubectl) console.warn(`cluster-api-kustomize.test.ts: skipped, no kubectl: ${reason}`);

const API_SERVER = '/spec/kubeadmConfigSpec/clusterConfiguration/apiServer';

/** A user's v1beta2 KubeadmControlPlane with flags, a volume and files of its own. */
const USER_KCP = {
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
  kind: 'KubeadmControlPlane',
  metadata: { name: 'my-cluster-control-plane', namespace: 'default' },
  spec: {
    replicas: 3,
    version: 'v1.33.1',
    machineTemplate: {
      spec: { infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 'my-cluster-cp' } },
    },
    kubeadmConfigSpec: {
      files: [
        { path: '/etc/kubernetes/admission.yaml', owner: 'root:root', permissions: '0600', content: 'apiVersion: apiserver.config.k8s.io/v1\n' },
      ],
      clusterConfiguration: {
        apiServer: {
          extraArgs: [{ name: 'admission-control-config-file', value: '/etc/kubernetes/admission.yaml' }],
          extraVolumes: [
            {
              name: 'admission',
              hostPath: '/etc/kubernetes/admission.yaml',
              mountPath: '/etc/kubernetes/admission.yaml',
              readOnly: true,
              pathType: 'File',
            },
          ],
        },
      },
    },
  },
};

/** The target's patch: one `add .../-` per entry, so the user's entries stay. */
const PATCH_6902 = [
  { op: 'add', path: `${API_SERVER}/extraArgs/-`, value: { name: 'audit-policy-file', value: '/etc/kubernetes/falco-audit/policy.yaml' } },
  {
    op: 'add',
    path: `${API_SERVER}/extraArgs/-`,
    value: { name: 'audit-webhook-config-file', value: '/etc/kubernetes/falco-audit/webhook.kubeconfig' },
  },
  {
    op: 'add',
    path: `${API_SERVER}/extraVolumes/-`,
    value: {
      name: 'falco-audit',
      hostPath: '/etc/kubernetes/falco-audit',
      mountPath: '/etc/kubernetes/falco-audit',
      readOnly: true,
      pathType: 'DirectoryOrCreate',
    },
  },
  {
    op: 'add',
    path: '/spec/kubeadmConfigSpec/files/-',
    value: {
      path: '/etc/kubernetes/falco-audit/policy.yaml',
      owner: 'root:root',
      permissions: '0600',
      content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\n',
    },
  },
];

const KUSTOMIZATION = [
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  'resources:',
  '  - kcp.yaml',
  'patches:',
  '  - path: falco-audit.patch.yaml',
  '    target:',
  '      group: controlplane.cluster.x-k8s.io',
  '      kind: KubeadmControlPlane',
  '      name: my-cluster-control-plane',
  '',
].join('\n');

function kustomize(kcp: Obj, patch: unknown): Obj {
  const r = kubectlKustomize(kubectl!, {
    'kustomization.yaml': KUSTOMIZATION,
    'kcp.yaml': stringify(kcp),
    'falco-audit.patch.yaml': stringify(patch),
  });
  if (r.status !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr.trim()}`);
  return parse(r.stdout);
}

(kubectl ? describe : describe.skip)('kubectl kustomize on a KubeadmControlPlane', () => {
  test("the JSON 6902 add patch appends to the user's extraArgs, extraVolumes and files, and the result passes the CRD", () => {
    const out = kustomize(USER_KCP, PATCH_6902);
    const apiServer = out.spec.kubeadmConfigSpec.clusterConfiguration.apiServer;
    expect(apiServer.extraArgs.map((a: Obj) => a.name)).toEqual(['admission-control-config-file', 'audit-policy-file', 'audit-webhook-config-file']);
    expect(apiServer.extraVolumes.map((v: Obj) => v.name)).toEqual(['admission', 'falco-audit']);
    expect(out.spec.kubeadmConfigSpec.files.map((f: Obj) => f.path)).toEqual([
      '/etc/kubernetes/admission.yaml',
      '/etc/kubernetes/falco-audit/policy.yaml',
    ]);
    expect(validateKubeadmControlPlane(out, '1.11')).toEqual([]);
  }, 60000);

  test("a flag the user already sets is added a second time, and the CRD's CEL rule catches it", () => {
    const user = structuredClone(USER_KCP) as Obj;
    user.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs.push({ name: 'audit-policy-file', value: '/etc/mine.yaml' });
    const found = validateKubeadmControlPlane(kustomize(user, PATCH_6902), '1.11');
    expect(found.map((v) => v.rule)).toEqual(['crd.cel']);
  }, 60000);

  test("the same lists in a strategic-merge patch replace the user's entries (no merge keys in a custom resource)", () => {
    const smp = {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlane',
      metadata: { name: 'my-cluster-control-plane' },
      spec: { kubeadmConfigSpec: { clusterConfiguration: { apiServer: { extraArgs: [PATCH_6902[0].value] } } } },
    };
    const out = kustomize(USER_KCP, smp);
    expect(out.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs).toEqual([PATCH_6902[0].value]);
  }, 60000);

  test('v1beta1 (CAPI 1.10): an add of a map key adds the flag, and silently replaces a value the user set for it', () => {
    const user = structuredClone(USER_KCP) as Obj;
    user.apiVersion = 'controlplane.cluster.x-k8s.io/v1beta1';
    user.spec.machineTemplate = {
      infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'my-cluster-cp' },
    };
    user.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = {
      'admission-control-config-file': '/etc/kubernetes/admission.yaml',
      'audit-log-maxage': '7',
    };
    const patch = [
      { op: 'add', path: `${API_SERVER}/extraArgs/audit-policy-file`, value: '/etc/kubernetes/falco-audit/policy.yaml' },
      { op: 'add', path: `${API_SERVER}/extraArgs/audit-log-maxage`, value: '30' },
      ...PATCH_6902.slice(2),
    ];
    const out = kustomize(user, patch);
    expect(out.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs).toEqual({
      'admission-control-config-file': '/etc/kubernetes/admission.yaml',
      'audit-log-maxage': '30',
      'audit-policy-file': '/etc/kubernetes/falco-audit/policy.yaml',
    });
    expect(validateKubeadmControlPlane(out, '1.10')).toEqual([]);
  }, 60000);

  test("an add .../- onto a list the user's object does not have fails: the target must know which lists exist", () => {
    const user = structuredClone(USER_KCP) as Obj;
    delete user.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraVolumes;
    expect(() => kustomize(user, PATCH_6902)).toThrow(/kubectl kustomize failed: .*extraVolumes/);
  }, 60000);
});
