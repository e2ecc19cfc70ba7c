import { closest, describeKind, isObject, show } from '../../core/util';
import { Violation } from '../violation';
import { eksClusterNameProblems, pubSubNameProblems } from './cloud-names';
import { ManagedOpenParams, ManagedPluginData, ManagedPluginKey, managedIndex, schemaViolations } from './managed-data';

/*
 * The pull-model plugins' `init_config` and `open_params`, checked against their PluginConfig structs as vendored by
 * scripts/gen-managed-schemas.js. Stricter than the plugins themselves: their InitSchema allows any key
 * (AllowAdditionalProperties: true, e.g. reference/managed/gke/plugins-k8saudit-gke-v0.9.0/init.go:96) and Init is a
 * plain json.Unmarshal, so a key the struct does not have is silently ignored; here it is an error.
 */

/** A pull-model k8saudit plugin for a managed cluster. */
export type ManagedPluginName = 'k8saudit-eks' | 'k8saudit-gke' | 'k8saudit-aks';

/** The plugins this folder knows. */
export const MANAGED_PLUGINS: readonly ManagedPluginName[] = Object.freeze(['k8saudit-eks', 'k8saudit-gke', 'k8saudit-aks'] as ManagedPluginName[]);

function pluginData(plugin: ManagedPluginName): ManagedPluginData {
  const data = managedIndex().plugins[plugin];
  if (!data) throw new Error(`schemas/managed/index.json has no plugin ${plugin}; run npm run gen:managed`);
  return data;
}

/** The plugin's releases (its CHANGELOG's headings), oldest first. */
export function managedPluginReleases(plugin: ManagedPluginName): readonly string[] {
  return pluginData(plugin).releases;
}

/** The `init_config` keys of one release, with types, defaults, units and sources; undefined for an unknown release. */
export function managedPluginKeys(plugin: ManagedPluginName, version: string): readonly ManagedPluginKey[] | undefined {
  const data = pluginData(plugin);
  if (!data.releases.includes(version)) return undefined;
  return data.keys.filter((k) => compareVersions(version, k.since) >= 0);
}

/** What the plugin's `open_params` is (the same for every release; see the note). */
export function managedPluginOpenParams(plugin: ManagedPluginName): ManagedOpenParams {
  return pluginData(plugin).openParams;
}

/** The plugin API a release needs (from the plugin-sdk-go it is built with); undefined for an unknown release. */
export function managedPluginApi(plugin: ManagedPluginName, version: string): string | undefined {
  return pluginData(plugin).pluginApi[version]?.api;
}

/** A violation for a release the vendored CHANGELOG does not list, or none. */
function releaseViolation(plugin: ManagedPluginName, version: string, source: string, path: string): Violation[] {
  const data = pluginData(plugin);
  if (data.releases.includes(version)) return [];
  const newer = /^\d+\.\d+\.\d+$/.test(version) && data.releases.every((r) => compareVersions(r, version) < 0);
  return [
    {
      source,
      path,
      rule: 'plugin.unknown-release',
      message: newer
        ? `${plugin} ${version} is newer than the vendored ${data.newest}: its PluginConfig struct is not known (re-run npm run gen:managed with newer references)`
        : `${plugin} has no release ${show(version)} (${data.changelog} lists ${data.releases.join(', ')})`,
      value: version,
    },
  ];
}

/** Orders X.Y.Z versions. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** An env var reference `${NAME}`, all Falco expands in a scalar (falco userspace/engine/yaml_helper.h:319-364 @ 0.44.1). */
const ENV_REFERENCE = /^\$\{([^}]+)\}$/;

/** The `init_config` keys that hold a secret: they must come from a Secret through an env var. */
const SECRET_KEYS = /connection_string$/;

/**
 * The env vars an `init_config` refers to as `${NAME}`, by key: each must be set on the Falco container (from a Secret),
 * since Falco replaces an unset one with "" without a word (yaml_helper.h:337 @ 0.44.1).
 */
export function pluginEnvReferences(initConfig: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(initConfig)) {
    const m = typeof value === 'string' ? ENV_REFERENCE.exec(value) : null;
    if (m) out[key] = m[1];
  }
  return out;
}

/** Refuses a literal secret: the value is not echoed, it may be a real connection string. */
function secretViolations(plugin: ManagedPluginName, config: Record<string, unknown>, source: string): Violation[] {
  const out: Violation[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!SECRET_KEYS.test(key) || typeof value !== 'string' || ENV_REFERENCE.test(value)) continue;
    out.push({
      source,
      path: key,
      rule: 'secret.literal',
      message:
        `refused: a literal ${key} (${describeKind(value)}) would be written into falco.yaml, which is meant for Git; ` +
        `${plugin} reads it after Falco expands env vars (0.37+), so write \${NAME} and set NAME from a Secret`,
    });
  }
  return out;
}

