#!/usr/bin/env node
/*
 * Generates schemas/managed/: what the managed-cluster validators (lib/validation/managed/) check against, read once
 * from the upstream files in ../shared/reference/managed (see its README.md and each provider's SOURCES.md).
 *
 * Usage:  npm run gen:managed [-- <reference dir>]   (default: ../shared/reference/managed; MANAGED_REFERENCE_DIR=<dir>
 *         works too; SCHEMAS_OUT_DIR=<dir> writes <dir>/managed instead of schemas/managed)
 * Never edit schemas/managed/ by hand; re-run this. The output is deterministic: the same inputs give the same bytes.
 *
 * What it derives, and from what:
 * - Plugins (k8saudit-eks, -gke, -aks): each plugin's `init_config` schema from its Go `PluginConfig` struct at the newest
 *   tag: keys from the `json` tags (exactly as spelled: AKS's `maxEventSize` is camelCase), JSON types from the Go types
 *   (unsigned integers get minimum 0), `additionalProperties: false` (the plugins' own InitSchema allows any key and
 *   json.Unmarshal ignores unknown ones, so a misspelt key silently does nothing). Defaults come from the jsonschema tags
 *   and from the code that sets them (Reset, SetDefault, the shared CloudWatch options), units from how Open/Init use the
 *   value (EKS `shift` is nanoseconds). Released versions are the CHANGELOG's headings; a key's first version and the
 *   plugin API each version needs are in the cited tables below (the struct at older tags is not in ../shared).
 * - Rules: `required_engine_version` and `required_plugin_versions` of each k8saudit rules file and GKE overlay; the
 *   overlay files themselves are copied byte for byte (the Falco side ships them as custom rules: no OCI artifact).
 * - Cloud objects: the ACK (Cluster, PodIdentityAssociation, Role) and Config Connector (PubSubTopic,
 *   PubSubSubscription, LoggingLogSink, IAMPolicyMember, IAMServiceAccount) CRD schemas, made strict like the Kubernetes
 *   ones (scripts/gen-schemas.js): objects with `properties` get `additionalProperties: false`, `description` and
 *   `x-kubernetes-*` are dropped (the CEL rules and the "Regex Pattern" lines of ACK's descriptions are kept as data with
 *   their line), `int32` becomes a range, other formats go. `oneOf`/`anyOf`/`not` stay and are enforced.
 * - Azure Service Operator: no CRD is in ../shared, so the spec schema of DiagnosticSetting, Namespace,
 *   NamespacesEventhub and NamespacesAuthorizationRule is parsed from ASO's generated `structure.txt` (field names,
 *   types, enums, lists and maps, validation rules); the shared genruntime types it only names are in GENRUNTIME below.
 *   Storage has no structure.txt: StorageAccount, StorageAccountsBlobService and StorageAccountsBlobServicesContainer
 *   get a schema of exactly the fields their upstream samples use (marked `derivedFrom: samples`).
 *
 * Output (schemas/managed/):
 *   index.json           sources (path, sha256), plugins, rules, overlays, kinds (apiVersion/kind -> validator, rules as data)
 *   schemas.json         every strict schema compiled, by validator name (for reading and diffs)
 *   plugins.js, eks.js, gke.js, aks.js   ajv standalone validators (no ajv at run time), one export per schema
 *   gke-overlay/<version>/k8s_audit_rules_gke.yaml   the GKE overlay rules, byte for byte
 */
'use strict';
const { requireInput } = require('./require-input');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.resolve(__dirname, '..');
const refDir = path.resolve(process.argv[2] || process.env.MANAGED_REFERENCE_DIR || path.join(root, '..', 'shared', 'reference', 'managed'));
const outDir = path.join(path.resolve(process.env.SCHEMAS_OUT_DIR || path.join(root, 'schemas')), 'managed');

requireInput('gen-managed-schemas', refDir, 'the managed-cluster reference files (reference/managed/)');

/* ------------------------------------------------------------------------------------------------------------------ */
/* Inputs                                                                                                               */
/* ------------------------------------------------------------------------------------------------------------------ */

const sources = new Map();
/** Reads a reference file (relative to refDir) and records its hash. */
function read(rel) {
  const file = path.join(refDir, rel);
  if (!fs.existsSync(file)) throw new Error(`gen-managed-schemas: ${file} is missing`);
  const text = fs.readFileSync(file, 'utf8');
  sources.set(rel, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  return text;
}

/** 1-based line of a character offset. */
const lineAt = (text, offset) => text.slice(0, offset).split('\n').length;

/** 1-based line of the first match of `re` in `text`; throws when there is none, so a moved source fails loudly. */
function lineOf(text, re, what) {
  const m = re.exec(text);
  if (!m) throw new Error(`gen-managed-schemas: ${what} not found (${re})`);
  return lineAt(text, m.index);
}

const semver = (v) => v.split('.').map(Number);
const cmp = (a, b) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};

/* ------------------------------------------------------------------------------------------------------------------ */
/* Plugins                                                                                                              */
/* ------------------------------------------------------------------------------------------------------------------ */

/** Each plugin's files here, and the upstream path of its PluginConfig struct (the SOURCES.md of each provider). */
const PLUGINS = {
  'k8saudit-eks': {
    dir: 'eks/plugins-k8saudit-eks-v0.12.0',
    code: ['k8sauditeks.go'],
    shared: 'shared-cloudwatchlogs-cloudwatch.go',
    upstream: 'falcosecurity/plugins plugins/k8saudit-eks/pkg/k8sauditeks/k8sauditeks.go @ plugins/k8saudit-eks/v0.12.0',
  },
  'k8saudit-gke': {
    dir: 'gke/plugins-k8saudit-gke-v0.9.0',
    code: ['config.go', 'init.go'],
    upstream: 'falcosecurity/plugins plugins/k8saudit-gke/pkg/k8sauditgke/config.go @ plugins/k8saudit-gke/v0.9.0',
  },
  'k8saudit-aks': {
    dir: 'aks/plugins-k8saudit-aks-v0.6.0',
    code: ['k8sauditaks.go'],
    upstream: 'falcosecurity/plugins plugins/k8saudit-aks/pkg/k8sauditaks/k8sauditaks.go @ plugins/k8saudit-aks/v0.6.0',
  },
};

