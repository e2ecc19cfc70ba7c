#!/usr/bin/env node
/*
 * Generates schemas/distros/: what the control-plane targets of issue 19 are validated against, taken from each
 * distribution's own definition in ../shared/reference/distros/ (upstream files at a tag or commit; see the SOURCES.md
 * of each folder there), plus test/validation/distros/upstream/: the distributions' own valid and invalid examples, which
 * the tests replay. Nothing under schemas/distros/ is read from ../shared at run time.
 *
 * Usage:  npm run gen:distros [-- <reference dir>]   (default ../shared/reference/distros; DISTROS_REFERENCE_DIR=<dir>
 *         works too; DISTROS_OUT_ROOT=<dir> writes <dir>/schemas/distros and <dir>/test/validation/distros/upstream
 *         instead of this repository's, e.g. to check the committed files are current)
 * Never edit the output by hand; re-run this. The output is deterministic.
 *
 * What it writes (schemas/distros/):
 *   index.json                     per distribution: the source files (repository, tag or commit, upstream path), the
 *                                  validator files, and the facts the runtime needs (versions, CEL rules, list types)
 *   talos-1.<m>.schema.json/.js    Talos's machine config schema (config.schema.json, draft 2020-12) of 1.12, 1.13 and
 *                                  1.14-rc: the closure of $defs["v1alpha1.Config"] (the legacy document a strategic
 *                                  merge patch is a part of), documentation keywords dropped, every closed object kept
 *                                  closed. A patch holds no required field, so the whole patch validates against it.
 *   cluster-api-<version>.schema.json/.js   the KubeadmControlPlane OpenAPI schema of CAPI v1.10.0 (v1beta1) and
 *                                  v1.11.0 (v1beta2), made strict (see `normalizeCrd`)
 *   k0s-v1beta1.schema.json/.js    the k0s ClusterConfig CRD's schema, made strict the same way
 *   kind-v1alpha4.schema.json/.js  kind's Cluster, generated from the Go structs and yaml tags of types.go (kind decodes
 *                                  strictly, encoding-load.go L89-93: an unknown field is an error)
 *   kind-kubeadm-cluster-configuration.schema.json/.js   the fields a kind `kubeadmConfigPatches` entry of kind
 *                                  ClusterConfiguration may hold: CAPI v1.10.0's v1beta1 `clusterConfiguration`, which
 *                                  mirrors kubeadm's v1beta3 ClusterConfiguration (map-form extraArgs), plus `metadata`
 *   microk8s-launch-configuration.schema.json/.js   MicroK8s's launch configuration, from the Go struct of schema.go
 *   k3s-server-flags.json, rke2-server-flags.json   the option names (and types where the code says) a config.yaml
 *                                  (or a config.yaml.d drop-in) may hold
 * Validators are ajv standalone code exporting `validate`; they need no ajv at run time (ajv is a devDependency).
 */
'use strict';
const { requireInput } = require('./require-input');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv = require('ajv');
const Ajv2020 = require('ajv/dist/2020').default;
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.resolve(__dirname, '..');
const refDir = path.resolve(process.argv[2] || process.env.DISTROS_REFERENCE_DIR || path.join(root, '..', 'shared', 'reference', 'distros'));
const outRoot = path.resolve(process.env.DISTROS_OUT_ROOT || root);
const outDir = path.join(outRoot, 'schemas', 'distros');
const testdataDir = path.join(outRoot, 'test', 'validation', 'distros', 'upstream');

requireInput('gen-distro-schemas', refDir, "the distributions' reference files (reference/distros/)");

const INT32 = { minimum: -2147483648, maximum: 2147483647 };
const BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/** Reads a file of the reference folder, failing with its path. */
function ref(...parts) {
  const file = path.join(refDir, ...parts);
  if (!fs.existsSync(file)) throw new Error(`gen-distro-schemas: ${file} is missing from the reference folder`);
  return fs.readFileSync(file, 'utf8');
}

/** 1-based line of the first line matching `re` in `text` (for citations the runtime prints). */
function lineOf(text, re) {
  const i = text.split('\n').findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`gen-distro-schemas: ${re} not found`);
  return i + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Go structs -> JSON schema (kind types.go, MicroK8s schema.go)

