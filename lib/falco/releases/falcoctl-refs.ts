import { UserError } from '../../core/errors';
import { FalcoVersion } from './falco-version';

/** The version a falcoctl reference's tag names: `0.16` (minor, floats to the newest patch) or `0.16.1`. */
export interface FalcoctlRefVersion {
  /** The major version. */
  readonly major: number;
  /** The minor version. */
  readonly minor: number;
  /** The patch, when the tag names one. @default - the newest patch */
  readonly patch?: number;
}

/**
 * What a falcoctl artifact reference asks for: `k8saudit:0.16.1`, `k8saudit-rules:0.16` (floats to the newest
 * patch), `ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0`, `k8saudit` or `k8saudit:latest` (the newest).
 */
export interface FalcoctlRef {
  /** The reference as written. */
  readonly ref: string;
  /** The artifact name: the last path segment without tag or digest (`k8saudit`, `k8saudit-rules`). */
  readonly name: string;
  /** The version the tag names, missing parts as undefined; undefined for no tag, `latest` or a digest. */
  readonly version?: FalcoctlRefVersion;
}

/** Parses a falcoctl reference (see {@link FalcoctlRef}). */
export function parseFalcoctlRef(ref: string): FalcoctlRef {
  const noDigest = ref.split('@')[0];
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  const base = colon < 0 ? last : last.slice(0, colon);
  // a full OCI reference names the kind in the path: .../plugins/ruleset/k8saudit is the k8saudit-rules artifact
  // (falcoctl cmd/artifact/install/install.go:75 @ v0.13.0 shows both forms)
  const folder = noDigest.slice(0, noDigest.lastIndexOf('/') + 1);
  const name = folder.endsWith('/ruleset/') && !base.endsWith('-rules') ? `${base}-rules` : base;
  const tag = colon < 0 ? '' : last.slice(colon + 1);
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag);
  if (!m || ref.includes('@')) return { ref, name };
  return { ref, name, version: { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? undefined : Number(m[3]) } };
}

/** A plugin API version `3.11.0` as comparable numbers. */
function api(text: string): [number, number] {
  const [major, minor] = text.split('.').map(Number);
  return [major, minor];
}

/**
 * The plugin API a plugin (or, through `resolveDeps`, a rules file) of that version needs, from the plugin-sdk-go
 * each release is built with (falcosecurity/plugins go.mod at the tag; the SDK's default required API):
 * - k8saudit 0.16+ (sdk 0.8.3) needs 3.11.0; 0.6-0.15 (sdk 0.7.x) need 3.0.0.
 * - json 0.7.4 (sdk 0.8.3) needs 3.11.0; 0.7.0-0.7.3 need 3.0.0; 0.6.x (sdk 0.6) needs 2.0.0, which no 3.x libs loads.
 * - k8saudit-rules 0.18 requires k8saudit 0.18.0 (its required_plugin_versions), so falcoctl installs that.
 * A ref without a patch floats to the newest patch, one without a version to the newest release.
 */
export function requiredPluginApi(ref: FalcoctlRef): string | undefined {
  const v = ref.version;
  const atLeast = (minor: number, patch = 0) =>
    v === undefined || v.major > 0 || v.minor > minor || (v.minor === minor && (v.patch === undefined || v.patch >= patch));
  if (ref.name === 'k8saudit') return atLeast(16) ? '3.11.0' : '3.0.0';
  if (ref.name === 'json') return atLeast(7, 4) ? '3.11.0' : atLeast(7) ? '3.0.0' : '2.0.0';
  if (ref.name === 'k8saudit-rules') return atLeast(18) ? '3.11.0' : undefined;
  return undefined;
}

/**
 * Refuses a reference the release cannot load: libs' plugin loader rejects a plugin whose required API minor is
 * above the framework's ("plugin required API version '3.11.0' not compatible with the framework's API version
 * '3.2.0'", libs userspace/plugin/plugin_loader.c), and `falcoctl artifact install` does not check it.
 */
export function checkRefsLoadable(refs: readonly string[], falco: FalcoVersion, field: string, unsetHint = true): void {
  const provided = falco.release.pluginApi;
  if (provided === undefined) return;
  refs.forEach((text, i) => {
    const ref = parseFalcoctlRef(text);
    const needed = requiredPluginApi(ref);
    if (needed === undefined) return;
    const [nMajor, nMinor] = api(needed);
    const [pMajor, pMinor] = api(provided);
    if (nMajor === pMajor && nMinor <= pMinor) return;
    const v = ref.version;
    const what =
      v === undefined
        ? `floats to the newest ${ref.name}, which needs`
        : v.patch === undefined
          ? `floats to the newest ${v.major}.${v.minor}.x, which needs`
          : 'needs';
    const pins = falco.release.defaultRefs?.join(', ');
    throw new UserError(
      `"${text}" ${what} plugin API ${needed}, but Falco ${falco} provides ${provided}, and its plugin loader would refuse the ` +
        `plugin at start-up; use the refs ${falco.release.chart ? `chart ${falco.release.chart} pins` : 'pinned'} for Falco 0.${falco.minor} (${pins})` +
        (unsetHint ? `, or leave ${field} unset` : ''),
      { field: `${field}[${i}]` },
    );
  });
}
