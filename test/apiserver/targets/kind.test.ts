/**
 * kind v0.32.0: a `kind.x-k8s.io/v1alpha4` Cluster whose control-plane node carries a ClusterConfiguration patch
 * without apiVersion (so it applies to kubeadm v1beta2, v1beta3 and v1beta4 node images) and extraMounts for the
 * node files. The patch is replayed the way kind applies it (pkg/internal/patch/resource.go, kubeadm_merge.go).
 */
import { parse } from 'yaml';
import { ControlPlane } from '../../../lib/apiserver';
import { AuditBackend } from '../../../lib/falco-audit';
import { kindClusterWarnings, validateKindCluster, validateKindKubeadmPatch } from '../../../lib/validation/distros';
import { build, file, parsed, serverOf, serviceListensAt, steps } from './helpers';

const kind = (settings = {}, options = {}) =>
  build(ControlPlane.kind(options), { kubernetesVersion: '1.30', serviceClusterIPRange: '10.96.0.0/16', ...settings });
const CONFIG = 'kind-cluster.yaml';

type Json = Record<string, any>;

/** RFC 7386 JSON merge patch, as kind applies its patches (jsonpatch.MergePatch). */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * kind v0.32.0's applyMergePatch: a patch matches by kind and (when it has one) apiVersion (resource.go L66-71); on a
 * v1beta4 document, extraArgs are merged by name, a map-form patch converted to the list when it has no apiVersion
 * (kubeadm_merge.go L59-76, L96-172); then the rest as an RFC 7386 merge patch.
 */
function kindApply(document: Json, patch: Json): Json | undefined {
  if (document.kind !== patch.kind || (patch.apiVersion !== undefined && patch.apiVersion !== document.apiVersion)) return undefined;
  const target = structuredClone(document);
  const rest = structuredClone(patch);
  if (String(document.apiVersion).endsWith('v1beta4') && rest.apiServer?.extraArgs) {
    const items = Array.isArray(rest.apiServer.extraArgs)
      ? rest.apiServer.extraArgs
      : patch.apiVersion === undefined
        ? Object.entries(rest.apiServer.extraArgs).map(([name, value]) => ({ name, value }))
        : [];
    const list: Json[] = target.apiServer.extraArgs ?? [];
    for (const item of items) {
      const at = list.findIndex((t) => t.name === item.name);
      if (at >= 0) list[at].value = item.value;
      else list.push(item);
    }
    target.apiServer.extraArgs = list;
    delete rest.apiServer.extraArgs;
  }
  return mergePatch(target, rest);
}

/** kind's own ClusterConfiguration's apiServer for a node image (kubeadm-config.go templates). */
const GENERATED = {
  v1beta3: {
    apiVersion: 'kubeadm.k8s.io/v1beta3',
    kind: 'ClusterConfiguration',
    apiServer: { certSANs: ['localhost'], extraArgs: { 'runtime-config': '' } },
  },
  v1beta4: {
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    kind: 'ClusterConfiguration',
    apiServer: { certSANs: ['localhost'], extraArgs: [{ name: 'runtime-config', value: '' }] },
  },
};

test('a few settings: a kind config and the node files it mounts, valid against kind and kubeadm', () => {
  const audit = kind();
  expect(audit.validateOutput()).toEqual([]);
  const cluster = parsed(audit, CONFIG);
  expect(validateKindCluster(cluster)).toEqual([]);
  expect(kindClusterWarnings(cluster)).toEqual([]);
  expect(cluster.networking).toEqual({ serviceSubnet: '10.96.0.0/16' });
  const node = cluster.nodes[0];
  expect(node.role).toBe('control-plane');
  expect(node.extraMounts).toEqual([
    { hostPath: 'node/audit-policy.yaml', containerPath: '/etc/kubernetes/audit/audit-policy.yaml', readOnly: true },
    { hostPath: 'node/audit-webhook-kubeconfig.yaml', containerPath: '/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml', readOnly: true },
  ]);
  const patch = parse(node.kubeadmConfigPatches[0]);
  expect(validateKindKubeadmPatch(node.kubeadmConfigPatches[0])).toEqual([]);
  expect(patch.apiVersion).toBeUndefined();
  expect(patch.apiServer.extraVolumes.map((v: Json) => [v.hostPath, v.readOnly])).toEqual([
    ['/etc/kubernetes/audit', true],
    ['/var/log/kubernetes/audit', false],
  ]);
  expect(serverOf(file(audit, 'audit-webhook-kubeconfig.yaml').toYaml())).toBe(serviceListensAt(audit));
});

test.each(['v1beta3', 'v1beta4'] as const)(
  'the patch applies to a %s node image (kind generates v1beta3 for 1.23-1.35, v1beta4 from 1.36)',
  (version) => {
    const patch = parse(parsed(kind(), CONFIG).nodes[0].kubeadmConfigPatches[0]);
    const result = kindApply(GENERATED[version], patch)!;
    const args: Record<string, string> = Array.isArray(result.apiServer.extraArgs)
      ? Object.fromEntries(result.apiServer.extraArgs.map((a: Json) => [a.name, a.value]))
      : result.apiServer.extraArgs;
    expect(args).toMatchObject({ 'runtime-config': '', ...patch.apiServer.extraArgs });
    expect(result.apiServer.certSANs).toEqual(['localhost']);
    expect(result.apiServer.extraVolumes).toEqual(patch.apiServer.extraVolumes);
  },
);