/** Go source without comments (strings, runes and raw strings kept as they are). */
function stripGoComments(src) {
  let out = '';
  for (let i = 0; i < src.length;) {
    const c = src[i];
    if (c === '"' || c === '`' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += c !== '`' && src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      out += src.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The struct types, named string types and their constants of a Go file: { structs: {Name: [{name, type, tag}]},
 * strings: {Name: [values]} }. Only what these files use is understood; anything else is an error, not a guess.
 */
function parseGoTypes(src) {
  const code = stripGoComments(src);
  const structs = {};
  const strings = {};
  for (const m of code.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    structs[m[1]] = m[2]
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line) => {
        const f = /^(?:(\w+)\s+)?([*\w.[\]]+)\s*(?:`([^`]*)`)?$/.exec(line);
        if (!f) throw new Error(`gen-distro-schemas: cannot read the struct field "${line}" of ${m[1]}`);
        return { name: f[1], type: f[2], tag: f[3] || '' };
      });
  }
  for (const m of code.matchAll(/^type (\w+) string$/gm)) strings[m[1]] = [];
  for (const block of code.matchAll(/^const \(\n([\s\S]*?)^\)/gm)) {
    for (const c of block[1].matchAll(/^\s*\w+\s+(\w+)\s*=\s*"([^"]*)"\s*$/gm)) {
      if (strings[c[1]]) strings[c[1]].push(c[2]);
    }
  }
  return { structs, strings };
}

/** The yaml key of a struct field (`yaml:"name,omitempty"`), `inline` for an embedded struct, or undefined when `-`. */
function yamlKey(field, owner) {
  const m = /(?:^|\s)yaml:"([^"]*)"/.exec(field.tag);
  if (!m) throw new Error(`gen-distro-schemas: ${owner}.${field.name || field.type} has no yaml tag`);
  const [name, ...opts] = m[1].split(',');
  if (name === '-') return undefined;
  if (opts.includes('inline')) return { inline: true };
  if (!name) throw new Error(`gen-distro-schemas: ${owner}.${field.name} has an empty yaml name`);
  return { name };
}

/**
 * The JSON schema of a Go type. `scalarString` is the schema of a Go string: yaml.v3 with KnownFields (kind) takes
 * only a string scalar, yaml.v2 (MicroK8s) turns any scalar into a string.
 */
function goTypeSchema(type, types, options, defs) {
  if (type.startsWith('*')) {
    // yaml.v2 decodes `null` into a pointer as nil (MicroK8s: a null arg value removes the flag, schema.go L72-78)
    const inner = goTypeSchema(type.slice(1), types, options, defs);
    if (!options.nullablePointers) return inner;
    if (!inner.type) throw new Error(`gen-distro-schemas: a nullable ${type} needs a typed schema`);
    return { ...inner, type: [...[inner.type].flat(), 'null'] };
  }
  if (type.startsWith('[]')) return { type: 'array', items: goTypeSchema(type.slice(2), types, options, defs) };
  const map = /^map\[string\](.+)$/.exec(type);
  if (map) return { type: 'object', additionalProperties: goTypeSchema(map[1], types, options, defs) };
  if (type === 'string') return options.scalarString;
  if (type === 'bool') return { type: 'boolean' };
  if (type === 'int32') return { type: 'integer', ...INT32 };
  if (types.strings[type]) {
    const values = types.strings[type];
    return values.length > 0 ? { type: 'string', enum: values } : { type: 'string' };
  }
  if (types.structs[type]) {
    if (!defs[type]) {
      defs[type] = null; // reserved while building (a recursive type would loop)
      defs[type] = structSchema(type, types, options, defs);
    }
    return { $ref: `#/definitions/${type}` };
  }
  throw new Error(`gen-distro-schemas: the Go type ${type} is not supported`);
}

/** A closed object schema with a property per yaml key of the struct (embedded `inline` structs flattened). */
function structSchema(name, types, options, defs) {
  const properties = {};
  for (const field of types.structs[name]) {
    const key = yamlKey(field, name);
    if (!key) continue;
    if (key.inline) {
      Object.assign(properties, structSchema(field.type, types, options, defs).properties);
      continue;
    }
    properties[key.name] = goTypeSchema(field.type, types, options, defs);
  }
  return { type: 'object', properties, additionalProperties: false };
}

/** The JSON schema (draft-07 `definitions`) of the Go struct `rootName`. */
function goStructToSchema(src, rootName, options, id) {
  const types = parseGoTypes(src);
  if (!types.structs[rootName]) throw new Error(`gen-distro-schemas: no struct ${rootName}`);
  const definitions = {};
  const rootSchema = structSchema(rootName, types, options, definitions);
  return { $id: id, ...rootSchema, definitions };
}

// ---------------------------------------------------------------------------------------------------------------
// CRD OpenAPI schemas (Cluster API, k0s) -> strict JSON schema

/**
 * A strict, documentation-free copy of a CRD's openAPIV3Schema, like scripts/gen-schemas.js does for the Kubernetes
 * API: an object with `properties` and nothing said about others gets `additionalProperties: false` unless it carries
 * `x-kubernetes-preserve-unknown-fields` (the API server prunes unknown fields, so a misspelled key would be dropped
 * silently: the target must not emit one); `int32` becomes its range, `byte` a base64 pattern; other formats
 * (date-time, int64) and `default`s are dropped; `x-kubernetes-*` are dropped after `collect` has recorded them.
 */
function normalizeCrd(schema, at, collect) {
  if (Array.isArray(schema)) return schema.map((s) => normalizeCrd(s, at, collect));
  if (!schema || typeof schema !== 'object') return schema;
  collect(schema, at);
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'default' || key === 'format' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = {};
      for (const [name, prop] of Object.entries(value)) out.properties[name] = normalizeCrd(prop, [...at, name], collect);
    } else if (key === 'items') {
      out.items = normalizeCrd(value, [...at, '[*]'], collect);
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      out.additionalProperties = normalizeCrd(value, [...at, '{*}'], collect);
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      out[key] = value.map((s) => normalizeCrd(s, at, collect));
    } else if (key === 'pattern') {
      out.pattern = jsPattern(value);
    } else {
      out[key] = value;
    }
  }
  if (schema.format === 'int32') Object.assign(out, INT32);
  if (schema.format === 'byte' && out.type === 'string') out.pattern = BASE64;
  if (out.properties && out.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** Go (RE2) POSIX classes inside a bracket expression, which JavaScript regular expressions do not have. */
const POSIX_CLASSES = { xdigit: '0-9A-Fa-f' };

/** A Go (RE2) pattern as a JavaScript one: the POSIX classes the references use are spelled out. */
function jsPattern(pattern) {
  return pattern.replace(/\[:([a-z]+):\]/g, (m, name) => {
    if (!POSIX_CLASSES[name]) throw new Error(`gen-distro-schemas: the POSIX class ${m} in "${pattern}" is not mapped`);
    return POSIX_CLASSES[name];
  });
}

/**
 * What the targets emit, checked in full (see trimSchema); the other fields of the objects on the way keep their names
 * (closed objects stay closed) but are not checked. A KubeadmControlPlane: the fields a minimal one needs, the API
 * server's flags and volumes, and the node files.
 */
const KCP_KEEP = {
  apiVersion: true,
  kind: true,
  metadata: true,
  spec: { version: true, replicas: true, machineTemplate: true, kubeadmConfigSpec: { files: true, clusterConfiguration: { apiServer: true } } },
};
/** A kind kubeadmConfigPatches entry: the API server's flags and volumes (and kind, apiVersion, metadata). */
const KIND_PATCH_KEEP = { apiVersion: true, kind: true, apiServer: true };
/** A k0s ClusterConfig: spec.api (extraArgs, rawArgs, ...). */
const K0S_KEEP = { apiVersion: true, kind: true, metadata: true, spec: { api: true } };

/** The CEL rules the runtime implements (lib/validation/distros/crd-rules.ts); any other rule fails generation. */
const KNOWN_CEL_RULES = ['self.all(x, self.exists_one(y, x.name == y.name))'];

/**
 * The schema of one served version of a CRD file, made strict, and the API server's rules a JSON schema cannot say:
 * CEL rules (with the CRD line of each) and `x-kubernetes-list-type` map/set uniqueness, each at a data path such as
 * `spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs` (`[*]` an item, `{*}` a map value).
 */
function crdVersion(file, version, id) {
  const text = ref(file);
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines });
  const crd = doc.toJS();
  const versions = crd.spec.versions;
  const index = versions.findIndex((v) => v.name === version);
  if (index < 0) throw new Error(`gen-distro-schemas: ${file} has no version ${version}`);
  const entry = versions[index];
  // the YAML node of the schema, to give each CEL rule its line in the CRD file
  const schemaNode = doc.getIn(['spec', 'versions', index, 'schema', 'openAPIV3Schema'], true);
  const celLines = [];
  YAML.visit(schemaNode, {
    Pair(_, pair) {
      if (pair.key && pair.key.value === 'rule') celLines.push(lines.linePos(pair.value.range[0]).line);
    },
  });
  const rules = { cel: [], listMap: [], listSet: [] };
  const collect = (schema, at) => {
    const where = at.join('.').replace(/\.\[\*\]/g, '[*]');
    for (const v of schema['x-kubernetes-validations'] || []) {
      if (!KNOWN_CEL_RULES.includes(v.rule)) throw new Error(`gen-distro-schemas: ${file} ${where}: CEL rule "${v.rule}" is not implemented`);
      rules.cel.push({ path: where, rule: v.rule, message: v.message, line: celLines[rules.cel.length] });
    }
    if (schema['x-kubernetes-list-type'] === 'map') rules.listMap.push({ path: where, keys: schema['x-kubernetes-list-map-keys'] });
    if (schema['x-kubernetes-list-type'] === 'set') rules.listSet.push({ path: where });
  };
  const schema = normalizeCrd(entry.schema.openAPIV3Schema, [], collect);
  if (rules.cel.length !== celLines.length) throw new Error(`gen-distro-schemas: ${file}: ${celLines.length} rule lines, ${rules.cel.length} rules`);
  return {
    schema: { $id: id, ...schema },
    rules,
    served: { served: entry.served, storage: entry.storage },
    group: crd.spec.group,
    kind: crd.spec.names.kind,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Talos

/** Keywords of Talos's schema that only document. */
const TALOS_DOC_KEYWORDS = new Set(['title', 'description', 'markdownDescription', 'x-intellij-html-description']);

function stripTalosDocs(schema) {
  if (Array.isArray(schema)) return schema.map(stripTalosDocs);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (TALOS_DOC_KEYWORDS.has(key)) continue;
    out[key] = key === 'properties' || key === 'patternProperties' || key === '$defs' ? mapValues(value, stripTalosDocs) : stripTalosDocs(value);
  }
  return out;
}

function mapValues(obj, fn) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k] = fn(v);
  return out;
}

