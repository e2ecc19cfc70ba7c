#!/usr/bin/env node
/*
 * Generates schemas/: the strict, trimmed schema definitions the project validates its output
 * against, per supported Kubernetes minor, and precompiled validators for them.
 *
 * Usage:  npm run gen:schemas [-- <dir with v1.N.0.json files>]
 *         (default: ../shared/k8s-schemas; K8S_SCHEMAS_DIR=<dir> works too;
 *         SCHEMAS_OUT_DIR=<dir> writes elsewhere than schemas/, e.g. to check the committed files are current)
 * Never edit schemas/ by hand (except schemas/src/, the hand-written sources); re-run this instead.
 * The output is deterministic: the same inputs give the same bytes.
 *
 * What it does:
 * - For every minor 1.14..1.35 it reads `v1.N.0.json` (the OpenAPI `definitions` of that minor) and
 *   keeps the closure of the definitions of the kinds the project emits (KINDS below; kinds a minor
 *   does not serve are simply absent from its index, so they are rejected as unknown on that minor).
 *   1.13 has no published document: it uses 1.14's (KubernetesVersion.schemaMinor does the mapping).
 * - Strict like kubeconform --strict: every object schema that lists `properties` and says nothing
 *   about `additionalProperties` gets `additionalProperties: false`, so an unknown field is an error.
 * - A root kind's `status` is accepted as any object: the API server ignores it on create, the project
 *   never writes one, and its schemas are large and change every minor.
 * - Keywords that only document (`description`, `x-kubernetes-*`) are dropped. Formats become checks:
 *   `int32` -> minimum/maximum of a 32-bit integer, `int64` -> minimum/exclusiveMaximum of a 64-bit one (the
 *   API server's decoder refuses a number its Go field cannot hold; the bound is 2^63, exclusive, because
 *   2^63 - 1 has no exact JavaScript number), `byte` -> a base64 pattern, `int-or-string` (a definition with
 *   no type) -> integer or string; other formats (double, date-time) are dropped, as the API server's JSON
 *   decoder does not check them either.
 * - Identical definitions are stored once: each definition is named by a hash of its content, in
 *   which every `$ref` is replaced by the hash of its target (a Merkle hash), so a definition that
 *   did not change between minors, nor anything it references, is one entry for all of them.
 * - schemas/src/*.json are hand-written strict schemas for the files with no published schema: the
 *   audit Policy (audit.k8s.io/v1, from k8s.io/apiserver/pkg/apis/audit/v1/types.go) and the webhook
 *   kubeconfig (v1 Config, from k8s.io/client-go/tools/clientcmd/api/v1/types.go). A property may
 *   carry `"x-since-minor": N` (dropped for older minors).
 *
 * Output:
 *   schemas/definitions.json  { "$id": "k8s", definitions: { <hash>: <strict definition> } }
 *   schemas/index.json        { minors: { "14": { "<apiVersion>/<kind>": <hash>, ... }, ... },
 *                               files: { "14": "validators/<id>.js", ... } }
 *   schemas/validators/<id>.js ajv standalone code for one minor (one file per distinct set of roots): one
 *                               exported validator per root hash. A run loads only its own minor's file.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.resolve(__dirname, '..');
const sourceDir = path.resolve(process.argv[2] || process.env.K8S_SCHEMAS_DIR || path.join(root, '..', 'shared', 'k8s-schemas'));
const outDir = path.resolve(process.env.SCHEMAS_OUT_DIR || path.join(root, 'schemas'));
const handWrittenDir = path.join(root, 'schemas', 'src');

/** The supported minors live in one data file that lib/core/kubernetes-version.ts reads too. */
const SUPPORTED = require('../lib/core/supported-kubernetes.json');
const FIRST_MINOR = SUPPORTED.firstSchemaMinor;
const LAST_MINOR = SUPPORTED.newestMinor;

/** Kinds the project emits, as `apiVersion/kind` with the OpenAPI group-version-kind. */
const KINDS = [
  ['', 'v1', 'Pod'],
  ['', 'v1', 'ServiceAccount'],
  ['', 'v1', 'ConfigMap'],
  ['', 'v1', 'Secret'],
  ['', 'v1', 'Service'],
  ['', 'v1', 'Namespace'],
  ['apps', 'v1', 'DaemonSet'],
  ['apps', 'v1', 'Deployment'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io', 'v1', 'Role'],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io', 'v1beta1', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'v1beta1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io', 'v1beta1', 'Role'],
  ['rbac.authorization.k8s.io', 'v1beta1', 'RoleBinding'],
  ['policy', 'v1beta1', 'PodSecurityPolicy'],
  ['auditregistration.k8s.io', 'v1alpha1', 'AuditSink'],
];