/**
 * Keys added after a plugin's first release, with the CHANGELOG line that records it (checked below). Every other key
 * of the newest struct is in the struct at every tag of the plugin (falcosecurity/plugins, `git show <tag>:<file>` at
 * plugins/k8saudit-eks/v0.5.0..v0.12.0 and k8saudit-eks-0.1.0..0.4.0, plugins/k8saudit-gke/v0.1.1..v0.9.0 and
 * k8saudit-gke-0.1.0, plugins/k8saudit-aks/v0.1.0..v0.6.0; read from a mirror, not in ../shared).
 */
const KEY_SINCE = {
  'k8saudit-eks': { max_event_size: { since: '0.10.1', changelog: /db267a1.*max_event_size/ } },
};

/**
 * The plugin API a plugin-sdk-go line gives a plugin: the plugins set no RequiredAPIVersion, so they need the SDK's
 * PLUGIN_API_VERSION (falcosecurity/plugin-sdk-go pkg/sdk/plugin_api.h: 2.0 at v0.6.0-v0.6.2, 3.0 at v0.7.1-v0.7.5,
 * 3.11 at v0.8.3; pkg/sdk/symbols/info/info.c get_default_required_api_version).
 */
const SDK_API = [
  ['0.8.3', '3.11.0'],
  ['0.7.0', '3.0.0'],
  ['0.6.0', '2.0.0'],
];
/** The SDK of a plugin's first releases where its CHANGELOG names none (go.mod at tags k8saudit-gke-0.1.0, plugins/k8saudit-aks/v0.1.0). */
const FIRST_SDK = { 'k8saudit-gke': '0.7.3', 'k8saudit-aks': '0.7.4' };

/**
 * Keys Open needs with no default: an empty value makes the plugin fail at start-up. GKE: pubsub.NewClient refuses an
 * empty project ID (cloud.google.com/go/pubsub pubsub.go NewClientWithConfig: ErrEmptyProjectID). AKS: Open builds the
 * blob and Event Hubs clients from these four strings (k8sauditaks.go Open) and the README marks them required.
 */
const NEEDED = {
  'k8saudit-gke': { project_id: 'pubsub.NewClient refuses an empty project ID (pubsub.go NewClientWithConfig: ErrEmptyProjectID)' },
  'k8saudit-aks': {
    event_hub_namespace_connection_string: 'Open: azeventhubs.NewConsumerClientFromConnectionString',
    event_hub_name: 'Open: azeventhubs.NewConsumerClientFromConnectionString',
    blob_storage_connection_string: 'Open: container.NewClientFromConnectionString',
    blob_storage_container_name: 'Open: container.NewClientFromConnectionString',
  },
};

