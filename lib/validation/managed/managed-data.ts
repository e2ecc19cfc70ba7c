import * as fs from 'fs';
import * as path from 'path';
import { schemasDir } from '../../core/schemas-dir';
import { show } from '../../core/util';
import { toViolations } from '../schema-validation';
import { Violation } from '../violation';

/*
 * The data scripts/gen-managed-schemas.js derived from ../shared/reference/managed (schemas/managed/index.json) and the
 * precompiled validators next to it. Read on first use; nothing here reads ../shared.
 */

/** A default as the plugin's code applies it. */
export interface ManagedKeyDefault {
  /** The value the plugin uses when the key is absent (or, `when`, set to 0). */
  readonly value?: unknown;
  /** The unit of `value`, where it is a duration. */
  readonly unit?: string;
  /** When the default applies, if not only when the key is absent. */
  readonly when?: string;
  /** Environment variables read for it, first wins. */
  readonly env?: string[];
  /** The Go expression of the default, where it is not a literal. */
  readonly expr?: string;
  /** Where the default is set, `file:line` under reference/managed. */
  readonly source: string;
}

/** One `init_config` key of a plugin's PluginConfig struct. */
export interface ManagedPluginKey {
  readonly key: string;
  readonly goField: string;
  readonly goType: string;
  /** The JSON type the key unmarshals from. */
  readonly type: 'string' | 'integer' | 'boolean';
  readonly minimum?: number;
  /** The first release with the key. */
  readonly since: string;
  readonly default: ManagedKeyDefault;
  /** The unit the plugin reads a number in (EKS `shift`: nanoseconds). */
  readonly unit?: string;
  readonly unitSource?: string;
  /** Why the plugin cannot start without it, when it must be set. */
  readonly needed?: string;
  /** The default its jsonschema tag documents (which the code does not always apply). */
  readonly tagDefault?: unknown;
  /** The struct field, `file:line`. */
  readonly source: string;
}

/** What a plugin's `open_params` is. */
export interface ManagedOpenParams {
  readonly meaning: string;
  readonly required: boolean;
  readonly error?: string;
  readonly errorSource?: string;
  readonly logGroup?: string;
  readonly logStreamPrefix?: string;
  readonly logGroupSource?: string;
  readonly fileForm?: string;
  readonly source: string;
  /** The releases it holds for: the same at every tag (`first-newest`). */
  readonly releases: string;
}

/** One plugin as vendored. */
export interface ManagedPluginData {
  readonly newest: string;
  /** The struct's file under reference/managed. */
  readonly struct: string;
  /** The struct's file upstream, at its tag. */
  readonly structUpstream: string;
  readonly releases: string[];
  readonly changelog: string;
  readonly keys: ManagedPluginKey[];
  readonly openParams: ManagedOpenParams;
  /** Per release: the plugin API it needs, the plugin-sdk-go line it is built with and where that is recorded. */
  readonly pluginApi: Record<string, { readonly api: string; readonly sdk: string; readonly evidence: string }>;
  /** Per release: the validator of its init_config in plugins.js. */
  readonly validators: Record<string, string>;
}

/** A plugin a rules file requires. */
export interface RequiredPlugin {
  readonly name: string;
  readonly version: string;
}

/** One rules file's requirements. */
export interface RulesFileData {
  /** The file under reference/managed. */
  readonly file: string;
  /** The file upstream, at its tag. */
  readonly upstream: string;
  readonly sha256: string;
  /** The engine version required, as semver (an integer N is 0.N.0). */
  readonly engine: string;
  readonly engineRaw: number | string;
  readonly engineLine: number;
  /** Each entry: alternatives, any one of which satisfies it (Falco checks them in this order). */
  readonly requirements: RequiredPlugin[][];
  readonly requirementsLine: number;
  /** The copy under schemas/managed (the GKE overlay only). */
  readonly vendored?: string;
}

/** A CEL rule of a CRD, kept as data. */
export interface CelRule {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly line: number;
}

/** A "Regex Pattern:" line of an ACK CRD description: what the AWS API checks. */
export interface ApiPattern {
  readonly path: string;
  readonly pattern: string;
  readonly line: number;
}

/** One cloud kind as vendored. */
export interface ManagedKindData {
  readonly provider: 'eks' | 'gke' | 'aks';
  readonly validator: string;
  readonly file: string;
  /** `crd` (a CRD schema), `structure` (ASO's structure.txt) or `samples` (the upstream samples' fields only). */
  readonly derivedFrom: 'crd' | 'structure' | 'samples';
  readonly source: string;
  readonly parts: Record<string, string>;
  readonly cel: CelRule[];
  readonly apiPatterns: ApiPattern[];
  /** `oneOf` lists of single required fields: at `path`, exactly one of `fields`. */
  readonly exclusive: { readonly path: string; readonly fields: string[] }[];
  readonly ownerKind?: string;
  readonly aliasOf?: string;
  readonly azureName?: { readonly minLength?: number; readonly maxLength?: number; readonly pattern?: string; readonly source: string };
}

