/**
 * Cluster API: a kustomize patch (JSON 6902 `add` operations and a kustomization) of the user's KubeadmControlPlane,
 * shaped by the object's apiVersion (v1beta1 map-form extraArgs, v1beta2 list form), adding to its own lists. Run
 * through a real `kubectl kustomize` and the result checked against the CRD of that version.
 */
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ControlPlane, KubeadmControlPlaneFile } from '../../../lib/apiserver';
import { AuditPolicy, AuditPolicyRule } from '../../../lib/audit';
import { validateKubeadmControlPlane, validateKubeadmControlPlanePatch } from '../../../lib/validation/distros';
import { findKubectl, kubectlKustomize } from '../../validation/distros/kustomize';
import { build, file, serverOf, serviceListensAt, steps } from './helpers';

const { kubectl, reason } = findKubectl();
if (!kubectl) console.warn(`cluster-api.test.ts: the kubectl kustomize tests are skipped, no kubectl: ${reason}`);
const withKubectl = kubectl ? test : test.skip;

type Json = Record<string, any>;
const API_SERVER = ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'apiServer'];

/** A user's KubeadmControlPlane with flags, a volume and a file of its own. */
function userKcp(
  version: 'v1beta1' | 'v1beta2',
  extraArgs: Json[] = [{ name: 'admission-control-config-file', value: '/etc/kubernetes/admission.yaml' }],
): Json {
  const args = version === 'v1beta2' ? extraArgs : Object.fromEntries(extraArgs.map((a) => [a.name, a.value]));
  return {
    apiVersion: `controlplane.cluster.x-k8s.io/${version}`,
    kind: 'KubeadmControlPlane',
    metadata: { name: 'prod-control-plane', namespace: 'clusters' },
    spec: {
      replicas: 3,
      version: 'v1.33.1',
      machineTemplate:
        version === 'v1beta2'
          ? { spec: { infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 'prod-cp' } } }
          : { infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'prod-cp' } },
      kubeadmConfigSpec: {
        files: [
          { path: '/etc/kubernetes/admission.yaml', owner: 'root:root', permissions: '0600', content: 'apiVersion: apiserver.config.k8s.io/v1\n' },
        ],
        clusterConfiguration: {
          apiServer: {
            extraArgs: args,
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
}

const kcpFile = (doc: Json, name = 'control-plane.yaml') => KubeadmControlPlaneFile.fromString(stringify(doc), name);
const capi = (doc: Json, settings = {}, version?: string) =>
  build(ControlPlane.clusterApi({ kubeadmControlPlane: kcpFile(doc), version }), {
    serviceClusterIPRange: '10.96.0.0/12',
    falco: { clusterIP: '10.96.0.100' },
    ...settings,
  });

/** The KubeadmControlPlane (and any other object) kustomize makes of the user's file and ours. */
function kustomized(audit: ReturnType<typeof capi>, doc: Json): Json[] {
  const files: Record<string, string> = { 'control-plane.yaml': stringify(doc) };
  for (const f of audit.controlPlane.files) files[f.fileName] = f.toYaml();
  const r = kubectlKustomize(kubectl!, files);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return parseAllDocuments(r.stdout).map((d) => d.toJS());
}

const at = (doc: Json, path: string[]) => path.reduce((o, k) => o?.[k], doc);

describe.each([
  ['v1beta2', '1.11'],
  ['v1beta1', '1.10'],
] as const)('a %s KubeadmControlPlane (Cluster API %s)', (version, capiVersion) => {
  withKubectl("kubectl kustomize adds ours to the user's flags, volumes and files, and the result passes the CRD", () => {
    const doc = userKcp(version);
    const audit = capi(doc);
    expect(audit.kubernetesVersion.toString()).toBe('1.33.1');
    expect(audit.validateOutput()).toEqual([]);
    const [kcp] = kustomized(audit, doc);
    expect(validateKubeadmControlPlane(kcp, capiVersion)).toEqual([]);
    const apiServer = at(kcp, API_SERVER);
    const args: Record<string, string> =
      version === 'v1beta2' ? Object.fromEntries(apiServer.extraArgs.map((a: Json) => [a.name, a.value])) : apiServer.extraArgs;
    expect(args).toMatchObject({
      'admission-control-config-file': '/etc/kubernetes/admission.yaml',
      'audit-policy-file': '/etc/kubernetes/audit/audit-policy.yaml',
      'audit-webhook-config-file': '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml',
    });
    expect(apiServer.extraVolumes.map((v: Json) => v.name)).toEqual(['admission', 'falco-audit', 'audit-log']);
    const files = kcp.spec.kubeadmConfigSpec.files;
    expect(files.map((f: Json) => f.path)).toEqual([
      '/etc/kubernetes/admission.yaml',
      '/etc/kubernetes/audit/audit-policy.yaml',
      '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml',
    ]);
    expect(serverOf(files[2].content)).toBe(serviceListensAt(audit));
  });

  withKubectl('a KubeadmControlPlane without the lists gets them whole (an add .../- onto a missing list would fail)', () => {
    const doc = userKcp(version);
    delete doc.spec.kubeadmConfigSpec.clusterConfiguration;
    delete doc.spec.kubeadmConfigSpec.files;
    const audit = capi(doc);
    const ops = parse(file(audit, 'kubeadm-control-plane-falco-audit.yaml').toYaml());
    expect(ops.map((o: Json) => o.path)).toEqual(['/spec/kubeadmConfigSpec/files', '/spec/kubeadmConfigSpec/clusterConfiguration']);
    const [kcp] = kustomized(audit, doc);
    expect(validateKubeadmControlPlane(kcp, capiVersion)).toEqual([]);
    expect(at(kcp, API_SERVER).extraVolumes).toHaveLength(2);
  });

  test("a flag the user sets otherwise is refused at its line; one set the same way, or kept as the operator's, is not added again", () => {
    expect(() => capi(userKcp(version, [{ name: 'audit-webhook-mode', value: 'blocking' }]))).toThrow(
      /^control-plane\.yaml:\d+: spec\.kubeadmConfigSpec\.clusterConfiguration\.apiServer\.extraArgs.*: the KubeadmControlPlane already sets --audit-webhook-mode=blocking/,
    );
    const audit = capi(
      userKcp(version, [
        { name: 'audit-log-maxage', value: '7' },
        { name: 'audit-webhook-mode', value: 'batch' },
      ]),
    );
    const added = JSON.stringify(parse(file(audit, 'kubeadm-control-plane-falco-audit.yaml').toYaml()));
    expect(added).not.toContain('audit-log-maxage');
    expect(added).not.toContain('audit-webhook-mode');
    expect(audit.validateOutput()).toEqual([]);
  });

  test('a file the user writes at our path is refused at its line', () => {
    const doc = userKcp(version);
    doc.spec.kubeadmConfigSpec.files.push({ path: '/etc/kubernetes/audit/audit-policy.yaml', content: 'x' });
    expect(() => capi(doc)).toThrow(/control-plane\.yaml:\d+: spec\.kubeadmConfigSpec\.files\[1\]\.path: the KubeadmControlPlane already writes/);
  });
});

test("a volume name the user's object already uses is not taken again", () => {
  const doc = userKcp('v1beta2');
  doc.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraVolumes.push({ name: 'falco-audit', hostPath: '/srv', mountPath: '/srv' });
  const names = capi(doc).controlPlane.plan.volumesAdded.map((v) => v.name);
  expect(names).toEqual(['falco-audit-2', 'audit-log']);
});

test('the kustomization targets the object as it is written', () => {
  const audit = capi(userKcp('v1beta1'), {}, '1.11');
  expect(parse(file(audit, 'kustomization.yaml').toYaml())).toEqual({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['control-plane.yaml'],
    patches: [
      {
        path: 'kubeadm-control-plane-falco-audit.yaml',
        target: {
          group: 'controlplane.cluster.x-k8s.io',
          version: 'v1beta1',
          kind: 'KubeadmControlPlane',
          name: 'prod-control-plane',
          namespace: 'clusters',
        },
      },
    ],
  });
});

test('mutations the oracle catches: map-form extraArgs on v1beta2, the list form on v1beta1, a too-long content, an empty list', () => {
  const fragment = (audit: ReturnType<typeof capi>) => structuredClone((audit.controlPlane as any).fragment);
  const v2 = fragment(capi(userKcp('v1beta2')));
  const argsV2 = v2.spec.kubeadmConfigSpec.clusterConfiguration.apiServer;
  argsV2.extraArgs = Object.fromEntries(argsV2.extraArgs.map((a: Json) => [a.name, a.value]));
  expect(validateKubeadmControlPlanePatch(v2, '1.11').map((v) => v.rule)).toContain('cluster-api-schema.type');
  const v1 = fragment(capi(userKcp('v1beta1')));
  const argsV1 = v1.spec.kubeadmConfigSpec.clusterConfiguration.apiServer;
  argsV1.extraArgs = Object.entries(argsV1.extraArgs).map(([name, value]) => ({ name, value }));
  expect(validateKubeadmControlPlanePatch(v1, '1.10').map((v) => v.rule)).toContain('cluster-api-schema.type');
  const long = fragment(capi(userKcp('v1beta2')));
  long.spec.kubeadmConfigSpec.files[0].content = 'x'.repeat(10241);
  expect(validateKubeadmControlPlanePatch(long, '1.11').map((v) => v.rule)).toContain('cluster-api-schema.too-long');
  const empty = fragment(capi(userKcp('v1beta2')));
  empty.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraVolumes = [];
  expect(validateKubeadmControlPlanePatch(empty, '1.11').map((v) => v.rule)).toContain('cluster-api-schema.too-short');
});

withKubectl('a policy longer than a files entry takes comes from a Secret the kustomization creates beside the KubeadmControlPlane', () => {
  const rules: AuditPolicyRule[] = Array.from({ length: 120 }, (_, i) => ({
    level: 'Metadata',
    users: [`system:serviceaccount:team-${i}:deployer`],
    verbs: ['create', 'update'],
  }));
  const doc = userKcp('v1beta2');
  const audit = capi(doc, { webhook: { policy: AuditPolicy.custom([...rules, { level: 'Metadata' }]) } });
  expect(audit.validateOutput()).toEqual([]);
  expect(audit.controlPlane.files.map((f) => f.fileName)).toEqual([
    'falco-audit-files-secret.yaml',
    'kubeadm-control-plane-falco-audit.yaml',
    'kustomization.yaml',
  ]);
  expect(parse(file(audit, 'kustomization.yaml').toYaml()).resources).toEqual(['control-plane.yaml', 'falco-audit-files-secret.yaml']);
  const objects = kustomized(audit, doc);
  const kcp = objects.find((o) => o.kind === 'KubeadmControlPlane')!;
  const secret = objects.find((o) => o.kind === 'Secret')!;
  expect(validateKubeadmControlPlane(kcp, '1.11')).toEqual([]);
  const policyFile = kcp.spec.kubeadmConfigSpec.files.find((f: Json) => f.path === '/etc/kubernetes/audit/audit-policy.yaml');
  expect(policyFile.contentFrom).toEqual({ secret: { name: 'prod-control-plane-falco-audit', key: 'audit-policy.yaml' } });
  expect(secret.metadata).toEqual({ name: 'prod-control-plane-falco-audit', namespace: 'clusters' });
  expect([...secret.stringData['audit-policy.yaml']].length).toBeGreaterThan(10240);
});

test('the version: v1beta2 needs Cluster API 1.11+, a release that is no version is refused; spec.version must agree', () => {
  expect(() => ControlPlane.clusterApi({ kubeadmControlPlane: kcpFile(userKcp('v1beta2')), version: '1.10' })).toThrow(
    'controlPlane.version: Cluster API 1.10 serves KubeadmControlPlane v1beta1 only',
  );
  expect(() => ControlPlane.clusterApi({ kubeadmControlPlane: kcpFile(userKcp('v1beta1')), version: 'latest' })).toThrow(
    'controlPlane.version: must be a Cluster API release',
  );
  expect(() => capi(userKcp('v1beta2'), { kubernetesVersion: '1.30' })).toThrow(
    "kubernetesVersion: kubernetesVersion 1.30.0 does not match the KubeadmControlPlane's spec.version, which runs Kubernetes 1.33.1",
  );
});

test('the file must hold one KubeadmControlPlane of a version the target writes for', () => {
  expect(() => KubeadmControlPlaneFile.fromString('apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: x}\n', 'kcp.yaml')).toThrow(
    /^kcp\.yaml:2: kind: KubeadmControlPlane file must hold one controlplane\.cluster\.x-k8s\.io\/v1beta1 or \/v1beta2 KubeadmControlPlane/,
  );
  expect(() => capi({ ...userKcp('v1beta2'), metadata: { name: 'kustomization' } }, {})).not.toThrow();
  const named = KubeadmControlPlaneFile.fromString(stringify(userKcp('v1beta2')), 'kustomization.yaml');
  expect(() => build(ControlPlane.clusterApi({ kubeadmControlPlane: named }), { serviceClusterIPRange: '10.96.0.0/12' })).toThrow(
    'kustomization.yaml: the KubeadmControlPlane file is named kustomization.yaml, a file the patch writes beside it',
  );
});

test('the plan and steps: apply -k on the management cluster, the rollout, ClusterClass', () => {
  const audit = capi(userKcp('v1beta2'));
  expect(audit.controlPlane.plan.toText()).toContain("files for the management cluster's repository:");
  expect(audit.controlPlane.plan.notes.join('\n')).toMatch(/rolls out new control-plane machines[\s\S]*ClusterClass/);
  expect(steps(audit)).toContain('  kubectl apply -k <folder of control-plane.yaml>');
  expect(steps(audit)).toContain('  kubectl get kubeadmcontrolplane prod-control-plane -n clusters -w   (UPDATED equals REPLICAS)');
});
