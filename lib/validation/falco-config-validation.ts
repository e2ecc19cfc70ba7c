import * as fs from 'fs';
import * as path from 'path';
import { schemasDir } from '../core/schemas-dir';
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
 * The release whose falco.yaml schema applies to `falco`: one of the same minor, the nearest patch at or below it, else
 * the nearest above. Falco ships the schema from 0.39.0 (userspace/falco/config_json_schema.h); the vendored files are
 * those of 0.39.2, 0.40.0, 0.41.3, 0.42.1, 0.43.1 and 0.44.1. Within a minor the schema barely moves: it is byte for byte
 * the same in 0.39.1, 0.41.0-0.41.2, 0.42.0 and 0.43.0; 0.39.0's allows one `null` fewer and 0.44.0's lacks
 * `falco_libs.disable_iterators` (falcosecurity/falco at each tag). A schema of another minor would refuse keys the release
 * knows or accept keys it does not, so a minor without a vendored file (before 0.39) is not checked.
 */
export function falcoSchemaRelease(falco: { major: number; minor: number; patch: number }): string | undefined {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(schemasDir(), 'falco', 'index.json'), 'utf8')) as FalcoSchemaIndex;
  const target: Release = [falco.major, falco.minor, falco.patch];
  const sameMinor = index.versions.filter((v) => {
    const [major, minor] = parse(v);
    return major === falco.major && minor === falco.minor;
  });
  const atOrBelow = sameMinor.filter((v) => compare(parse(v), target) <= 0);
  return atOrBelow.length > 0 ? atOrBelow[atOrBelow.length - 1] : sameMinor[0];
}

/**
 * Validates a rendered falco.yaml against the schema of the Falco release that reads it (Falco's own
 * config_json_schema.h, 0.39+). Falco itself only warns and ignores what it does not know; an ignored key is a
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
  return toViolations(source, `Falco ${release} falco.yaml`, config, validate.errors ?? []).map((v) => ({
    ...v,
    rule: v.rule.replace(/^schema\./, 'falco-schema.'),
  }));
}

/** The releases whose falco.yaml schema is vendored, oldest first. */
export function falcoSchemaReleases(): readonly string[] {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(schemasDir(), 'falco', 'index.json'), 'utf8')) as FalcoSchemaIndex;
  return index.versions;
}

/**
 * Whether the falco.yaml schema of `release` (one of {@link falcoSchemaReleases}) knows the key at `keyPath` with `value`
 * there: a document holding only that key draws no unknown-field violation at it or above it. List items are probed as
 * the first item.
 */
export function falcoSchemaKnows(release: string, keyPath: readonly (string | number)[], value: unknown): boolean {
  const probePath = keyPath.map((p) => (typeof p === 'number' ? 0 : p));
  let doc: unknown = value === undefined ? null : value;
  for (let i = probePath.length - 1; i >= 0; i--) {
    const p = probePath[i];
    doc = typeof p === 'number' ? [doc] : { [p]: doc };
  }
  const [major, minor, patch] = parse(release);
  const within = (violationPath: string) => {
    const parts = violationPath
      .split(/\.|(?=\[)/)
      .filter(Boolean)
      .map((x) => (/^\[\d+\]$/.test(x) ? Number(x.slice(1, -1)) : x));
    return parts.length <= probePath.length && parts.every((x, i) => x === probePath[i]);
  };
  return !validateFalcoConfig(doc, { major, minor, patch }, 'probe').some((v) => v.rule === 'falco-schema.unknown-field' && within(v.path));
}
