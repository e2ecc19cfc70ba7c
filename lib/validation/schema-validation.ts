import * as fs from 'fs';
import * as path from 'path';
import { KubernetesVersion } from '../core/kubernetes-version';
import { schemasDir } from '../core/schemas-dir';
import { apiVersionOf, child, cut, isObject, kindOf, show } from '../core/util';
import { Violation } from './violation';

/** An ajv error object, as the precompiled validators report it. */
interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

interface SchemaIndex {
  readonly minors: Record<string, Record<string, string>>;
  /** The validator file of each minor, relative to schemas/. */
  readonly files: Record<string, string>;
}

let loadedIndex: { dir: string; index: SchemaIndex } | undefined;
const loadedValidators = new Map<string, Record<string, Validator>>();

function load(): { dir: string; index: SchemaIndex } {
  if (!loadedIndex) {
    const dir = schemasDir();
    loadedIndex = { dir, index: JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as SchemaIndex };
  }
  return loadedIndex;
}

/** The precompiled validators of one minor, loaded on first use: only the target version's code is parsed. */
function validatorsFor(minor: number): Record<string, Validator> {
  const { dir, index } = load();
  const file = index.files[String(minor)];
  if (!file) return {};
  let validators = loadedValidators.get(file);
  if (!validators) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validators = require(path.join(dir, file)) as Record<string, Validator>;
    loadedValidators.set(file, validators);
  }
  return validators;
}

/** The `apiVersion/kind` keys with a schema for this version (what can be validated, and so emitted). */
export function knownKinds(version: KubernetesVersion): string[] {
  return Object.keys(load().index.minors[String(version.schemaMinor)] ?? {});
}

/** Versions `1.a-1.b` that serve key, for a message (1.13 goes with 1.14). */
function servedRange(key: string): string | undefined {
  const minors = Object.entries(load().index.minors)
    .filter(([, kinds]) => key in kinds)
    .map(([m]) => Number(m))
    .sort((a, b) => a - b);
  if (minors.length === 0) return undefined;
  const first = minors[0] === 14 ? 13 : minors[0];
  const last = minors[minors.length - 1];
  return first === last ? `1.${first}` : `1.${first}-1.${last}`;
}

/** Converts an ajv JSON pointer (`/spec/containers/0`) to the dotted form (`spec.containers[0]`). */
function dotted(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((acc, seg) => child(acc, /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : seg), '');
}

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Turns ajv's errors into violations a user can act on, folding the branches of `oneOf`. @internal */
export function toViolations(source: string, what: string, object: unknown, errors: readonly AjvError[]): Violation[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  const out: Violation[] = [];
  for (const e of errors) {
    if (oneOfPaths.some((p) => e.schemaPath.startsWith(p))) continue; // a branch of a failed oneOf
    out.push(violationFor(source, what, errors, e, valueAt(object, e.instancePath), dotted(e.instancePath)));
  }
  return out;
}

/** One ajv error as a violation: the keywords about fields and forms here, the ones about a value's content in `valueViolation`. */
function violationFor(source: string, what: string, errors: readonly AjvError[], e: AjvError, value: unknown, at: string): Violation {
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      return {
        source,
        path: child(at, field),
        rule: 'schema.unknown-field',
        message: `unknown field "${cut(field)}": not in the ${what} schema`,
        value: isObject(value) ? value[field] : undefined,
      };
    }
    case 'required': {
      const field = String(e.params.missingProperty);
      return { source, path: child(at, field), rule: 'schema.required', message: `required field "${field}" is missing` };
    }
    case 'oneOf': {
      const branches = errors
        .filter((b) => b.keyword === 'type' && b.instancePath === e.instancePath && b.schemaPath.startsWith(e.schemaPath + '/'))
        .map((b) => String(b.params.type));
      const expected = branches.length > 0 ? branches.join(' or ') : 'exactly one of the allowed forms';
      return { source, path: at, rule: 'schema.type', message: `must be ${expected}, not ${jsonType(value)} ${show(value)}`, value };
    }
    default:
      return valueViolation(source, e, value, at);
  }
}

/** The bounds gen-schemas writes for int64 fields: -2^63, and 2^63 exclusive (2^63 - 1 is no exact JavaScript number). */
const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

/**
 * Why a number is out of its field's range: an int32 field's bound as written, an int64 field's as the Go type states
 * it; beyond 2^53 the number read from YAML or JSON may already be rounded, which the message says.
 */
function rangeMessage(value: unknown, params: Record<string, unknown>): string {
  const limit = params.limit as number;
  const int64 = limit === INT64_MIN || limit === INT64_END;
  const bound = int64
    ? `${limit === INT64_MIN ? '>= -9223372036854775808' : '<= 9223372036854775807'} (a 64-bit integer)`
    : `${String(params.comparison)} ${limit}`;
  const rounded =
    typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER
      ? ' (a number beyond 2^53 is read rounded: what is written out is this value)'
      : '';
  return `${show(value)} is out of range: must be ${bound}${rounded}`;
}