/** Hand-written schemas for files with no published schema: [apiVersion/kind, file in schemas/src]. */
const HAND_WRITTEN = [
  ['audit.k8s.io/v1/Policy', 'audit-policy-v1.json'],
  ['v1/Config', 'kubeconfig-v1.json'],
];

const INT32 = { minimum: -2147483648, maximum: 2147483647 };
// -2^63 and 2^63 are exact JavaScript numbers; 2^63 - 1 is not (it rounds to 2^63), hence the exclusive maximum
const INT64 = { minimum: -(2 ** 63), exclusiveMaximum: 2 ** 63 };
const BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

/**
 * Returns a strict, documentation-free copy of a schema. `$ref`s keep their definition name for now.
 * `minor` drops hand-written properties marked `x-since-minor` above it.
 */
function normalize(schema, minor) {
  if (Array.isArray(schema)) return schema.map((s) => normalize(s, minor));
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key.startsWith('x-kubernetes-') || key === 'x-since-minor') continue;
    if (key === '$schema' || key === '$comment') continue;
    if (key === 'format') continue;
    if (key === 'properties') {
      out.properties = {};
      for (const [name, prop] of Object.entries(value)) {
        if (prop && typeof prop === 'object' && prop['x-since-minor'] > minor) continue;
        out.properties[name] = normalize(prop, minor);
      }
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = normalize(value, minor);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
      out[key] = value.map((s) => normalize(s, minor));
    } else if (key === 'definitions') {
      out.definitions = {};
      for (const [name, def] of Object.entries(value)) out.definitions[name] = normalize(def, minor);
    } else {
      out[key] = value;
    }
  }
  if (schema.format === 'int32') Object.assign(out, INT32);
  if (schema.format === 'int64' && schema.type === 'integer') Object.assign(out, INT64);
  if (schema.format === 'byte' && out.type === 'string') out.pattern = BASE64;
  if (schema.format === 'int-or-string' && !schema.type && !schema.oneOf) {
    out.oneOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (out.$ref && Object.keys(out).length > 1) {
    // A $ref beside other keywords (only `description`, dropped above, in these documents).
    throw new Error(`unexpected keywords beside $ref: ${JSON.stringify(out)}`);
  }
  return out;
}

function refName(ref) {
  const m = /^#\/definitions\/(.+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  return m[1];
}

/** Calls fn on every `$ref` string inside schema, replacing it with fn's result. */
function mapRefs(schema, fn) {
  if (Array.isArray(schema)) return schema.map((s) => mapRefs(s, fn));
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' ? fn(value) : mapRefs(value, fn);
  }
  return out;
}

function hashOf(value) {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(sortKeys(value)))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Adds the closure of `rootNames` in `definitions` (already normalized) to `store`, named by
 * Merkle hash; returns name -> hash for the definitions visited.
 */
function addClosure(definitions, rootNames, store, label) {
  const hashes = new Map();
  const visiting = new Set();
  const visit = (name) => {
    if (hashes.has(name)) return hashes.get(name);
    if (visiting.has(name)) throw new Error(`${label}: cyclic $ref through ${name}; not supported`);
    const def = definitions[name];
    if (!def) throw new Error(`${label}: $ref to missing definition ${name}`);
    visiting.add(name);
    const hashed = mapRefs(def, (ref) => `#/definitions/${visit(refName(ref))}`);
    visiting.delete(name);
    const hash = hashOf(hashed);
    const existing = store.get(hash);
    if (existing && JSON.stringify(existing) !== JSON.stringify(sortKeys(hashed))) {
      throw new Error(`${label}: hash collision on ${hash}`);
    }
    store.set(hash, sortKeys(hashed));
    hashes.set(name, hash);
    return hash;
  };
  for (const name of rootNames) visit(name);
  return hashes;
}

