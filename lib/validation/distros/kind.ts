import { parseAllDocuments } from 'yaml';
import { apiVersionOf, arr, isObject, Json, kindOf, obj, quote, str } from '../../core/util';
import { Violation } from '../violation';
import { distroIndex, schemaViolations, violation } from './distro-schemas';

/** kind's only config API in v0.32.0 (pkg/internal/apis/config/encoding/load.go L64-80). */
const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';

/**
 * The kubeadm config API kind v0.32.0 generates for a node image of Kubernetes 1.`minor`: v1beta2 before 1.23, v1beta3
 * for 1.23-1.35, v1beta4 from 1.36 (pkg/cluster/internal/kubeadm/config.go L674-679). A patch that names an
 * apiVersion applies only to that one (pkg/internal/patch/resource.go L66-71).
 */
export function kindKubeadmApiVersion(kubernetesMinor: number): string {
  if (kubernetesMinor < 23) return 'kubeadm.k8s.io/v1beta2';
  return kubernetesMinor < 36 ? 'kubeadm.k8s.io/v1beta3' : 'kubeadm.k8s.io/v1beta4';
}

/** Every `kubeadmConfigPatches` string of the cluster and of its nodes, with its path. */
function patchesOf(cluster: unknown): { at: string; node?: number; patch: unknown }[] {
  const c = obj(cluster);
  const own = arr(c.kubeadmConfigPatches).map((patch, i) => ({ at: `kubeadmConfigPatches[${i}]`, patch }));
  const nodes = arr(c.nodes).flatMap((n, ni) =>
    arr(obj(n).kubeadmConfigPatches).map((patch, i) => ({ at: `nodes[${ni}].kubeadmConfigPatches[${i}]`, node: ni, patch })),
  );
  return [...own, ...nodes];
}

/** One YAML document as data, or the reason it is not one. */
function parseOne(text: string): { value?: unknown; error?: string } {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 1) return { error: `holds ${Array.isArray(docs) ? docs.length : 0} YAML documents, not one` };
  if (docs[0].errors.length > 0) return { error: `is not valid YAML: ${docs[0].errors[0].message.split('\n')[0]}` };
  return { value: docs[0].toJS() };
}

/**
 * Validates a kind config (`kind create cluster --config`) against kind v0.32.0's own definition: the
 * `kind.x-k8s.io/v1alpha4` `Cluster` with exactly the fields and types of `pkg/apis/config/v1alpha4/types.go`, which
 * kind decodes strictly (encoding/load.go L89-93, yaml KnownFields: `readonly` for `readOnly` in an extraMounts entry
 * is an error), and each `kubeadmConfigPatches` entry a YAML mapping with a `kind` (how kind matches it to a
 * document, patch/matchinfo.go). What the patches change is checked by {@link validateKindKubeadmPatch}.
 */
export function validateKindCluster(cluster: unknown, source = 'kind Cluster'): Violation[] {
  const kind = distroIndex().kind;
  const out: Violation[] = [];
  if (apiVersionOf(cluster) !== KIND_API_VERSION || kindOf(cluster) !== 'Cluster') {
    out.push(
      violation(
        source,
        'apiVersion',
        'kind.api-version',
        `kind ${kind.tag} reads only ${KIND_API_VERSION} Cluster, not ${quote(`${apiVersionOf(cluster)} ${kindOf(cluster)}`)}`,
        apiVersionOf(cluster),
      ),
    );
  }
  out.push(...schemaViolations(kind.validator, cluster, source, `kind ${kind.tag} ${KIND_API_VERSION} Cluster`, 'kind-schema'));
  for (const { at, patch } of patchesOf(cluster)) {
    if (typeof patch !== 'string') continue; // the schema reported it
    const parsed = parseOne(patch);
    if (parsed.error) out.push(violation(source, at, 'kind.patch-yaml', `a kubeadm config patch ${parsed.error}`));
    else if (!isObject(parsed.value) || typeof parsed.value.kind !== 'string') {
      out.push(
        violation(source, at, 'kind.patch-yaml', 'a kubeadm config patch must be a YAML mapping with a kind (kind matches it to a document by kind)'),
      );
    }
  }
  return out;
}

