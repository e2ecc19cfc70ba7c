import * as fs from 'fs';
import * as path from 'path';
import { show } from '../../core/util';
import { Violation } from '../violation';
import { RulesFileData, managedDir, managedIndex } from './managed-data';
import { compareVersions } from './plugin-config';

/*
 * Whether a set of k8saudit rules files can load next to a set of plugins, as Falco decides it. Falco checks every
 * `required_plugin_versions` entry of every rules file it loads: among the entry's alternatives, in order, the first one
 * whose plugin is loaded decides (its version must have the same major and be at least the required one); if none is
 * loaded Falco exits with "Plugin requirement not satisfied, must load one of: ..." (falco userspace/engine/
 * falco_engine.cpp:890-931 @ 0.44.1, libs userspace/libsinsp/version.h compatible_with). A rules file's
 * `required_engine_version` must be compatible with the engine the same way (rule_loader_collector.cpp:155-166).
 */

/** The names of the rules this folder knows: the shared k8saudit rules and the GKE overlay (vendored, no artifact). */
export type ManagedRulesName = 'k8saudit-rules' | 'k8saudit-gke-overlay';

/**
 * The engine version of each Falco release from 0.32.0 (userspace/engine/falco_engine_version.h at each tag: an integer N
 * up to 0.36, meaning 0.N.0, then 0.N.0 itself). It changes within some minors (0.32.0 -> 0.32.1, 0.34.0 -> 0.34.1).
 */
export const FALCO_ENGINE_VERSIONS: Readonly<Record<string, string>> = Object.freeze({
  '0.32.0': '0.12.0',
  '0.32.1': '0.13.0',
  '0.32.2': '0.13.0',
  '0.33.0': '0.15.0',
  '0.33.1': '0.15.0',
  '0.34.0': '0.15.0',
  '0.34.1': '0.16.0',
  '0.35.0': '0.17.0',
  '0.35.1': '0.17.0',
  '0.36.0': '0.26.0',
  '0.36.1': '0.26.0',
  '0.36.2': '0.26.0',
  '0.37.0': '0.31.0',
  '0.37.1': '0.31.0',
  '0.38.0': '0.40.0',
  '0.38.1': '0.40.0',
  '0.38.2': '0.40.0',
  '0.39.0': '0.43.0',
  '0.39.1': '0.43.0',
  '0.39.2': '0.43.0',
  '0.40.0': '0.46.0',
  '0.41.0': '0.50.0',
  '0.41.1': '0.50.0',
  '0.41.2': '0.50.0',
  '0.41.3': '0.50.0',
  '0.42.0': '0.57.0',
  '0.42.1': '0.57.0',
  '0.43.0': '0.58.0',
  '0.43.1': '0.58.0',
  '0.44.0': '0.62.0',
  '0.44.1': '0.62.0',
});

/**
 * Rules releases whose file is byte for byte a vendored one (falcosecurity/plugins: plugins/k8saudit/rules/
 * k8s_audit_rules.yaml is blob f2e8799a at v0.12.0 through v0.17.0, so v0.16.1 is v0.16.0).
 */
const SAME_FILE: Readonly<Record<string, string>> = Object.freeze({ 'k8saudit-rules:0.16.1': '0.16.0' });

/** What to check: the rules loaded, the plugins loaded, and optionally the Falco release (for the engine version). */
export interface RulesCheckInput {
  /**
   * The rules, as `name:version`: `k8saudit-rules:0.18.0` (a falcoctl ref; `0.18` floats to the newest 0.18.x) or
   * `k8saudit-gke-overlay:0.9.0` (the GKE overlay of plugins/k8saudit-gke/v0.9.0, shipped as custom rules).
   */
  readonly rules: string[];
  /** The plugins Falco loads, name to version (`0.12.0`; `0.12` for a ref that floats to the newest 0.12.x). */
  readonly plugins: Record<string, string>;
  /** The Falco release, to check `required_engine_version`. @default - the engine is not checked */
  readonly falco?: string;
}

/** The vendored requirements of one rules release, or undefined. */
export function rulesFileRequirements(name: ManagedRulesName, version: string): RulesFileData | undefined {
  return managedIndex().rules[name]?.[SAME_FILE[`${name}:${version}`] ?? version];
}

/** The vendored releases of a rules file, oldest first. */
export function rulesReleases(name: ManagedRulesName): string[] {
  return Object.keys(managedIndex().rules[name] ?? {}).sort(compareVersions);
}

/** `X.Y` as `X.Y.0`: a floating ref is at least its first patch. */
const lowerBound = (v: string) => (/^\d+\.\d+$/.test(v) ? `${v}.0` : v);

/** Same major, at least the required version (libs version.h compatible_with). */
const compatible = (have: string, need: string) => have.split('.')[0] === need.split('.')[0] && compareVersions(have, need) >= 0;