/** The fields of a Go struct: name, type, json key, jsonschema tag items, line. */
function goStruct(text, name, file) {
  const start = text.indexOf(`type ${name} struct {`);
  if (start < 0) throw new Error(`gen-managed-schemas: struct ${name} not found in ${file}`);
  const end = text.indexOf('\n}', start);
  const fields = [];
  const re = /^\t(\w+)\s+([\w.*[\]]+)\s+`([^`]*)`/gm;
  re.lastIndex = start;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    const json = /json:"([^",]*)/.exec(m[3]);
    const schemaTag = /jsonschema:"([^"]*)"/.exec(m[3]);
    const tags = schemaTag ? schemaTag[1].split(',') : [];
    const def = tags.find((t) => t.startsWith('default='));
    fields.push({
      goName: m[1],
      goType: m[2],
      key: json[1],
      tagDefault: def === undefined ? undefined : def.slice('default='.length),
      tagRequired: tags.includes('required'),
      line: lineAt(text, m.index),
    });
  }
  return fields;
}

/** The JSON schema a Go type unmarshals from. */
function jsonTypeOf(goType) {
  if (goType === 'string') return { type: 'string' };
  if (goType === 'bool') return { type: 'boolean' };
  if (/^uint(8|16|32|64)?$/.test(goType)) return { type: 'integer', minimum: 0 };
  if (/^int(8|16|32|64)?$/.test(goType)) return { type: 'integer' };
  throw new Error(`gen-managed-schemas: no JSON type for Go type ${goType}`);
}

/** Parses a Go literal the way a JSON value of that type would read it. */
function goLiteral(value, goType) {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^".*"$/.test(value)) return JSON.parse(value);
  if (goType === 'string' && value === '') return '';
  return undefined;
}

/** Assignments `recv.Field = value` inside the body of `func (recv *Type) Name()`, with the env var that guards them. */
function assignments(text, funcName) {
  const m = new RegExp(`func \\((\\w+) \\*\\w+\\) ${funcName}\\(\\) \\{`).exec(text);
  if (!m) return {};
  const body = text.slice(m.index, text.indexOf('\n}', m.index));
  const out = {};
  const re = new RegExp(`${m[1]}\\.(\\w+) = (.+)`, 'g');
  for (let a = re.exec(body); a; a = re.exec(body)) {
    const before = body.slice(0, a.index);
    const env = /os\.Getenv\("(\w+)"\); i != "" \{\s*$/.exec(before);
    const entry = { expr: a[2].trim(), line: lineAt(text, m.index + a.index), ...(env ? { env: env[1] } : {}) };
    (out[a[1]] = out[a[1]] || []).push(entry);
  }
  return out;
}

/** How Open/Init turn a numeric field into a duration: nanoseconds (time.Duration(x)), seconds or minutes. */
function units(text) {
  const out = {};
  for (const m of text.matchAll(/time\.Duration\((?:\w+\.)+Config\.(\w+)(\*uint64\(time\.(\w+)\))?\)(\s*\*\s*time\.(\w+))?/g)) {
    const unit = m[3] || m[5];
    out[m[1]] = { unit: unit ? unit.toLowerCase() + 's' : 'nanoseconds', line: lineAt(text, m.index) };
  }
  return out;
}

/** The defaults the shared CloudWatch options apply when a value is 0 (cloudwatch.go DefaultShift etc., setDefault). */
function cloudwatchDefaults(text) {
  const out = {};
  for (const m of text.matchAll(/^\s*Default(\w+)\s+(?:time\.Duration|uint64)\s+=\s+([\d]+)( \* time\.(\w+))?/gm)) {
    const guard = new RegExp(`options\\.${m[1]} == 0 \\{\\s*options\\.${m[1]} = Default${m[1]}`);
    if (!guard.test(text)) continue;
    out[m[1]] = { value: Number(m[2]), unit: m[4] ? m[4].toLowerCase() + 's' : undefined, line: lineAt(text, m.index) };
  }
  return out;
}

/** `## vX.Y.Z` headings of a CHANGELOG, with the line each section starts at. */
function changelogSections(text) {
  const sections = [];
  for (const m of text.matchAll(/^## v(\d+\.\d+\.\d+)\s*$/gm)) sections.push({ version: m[1], start: m.index, line: lineAt(text, m.index) });
  sections.forEach((s, i) => (s.end = i + 1 < sections.length ? sections[i + 1].start : text.length));
  return sections.sort((a, b) => cmp(a.version, b.version));
}

/** The plugin API each release needs, from the SDK bumps its CHANGELOG records (`plugin-sdk-go to v0.8.3`, ...). */
function pluginApiByVersion(plugin, text, sections, changelogRel) {
  let sdk = FIRST_SDK[plugin];
  let sdkLine;
  const out = {};
  for (const s of sections) {
    const body = text.slice(s.start, s.end);
    const bumps = [...body.matchAll(/plugin-(?:sdk-go|go-sdk) to v?(\d+\.\d+\.\d+)/g)];
    if (bumps.length > 0) {
      sdk = bumps
        .map((b) => b[1])
        .sort(cmp)
        .pop();
      sdkLine = lineAt(text, s.start + bumps[bumps.length - 1].index);
    }
    if (!sdk) throw new Error(`gen-managed-schemas: no plugin-sdk-go version known for ${plugin} ${s.version}`);
    const api = SDK_API.find(([from]) => cmp(sdk, from) >= 0);
    // the SDK's line (0.6.x, 0.7.x) decides the API; a patch the CHANGELOG does not name ("upgrade sdk and deps") does not
    const line = api[0] === '0.8.3' ? '0.8.3' : `${semver(sdk).slice(0, 2).join('.')}.x`;
    const [file, tag] = changelogRel.split(' @ ');
    const evidence = sdkLine
      ? `${file}:${sdkLine} @ ${tag}`
      : `go.mod at the ${plugin} ${s.version} tag (FIRST_SDK in scripts/gen-managed-schemas.js)`;
    out[s.version] = { api: api[1], sdk: line, evidence };
  }
  return out;
}

/** The default of a field: the code's assignment (Reset/SetDefault, CloudWatch setDefault), else the jsonschema tag. */
function defaultOf(f, code, cw, file, sharedFile) {
  const set = code[f.goName];
  if (cw[f.goName]) {
    const d = cw[f.goName];
    return { value: d.value, unit: d.unit, when: 'the value is 0', source: `${sharedFile}:${d.line}` };
  }
  if (set) {
    const envs = set.filter((s) => s.env).map((s) => s.env);
    if (envs.length > 0) return { env: envs.reverse(), source: `${file}:${set[0].line}` };
    const last = set[set.length - 1];
    const value = goLiteral(last.expr, f.goType);
    const fromTag = f.tagDefault === undefined ? undefined : goLiteral(f.tagDefault, f.goType);
    return { value: value === undefined ? fromTag : value, expr: value === undefined ? last.expr : undefined, source: `${file}:${last.line}` };
  }
  if (f.tagDefault !== undefined) return { value: goLiteral(f.tagDefault, f.goType) ?? f.tagDefault, source: `${file}:${f.line} (jsonschema tag)` };
  return { value: jsonTypeOf(f.goType).type === 'string' ? '' : jsonTypeOf(f.goType).type === 'boolean' ? false : 0, source: 'Go zero value' };
}

/** Everything the validators and the note need about one plugin. */
function buildPlugin(plugin) {
  const spec = PLUGINS[plugin];
  const files = spec.code.map((f) => ({ rel: `${spec.dir}/${f}`, text: read(`${spec.dir}/${f}`) }));
  const structFile = files.find((f) => f.text.includes('type PluginConfig struct'));
  const fields = goStruct(structFile.text, 'PluginConfig', structFile.rel);
  const code = {};
  const unitMap = {};
  for (const f of files) {
    for (const fn of ['Reset', 'SetDefault']) Object.assign(code, assignments(f.text, fn));
    for (const [k, u] of Object.entries(units(f.text))) unitMap[k] = { unit: u.unit, source: `${f.rel}:${u.line}` };
  }
  const cw = spec.shared ? cloudwatchDefaults(read(`${spec.dir}/${spec.shared}`)) : {};
  const changelog = read(`${spec.dir}/CHANGELOG.md`);
  const sections = changelogSections(changelog);
  const since = KEY_SINCE[plugin] || {};
  for (const [key, s] of Object.entries(since)) {
    const section = sections.find((x) => x.version === s.since);
    if (!section || !s.changelog.test(changelog.slice(section.start, section.end))) {
      throw new Error(`gen-managed-schemas: ${plugin} CHANGELOG does not record ${key} at ${s.since}`);
    }
  }
  const needed = NEEDED[plugin] || {};
  for (const key of Object.keys(needed)) {
    if (!fields.some((f) => f.key === key)) throw new Error(`gen-managed-schemas: ${plugin} has no key ${key}`);
  }
  const keys = fields.map((f) => ({
    key: f.key,
    goField: f.goName,
    goType: f.goType,
    ...jsonTypeOf(f.goType),
    since: since[f.key] ? since[f.key].since : sections[0].version,
    default: defaultOf(f, code, cw, structFile.rel, spec.shared ? `${spec.dir}/${spec.shared}` : ''),
    ...(unitMap[f.goName] ? { unit: unitMap[f.goName].unit, unitSource: unitMap[f.goName].source } : {}),
    ...(needed[f.key] ? { needed: needed[f.key] } : {}),
    ...(f.tagDefault !== undefined ? { tagDefault: goLiteral(f.tagDefault, f.goType) ?? f.tagDefault } : {}),
    source: `${structFile.rel}:${f.line}`,
  }));
  return { plugin, files, structFile, keys, sections, changelog };
}

/** What `open_params` is for the plugin, from Open (EKS, AKS) or the README where Open is not in ../shared (GKE). */
function openParams(plugin, built) {
  for (const f of built.files) {
    const m = /func \(\w+ \*Plugin\) Open\((\w+) string\)/.exec(f.text);
    if (!m) continue;
    const line = lineAt(f.text, m.index);
    if (m[1] === '_') return { meaning: 'ignored', required: false, source: `${f.rel}:${line}` };
    const check = new RegExp(`if ${m[1]} == "" \\{\\s*return nil, fmt\\.Errorf\\("([^"]+)"\\)`).exec(f.text);
    const group = /CreateFilter\("", "([^"]+)"\+\w+\+"([^"]+)", "([^"]+)"/.exec(f.text);
    return {
      meaning: 'the EKS cluster name',
      required: Boolean(check),
      ...(check ? { error: check[1], errorSource: `${f.rel}:${lineAt(f.text, check.index)}` } : {}),
      ...(group
        ? { logGroup: `${group[1]}<cluster>${group[2]}`, logStreamPrefix: group[3], logGroupSource: `${f.rel}:${lineAt(f.text, group.index)}` }
        : {}),
      source: `${f.rel}:${line}`,
    };
  }
  const readmeRel = `${PLUGINS[plugin].dir}/README.md`;
  const readme = read(readmeRel);
  const hackRel = `${PLUGINS[plugin].dir}/hack-falco.yaml`;
  const hack = read(hackRel);
  return {
    meaning: 'the Pub/Sub subscription ID',
    required: true,
    source: `${readmeRel}:${lineOf(readme, /subscriber name for your Google Pub\/Sub topic \(required\)/, 'GKE open params')}`,
    fileForm: `file://<path> reads a file instead (${hackRel}:${lineOf(hack, /open_params: "file:\/\//, 'GKE file:// open params')})`,
  };
}

/** One strict init_config schema per distinct key set, and which releases use which. */
function pluginSchemas(plugin, built) {
  const schemas = {};
  const byRelease = {};
  for (const s of built.sections) {
    const keys = built.keys.filter((k) => cmp(s.version, k.since) >= 0);
    const id = `plugin_${plugin.replace(/-/g, '_')}_${keys.map((k) => k.key).join('_').length}_${keys.length}`;
    if (!schemas[id]) {
      const properties = {};
      for (const k of keys) {
        properties[k.key] = { type: k.type, ...(k.minimum !== undefined ? { minimum: k.minimum } : {}), ...(k.needed ? { minLength: 1 } : {}) };
      }
      const required = keys.filter((k) => k.needed).map((k) => k.key);
      schemas[id] = { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}), firstRelease: s.version };
    }
    byRelease[s.version] = id;
  }
  // name each schema after the first release that uses it
  const renamed = {};
  const out = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const name = `plugin_${plugin.replace(/-/g, '_')}_${schema.firstRelease.replace(/\./g, '_')}`;
    renamed[id] = name;
    out[name] = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'firstRelease'));
  }
  for (const v of Object.keys(byRelease)) byRelease[v] = renamed[byRelease[v]];
  return { schemas: out, byRelease };
}

