import * as fs from 'fs';
import * as path from 'path';
import { schemasDir } from '../schemas-dir';
import { toViolations } from './schema-validation';
import { Violation } from './violation';

/** A release as numbers, for ordering. */
type Release = readonly [number, number, number];

interface FalcoSchemaIndex {
  readonly versions: readonly string[];
  readonly files: Record<string, string>;
}

type Validator = ((data: unknown) => boolean) & { errors?: any[] | null };

let index: FalcoSchemaIndex | undefined;
const loaded = new Map<string, Validator>();

const parse = (v: string): Release => v.split('.').map(Number) as unknown as Release;
const compare = (a: Release, b: Release) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * The release whose falco.yaml schema applies to `falco`: the newest shipped schema not above it, within the same
 * minor or an older one (Falco ships a schema from 0.39.2; a patch release without its own uses the nearest older).
 * Undefined for releases before the first schema.
 */
export function falcoSchemaRelease(falco: { major: number; minor: number; patch: number }): string | undefined {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(schemasDir(), 'falco', 'index.json'), 'utf8')) as FalcoSchemaIndex;
  const target: Release = [falco.major, falco.minor, falco.patch];
  return [...index.versions].reverse().find((v) => compare(parse(v), target) <= 0);
}

/**
 * Validates a rendered falco.yaml against the schema of the Falco release that reads it (Falco's own
 * config_json_schema.h, 0.39.2+). Falco itself only warns and ignores what it does not know; an ignored key is a
 * setting that silently does nothing, so every violation is reported. Empty for releases without a schema.
 * @param source names the file in messages, e.g. `ConfigMap falco: falco.yaml`
 */
export function validateFalcoConfig(config: unknown, falco: { major: number; minor: number; patch: number }, source: string): Violation[] {
  const release = falcoSchemaRelease(falco);
  if (release === undefined) return [];
  let validate = loaded.get(release);
  if (!validate) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = (require(path.join(schemasDir(), 'falco', index!.files[release])) as { validate: Validator }).validate;
    loaded.set(release, validate);
  }
  if (validate(config)) return [];
  return toViolations(source, `Falco ${release} falco.yaml`, config, validate.errors ?? []).map((v) => ({ ...v, rule: v.rule.replace(/^schema\./, 'falco-schema.') }));
}