function main() {
  if (!fs.existsSync(sourceDir)) {
    console.error(`gen-schemas: ${sourceDir} does not exist; pass the folder with v1.N.0.json files`);
    process.exit(1);
  }
  const store = new Map();
  const minors = {};
  for (let minor = FIRST_MINOR; minor <= LAST_MINOR; minor++) {
    const file = path.join(sourceDir, `v1.${minor}.0.json`);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const raw = doc.definitions || doc;
    const roots = {};
    for (const [group, version, kind] of KINDS) {
      const name = Object.keys(raw)
        .sort()
        .find((n) =>
          (raw[n]['x-kubernetes-group-version-kind'] || []).some((gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind),
        );
      if (name) roots[`${group ? `${group}/` : ''}${version}/${kind}`] = name;
    }
    const definitions = {};
    for (const [name, def] of Object.entries(raw)) definitions[name] = normalize(def, minor);
    for (const name of Object.values(roots)) {
      // The API server ignores `status` on create and the project never writes one: keep the field
      // legal but do not carry the (large, fast-changing) status schemas.
      const props = definitions[name].properties;
      if (props && props.status) props.status = { type: 'object' };
    }
    const hashes = addClosure(definitions, Object.values(roots), store, `v1.${minor}`);
    const index = {};
    for (const key of Object.keys(roots).sort()) index[key] = hashes.get(roots[key]);

    for (const [key, file] of HAND_WRITTEN) {
      const src = JSON.parse(fs.readFileSync(path.join(handWrittenDir, file), 'utf8'));
      const local = normalize(src, minor);
      const localDefs = local.definitions || {};
      delete local.definitions;
      localDefs.__root = local;
      const h = addClosure(localDefs, ['__root'], store, `${file} for 1.${minor}`);
      index[key] = h.get('__root');
    }
    minors[String(minor)] = sortKeys(index);
  }

  const definitions = {};
  for (const hash of [...store.keys()].sort()) definitions[hash] = store.get(hash);
  const document = { $id: 'k8s', definitions };

  const rootHashes = [...new Set(Object.values(minors).flatMap((m) => Object.values(m)))].sort();
  const ajv = new Ajv({
    allErrors: true,
    inlineRefs: false,
    strict: true,
    strictTypes: false, // the k8s definitions omit `type: object` beside `properties` in places
    validateFormats: false,
    code: { source: true, optimize: true, lines: false },
  });
  ajv.addSchema(document);
  // One file per distinct set of root validators (usually one per minor), so a run loads only the code for
  // its own version: parsing every minor's validators costs more than the rest of a synth.
  const header =
    '/* Generated by scripts/gen-schemas.js (npm run gen:schemas) from the Kubernetes OpenAPI definitions\n' +
    ' * 1.14-1.35 and schemas/src/. Do not edit. Strict: unknown fields are errors. */\n';
  const chunks = new Map();
  const files = {};
  for (const minor of Object.keys(minors)) {
    const roots = [...new Set(Object.values(minors[minor]))].sort();
    const id = crypto.createHash('sha256').update(roots.join(',')).digest('hex').slice(0, 12);
    if (!chunks.has(id)) chunks.set(id, roots);
    files[minor] = `validators/${id}.js`;
  }
  fs.rmSync(path.join(outDir, 'validators'), { recursive: true, force: true });
  fs.rmSync(path.join(outDir, 'validators.js'), { force: true });
  fs.mkdirSync(path.join(outDir, 'validators'), { recursive: true });
  let totalCode = 0;
  for (const [id, roots] of [...chunks].sort(([a], [b]) => a.localeCompare(b))) {
    const exportsMap = {};
    for (const hash of roots) exportsMap[`v${hash}`] = `k8s#/definitions/${hash}`;
    const code = standaloneCode(ajv, exportsMap);
    if (/require\(/.test(code)) {
      // Keywords such as minLength pull in ajv's runtime helpers; the validators must run without ajv.
      throw new Error('generated validators require a module; avoid keywords that need ajv at run time');
    }
    fs.writeFileSync(path.join(outDir, 'validators', `${id}.js`), header + code + '\n');
    totalCode += Buffer.byteLength(header + code + '\n');
  }

  const index = {
    comment:
      'Generated by scripts/gen-schemas.js. minors.N maps "<apiVersion>/<kind>" to the hash of its strict root ' +
      'definition in definitions.json and to the validator v<hash> exported by the file files.N names. 1.13 has ' +
      'no published schema and uses 1.14 (KubernetesVersion.schemaMinor).',
    minors,
    files,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'definitions.json'), JSON.stringify(document) + '\n');
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  const size = (f) => fs.statSync(path.join(outDir, f)).size;
  console.log(
    `gen-schemas: ${store.size} unique definitions, ${rootHashes.length} root validators, ` +
      `${Object.keys(minors).length} minors in ${chunks.size} validator files; definitions.json ${size('definitions.json')} B, ` +
      `index.json ${size('index.json')} B, validators/ ${totalCode} B`,
  );
}

main();