function plugins() {
  const data = {};
  const schemas = {};
  for (const plugin of Object.keys(PLUGINS)) {
    const built = buildPlugin(plugin);
    const { schemas: s, byRelease } = pluginSchemas(plugin, built);
    Object.assign(schemas, s);
    data[plugin] = {
      newest: built.sections[built.sections.length - 1].version,
      struct: built.structFile.rel,
      structUpstream: PLUGINS[plugin].upstream,
      releases: built.sections.map((s) => s.version),
      changelog: `${PLUGINS[plugin].dir}/CHANGELOG.md`,
      keys: built.keys,
      // Open's handling of its parameter is the same at every tag of each plugin (falcosecurity/plugins: the EKS
      // cluster-name check and log group, the GKE subscription ID or file://, AKS's ignored `_`; read at every tag in a
      // mirror): one entry serves every release
      openParams: { ...openParams(plugin, built), releases: `${built.sections[0].version}-${built.sections[built.sections.length - 1].version}` },
      pluginApi: pluginApiByVersion(
        plugin,
        built.changelog,
        built.sections,
        `plugins/${plugin}/CHANGELOG.md @ plugins/${plugin}/v${built.sections[built.sections.length - 1].version}`,
      ),
      validators: byRelease,
    };
  }
  return { data, schemas };
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Rules                                                                                                                */
/* ------------------------------------------------------------------------------------------------------------------ */

const RULES = [
  ['k8saudit-rules', '0.16.0', 'rules/k8saudit-v0.16.0/k8s_audit_rules.yaml'],
  ['k8saudit-rules', '0.17.0', 'rules/k8saudit-v0.17.0/k8s_audit_rules.yaml'],
  ['k8saudit-rules', '0.18.0', 'rules/k8saudit-v0.18.0/k8s_audit_rules.yaml'],
  ['k8saudit-gke-overlay', '0.8.0', 'rules/k8saudit-gke-v0.8.0/k8s_audit_rules_gke.yaml'],
  ['k8saudit-gke-overlay', '0.9.0', 'rules/k8saudit-gke-v0.9.0/k8s_audit_rules_gke.yaml'],
];

/**
 * An engine requirement as Falco compares it: an integer N is the semver 0.N.0 (falco userspace/engine
 * rule_loader_reader.h get_implicit_engine_version, rule_loader_reader.cpp:459-471 @ 0.44.1).
 */
const engineVersion = (raw) => (typeof raw === 'number' ? `0.${raw}.0` : String(raw));

function rulesData() {
  const out = {};
  for (const [name, version, rel] of RULES) {
    const text = read(rel);
    const doc = YAML.parse(text);
    const engine = doc.find((item) => item && item.required_engine_version !== undefined);
    const plugins = doc.find((item) => item && item.required_plugin_versions !== undefined);
    const requirements = plugins.required_plugin_versions.map((req) => [
      { name: req.name, version: String(req.version) },
      ...(req.alternatives || []).map((alt) => ({ name: alt.name, version: String(alt.version) })),
    ]);
    const upstream =
      name === 'k8saudit-rules'
        ? `falcosecurity/plugins plugins/k8saudit/rules/k8s_audit_rules.yaml @ plugins/k8saudit/v${version}`
        : `falcosecurity/plugins plugins/k8saudit-gke/rules/k8s_audit_rules_gke.yaml @ plugins/k8saudit-gke/v${version}`;
    const entry = {
      file: rel,
      upstream,
      sha256: sources.get(rel),
      engine: engineVersion(engine.required_engine_version),
      engineRaw: engine.required_engine_version,
      engineLine: lineOf(text, /^- required_engine_version:/m, `${rel} required_engine_version`),
      requirements,
      requirementsLine: lineOf(text, /^- required_plugin_versions:/m, `${rel} required_plugin_versions`),
    };
    if (name === 'k8saudit-gke-overlay') entry.vendored = `gke-overlay/${version}/k8s_audit_rules_gke.yaml`;
    (out[name] = out[name] || {})[version] = entry;
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* CRDs (ACK, Config Connector)                                                                                         */
/* ------------------------------------------------------------------------------------------------------------------ */

const CRDS = [
  ['eks', 'eks/ack-eks-controller-v1.20.0/eks.services.k8s.aws_clusters.yaml'],
  ['eks', 'eks/ack-eks-controller-v1.20.0/eks.services.k8s.aws_podidentityassociations.yaml'],
  ['eks', 'eks/ack-iam-controller-v1.8.1/iam.services.k8s.aws_roles.yaml'],
  ['gke', 'gke/k8s-config-connector-v1.155.1/apiextensions.k8s.io_v1_customresourcedefinition_pubsubtopics.pubsub.cnrm.cloud.google.com.yaml'],
  ['gke', 'gke/k8s-config-connector-v1.155.1/apiextensions.k8s.io_v1_customresourcedefinition_pubsubsubscriptions.pubsub.cnrm.cloud.google.com.yaml'],
  ['gke', 'gke/k8s-config-connector-v1.155.1/apiextensions.k8s.io_v1_customresourcedefinition_logginglogsinks.logging.cnrm.cloud.google.com.yaml'],
  ['gke', 'gke/k8s-config-connector-v1.155.1/apiextensions.k8s.io_v1_customresourcedefinition_iampolicymembers.iam.cnrm.cloud.google.com.yaml'],
  ['gke', 'gke/k8s-config-connector-v1.155.1/apiextensions.k8s.io_v1_customresourcedefinition_iamserviceaccounts.iam.cnrm.cloud.google.com.yaml'],
];

const INT32 = { minimum: -2147483648, maximum: 2147483647 };

/** Parts of a kind that get a validator of their own, for patches: the ACK Cluster's `spec.logging`. */
const PARTS = { 'eks.services.k8s.aws/v1alpha1/Cluster': ['spec.logging'] };

/**
 * A strict copy of a structural schema node. Records the CEL rules and ACK's "Regex Pattern:" description lines, with
 * their YAML line (`lines` maps a JSON pointer to a line), into `notes`.
 */
function strict(node, pointer, dotted, lines, notes) {
  if (Array.isArray(node)) return node.map((n, i) => strict(n, `${pointer}/${i}`, dotted, lines, notes));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description') {
      const m = typeof v === 'string' ? /Regex Pattern: `([^`]+)`/.exec(v) : null;
      if (m) notes.apiPatterns.push({ path: dotted, pattern: m[1], line: lines(`${pointer}/description`) + v.slice(0, m.index).split('\n').length });
      continue;
    }
    if (k === 'x-kubernetes-validations') {
      v.forEach((rule, i) => notes.cel.push({ path: dotted, rule: rule.rule, message: rule.message, line: lines(`${pointer}/${k}/${i}/rule`) }));
      continue;
    }
    if (k.startsWith('x-kubernetes-') || k === 'format') continue;
    if (k === 'properties') {
      out.properties = {};
      for (const [p, s] of Object.entries(v))
        out.properties[p] = strict(s, `${pointer}/properties/${p}`, dotted ? `${dotted}.${p}` : p, lines, notes);
    } else if (k === 'items') {
      out.items = strict(v, `${pointer}/items`, `${dotted}[]`, lines, notes);
    } else if (k === 'additionalProperties' && typeof v === 'object') {
      out.additionalProperties = strict(v, `${pointer}/additionalProperties`, `${dotted}.*`, lines, notes);
    } else {
      out[k] = strict(v, `${pointer}/${k}`, dotted, lines, notes);
    }
  }
  if (node.format === 'int32') Object.assign(out, INT32);
  if (node['x-kubernetes-preserve-unknown-fields']) return out;
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A function from a JSON pointer into the YAML document to the 1-based line of that node. */
function lineIndex(text) {
  const counter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter, keepSourceTokens: false });
  return (pointer) => {
    const parts = pointer.split('/').slice(1);
    let node = doc.contents;
    for (const p of parts) {
      node = YAML.isSeq(node) ? node.items[Number(p)] : node.get(p, true);
      if (!node) return 0;
    }
    return counter.linePos(node.range[0]).line;
  };
}

/**
 * The `oneOf` lists whose branches each require one field: exactly one of those fields may be set. Kept as data so a
 * message can name the fields (ajv reports only which branches matched).
 */
function exclusives(schema, dotted = '', out = []) {
  if (!schema || typeof schema !== 'object') return out;
  const branches = schema.oneOf;
  if (Array.isArray(branches) && branches.every((b) => Object.keys(b).length === 1 && Array.isArray(b.required) && b.required.length === 1)) {
    out.push({ path: dotted, fields: branches.map((b) => b.required[0]) });
  }
  for (const [k, v] of Object.entries(schema.properties || {})) exclusives(v, dotted ? `${dotted}.${k}` : k, out);
  if (schema.items) exclusives(schema.items, `${dotted}[]`, out);
  return out;
}

function crds() {
  const kinds = {};
  const schemas = {};
  for (const [provider, rel] of CRDS) {
    const text = read(rel);
    const crd = YAML.parse(text);
    const lines = lineIndex(text);
    crd.spec.versions.forEach((version, vi) => {
      if (!version.served) return;
      const apiVersion = `${crd.spec.group}/${version.name}`;
      const kind = crd.spec.names.kind;
      const notes = { cel: [], apiPatterns: [] };
      const schema = strict(version.schema.openAPIV3Schema, `/spec/versions/${vi}/schema/openAPIV3Schema`, '', lines, notes);
      schema.properties.status = { type: 'object' };
      const id = `${provider}_${kind}_${version.name}`;
      schemas[id] = schema;
      // a patch of a part of the object (the user's own ACK Cluster gets spec.logging only) is checked against that part
      const parts = {};
      for (const part of PARTS[`${apiVersion}/${kind}`] || []) {
        const partId = `${id}_${part.replace(/\./g, '_')}`;
        schemas[partId] = part.split('.').reduce((node, key) => node.properties[key], schema);
        parts[part] = partId;
      }
      kinds[`${apiVersion}/${kind}`] = {
        parts,
        provider,
        validator: id,
        file: `${provider}.js`,
        derivedFrom: 'crd',
        source: rel,
        scope: crd.spec.scope,
        cel: notes.cel,
        apiPatterns: notes.apiPatterns,
        exclusive: exclusives(schema),
      };
    });
  }
  return { kinds, schemas };
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Azure Service Operator                                                                                               */
/* ------------------------------------------------------------------------------------------------------------------ */

/**
 * ASO's ARM ID pattern, `(?i)` made explicit for JavaScript (v2/config/crd/bases/*.yaml, e.g.
 * insights.azure.com_diagnosticsettings.yaml `armId.pattern` @ 289c45c7, read through the search index).
 */
const ARM_ID =
  '(?i)(^(/subscriptions/([^/]+)(/resourcegroups/([^/]+))?)?/providers/([^/]+)/([^/]+/[^/]+)(/([^/]+/[^/]+))*$|^/subscriptions/([^/]+)(/resourcegroups/([^/]+))?$)';

/** `(?i)pattern` as a JavaScript pattern: every ASCII letter outside a character class or escape becomes [xX]. */
function caseInsensitive(pattern) {
  const p = pattern.replace(/^\(\?i\)/, '');
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += c + p[++i];
    } else if (c === '[' || c === ']') {
      inClass = c === '[';
      out += c;
    } else if (!inClass && /[a-z]/i.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The shared types structure.txt only names, as ASO's CRDs render them (insights.azure.com_diagnosticsettings.yaml and
 * eventhub.azure.com_namespacesauthorizationrules.yaml @ 289c45c7, read through the search index): a reference is an
 * ARM ID or a Kubernetes group/kind/name, an owner the same, a known-kind owner a name or an ARM ID; a secret
 * destination names a Secret and its key; a destination expression adds a CEL `value`.
 */
const GENRUNTIME = {
  'genruntime.ResourceReference': ['armId', 'group', 'kind', 'name'],
  'genruntime.ArbitraryOwnerReference': ['armId', 'group', 'kind', 'name'],
  'genruntime.KnownResourceReference': ['armId', 'name'],
  'genruntime.SecretDestination': ['key', 'name'],
  'core.DestinationExpression': ['key', 'name', 'value'],
};
const GENRUNTIME_REQUIRED = { 'genruntime.SecretDestination': ['key', 'name'], 'core.DestinationExpression': ['name', 'value'] };

/**
 * Required fields: structure.txt does not mark them (a required field can be a pointer), so these come from the CRDs
 * read through the search index @ 289c45c7: DiagnosticSetting `spec.required: [owner]`, `logs.items.required: [enabled]`,
 * `retentionPolicy.required: [days, enabled]`; NamespacesAuthorizationRule `spec.required: [owner, rights]`.
 */
const ASO_REQUIRED = {
  DiagnosticSetting: {
    '': ['owner'],
    logs: ['enabled'],
    'logs.retentionPolicy': ['days', 'enabled'],
    metrics: ['enabled'],
    'metrics.retentionPolicy': ['days', 'enabled'],
  },
  NamespacesAuthorizationRule: { '': ['owner', 'rights'] },
};

const ASO = [
  {
    rel: 'aks/aso-types/insights/v1api20210501preview/structure.txt',
    group: 'insights.azure.com',
    kinds: ['DiagnosticSetting'],
  },
  {
    rel: 'aks/aso-types/eventhub/v20240101/structure.txt',
    group: 'eventhub.azure.com',
    kinds: ['Namespace', 'NamespacesEventhub', 'NamespacesAuthorizationRule'],
    // the same API under ASO's older version name: the research's v1api20240101 sample, and the CRD @ 289c45c7 serves
    // v1api20240101 (NamespacesAuthorizationRule: the same spec fields, enum and required list); which names the
    // current ASO release serves could not be checked without its CRDs
    aliases: ['v1api20240101'],
  },
];

/** structure.txt as a tree: { name, type, line, children }. */
function parseStructure(text, rel) {
  const rootNode = { children: [] };
  const stack = [rootNode];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim() || raw.startsWith('//') || /^-+$/.test(raw) || raw.startsWith('github.com/')) return;
    const m = /^((?:│ {3}| {4})*)(?:[├└]── )?(.*)$/.exec(raw);
    const depth = raw.startsWith('├') || raw.startsWith('└') || m[1] ? m[1].length / 4 + 1 : 0;
    const body = m[2];
    const node = { line: i + 1, children: [] };
    const value = /^"(.*)"$/.exec(body);
    const rule = /^Rule \d+: (\w+): (.*)$/.exec(body);
    if (value) Object.assign(node, { enumValue: value[1] });
    else if (rule) Object.assign(node, { rule: rule[1], arg: rule[2] });
    else {
      const kv = /^([\w]+): (.*)$/.exec(body);
      if (!kv) throw new Error(`gen-managed-schemas: ${rel}:${i + 1}: cannot read "${body}"`);
      Object.assign(node, { name: kv[1], type: kv[2] });
    }
    stack.length = depth + 1;
    stack[depth].children.push(node);
    stack[depth + 1] = node;
  });
  return rootNode.children;
}

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);

/** A JSON schema for a structure.txt node of the spec. */
function asoSchema(node, kind, dotted) {
  let t = node.type.replace(/^\*/, '');
  const list = t.endsWith('[]');
  if (list) t = t.slice(0, -2).replace(/^\*/, '');
  let schema;
  const validated = /^Validated<\*?(\w+)> \(\d+ rules?\)$/.exec(t);
  if (validated) t = validated[1];
  if (/^Object \(\d+ propert(y|ies)\)$/.test(t)) {
    schema = { type: 'object', properties: {}, additionalProperties: false };
    for (const c of node.children)
      schema.properties[lowerFirst(c.name)] = asoSchema(c, kind, dotted ? `${dotted}.${lowerFirst(c.name)}` : lowerFirst(c.name));
    const required = (ASO_REQUIRED[kind] || {})[dotted];
    if (required) schema.required = required;
  } else if (/^Enum \(\d+ values?\)$/.test(t)) {
    schema = { type: 'string', enum: node.children.map((c) => c.enumValue) };
  } else if (t === 'string' || t === 'bool' || t === 'int' || t === 'float64') {
    schema = { type: { string: 'string', bool: 'boolean', int: 'integer', float64: 'number' }[t] };
  } else if (t === 'map[string]string') {
    schema = { type: 'object', additionalProperties: { type: 'string' } };
  } else if (GENRUNTIME[t]) {
    schema = { $ref: `#/definitions/${t.replace('.', '_')}` };
  } else {
    throw new Error(`gen-managed-schemas: structure.txt line ${node.line}: no schema for type ${node.type}`);
  }
  for (const c of validated ? node.children : []) {
    if (c.rule === 'MinLength') schema.minLength = Number(c.arg);
    else if (c.rule === 'MaxLength') schema.maxLength = Number(c.arg);
    else if (c.rule === 'Minimum') schema.minimum = Number(c.arg);
    else if (c.rule === 'Maximum') schema.maximum = Number(c.arg);
    else if (c.rule === 'Pattern') schema.pattern = JSON.parse(c.arg);
    else throw new Error(`gen-managed-schemas: structure.txt line ${c.line}: unknown rule ${c.rule}`);
  }
  return list ? { type: 'array', items: schema } : schema;
}

