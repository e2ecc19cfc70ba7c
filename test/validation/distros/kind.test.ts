/**
 * The kind oracle: a kind config against the kind.x-k8s.io/v1alpha4 Cluster generated from kind v0.32.0's types.go
 * (strict decode), replayed on kind's own valid and invalid configs; the target's kubeadmConfigPatches entry against
 * kubeadm's ClusterConfiguration fields (map-form extraArgs, no apiVersion); the warning on extraVolumes in several patches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { kindClusterWarnings, kindKubeadmApiVersion, validateKindCluster, validateKindKubeadmPatch } from '../../../lib/validation/distros';

type Obj = Record<string, any>;

const UPSTREAM = path.join(__dirname, 'upstream', 'kind-v1alpha4');
const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

/** The target's patch: the flags and a volume for the folder the node files are mounted at. */
const PATCH = [
  'kind: ClusterConfiguration',
  'apiServer:',
  '  extraArgs:',
  '    audit-policy-file: /etc/kubernetes/falco-audit/policy.yaml',
  '    audit-webhook-config-file: /etc/kubernetes/falco-audit/webhook.kubeconfig',
  '    audit-webhook-batch-max-wait: 5s',
  '  extraVolumes:',
  '    - name: falco-audit',
  '      hostPath: /etc/kubernetes/falco-audit',
  '      mountPath: /etc/kubernetes/falco-audit',
  '      readOnly: true',
  '      pathType: DirectoryOrCreate',
  '',
].join('\n');

/** What the kind target emits: a control-plane node with the patch and the mount that brings the files in. */
function targetCluster(): Obj {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [
      {
        role: 'control-plane',
        kubeadmConfigPatches: [PATCH],
        extraMounts: [{ hostPath: '/home/me/cluster/node/falco-audit', containerPath: '/etc/kubernetes/falco-audit', readOnly: true }],
      },
    ],
  };
}

describe("kind's own configs (pkg/internal/apis/config/encoding/testdata/v1alpha4 at v0.32.0)", () => {
  const files = fs.readdirSync(UPSTREAM).filter((f) => f.endsWith('.yaml'));

  test('all nine are here', () => {
    expect(files.length).toBe(9);
  });

  test.each(files.filter((f) => f.startsWith('valid-')))('%s is accepted', (file) => {
    expect(validateKindCluster(parse(fs.readFileSync(path.join(UPSTREAM, file), 'utf8')), file)).toEqual([]);
  });

  test('invalid-bogus-field.yaml: the unknown field is refused', () => {
    const found = validateKindCluster(parse(fs.readFileSync(path.join(UPSTREAM, 'invalid-bogus-field.yaml'), 'utf8')));
    expect(rules(found)).toEqual(['nodes[1].extraPortMappings[0].nOtAReaLFielD kind-schema.unknown-field']);
  });

  test('invalid-bad-indent.yaml: a node indented into extraPortMappings is a port mapping with an unknown "role"', () => {
    const found = validateKindCluster(parse(fs.readFileSync(path.join(UPSTREAM, 'invalid-bad-indent.yaml'), 'utf8')));
    expect(rules(found)).toEqual(['nodes[1].extraPortMappings[1].role kind-schema.unknown-field']);
  });
});

test("the target's config and its patch pass", () => {
  expect(validateKindCluster(targetCluster())).toEqual([]);
  expect(validateKindKubeadmPatch(PATCH)).toEqual([]);
  expect(kindClusterWarnings(targetCluster())).toEqual([]);
});

test('the kubeadm API kind generates: v1beta3 for 1.23-1.35, v1beta4 from 1.36 (why the patch has no apiVersion)', () => {
  expect([22, 23, 35, 36].map(kindKubeadmApiVersion)).toEqual([
    'kubeadm.k8s.io/v1beta2',
    'kubeadm.k8s.io/v1beta3',
    'kubeadm.k8s.io/v1beta3',
    'kubeadm.k8s.io/v1beta4',
  ]);
});