test('the same patch pinned to kubeadm.k8s.io/v1beta3 would be skipped on a v1beta4 image (why it has no apiVersion)', () => {
  const patch = parse(parsed(kind(), CONFIG).nodes[0].kubeadmConfigPatches[0]);
  expect(kindApply(GENERATED.v1beta4, { apiVersion: 'kubeadm.k8s.io/v1beta3', ...patch })).toBeUndefined();
  expect(validateKindKubeadmPatch({ apiVersion: 'kubeadm.k8s.io/v1beta3', ...patch }).map((v) => v.rule)).toEqual(['kind.patch-api-version']);
});

test('mutations the oracle catches: readonly for readOnly in an extraMount, a field kubeadm does not have', () => {
  const cluster = parsed(kind(), CONFIG);
  cluster.nodes[0].extraMounts[0] = { ...cluster.nodes[0].extraMounts[0], readonly: true };
  expect(validateKindCluster(cluster).map((v) => [v.path, v.rule])).toEqual([['nodes[0].extraMounts[0].readonly', 'kind-schema.unknown-field']]);
  const patch = parse(parsed(kind(), CONFIG).nodes[0].kubeadmConfigPatches[0]);
  patch.apiServer.extraVolume = patch.apiServer.extraVolumes;
  expect(validateKindKubeadmPatch(patch).map((v) => v.rule)).toContain('kubeadm-schema.unknown-field');
});

test('hostFolder: absolute extraMounts, and steps that copy the files there first', () => {
  const audit = kind({}, { hostFolder: '/srv/kind/falco/' });
  expect(parsed(audit, CONFIG).nodes[0].extraMounts[0].hostPath).toBe('/srv/kind/falco/audit-policy.yaml');
  expect(steps(audit)).toEqual([
    'copy the node files to /srv/kind/falco/ on the machine that runs kind, then create the cluster:',
    '  install -D -m 0644 dist/node/audit-policy.yaml /srv/kind/falco/audit-policy.yaml',
    '  install -D -m 0644 dist/node/audit-webhook-kubeconfig.yaml /srv/kind/falco/audit-webhook-kubeconfig.yaml',
    '  kind create cluster --config dist/node/kind-cluster.yaml',
  ]);
  expect(() => ControlPlane.kind({ hostFolder: 'my files' })).toThrow('controlPlane.hostFolder: must be a folder without spaces');
});

test('by default kind runs in the output folder, where the relative extraMounts point', () => {
  expect(steps(kind(), 'dist/prod/node')).toEqual([
    'create the cluster in dist/prod, the folder the extraMounts are relative to (the node files must exist there):',
    '  (cd dist/prod && kind create cluster --config node/kind-cluster.yaml)',
  ]);
});

test('dual-stack and IPv6 ranges set the IP family kind needs', () => {
  expect(parsed(kind({ serviceClusterIPRange: '10.96.0.0/16,fd00:10:96::/112' }), CONFIG).networking).toEqual({
    ipFamily: 'dual',
    serviceSubnet: '10.96.0.0/16,fd00:10:96::/112',
  });
  expect(parsed(kind({ serviceClusterIPRange: 'fd00:10:96::/112', falco: { clusterIP: 'fd00:10:96::100' } }), CONFIG).networking.ipFamily).toBe(
    'ipv6',
  );
});

test('Kubernetes 1.15-1.18 gets dynamic auditing the kind way: featureGates and runtimeConfig, and the flag in the patch', () => {
  const audit = kind({ kubernetesVersion: '1.18', falco: { clusterIP: '10.96.0.100' } });
  expect(audit.backend).toBe(AuditBackend.DYNAMIC);
  expect(audit.validateOutput()).toEqual([]);
  const cluster = parsed(audit, CONFIG);
  expect(cluster.featureGates).toEqual({ DynamicAuditing: true });
  expect(cluster.runtimeConfig).toEqual({ 'auditregistration.k8s.io/v1alpha1': 'true' });
  expect(parse(cluster.nodes[0].kubeadmConfigPatches[0])).toEqual({
    kind: 'ClusterConfiguration',
    apiServer: { extraArgs: { 'audit-dynamic-configuration': 'true' } },
  });
  expect(cluster.nodes[0].extraMounts).toBeUndefined();
  expect(audit.auditSink).toBeDefined();
});

test('before 1.15 kind writes a kubeadm config the node cannot read: refused; the range is required', () => {
  expect(() => kind({ kubernetesVersion: '1.14' })).toThrow(
    'kubernetesVersion: kind v0.32.0 writes a kubeadm.k8s.io/v1beta2 config for node images before 1.23',
  );
  expect(() => build(ControlPlane.kind(), { kubernetesVersion: '1.30' })).toThrow('serviceClusterIPRange: is required for kind');
});