/** The line of a spec's AzureName in structure.txt. */
const azureNameLine = (specNode) => specNode.children.find((c) => c.name === 'AzureName').line;

/** The genruntime definitions a schema refers to. */
function genruntimeDefinitions() {
  const defs = {};
  for (const [t, fields] of Object.entries(GENRUNTIME)) {
    const properties = {};
    for (const f of fields) properties[f] = f === 'armId' ? { type: 'string', pattern: caseInsensitive(ARM_ID) } : { type: 'string' };
    defs[t.replace('.', '_')] = {
      type: 'object',
      properties,
      additionalProperties: false,
      ...(GENRUNTIME_REQUIRED[t] ? { required: GENRUNTIME_REQUIRED[t] } : {}),
    };
  }
  return defs;
}

/** A root schema around a spec schema. */
function asoRoot(spec) {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
      status: { type: 'object' },
    },
    additionalProperties: false,
    required: ['spec'],
    definitions: genruntimeDefinitions(),
  };
}

function asoFromStructure() {
  const kinds = {};
  const schemas = {};
  for (const entry of ASO) {
    const text = read(entry.rel);
    const version = path.basename(path.dirname(entry.rel));
    const tree = parseStructure(text, entry.rel);
    for (const kind of entry.kinds) {
      const resource = tree.find((n) => n.name === kind && n.type === 'Resource');
      const specNode = resource && resource.children.find((c) => c.name === 'Spec');
      if (!specNode) throw new Error(`gen-managed-schemas: ${entry.rel} has no ${kind} Spec`);
      const owner = resource.children.find((c) => c.name === 'Owner');
      const id = `aks_${kind}_${version}`;
      schemas[id] = asoRoot(asoSchema(specNode, kind, ''));
      for (const v of [version, ...(entry.aliases || [])]) {
        kinds[`${entry.group}/${v}/${kind}`] = {
          parts: {},
          provider: 'aks',
          validator: id,
          file: 'aks.js',
          derivedFrom: 'structure',
          azureName: { ...schemas[id].properties.spec.properties.azureName, source: `${entry.rel}:${azureNameLine(specNode)}` },
          source: `${entry.rel}:${resource.line}`,
          ...(owner ? { ownerKind: owner.type.replace(/^.*\./, ''), ownerSource: `${entry.rel}:${owner.line}` } : {}),
          ...(v !== version ? { aliasOf: `${entry.group}/${version}` } : {}),
          cel: [],
          apiPatterns: [],
          exclusive: [],
        };
      }
    }
  }
  return { kinds, schemas };
}