/** schemas/managed/index.json. */
export interface ManagedIndex {
  readonly sources: Record<string, string>;
  readonly plugins: Record<string, ManagedPluginData>;
  readonly rules: Record<string, Record<string, RulesFileData>>;
  readonly kinds: Record<string, ManagedKindData>;
}

/** An ajv error as the precompiled validators report it (the type schema-validation.ts reads). */
type AjvError = Parameters<typeof toViolations>[3][number];
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let index: ManagedIndex | undefined;
const files = new Map<string, Record<string, Validator>>();

/** The folder of the managed-cluster data, inside the package's schemas/. */
export function managedDir(): string {
  return path.join(schemasDir(), 'managed');
}

/** schemas/managed/index.json, read once. */
export function managedIndex(): ManagedIndex {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(managedDir(), 'index.json'), 'utf8')) as ManagedIndex;
  return index;
}

function validator(file: string, name: string): Validator {
  let loaded = files.get(file);
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(managedDir(), file)) as Record<string, Validator>;
    files.set(file, loaded);
  }
  const v = loaded[name];
  if (!v) throw new Error(`schemas/managed/${file} has no validator ${name}; run npm run gen:managed`);
  return v;
}

/** Prefixes a dotted path with the path of the part validated on its own. */
const under = (prefix: string, p: string) => (prefix && p ? (p.startsWith('[') ? `${prefix}${p}` : `${prefix}.${p}`) : prefix || p);

/** The options of a schema check: where the data sits, and the kind's exclusive-field lists for oneOf messages. */
export interface SchemaCheck {
  /** The validator file under schemas/managed. */
  readonly file: string;
  /** The validator's export name. */
  readonly name: string;
  /** Names the schema in messages. */
  readonly what: string;
  /** Where the data sits in the object the user sees. @default '' */
  readonly prefix?: string;
  /** The kind's `oneOf` lists of single required fields. @default [] */
  readonly exclusive?: readonly { readonly path: string; readonly fields: readonly string[] }[];
}

/** A message for a failed `oneOf` that picks one of several fields: which fields, and how many are set. */
function exclusiveMessage(v: Violation, e: AjvError, check: SchemaCheck): string | undefined {
  const shape = v.path.replace(/\[\d+\]/g, '[]');
  const entry = (check.exclusive ?? []).find((x) => x.path === shape);
  if (!entry) return undefined;
  const set = entry.fields.filter((f) => v.value !== null && typeof v.value === 'object' && f in (v.value as object));
  const passing = Array.isArray(e.params.passingSchemas) ? e.params.passingSchemas.length : 0;
  const which = entry.fields.join(', ');
  return passing > 1 || set.length > 1 ? `exactly one of ${which} may be set, not ${set.join(' and ')}` : `exactly one of ${which} must be set`;
}

/** One ajv error as the violation a user reads: the pattern, the length bound, the exclusive fields named. */
function refine(v: Violation, e: AjvError | undefined, check: SchemaCheck): Violation {
  if (!e) return v;
  if (e.keyword === 'pattern') return { ...v, message: `${show(v.value)} does not match ${String(e.params.pattern)}` };
  if (e.keyword === 'minLength' || e.keyword === 'maxLength') {
    const bound = e.keyword === 'minLength' ? 'at least' : 'at most';
    return { ...v, rule: 'schema.length', message: `${show(v.value)} must be ${bound} ${String(e.params.limit)} characters long` };
  }
  if (e.keyword === 'oneOf') {
    const message = exclusiveMessage(v, e, check);
    if (message) return { ...v, rule: 'schema.one-of', message };
  }
  return v;
}

/**
 * Validates `data` with one precompiled validator, violations in the project's style (lib/validation/violation.ts).
 */
export function schemaViolations(data: unknown, source: string, check: SchemaCheck): Violation[] {
  const validate = validator(check.file, check.name);
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // toViolations keeps one violation per error that is not a branch of a failed oneOf, in order
  const kept = errors.filter((x) => !errors.some((o) => o.keyword === 'oneOf' && x.schemaPath.startsWith(o.schemaPath + '/')));
  return toViolations(source, check.what, data, errors).map((v, i) => refine({ ...v, path: under(check.prefix ?? '', v.path) }, kept[i], check));
}