/** An ajv error about the value itself (type, enum, range, items, pattern, anything else) as a violation carrying the value. */
function valueViolation(source: string, e: AjvError, value: unknown, at: string): Violation {
  switch (e.keyword) {
    case 'type':
      return {
        source,
        path: at,
        rule: 'schema.type',
        message: `must be ${e.params.type === 'object' ? 'an object' : `of type ${String(e.params.type)}`}, not ${jsonType(value)} ${show(value)}`,
        value,
      };
    case 'enum':
      return {
        source,
        path: at,
        rule: 'schema.enum',
        message: `must be one of ${(e.params.allowedValues as unknown[]).map(show).join(', ')}, not ${show(value)}`,
        value,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return { source, path: at, rule: 'schema.range', message: rangeMessage(value, e.params), value };
    case 'minItems':
      return { source, path: at, rule: 'schema.min-items', message: `must have at least ${e.params.limit} item(s)`, value };
    case 'pattern':
      return {
        source,
        path: at,
        rule: 'schema.pattern',
        message: /A-Za-z0-9\+\//.test(String(e.params.pattern))
          ? `must be base64-encoded data, not ${show(value)}`
          : `${show(value)} must not be blank`,
        value,
      };
    default:
      return { source, path: at, rule: `schema.${e.keyword}`, message: `${e.message ?? 'is invalid'} (${show(value)})`, value };
  }
}

/**
 * Validates one object against the strict schema of its `apiVersion`/`kind` for the target
 * Kubernetes version (unknown fields, wrong types, missing required fields, out-of-range int32).
 * A kind the version does not serve is itself a violation. Covers the API kinds the project emits,
 * the audit Policy (`audit.k8s.io/v1`) and the webhook kubeconfig (`v1` `Config`). A field whose value
 * is `null` counts as absent, as the API server decodes it.
 * @param source names the object in the violations
 */
export function validateManifest(object: unknown, version: KubernetesVersion, source = describe(object)): Violation[] {
  if (Array.isArray(object)) return validateJsonPatch(object, source);
  if (!isObject(object)) {
    return [{ source, path: '', rule: 'schema.type', message: `must be an object, not ${jsonType(object)} ${show(object)}`, value: object }];
  }
  const apiVersion = apiVersionOf(object);
  const kind = kindOf(object);
  if (!apiVersion || !kind) {
    return [
      {
        source,
        path: !apiVersion ? 'apiVersion' : 'kind',
        rule: 'schema.required',
        message: `required field "${!apiVersion ? 'apiVersion' : 'kind'}" is missing or not a string`,
      },
    ];
  }
  const { index } = load();
  const key = `${apiVersion}/${kind}`;
  const hash = index.minors[String(version.schemaMinor)]?.[key];
  if (!hash) {
    const range = servedRange(key);
    const message = range
      ? `${apiVersion} ${kind} is not served by Kubernetes ${version} (only by ${range})`
      : `unknown apiVersion/kind ${apiVersion} ${kind}: not a kind this project emits (${knownKinds(version).join(', ')})`;
    return [{ source, path: '', rule: 'unknown-kind', message, value: key }];
  }
  const validate = validatorsFor(version.schemaMinor)[`v${hash}`];
  const data = hasNull(object) ? withoutNulls(object) : object;
  if (validate(data)) return [];
  return toViolations(source, `Kubernetes 1.${version.minor} ${apiVersion} ${kind}`, data, validate.errors ?? []);
}

/** Deeper than any schema we check (free-form parts are not walked); also stops on cyclic data. */
const MAX_DEPTH = 64;

function hasNull(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((v) => hasNull(v, depth + 1));
  if (isObject(value)) return Object.values(value).some((v) => v === null || hasNull(v, depth + 1));
  return false;
}

/** A copy without `null` field values: the API server decodes `field: null` as an absent field. */
function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v, depth + 1));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v, depth + 1);
    return out;
  }
  return value;
}

const PATCH_FIELDS: Record<string, string[]> = {
  add: ['path', 'value'],
  replace: ['path', 'value'],
  test: ['path', 'value'],
  remove: ['path'],
  move: ['from', 'path'],
  copy: ['from', 'path'],
};

/**
 * A JSON patch (RFC 6902), such as a kubeadm `--patches` file `kube-apiserver+json.yaml`: a list of
 * operations, each with a known `op`, JSON-pointer `path` (and `from`), `value` where the op needs
 * one, and no other field. The patched object itself must be validated as what it is (a Pod).
 */
export function validateJsonPatch(ops: readonly unknown[], source: string): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, message: string, value?: unknown) =>
    out.push(value === undefined ? { source, path, rule: 'json-patch', message } : { source, path, rule: 'json-patch', message, value });
  if (ops.length === 0) add('', 'a JSON patch must have at least one operation');
  ops.forEach((raw, i) => {
    const at = `[${i}]`;
    if (!isObject(raw)) {
      add(at, `a JSON patch operation must be an object, not ${jsonType(raw)} ${show(raw)}`, raw);
      return;
    }
    const op = raw.op;
    const fields = typeof op === 'string' ? PATCH_FIELDS[op] : undefined;
    if (!fields) {
      add(`${at}.op`, `op must be one of ${Object.keys(PATCH_FIELDS).join(', ')}, not ${show(op)}`, op);
      return;
    }
    for (const f of fields) if (!(f in raw)) add(`${at}.${f}`, `required field "${f}" is missing for op ${op}`);
    for (const f of Object.keys(raw)) if (f !== 'op' && !fields.includes(f)) add(child(at, f), `unknown field "${cut(f)}" for op ${cut(op)}`, raw[f]);
    for (const f of ['path', 'from']) {
      const p = raw[f];
      if (f in raw && !(typeof p === 'string' && (p === '' || p.startsWith('/'))))
        add(`${at}.${f}`, `${f} must be a JSON pointer such as /spec/containers/0/command, not ${show(p)}`, p);
    }
  });
  return out;
}

/** `Kind name` for messages when the caller gives no source. */
export function describe(object: unknown): string {
  const o = isObject(object) ? object : {};
  const meta = isObject(o.metadata) ? o.metadata : {};
  const kind = typeof o.kind === 'string' ? o.kind : 'object';
  return typeof meta.name === 'string' ? `${kind} ${meta.name}` : kind;
}