/**
 * `schema` with the subtrees `keep` names (a tree of property names, `true` = the whole subtree) checked in full; the
 * other properties of each object on the way keep their names but accept any value, so a closed object stays closed
 * (an unknown or misspelled key is still an error) while the schema stays small. `deref` resolves a `$ref`.
 */
function trimSchema(schema, keep, deref = (s) => s) {
  if (keep === true) return schema;
  const s = deref(schema);
  if (!s.properties) throw new Error(`gen-distro-schemas: cannot trim a schema without properties to ${Object.keys(keep)}`);
  for (const name of Object.keys(keep)) if (!s.properties[name]) throw new Error(`gen-distro-schemas: no property ${name} to keep`);
  const out = { ...s, properties: {} };
  for (const [name, prop] of Object.entries(s.properties)) out.properties[name] = keep[name] ? trimSchema(prop, keep[name], deref) : {};
  return out;
}

/** The kept paths of a `keep` tree, dotted (`spec.kubeadmConfigSpec.files`), for index.json. */
function keptPaths(keep, at = []) {
  return Object.entries(keep).flatMap(([k, v]) => (v === true ? [[...at, k].join('.')] : keptPaths(v, [...at, k])));
}

/** Every `$ref` target name under a schema. */
function refsOf(schema, out = new Set()) {
  if (Array.isArray(schema)) schema.forEach((s) => refsOf(s, out));
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace(/^#\/\$defs\//, ''));
      else refsOf(v, out);
    }
  }
  return out;
}