describe('mutations', () => {
  test('an unknown kind field is refused: readonly for readOnly in extraMounts, and a misspelled node field', () => {
    const cluster = targetCluster();
    cluster.nodes[0].extraMounts[0] = { hostPath: '/x', containerPath: '/y', readonly: true };
    cluster.nodes[0].kubeadmConfigPatch = [];
    expect(validateKindCluster(cluster).map(formatViolation)).toEqual([
      'kind Cluster: nodes[0].kubeadmConfigPatch: unknown field "kubeadmConfigPatch": not in the kind v0.32.0 kind.x-k8s.io/v1alpha4 Cluster schema (did you mean "kubeadmConfigPatches"?) (kind-schema.unknown-field)',
      'kind Cluster: nodes[0].extraMounts[0].readonly: unknown field "readonly": not in the kind v0.32.0 kind.x-k8s.io/v1alpha4 Cluster schema (did you mean "readOnly"?) (kind-schema.unknown-field)',
    ]);
  });

  test('wrong types, an unknown role and another apiVersion are refused', () => {
    const cluster = targetCluster();
    cluster.apiVersion = 'kind.x-k8s.io/v1alpha3';
    cluster.nodes[0].role = 'master';
    cluster.nodes[0].extraMounts[0].readOnly = 'yes';
    cluster.networking = { apiServerPort: '6443' };
    expect(rules(validateKindCluster(cluster)).sort()).toEqual([
      'apiVersion kind.api-version',
      'networking.apiServerPort kind-schema.type',
      'nodes[0].extraMounts[0].readOnly kind-schema.type',
      'nodes[0].role kind-schema.enum',
    ]);
  });

  test('a patch that is not a YAML mapping with a kind is refused', () => {
    const cluster = targetCluster();
    cluster.nodes[0].kubeadmConfigPatches.push('apiServer: [', 'apiServer: {}');
    expect(rules(validateKindCluster(cluster))).toEqual([
      'nodes[0].kubeadmConfigPatches[1] kind.patch-yaml',
      'nodes[0].kubeadmConfigPatches[2] kind.patch-yaml',
    ]);
  });

  test('a patch pinned to a kubeadm apiVersion is refused: kind would skip it on the other node images', () => {
    const found = validateKindKubeadmPatch(`apiVersion: kubeadm.k8s.io/v1beta3\n${PATCH}`);
    expect(rules(found)).toEqual(['apiVersion kind.patch-api-version']);
    expect(found[0].message).toContain('v1beta4 from 1.36');
  });

  test("list-form extraArgs, a field kubeadm's ClusterConfiguration lacks and another kind are refused", () => {
    const patch = parse(PATCH);
    patch.kind = 'InitConfiguration';
    patch.apiServer.extraArgs = [{ name: 'audit-policy-file', value: '/x' }];
    patch.apiServer.extraVolume = [];
    patch.apiServer.extraVolumes[0].readonly = true;
    expect(rules(validateKindKubeadmPatch(patch)).sort()).toEqual([
      'apiServer.extraArgs kubeadm-schema.type',
      'apiServer.extraVolume kubeadm-schema.unknown-field',
      'apiServer.extraVolumes[0].readonly kubeadm-schema.unknown-field',
      'kind kind.patch-kind',
    ]);
  });

  test('extraVolumes in two ClusterConfiguration patches of one node replace each other: a warning names both', () => {
    const cluster = targetCluster();
    cluster.kubeadmConfigPatches = ['kind: ClusterConfiguration\napiServer:\n  extraVolumes:\n  - {name: mine, hostPath: /m, mountPath: /m}\n'];
    cluster.nodes.push({ role: 'worker', kubeadmConfigPatches: [PATCH] });
    expect(kindClusterWarnings(cluster)).toEqual([
      "nodes[0]: kubeadmConfigPatches[0], nodes[0].kubeadmConfigPatches[0] each set apiServer.extraVolumes; kind applies them as JSON merge patches, which replace a list, so only nodes[0].kubeadmConfigPatches[0]'s volumes are mounted",
    ]);
    delete cluster.nodes;
    expect(kindClusterWarnings(cluster)).toEqual([]);
  });
});