/** The vendored file a rules ref names, or the violation saying why there is none. */
function resolveRules(ref: string, source: string, at: string): { data?: RulesFileData; version?: string; violation?: Violation } {
  const m = /^([\w-]+):(.*)$/.exec(ref);
  const name = m?.[1] as ManagedRulesName | undefined;
  const tag = m?.[2] ?? '';
  const known = name ? rulesReleases(name) : [];
  const bad = (rule: string, message: string) => ({ violation: { source, path: at, rule, message, value: ref } });
  if (!name || known.length === 0)
    return bad('rules.unknown', `${show(ref)} is not a rules ref this check knows (k8saudit-rules:<version>, k8saudit-gke-overlay:<version>)`);
  if (!/^\d+\.\d+(\.\d+)?$/.test(tag)) {
    const newest = known[known.length - 1];
    const need = rulesFileRequirements(name, newest)!.requirements.map((alts) => alts.map((a) => `${a.name} >= ${a.version}`).join(' or '));
    return bad(
      'rules.floating-ref',
      `${show(ref)} floats to whatever ${name} release is newest when falcoctl runs, which may need newer plugins than the pinned ones ` +
        `(the newest vendored, ${newest}, needs ${need.join('; ')}); pin a version`,
    );
  }
  const version = /^\d+\.\d+$/.test(tag) ? known.find((v) => v.startsWith(`${tag}.`)) : tag;
  const data = version ? rulesFileRequirements(name, version) : undefined;
  if (!data) return bad('rules.unknown-release', `${name} ${tag} is not vendored (known: ${known.join(', ')}); its requirements cannot be checked`);
  return { data, version };
}

/** The violations of one requirement entry, as Falco checks it. */
function requirementViolation(
  alts: RulesFileData['requirements'][number],
  plugins: Record<string, string>,
  where: string,
  at: string,
  source: string,
) {
  const wanted = alts.map((a) => `${a.name} (>= ${a.version})`).join(', ');
  const decide = alts.find((a) => plugins[a.name] !== undefined);
  if (!decide) {
    return {
      source,
      path: at,
      rule: 'rules.plugin-missing',
      message: `${where} needs one of ${wanted} loaded, and none is: Falco exits (Plugin requirement not satisfied)`,
    };
  }
  const have = lowerBound(plugins[decide.name]);
  if (!/^\d+\.\d+\.\d+$/.test(have)) {
    return {
      source,
      path: at,
      rule: 'rules.plugin-version',
      message: `${decide.name} version ${show(plugins[decide.name])} is not X.Y.Z or X.Y`,
      value: have,
    };
  }
  if (compatible(have, decide.version)) return undefined;
  return {
    source,
    path: at,
    rule: 'rules.plugin-too-old',
    message: `${where} needs ${decide.name} >= ${decide.version} (same major), but ${decide.name} ${plugins[decide.name]} is loaded: Falco exits (not compatible with required plugin version)`,
    value: plugins[decide.name],
  };
}

/** The engine violation of one rules file for a Falco release, or undefined. */
function engineViolation(data: RulesFileData, where: string, falco: string, source: string, at: string): Violation | undefined {
  const engine = FALCO_ENGINE_VERSIONS[falco];
  if (!engine)
    return {
      source,
      path: at,
      rule: 'rules.unknown-falco',
      message: `the engine version of Falco ${show(falco)} is not known (FALCO_ENGINE_VERSIONS)`,
    };
  if (compatible(engine, data.engine)) return undefined;
  return {
    source,
    path: at,
    rule: 'rules.engine-too-old',
    message: `${where} needs engine ${data.engine} (required_engine_version ${data.engineRaw}, line ${data.engineLine}), but Falco ${falco} has ${engine}`,
  };
}

/**
 * Everything that would stop these rules from loading with these plugins (and this Falco): each rules ref pinned and
 * vendored, each `required_plugin_versions` entry satisfied, the engine new enough. Empty when Falco would start.
 */
export function rulesRequirementViolations(input: RulesCheckInput, source = 'rules'): Violation[] {
  const out: Violation[] = [];
  input.rules.forEach((ref, i) => {
    const at = `rules[${i}]`;
    const { data, version, violation } = resolveRules(ref, source, at);
    if (violation) return void out.push(violation);
    const where = `${ref.split(':')[0]} ${version} (${data!.upstream}, line ${data!.requirementsLine})`;
    for (const alts of data!.requirements) {
      const v = requirementViolation(alts, input.plugins, where, at, source);
      if (v) out.push(v);
    }
    const engine = input.falco === undefined ? undefined : engineViolation(data!, where, input.falco, source, at);
    if (engine) out.push(engine);
  });
  return out;
}

/** True when {@link rulesRequirementViolations} finds nothing. */
export function rulesRequirementsSatisfied(input: RulesCheckInput): boolean {
  return rulesRequirementViolations(input).length === 0;
}

/** The GKE overlay of one release: its text, byte for byte as upstream ships it, and where it came from. */
export interface GkeOverlay {
  readonly version: string;
  readonly text: string;
  readonly sha256: string;
  readonly upstream: string;
}

/** The vendored GKE overlay rules file (k8s_audit_rules_gke.yaml) of a k8saudit-gke release, or undefined. */
export function gkeOverlay(version: string): GkeOverlay | undefined {
  const data = rulesFileRequirements('k8saudit-gke-overlay', version);
  if (!data || !data.vendored) return undefined;
  const text = fs.readFileSync(path.join(managedDir(), data.vendored), 'utf8');
  return { version, text, sha256: data.sha256, upstream: `plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml @ plugins/k8saudit-gke/v${version}` };
}

/** The newest vendored GKE overlay a k8saudit-gke release satisfies (0.9.0 needs k8saudit-gke 0.9.0, 0.8.0 any 0.x). */
export function gkeOverlayFor(pluginVersion: string): string | undefined {
  const fits = rulesReleases('k8saudit-gke-overlay').filter((v) =>
    rulesFileRequirements('k8saudit-gke-overlay', v)!.requirements.every((alts) =>
      alts.every((a) => a.name !== 'k8saudit-gke' || compatible(lowerBound(pluginVersion), a.version)),
    ),
  );
  return fits[fits.length - 1];
}