/** What a Talos patch of the API server and the node files needs of v1alpha1.Config (TALOS_KEEP_1_14 for 1.14). */
const TALOS_KEEP = { version: true, debug: true, machine: { files: true }, cluster: { apiServer: true } };
/** 1.14-rc's v1alpha1 ClusterConfig and MachineConfig no longer list `apiServer` and `files`: their other names are kept. */
const TALOS_KEEP_1_14 = { version: true, debug: true, machine: {}, cluster: {} };

/**
 * One Talos release's config.schema.json, without documentation, trimmed to what a patch of `cluster.apiServer` and
 * `machine.files` needs (see trimSchema): v1alpha1.Config, v1alpha1.ClusterConfig and v1alpha1.MachineConfig with all
 * their property names (all three are closed) and the closure of APIServerConfig and MachineFile in full.
 */
function talosSchema(release, minor) {
  const text = ref('talos', release, 'config.schema.json');
  const full = JSON.parse(text);
  const deref = (s) => (s.$ref ? full.$defs[s.$ref.replace(/^#\/\$defs\//, '')] : s);
  const trimmed = stripTalosDocs(trimSchema(full.$defs['v1alpha1.Config'], minor === '14' ? TALOS_KEEP_1_14 : TALOS_KEEP, deref));
  const defs = {};
  const todo = [...refsOf(trimmed)];
  while (todo.length > 0) {
    const name = todo.pop();
    if (defs[name]) continue;
    if (!full.$defs[name]) throw new Error(`gen-distro-schemas: talos ${release}: $ref to a missing $defs["${name}"]`);
    defs[name] = stripTalosDocs(full.$defs[name]);
    todo.push(...refsOf(defs[name]));
  }
  const sorted = {};
  for (const name of Object.keys(defs).sort()) sorted[name] = defs[name];
  return { $schema: full.$schema, $id: `talos-1.${minor}`, ...trimmed, $defs: sorted };
}

// ---------------------------------------------------------------------------------------------------------------
// k3s and RKE2 flag tables

/** The `Name:` of every urfave/cli flag literal in a Go file, with its type: [{name, aliases, type, line}]. */
function cliFlags(src) {
  const out = [];
  const lines = src.split('\n');
  lines.forEach((line, i) => {
    const m = /&cli\.(\w+)Flag\{/.exec(line) || /^\s*\w+\s*=\s*&cli\.(\w+)Flag\{/.exec(line);
    if (!m) return;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      const n = /^\s*Name:\s*"([^"]+)"/.exec(lines[j]);
      if (n) {
        const [name, ...aliases] = n[1].split(',');
        out.push({ name, aliases, type: flagType(m[1]), line: j + 1 });
        return;
      }
    }
  });
  return out;
}

/** The YAML value a flag of this urfave/cli type takes in a config file. */
function flagType(cliType) {
  if (cliType === 'StringSlice') return 'string-list';
  if (cliType === 'String' || cliType === 'Duration') return 'string';
  if (cliType === 'Bool' || cliType === 'BoolT') return 'boolean';
  if (cliType === 'Int') return 'integer';
  throw new Error(`gen-distro-schemas: urfave/cli ${cliType}Flag is not mapped`);
}

/** The variables a flag list names that are defined in a file this folder does not have (e.g. `ConfigFlag`). */
function unresolvedFlagVariables(src, listName, defined) {
  const m = new RegExp(`var ${listName} = \\[\\]cli\\.Flag\\{\\n([\\s\\S]*?)\\n\\}`).exec(src);
  if (!m) throw new Error(`gen-distro-schemas: no flag list ${listName}`);
  return [...m[1].matchAll(/^\t(\w+),$/gm)].map((v) => v[1]).filter((v) => !defined.has(v));
}

function k3sFlags() {
  const file = 'k3s/k3s-005499a9/server.go';
  const src = ref(file);
  const flags = cliFlags(src);
  const defined = new Set([...src.matchAll(/^\s*(\w+)\s*=\s*&cli\.\w+Flag\{/gm)].map((m) => m[1]));
  const sorted = [...flags].sort((a, b) => a.name.localeCompare(b.name));
  return {
    comment:
      'Generated by scripts/gen-distro-schemas.js from k3s-io/k3s pkg/cli/cmds/server.go at commit 005499a9 (no tag: see ' +
      'reference/distros/k3s/SOURCES.md). `flags`: every flag literal of the file with its config-file value type and line. ' +
      '`unresolved`: flag variables ServerFlags names that other files of the package define (not vendored), so their ' +
      'names cannot be checked here.',
    source: { repository: 'k3s-io/k3s', path: 'pkg/cli/cmds/server.go', commit: '005499a940eafe99977bcabd6991a888a4cb6642' },
    flags: sorted,
    unresolved: unresolvedFlagVariables(src, 'ServerFlags', defined).sort(),
    configFile: configFileRule(
      'k3s/k3s-docs-147c3699/configuration.md',
      'k3s-io/docs',
      'docs/installation/configuration.md',
      '147c3699b8dcf0bb95daadbc2c4642da097cee97',
    ),
  };
}

/** Where the docs state the `+` append rule of config.yaml.d drop-ins (the runtime cites it). */
function configFileRule(file, repository, upstreamPath, commit) {
  const text = ref(file);
  return {
    repository,
    path: upstreamPath,
    commit,
    appendRuleLine: lineOf(text, /A `\+` can be appended to the key/),
    dropInLine: lineOf(text, /config\.yaml\.d\/\*\.yaml/),
  };
}

function rke2Flags(k3s) {
  const docsFile = 'rke2/rke2-docs-9477b7b1/server_config.md';
  const docs = ref(docsFile);
  const server = ref('rke2/rke2-v1.36.3+rke2r1/cli-cmds-server.go');
  const rootGo = ref('rke2/rke2-v1.36.3+rke2r1/cli-cmds-root.go');
  const documented = [];
  docs.split('\n').forEach((line, i) => {
    const m = /^\| ([a-z0-9][a-z0-9-]*) \|/.exec(line);
    if (m && m[1] !== 'flag') documented.push({ name: m[1], line: i + 1 });
  });
  // the k3s server flags RKE2 keeps (K3SFlagSet: copyFlag, hideFlag or a changed flag; dropFlag removes one)
  const setBody = /K3SFlagSet\{\n([\s\S]*?)\n\t\}\)/.exec(server)[1];
  const kept = new Set();
  const dropped = new Set();
  for (const m of setBody.matchAll(/^\t\t"([a-z0-9-]+)":\s*(\w+|\{)/gm)) (m[2] === 'dropFlag' ? dropped : kept).add(m[1]);
  const own = [...cliFlags(server), ...cliFlags(rootGo)];
  const typeOf = (name) => {
    const f = own.find((o) => o.name === name) || (kept.has(name) ? k3s.flags.find((o) => o.name === name) : undefined);
    return f ? f.type : undefined;
  };
  const names = new Set([...documented.map((d) => d.name), ...kept, ...own.map((o) => o.name)]);
  // a k3s flag RKE2 drops stays when RKE2 documents one of that name (pause-image: RKE2's own image flag in root.go)
  const flags = [...names]
    .filter((n) => !dropped.has(n) || documented.some((d) => d.name === n))
    .sort()
    .map((name) => {
      const doc = documented.find((d) => d.name === name);
      const type = typeOf(name);
      return { name, ...(type ? { type } : {}), ...(doc ? { docsLine: doc.line } : {}), ...(kept.has(name) ? { fromK3s: true } : {}) };
    });
  return {
    comment:
      'Generated by scripts/gen-distro-schemas.js from rancher/rke2-docs docs/reference/server_config.md (HEAD 9477b7b1) and ' +
      'rancher/rke2 pkg/cli/cmds/server.go and root.go at v1.36.3+rke2r1: the documented option names, the k3s server ' +
      'flags RKE2 keeps (K3SFlagSet entries that are not dropFlag) and its own flag literals. `type` where a flag ' +
      'literal (RKE2 or the vendored k3s server.go) says it. `dropped`: k3s flags RKE2 removes.',
    source: {
      docs: { repository: 'rancher/rke2-docs', path: 'docs/reference/server_config.md', commit: '9477b7b1df1f0bd431cdabbb39fbdcd21cb82602' },
      code: { repository: 'rancher/rke2', tag: 'v1.36.3+rke2r1', commit: 'c4f306e6c5fa18dfb447bf6b8a0423f2da68c939' },
    },
    flags,
    dropped: [...dropped].filter((n) => !documented.some((d) => d.name === n)).sort(),
    configFile: configFileRule(
      'rke2/rke2-docs-9477b7b1/configuration.md',
      'rancher/rke2-docs',
      'docs/install/configuration.md',
      '9477b7b1df1f0bd431cdabbb39fbdcd21cb82602',
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// MicroK8s

function microk8sVersions() {
  const src = ref('microk8s/33e4ad06/schema.go');
  const min = /minimumConfigFileVersionRequired\s*=\s*version\.MustParseSemantic\("([^"]+)"\)/.exec(src);
  const max = /maximumConfigFileVersionSupported\s*=\s*version\.MustParseSemantic\("([^"]+)"\)/.exec(src);
  return {
    minimum: min[1],
    maximum: max[1],
    line: lineOf(src, /minimumConfigFileVersionRequired\s*=/),
    strictParseLine: lineOf(src, /yaml\.UnmarshalStrict/),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// compile and write

const CODE_OPTIONS = { source: true, optimize: true, lines: false };

/**
 * ajv standalone code for `schema` exporting `validate`. `minLength`/`maxLength` make ajv require its runtime helper
 * ucs2length (the length in Unicode code points, as the API server counts it: kube-openapi uses
 * utf8.RuneCountInString); it is replaced by an equivalent inline function, so the code runs without ajv.
 */
function compile(ajv, schema) {
  ajv.addSchema(schema);
  let code = standaloneCode(ajv, { validate: schema.$id });
  const helper = /require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g;
  code = code.replace(helper, '((s) => { let n = 0; for (const _ of s) n++; return n; })');
  if (/require\(/.test(code)) throw new Error(`gen-distro-schemas: the validator ${schema.$id} needs a module at run time`);
  return code;
}

function newAjv(draft2020) {
  // verbose: an error carries the schema around it, so a message can name the known fields near an unknown one
  const options = {
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    validateFormats: false,
    code: CODE_OPTIONS,
  };
  return draft2020 ? new Ajv2020(options) : new Ajv(options);
}

const written = [];

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  written.push(path.relative(outRoot, file));
}

function writeJson(name, value) {
  write(path.join(outDir, name), JSON.stringify(value, null, 1) + '\n');
  return name;
}

/** Writes `<name>.schema.json` and `<name>.js` (the compiled validator); returns the validator's file name. */
function writeValidator(name, schema, draft2020, from) {
  writeJson(`${name}.schema.json`, schema);
  const header = `/* Generated by scripts/gen-distro-schemas.js (npm run gen:distros) from ${from}. Do not edit. */\n`;
  write(path.join(outDir, `${name}.js`), header + compile(newAjv(draft2020), schema) + '\n');
  return `${name}.js`;
}

/** Copies upstream example files the tests replay, with a note of where they come from. */
function copyTestdata(from, to, files, note) {
  for (const f of files) write(path.join(testdataDir, to, f), ref(from, f));
  write(path.join(testdataDir, to, 'SOURCES.md'), note);
}

function main() {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(testdataDir, { recursive: true, force: true });
  const index = {
    comment: 'Generated by scripts/gen-distro-schemas.js from ../shared/reference/distros/. Do not edit.',
  };

  // Talos: 1.12 (extraArgs strings only), 1.13 (string or list), 1.14-rc (no cluster.apiServer nor machine.files)
  const talosReleases = { 12: 'v1.12.11', 13: 'v1.13.9', 14: 'v1.14.0-rc.1' };
  index.talos = { repository: 'siderolabs/talos', path: 'pkg/machinery/config/schemas/config.schema.json', minors: {} };
  for (const [minor, release] of Object.entries(talosReleases)) {
    const file = writeValidator(`talos-1.${minor}`, talosSchema(release, minor), true, `siderolabs/talos ${release} config.schema.json`);
    index.talos.minors[minor] = { release, validator: file };
  }
  // the API server's MergeDenied flags: the first mergePolicies map of manageAPIServer (control_plane_static_pod.go)
  const staticPod = ref('talos', 'v1.13.9', 'control_plane_static_pod.go').split('\n');
  const manage = staticPod.findIndex((l) => /^func \(ctrl \*ControlPlaneStaticPodController\) manageAPIServer/.test(l));
  const policies = staticPod.findIndex((l, i) => i > manage && /mergePolicies := argsbuilder\.MergePolicies\{/.test(l));
  const end = staticPod.findIndex((l, i) => i > policies && /^\t\}$/.test(l));
  const deniedLines = [];
  for (let i = policies; i < end; i++) {
    const m = /^\s*"([a-z0-9-]+)":\s*argsbuilder\.MergeDenied,/.exec(staticPod[i]);
    if (m) deniedLines.push({ flag: m[1], line: i + 1 });
  }
  index.talos.mergeDenied = {
    release: 'v1.13.9',
    path: 'internal/app/machined/pkg/controllers/k8s/control_plane_static_pod.go',
    lines: `${deniedLines[0].line}-${deniedLines[deniedLines.length - 1].line}`,
    flags: deniedLines.map((d) => d.flag),
  };

  // Cluster API KubeadmControlPlane: v1beta1 at v1.10.0, v1beta2 at v1.11.0
  index.clusterApi = {
    repository: 'kubernetes-sigs/cluster-api',
    path: 'controlplane/kubeadm/config/crd/bases/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml',
    versions: {},
  };
  for (const [release, version] of [
    ['v1.10.0', 'v1beta1'],
    ['v1.11.0', 'v1beta2'],
  ]) {
    const file = `cluster-api/${release}/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml`;
    const crd = crdVersion(file, version, `cluster-api-${version}`);
    const schema = trimSchema(crd.schema, KCP_KEEP);
    const validator = writeValidator(
      `cluster-api-${version}`,
      schema,
      false,
      `kubernetes-sigs/cluster-api ${release} KubeadmControlPlane CRD (${version})`,
    );
    index.clusterApi.versions[version] = {
      release,
      apiVersion: `${crd.group}/${version}`,
      kind: crd.kind,
      ...crd.served,
      validator,
      rules: crd.rules,
    };
  }
  index.clusterApi.checked = keptPaths(KCP_KEEP);

  // kind: the Cluster from types.go; the kubeadm ClusterConfiguration a patch may touch from CAPI v1beta1 (kubeadm v1beta3)
  const kindTypes = ref('kind', 'v0.32.0', 'types.go');
  const kindSchema = goStructToSchema(kindTypes, 'Cluster', { scalarString: { type: 'string' }, nullablePointers: false }, 'kind-v1alpha4');
  index.kind = {
    repository: 'kubernetes-sigs/kind',
    tag: 'v0.32.0',
    commit: 'cda67ef8588f6bfdac5358233f2471cb2149ecaf',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    validator: writeValidator('kind-v1alpha4', kindSchema, false, 'kubernetes-sigs/kind v0.32.0 pkg/apis/config/v1alpha4/types.go'),
  };
  const capiV1beta1 = crdVersion('cluster-api/v1.10.0/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml', 'v1beta1', 'x');
  const clusterConfiguration = trimSchema(
    capiV1beta1.schema.properties.spec.properties.kubeadmConfigSpec.properties.clusterConfiguration,
    KIND_PATCH_KEEP,
  );
  const kindPatchSchema = {
    $id: 'kind-kubeadm-cluster-configuration',
    ...clusterConfiguration,
    // kind's own ClusterConfiguration document carries metadata.name (kubeadm-config.go ConfigTemplateBetaV3/V4)
    properties: { ...clusterConfiguration.properties, metadata: { type: 'object' } },
  };
  index.kind.kubeadmPatch = {
    validator: writeValidator(
      'kind-kubeadm-cluster-configuration',
      kindPatchSchema,
      false,
      'kubernetes-sigs/cluster-api v1.10.0 KubeadmControlPlane CRD (v1beta1 clusterConfiguration)',
    ),
    from: 'cluster-api v1.10.0 v1beta1 spec.kubeadmConfigSpec.clusterConfiguration',
    checked: keptPaths(KIND_PATCH_KEEP),
    versionSwitchLine: lineOf(ref('kind', 'v0.32.0', 'kubeadm-config.go'), /templateSource := ConfigTemplateBetaV4/),
  };
  copyTestdata(
    'kind/v0.32.0/testdata-v1alpha4',
    'kind-v1alpha4',
    fs.readdirSync(path.join(refDir, 'kind', 'v0.32.0', 'testdata-v1alpha4')).sort(),
    'Copied by scripts/gen-distro-schemas.js from kubernetes-sigs/kind v0.32.0 (cda67ef8)\n' +
      "pkg/internal/apis/config/encoding/testdata/v1alpha4/: kind's own valid-*.yaml and invalid-*.yaml configs. Apache-2.0.\n",
  );

  // k0s ClusterConfig
  const k0s = crdVersion('k0s/v1.36.3+k0s.2/k0s.k0sproject.io_clusterconfigs.yaml', 'v1beta1', 'k0s-v1beta1');
  index.k0s = {
    repository: 'k0sproject/k0s',
    tag: 'v1.36.3+k0s.2',
    path: 'static/_crds/k0s/k0s.k0sproject.io_clusterconfigs.yaml',
    apiVersion: `${k0s.group}/v1beta1`,
    kind: k0s.kind,
    validator: writeValidator('k0s-v1beta1', trimSchema(k0s.schema, K0S_KEEP), false, 'k0sproject/k0s v1.36.3+k0s.2 ClusterConfig CRD'),
    checked: keptPaths(K0S_KEEP),
    rules: k0s.rules,
    argsLine: lineOf(ref('k0s', 'v1.36.3+k0s.2', 'apiserver.go'), /fmt\.Sprintf\("--%s=%s", name, value\)/),
  };

  // MicroK8s launch configuration
  const mk8sSrc = ref('microk8s', '33e4ad06', 'schema.go');
  const scalar = { type: ['string', 'number', 'boolean'] };
  const mk8sSchema = goStructToSchema(mk8sSrc, 'Configuration', { scalarString: scalar, nullablePointers: true }, 'microk8s-launch-configuration');
  index.microk8s = {
    repository: 'canonical/microk8s-cluster-agent',
    commit: '33e4ad065b749e9b27aadad46ad7648e25442bc7',
    path: 'pkg/k8sinit/schema.go',
    versions: microk8sVersions(),
    pathGuardLine: lineOf(ref('microk8s', '33e4ad06', 'apply.go'), /strings\.Contains\("\/", file\)/),
    validator: writeValidator('microk8s-launch-configuration', mk8sSchema, false, 'canonical/microk8s-cluster-agent 33e4ad06 pkg/k8sinit/schema.go'),
  };
  const mk8sData = path.join(refDir, 'microk8s', '33e4ad06', 'testdata-schema');
  copyTestdata(
    'microk8s/33e4ad06/testdata-schema',
    'microk8s-launch-configuration',
    [
      'extra-sans.yaml',
      'full.yaml',
      'invalid-schema.yaml',
      'invalid-yaml.yaml',
      'multi-part-with-header.yaml',
      'multi-part.yaml',
      'unknown-fields.yaml',
    ]
      .concat(fs.readdirSync(path.join(mk8sData, 'version')).map((f) => `version/${f}`))
      .sort(),
    'Copied by scripts/gen-distro-schemas.js from canonical/microk8s-cluster-agent 33e4ad06 pkg/k8sinit/testdata/schema/:\n' +
      "MicroK8s's own launch configurations; pkg/k8sinit/schema_test.go says which parse and which fail. Apache-2.0.\n",
  );

  // k3s and RKE2 option names
  const k3s = k3sFlags();
  index.k3s = { flags: writeJson('k3s-server-flags.json', k3s) };
  index.rke2 = { flags: writeJson('rke2-server-flags.json', rke2Flags(k3s)) };

  writeJson('index.json', index);
  console.log(
    `gen-distro-schemas: ${written.length} files in ${path.relative(root, outDir) || outDir} and ${path.relative(root, testdataDir) || testdataDir}`,
  );
}

main();