/** Explains an unknown key: the struct ignores it, and the key meant, if one is near (AKS's camelCase maxEventSize). */
function unknownKeyMessage(plugin: ManagedPluginName, version: string, key: string, keys: readonly ManagedPluginKey[]): string {
  const data = pluginData(plugin);
  const near = closest(
    key.replace(/_/g, ''),
    keys.map((k) => k.key.replace(/_/g, '')),
  );
  const meant = near === undefined ? undefined : keys.find((k) => k.key.replace(/_/g, '') === near);
  return (
    `unknown key ${show(key)}: not in the ${plugin} ${version} PluginConfig struct (${data.structUpstream}), whose keys are ` +
    `${keys.map((k) => k.key).join(', ')}; the plugin ignores unknown keys, so it would do nothing` +
    (meant ? `; did you mean ${show(meant.key)}?` : '')
  );
}

/**
 * Checks a plugin's `init_config` for one release: exactly the struct's keys (as spelled in its json tags), their JSON
 * types, the keys the plugin cannot start without, and no literal secret. A JSON string is read as the plugin reads it.
 */
export function validatePluginInitConfig(
  plugin: ManagedPluginName,
  version: string,
  initConfig: unknown,
  source = `${plugin} init_config`,
): Violation[] {
  const unknown = releaseViolation(plugin, version, source, '');
  if (unknown.length > 0) return unknown;
  let config = initConfig;
  if (typeof initConfig === 'string') {
    try {
      config = JSON.parse(initConfig);
    } catch {
      return [{ source, path: '', rule: 'plugin.init-config', message: `must be a mapping or a JSON object, not ${describeKind(initConfig)}` }];
    }
  }
  const keys = managedPluginKeys(plugin, version)!;
  const data = pluginData(plugin);
  const what = `${plugin} ${version} PluginConfig`;
  const violations = schemaViolations(config, source, { file: 'plugins.js', name: data.validators[version], what }).map((v) => {
    if (v.rule === 'schema.unknown-field') return { ...v, rule: 'plugin.unknown-key', message: unknownKeyMessage(plugin, version, v.path, keys) };
    const needed = keys.find((k) => k.key === v.path && k.needed);
    return needed && (v.rule === 'schema.required' || v.rule === 'schema.length') ? { ...v, message: `${v.message}: ${needed.needed}` } : v;
  });
  return isObject(config) ? [...violations, ...secretViolations(plugin, config, source)] : violations;
}

/**
 * Checks a plugin's `open_params`: the EKS cluster name (Open refuses an empty one), the GKE Pub/Sub subscription ID
 * (not a `file://` test path), anything for AKS (its Open ignores the value).
 */
export function validatePluginOpenParams(
  plugin: ManagedPluginName,
  version: string,
  openParams: unknown,
  source = `${plugin} open_params`,
): Violation[] {
  const unknown = releaseViolation(plugin, version, source, '');
  if (unknown.length > 0) return unknown;
  const info = pluginData(plugin).openParams;
  const at = (rule: string, message: string): Violation[] => [{ source, path: '', rule, message, value: openParams }];
  if (typeof openParams !== 'string') return at('plugin.open-params', `must be a string (${info.meaning}), not ${describeKind(openParams)}`);
  if (!info.required) return [];
  if (openParams === '')
    return at('plugin.open-params', `must not be empty: it is ${info.meaning} (${info.error ?? 'required'}, ${info.errorSource ?? info.source})`);
  if (plugin === 'k8saudit-gke' && openParams.startsWith('file://')) {
    return at(
      'plugin.open-params',
      `${show(openParams)} reads audit events from a local file, a test mode (${info.fileForm}); give the subscription ID`,
    );
  }
  const problems = plugin === 'k8saudit-eks' ? eksClusterNameProblems(openParams) : pubSubNameProblems(openParams);
  return problems.map((p) => ({
    source,
    path: '',
    rule: 'plugin.open-params',
    message: `${show(openParams)} is not ${info.meaning}: ${p}`,
    value: openParams,
  }));
}

/**
 * Whether a framework's plugin API can load a release: libs' plugin loader refuses a plugin whose required API has
 * another major or a higher minor (falcosecurity/libs userspace/plugin/plugin_loader.c; FACTS.md 5b).
 * @param frameworkApi the plugin API of the Falco release, e.g. `FalcoRelease.pluginApi` (`3.11.0` for Falco 0.41.3)
 */
export function pluginApiViolations(plugin: ManagedPluginName, version: string, frameworkApi: string, source = plugin): Violation[] {
  const unknown = releaseViolation(plugin, version, source, '');
  if (unknown.length > 0) return unknown;
  const needed = pluginData(plugin).pluginApi[version];
  const [nMajor, nMinor] = needed.api.split('.').map(Number);
  const [fMajor, fMinor] = frameworkApi.split('.').map(Number);
  if (nMajor === fMajor && nMinor <= fMinor) return [];
  return [
    {
      source,
      path: '',
      rule: 'plugin.api',
      message:
        `${plugin} ${version} needs plugin API ${needed.api} (plugin-sdk-go ${needed.sdk}, ${needed.evidence}), but the framework provides ` +
        `${frameworkApi}: the plugin loader would refuse it at start-up`,
      value: version,
    },
  ];
}
