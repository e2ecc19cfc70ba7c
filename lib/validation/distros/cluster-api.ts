import { apiVersionOf, isObject, Json, kindOf, quote } from '../../core/util';
import { Violation } from '../violation';
import { crdRuleViolations, CrdRules } from './crd-rules';
import { distroIndex, schemaViolations, violation } from './distro-schemas';

/** The KubeadmControlPlane API a Cluster API release is validated with. */
interface KcpVersion {
  /** `v1beta1` or `v1beta2`. */
  readonly version: string;
  /** The CAPI release whose CRD the schema is from. */
  readonly release: string;
  readonly apiVersion: string;
  readonly validator: string;
  readonly rules: CrdRules;
}

/** The minor of a Cluster API version (`1.10`, `1.11.2`, `v1.11.0`), or undefined. */
function capiMinor(capiVersion: string): number | undefined {
  const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(capiVersion.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * The KubeadmControlPlane API for a Cluster API version: `v1beta2` (list-form `extraArgs`) from 1.11 on, where it is
 * the storage version (CRD at v1.11.0), `v1beta1` (map-form `extraArgs`) up to 1.10 (CRD at v1.10.0 serves only it).
 * Versions after 1.11 are validated with 1.11.0's schema, the newest vendored.
 */
function kcpVersion(capiVersion: string): KcpVersion | undefined {
  const minor = capiMinor(capiVersion);
  if (minor === undefined) return undefined;
  const version = minor >= 11 ? 'v1beta2' : 'v1beta1';
  const entry = distroIndex().clusterApi.versions[version];
  return { version, release: entry.release, apiVersion: entry.apiVersion, validator: entry.validator, rules: entry.rules };
}

/** The `apiVersion` of a KubeadmControlPlane for a Cluster API version (`controlplane.cluster.x-k8s.io/v1beta2` from 1.11). */
export function kubeadmControlPlaneApiVersion(capiVersion: string): string {
  const v = kcpVersion(capiVersion);
  if (!v) throw new Error(`not a Cluster API version: ${quote(capiVersion)} (expected e.g. "1.10" or "1.11.2")`);
  return v.apiVersion;
}

/**
 * The smallest KubeadmControlPlane the CRD of that version accepts: the required `version` and
 * `machineTemplate.infrastructureRef` (v1beta2: `machineTemplate.spec.infrastructureRef` with `apiGroup`), filled with
 * stand-in values. A target's patch is merged onto it to validate the patch on its own.
 */
export function minimalKubeadmControlPlane(capiVersion: string): Json {
  const apiVersion = kubeadmControlPlaneApiVersion(capiVersion);
  const v1beta2 = apiVersion.endsWith('/v1beta2');
  return {
    apiVersion,
    kind: 'KubeadmControlPlane',
    metadata: { name: 'control-plane' },
    spec: {
      version: 'v1.30.0',
      machineTemplate: v1beta2
        ? { spec: { infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 'control-plane' } } }
        : { infrastructureRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'control-plane' } },
      // v1beta1 requires kubeadmConfigSpec; v1beta2 refuses an empty one (minProperties: 1)
      ...(v1beta2 ? {} : { kubeadmConfigSpec: {} }),
    },
  };
}

/**
 * `patch` merged onto `base` as the target's JSON 6902 `add` operations do it: objects are merged key by key, a list
 * in the patch is appended to the list in the base (`add .../-`, never replacing the user's entries), a scalar
 * replaces. Neither input is changed.
 */
export function mergeAppending(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) return [...base, ...patch];
  if (isObject(base) && isObject(patch)) {
    const out: Json = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? mergeAppending(base[k], v) : v;
    return out;
  }
  return patch;
}

/**
 * Validates a whole KubeadmControlPlane (the user's with the target's patch applied, or {@link minimalKubeadmControlPlane}
 * with it) against the CRD of the Cluster API version: the OpenAPI schema made strict (an unknown field, which the API
 * server would prune silently, is an error), its item-count and length limits (`files[].content` at most 10240
 * characters, `extraArgs` 1-100 items with values up to 1024 characters in v1beta2) and its CEL rules (unique
 * `extraArgs` names in v1beta2). The fields a target emits (`spec.kubeadmConfigSpec.files`,
 * `spec.kubeadmConfigSpec.clusterConfiguration.apiServer`, and what a minimal object needs) are checked in full; other
 * fields by name only (schemas/distros/index.json `clusterApi.checked`).
 * @param capiVersion the Cluster API version of the management cluster (`1.10`, `1.11.2`)
 */
export function validateKubeadmControlPlane(kcp: unknown, capiVersion: string, source = 'KubeadmControlPlane'): Violation[] {
  const v = kcpVersion(capiVersion);
  if (!v)
    return [violation(source, '', 'cluster-api.version', `not a Cluster API version: ${quote(capiVersion)} (expected e.g. "1.10" or "1.11.2")`)];
  const out: Violation[] = [];
  if (apiVersionOf(kcp) !== v.apiVersion || kindOf(kcp) !== 'KubeadmControlPlane') {
    out.push(
      violation(
        source,
        'apiVersion',
        'cluster-api.api-version',
        `must be ${v.apiVersion} for Cluster API ${capiVersion} (${v.version === 'v1beta2' ? 'list-form' : 'map-form'} extraArgs), ` +
          `not ${quote(`${apiVersionOf(kcp)} ${kindOf(kcp)}`)}`,
        apiVersionOf(kcp),
      ),
    );
  }
  const what = `Cluster API ${v.release} KubeadmControlPlane ${v.version}`;
  out.push(...schemaViolations(v.validator, kcp, source, what, 'cluster-api-schema'));
  out.push(...crdRuleViolations(kcp, v.rules, source, { name: 'the KubeadmControlPlane CRD of kubernetes-sigs/cluster-api', release: v.release }));
  return out;
}

/**
 * Validates a target's KubeadmControlPlane patch on its own: `fragment` (a partial KubeadmControlPlane such as
 * `{spec: {kubeadmConfigSpec: {files: [...], clusterConfiguration: {apiServer: {extraArgs: [...]}}}}}`) is merged onto
 * `base` as {@link mergeAppending} does, then validated with {@link validateKubeadmControlPlane}.
 * @param base the object the patch goes onto @default minimalKubeadmControlPlane(capiVersion)
 */
export function validateKubeadmControlPlanePatch(
  fragment: unknown,
  capiVersion: string,
  source = 'KubeadmControlPlane patch',
  base?: unknown,
): Violation[] {
  if (!isObject(fragment)) return [violation(source, '', 'cluster-api.patch', 'a KubeadmControlPlane patch must be a mapping')];
  if (kcpVersion(capiVersion) === undefined) return validateKubeadmControlPlane({}, capiVersion, source);
  return validateKubeadmControlPlane(mergeAppending(base ?? minimalKubeadmControlPlane(capiVersion), fragment), capiVersion, source);
}
