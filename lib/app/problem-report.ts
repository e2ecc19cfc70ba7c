import { ErrorLocation, UserError, UserErrors } from '../core/errors';

/**
 * One run's problems, reported at once. Each stage of a cluster (the config's schema, the input files, the
 * FalcoAudit construct, the output checks) throws its problems as a unit: one `UserError`, or a `UserErrors` group
 * with its summary. One unit in the whole run is reported as it was thrown; several become one list, sorted by file
 * (the config first) and line, each line naming its cluster in a fleet.
 */

/** A cluster's problems: its name as messages show it (`"prod"`; empty outside a fleet) and the units its stages threw. */
export interface ClusterProblems {
  readonly label: string;
  readonly units: readonly UserError[];
}

/** True when a problem at config field `field` follows from a value left out at `leftOut` (the same, around or inside it). */
function follows(field: string, leftOut: string): boolean {
  const under = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return under(field, leftOut) || under(leftOut, field);
}

/** The parts of a group the collector gathered as errors (each at its own place), else the unit itself. */
function partsOf(unit: UserError): readonly UserError[] {
  return UserErrors.isUserErrors(unit) && unit.errors.length === unit.problems.length && unit.errors.length > 0 ? unit.errors : [unit];
}

/**
 * The units without the problems that follow from a value left out (a wrong config value, an input that could not be
 * read): such a problem is about a setting the user has not written yet, and is found again once it is fixed. A group
 * that loses a part is split into its parts.
 */
export function withoutFollowers(units: readonly UserError[], configFile: string, leftOut: readonly string[]): UserError[] {
  const keep = (e: UserError) =>
    e.location.file !== configFile || e.location.field === undefined || !leftOut.some((l) => follows(e.location.field!, l));
  return units.flatMap((unit) => {
    const parts = partsOf(unit);
    const kept = parts.filter(keep);
    return kept.length === parts.length ? [unit] : kept;
  });
}

/** `cluster "a": `, `clusters "a" and "b": `, `clusters "a", "b", "c" and 4 more: ` (empty outside a fleet). */
function labelOf(labels: readonly string[]): string {
  const names = [...new Set(labels.filter((l) => l !== ''))];
  if (names.length === 0) return '';
  if (names.length === 1) return `cluster ${names[0]}: `;
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  return rest > 0 ? `clusters ${shown.join(', ')} and ${rest} more: ` : `clusters ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}: `;
}

/** A problem with its cluster's label: after the location (the config's, when it has none). */
function labelled(configFile: string, label: string, e: UserError): UserError {
  if (!e.location.file) return new UserError(`${configFile}: ${label}${e.message}`);
  return label ? new UserError(`${label}${e.detail}`, e.location) : e;
}

/** A unit with its cluster's label, as it is reported when it is the run's only one. */
function labelledUnit(configFile: string, label: string, unit: UserError): UserError {
  if (!UserErrors.isUserErrors(unit)) return labelled(configFile, label, unit);
  const summary = `${unit.location.file ? '' : `${configFile}: `}${label}${unit.message.split('\n')[0]}`;
  const parts = partsOf(unit);
  if (parts[0] === unit) return new UserErrors(summary, unit.problems);
  const sorted = parts
    .map((e, i) => ({ e, i }))
    .sort((a, b) => compareKeys(sortKey(configFile, a.e.location), sortKey(configFile, b.e.location)) || a.i - b.i);
  // the summary names the config: a problem without a place is listed as it is, after the cluster's name
  return new UserErrors(
    summary,
    sorted.map(({ e }) => (e.location.file ? labelled(configFile, label, e) : new UserError(`${label}${e.message}`))),
  );
}

/** Where a problem sorts: the config file first, then the other files by name, then what has no file; by line within a file. */
function sortKey(configFile: string, at: ErrorLocation): [number, string, number, number] {
  const rank = at.file === configFile ? 0 : at.file ? 1 : 2;
  return [rank, at.file ?? '', at.line ?? 0, at.column ?? 0];
}

function compareKeys(a: [number, string, number, number], b: [number, string, number, number]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2] || a[3] - b[3];
}

/** The lines of several units: one per problem, a problem several clusters share (a shared values file's) once. */
function listed(configFile: string, top: readonly UserError[], clusters: readonly ClusterProblems[]): UserError[] {
  const byMessage = new Map<string, { error: UserError; labels: string[]; order: number }>();
  const add = (label: string, e: UserError) => {
    const seen = byMessage.get(e.message);
    if (seen) seen.labels.push(label);
    else byMessage.set(e.message, { error: e, labels: [label], order: byMessage.size });
  };
  top.flatMap(partsOf).forEach((e) => add('', e));
  for (const c of clusters) c.units.flatMap(partsOf).forEach((e) => add(c.label, e));
  const entries = [...byMessage.values()].sort(
    (a, b) => compareKeys(sortKey(configFile, a.error.location), sortKey(configFile, b.error.location)) || a.order - b.order,
  );
  return entries.map(({ error, labels }) => labelled(configFile, labelOf(labels), error));
}

/**
 * The error a run with problems throws: the one unit as it was thrown (with its cluster's label), or every problem
 * of every unit in one list; undefined when there is none.
 * @param top the config's problems outside any cluster
 */
export function runProblems(configFile: string, top: readonly UserError[], clusters: readonly ClusterProblems[]): UserError | undefined {
  const failed = clusters.filter((c) => c.units.length > 0);
  const count = top.length + failed.reduce((n, c) => n + c.units.length, 0);
  if (count === 0) return undefined;
  if (count === 1) return top.length === 1 ? top[0] : labelledUnit(configFile, labelOf([failed[0].label]), failed[0].units[0]);
  const lines = listed(configFile, top, failed);
  const where = failed.length > 0 && failed.some((c) => c.label !== '') ? ` in ${failed.length} cluster${failed.length === 1 ? '' : 's'}` : '';
  return new UserErrors(`${configFile}: ${lines.length} problems${where}:`, lines);
}