/**
 * Validates the `kubeadmConfigPatches` entry a target emits for the API server: `kind: ClusterConfiguration` and no
 * `apiVersion`, so kind applies it whatever kubeadm API the node image gets (a patch pinned to v1beta3 is silently
 * skipped on a 1.36+ image: resource.go L66-71, config.go L674-679); and only fields of kubeadm's ClusterConfiguration,
 * with `extraArgs` in the map form (kind converts a map to v1beta4's list only for a patch without apiVersion,
 * patch/kubeadm_merge.go L96-105, and merges it into a v1beta3 map as a JSON merge patch). The field list is Cluster
 * API v1.10.0's v1beta1 `clusterConfiguration`, which mirrors kubeadm v1beta3's (plus `metadata`, which kind's own
 * document carries); its `apiServer` is checked in full.
 * @param patch the patch as the YAML string kind reads, or as data
 */
export function validateKindKubeadmPatch(patch: unknown, source = 'kind kubeadm patch'): Violation[] {
  let value = patch;
  if (typeof patch === 'string') {
    const parsed = parseOne(patch);
    if (parsed.error) return [violation(source, '', 'kind.patch-yaml', `a kubeadm config patch ${parsed.error}`)];
    value = parsed.value;
  }
  if (!isObject(value)) return [violation(source, '', 'kind.patch-yaml', 'a kubeadm config patch must be a mapping')];
  const out: Violation[] = [];
  if (value.kind !== 'ClusterConfiguration') {
    out.push(
      violation(
        source,
        'kind',
        'kind.patch-kind',
        `the API server's flags and volumes are in kind: ClusterConfiguration, not ${quote(value.kind)}`,
        value.kind,
      ),
    );
  }
  if (value.apiVersion !== undefined) {
    out.push(
      violation(
        source,
        'apiVersion',
        'kind.patch-api-version',
        `leave apiVersion out: kind ${distroIndex().kind.tag} applies a patch with ${quote(value.apiVersion)} only to that kubeadm API, ` +
          'and it generates v1beta3 for Kubernetes 1.23-1.35 but v1beta4 from 1.36 (pkg/cluster/internal/kubeadm/config.go L674-679)',
        value.apiVersion,
      ),
    );
  }
  const what = "kubeadm ClusterConfiguration (Cluster API v1.10.0's v1beta1 clusterConfiguration, the kubeadm v1beta3 form)";
  return [...out, ...schemaViolations(distroIndex().kind.kubeadmPatch.validator, value, source, what, 'kubeadm-schema')];
}

/**
 * The parsed ClusterConfiguration patches that apply to each control-plane node (role defaults to control-plane, and no
 * `nodes` means one control-plane node: types.go L27-31, L100-104), cluster-level patches first (types.go L49-58,
 * L124-134), keyed by a name for messages.
 */
function clusterConfigurationPatches(cluster: unknown): Map<string, { at: string; patch: Json }[]> {
  const all = patchesOf(cluster).flatMap(({ at, node, patch }) => {
    const value = typeof patch === 'string' ? parseOne(patch).value : undefined;
    return isObject(value) && value.kind === 'ClusterConfiguration' ? [{ at, node, patch: value }] : [];
  });
  const nodes = arr(obj(cluster).nodes);
  const byNode = new Map<string, { at: string; patch: Json }[]>();
  if (nodes.length === 0) byNode.set('the default control-plane node', all);
  nodes.forEach((n, i) => {
    if (str(obj(n).role) !== 'worker')
      byNode.set(
        `nodes[${i}]`,
        all.filter((p) => p.node === undefined || p.node === i),
      );
  });
  return byNode;
}

/**
 * Warnings about a valid kind config: several ClusterConfiguration patches of one control-plane node that set
 * `apiServer.extraVolumes` replace each other, the last one winning (kind applies merge patches in order with RFC 7386
 * JSON merge semantics, pkg/internal/patch/resource.go L50-64, which replace a list; only extraArgs and certSANs get
 * kind's own merge, kubeadm_merge.go L59-76). A target that adds its volumes to a user's kind config must put them in
 * the same patch as the user's volumes.
 */
export function kindClusterWarnings(cluster: unknown): string[] {
  const out: string[] = [];
  for (const [node, patches] of clusterConfigurationPatches(cluster)) {
    const withVolumes = patches.filter((p) => obj(p.patch.apiServer).extraVolumes !== undefined);
    if (withVolumes.length > 1) {
      out.push(
        `${node}: ${withVolumes.map((p) => p.at).join(', ')} each set apiServer.extraVolumes; kind applies them as JSON merge ` +
          `patches, which replace a list, so only ${withVolumes[withVolumes.length - 1].at}'s volumes are mounted`,
      );
    }
  }
  return out;
}