/** The storage samples: there is no structure.txt for storage, so their fields are the schema. */
const STORAGE_SAMPLES = [
  'aks/aso-samples/storage/v20250601/v20250601_storageaccount.yaml',
  'aks/aso-samples/storage/v20250601/v20250601_storageaccountsblobservice.yaml',
  'aks/aso-samples/storage/v20250601/v20250601_storageaccountsblobservicescontainer.yaml',
];

/** The schema of exactly the fields (and value types) a sample uses. */
function schemaOfSample(value) {
  if (Array.isArray(value)) return { type: 'array', items: value.length ? schemaOfSample(value[0]) : {} };
  if (value && typeof value === 'object') {
    const properties = {};
    for (const [k, v] of Object.entries(value)) properties[k] = schemaOfSample(v);
    return { type: 'object', properties, additionalProperties: false };
  }
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  return { type: typeof value };
}

function asoFromSamples() {
  const kinds = {};
  const schemas = {};
  for (const rel of STORAGE_SAMPLES) {
    const sample = YAML.parse(read(rel));
    const spec = schemaOfSample(sample.spec);
    // the owner is a KnownResourceReference in every ASO resource with an owner; the samples only show its name
    spec.properties.owner = { $ref: '#/definitions/genruntime_KnownResourceReference' };
    const version = sample.apiVersion.split('/')[1];
    const id = `aks_${sample.kind}_${version}`;
    schemas[id] = asoRoot(spec);
    kinds[`${sample.apiVersion}/${sample.kind}`] = {
      parts: {},
      provider: 'aks',
      validator: id,
      file: 'aks.js',
      derivedFrom: 'samples',
      source: rel,
      cel: [],
      apiPatterns: [],
      exclusive: [],
    };
  }
  return { kinds, schemas };
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Output                                                                                                               */
/* ------------------------------------------------------------------------------------------------------------------ */

/** ajv standalone code exporting one validator per schema; no ajv at run time. */
function compile(schemas, file) {
  // strictRequired off: the CRDs' oneOf branches name required fields declared one level up (ajv's strict mode asks for
  // them in the branch itself); the schemas are upstream's and valid JSON Schema
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, code: { source: true, optimize: true, lines: false } });
  const exports = {};
  for (const [id, schema] of Object.entries(schemas)) {
    ajv.addSchema({ $id: id, ...schema });
    exports[id] = id;
  }
  // string lengths count code points, as the API server counts runes; ajv's helper for it is the one require() of
  // the code, so it is replaced by an equivalent that needs nothing
  const code = standaloneCode(ajv, exports).replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, '((s) => [...s].length)');
  if (/require\(/.test(code)) throw new Error(`gen-managed-schemas: ${file} needs ajv at run time: avoid such keywords`);
  return `/* Generated by scripts/gen-managed-schemas.js from ../shared/reference/managed. Do not edit. */\n${code}\n`;
}

