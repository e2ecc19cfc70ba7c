import * as fs from 'fs';
import * as path from 'path';
import { schemasDir } from '../../core/schemas-dir';
import { child, closest, isObject } from '../../core/util';
import { toViolations } from '../schema-validation';
import { Violation } from '../violation';

/** An ajv error as the precompiled validators of schemas/distros/ report it (compiled with `verbose`). */
interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly parentSchema?: { readonly properties?: Record<string, unknown> };
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let index: Record<string, any> | undefined;
const loaded = new Map<string, Validator>();

/** schemas/distros/index.json (written by scripts/gen-distro-schemas.js): sources, validator files and facts. @internal */
export function distroIndex(): Record<string, any> {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(schemasDir(), 'distros', 'index.json'), 'utf8')) as Record<string, any>;
  return index;
}

/** A JSON data file of schemas/distros/ (the k3s and RKE2 flag tables). @internal */
export function distroData(file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(schemasDir(), 'distros', file), 'utf8')) as Record<string, any>;
}

function validatorOf(file: string): Validator {
  let validate = loaded.get(file);
  if (!validate) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = (require(path.join(schemasDir(), 'distros', file)) as { validate: Validator }).validate;
    loaded.set(file, validate);
  }
  return validate;
}

/** `spec.files[0]` from the JSON pointer `/spec/files/0`. */
function pathOf(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = child(out, /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : seg);
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObject(cur) ? cur[seg] : undefined;
  }
  return cur;
}

/** Length in Unicode code points, as the API server counts `maxLength` (kube-openapi: utf8.RuneCountInString). */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The keywords whose violations this module words itself (the rest go through the project's `toViolations`). */
const OWN_KEYWORDS = new Set(['additionalProperties', 'maxLength', 'minLength', 'maxItems', 'minItems', 'minProperties']);

/** The message of an error of OWN_KEYWORDS about `value`, or `undefined` when it is not one. */
function ownMessage(e: AjvError, value: unknown, what: string): string | undefined {
  const limit = Number(e.params.limit);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const near = closest(field, Object.keys(e.parentSchema?.properties ?? {}));
      return `unknown field "${field}": not in the ${what} schema${near ? ` (did you mean "${near}"?)` : ''}`;
    }
    case 'maxLength':
      return `is ${codePoints(String(value))} characters long: the ${what} schema allows at most ${limit}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
    case 'maxItems':
      return `has ${Array.isArray(value) ? value.length : '?'} items: the ${what} schema allows at most ${limit}`;
    case 'minItems':
      return limit === 1 ? 'must not be an empty list (leave the field out instead)' : `must have at least ${limit} items`;
    case 'minProperties':
      return 'must not be an empty object (leave the field out instead)';
    default:
      return undefined;
  }
}

/** One error of OWN_KEYWORDS as a violation, its rule `<prefix>.<kind>`. */
function ownViolation(e: AjvError, object: unknown, source: string, what: string, prefix: string): Violation {
  const value = valueAt(object, e.instancePath);
  const at = pathOf(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const field = String(e.params.additionalProperty);
    const fieldValue = isObject(value) ? value[field] : undefined;
    return { source, path: child(at, field), rule: `${prefix}.unknown-field`, message: ownMessage(e, value, what)!, value: fieldValue };
  }
  const rule = e.keyword.startsWith('max') ? 'too-long' : 'too-short';
  return { source, path: at, rule: `${prefix}.${rule}`, message: ownMessage(e, value, what)!, value };
}

/**
 * Validates `object` with the precompiled validator `file` of schemas/distros/ and words each error as a violation
 * naming the field: unknown fields (with the nearest known name), lengths and item counts with the limit, types, enums
 * and required fields as the Kubernetes validation words them. Rules are `<prefix>.<kind>` (`talos-schema.unknown-field`).
 * @param what names the schema in messages, e.g. `Talos 1.13 machine config`
 * @internal
 */
export function schemaViolations(file: string, object: unknown, source: string, what: string, prefix: string): Violation[] {
  const validate = validatorOf(file);
  if (validate(object)) return [];
  const errors = validate.errors ?? [];
  const oneOfBranches = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  const inBranch = (e: AjvError) => oneOfBranches.some((p) => e.schemaPath.startsWith(p));
  const own = errors.filter((e) => OWN_KEYWORDS.has(e.keyword) && !inBranch(e));
  // a union type (`string,null`) reads better as `string or null`
  const rest = errors
    .filter((e) => !own.includes(e))
    .map((e) => (e.keyword === 'type' ? { ...e, params: { ...e.params, type: String(e.params.type).split(',').join(' or ') } } : e));
  const restViolations = toViolations(source, what, object, rest).map((v) => ({ ...v, rule: v.rule.replace(/^schema\./, `${prefix}.`) }));
  return [...own.map((e) => ownViolation(e, object, source, what, prefix)), ...restViolations];
}

/** A violation with the given rule, leaving `value` out when there is none. @internal */
export function violation(source: string, at: string, rule: string, message: string, value?: unknown): Violation {
  return value === undefined ? { source, path: at, rule, message } : { source, path: at, rule, message, value };
}