function main() {
  const p = plugins();
  const rules = rulesData();
  const c = crds();
  const a = asoFromStructure();
  const s = asoFromSamples();
  const kinds = { ...c.kinds, ...a.kinds, ...s.kinds };
  const groups = { plugins: p.schemas, eks: {}, gke: {}, aks: { ...a.schemas, ...s.schemas } };
  for (const [id, schema] of Object.entries(c.schemas)) groups[id.split('_')[0]][id] = schema;

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const [group, schemas] of Object.entries(groups)) fs.writeFileSync(path.join(outDir, `${group}.js`), compile(schemas, `${group}.js`));
  for (const [version, entry] of Object.entries(rules['k8saudit-gke-overlay'])) {
    fs.mkdirSync(path.join(outDir, path.dirname(entry.vendored)), { recursive: true });
    fs.writeFileSync(path.join(outDir, entry.vendored), fs.readFileSync(path.join(refDir, entry.file)));
    if (!version) throw new Error('unreachable');
  }
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([x], [y]) => x.localeCompare(y)));
  const index = {
    comment: 'Generated by scripts/gen-managed-schemas.js from ../shared/reference/managed. Do not edit.',
    sources: Object.fromEntries([...sources].sort(([x], [y]) => x.localeCompare(y))),
    plugins: p.data,
    rules,
    kinds: sortedKinds,
  };
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  const all = Object.assign({}, ...Object.values(groups));
  const sortedSchemas = Object.fromEntries(Object.entries(all).sort(([x], [y]) => x.localeCompare(y)));
  fs.writeFileSync(path.join(outDir, 'schemas.json'), JSON.stringify(sortedSchemas, null, 1) + '\n');
  console.log(
    `gen-managed-schemas: ${Object.keys(p.schemas).length} init_config schemas, ${Object.keys(kinds).length} cloud kinds, ` +
      `${RULES.length} rules files in ${path.relative(root, outDir) || outDir}`,
  );
}

main();
