import { UserError, UserErrors, isUserError } from '../core/errors';
import { formatPath, LoadedYaml, YamlPath } from '../core/yaml';
import { child, isObject } from '../core/util';

/**
 * A values file's checks run in stages: the keys and their types first, then what needs well-formed values (the
 * refusals, the secrets, the API server's rules on the objects the values reach). To report every problem of the file
 * at once, each problem's key is left out and the rest checked again, until the rest passes. Internal (the app's).
 */

/** More rounds than the checks have stages; a file that still fails then is reported as it is. */
const MAX_ROUNDS = 8;

/** The parts of a collected group (each at its own place), else the error itself. */
function partsOf(err: UserError): readonly UserError[] {
  return UserErrors.isUserErrors(err) && err.errors.length === err.problems.length && err.errors.length > 0 ? err.errors : [err];
}

/** Every path of the document, by the two names messages give it (`a.b[0].c`, and `a["x.y"]` for odd keys). */
function pathsByField(value: unknown): Map<string, YamlPath> {
  const out = new Map<string, YamlPath>();
  const walk = (v: unknown, at: YamlPath, quoted: string) => {
    if (at.length > 0) {
      if (!out.has(formatPath(at))) out.set(formatPath(at), at);
      if (!out.has(quoted)) out.set(quoted, at);
    }
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...at, i], child(quoted, i)));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) walk(item, [...at, k], child(quoted, k));
  };
  walk(value, [], '');
  return out;
}

/**
 * What to leave out for a problem at `path`: the key (inside a list item too: `tolerations[0].efect`), or, for a list
 * item itself, the whole list it is in (so that no later index moves, and every location stays right).
 */
function leftOutPath(path: YamlPath): YamlPath {
  return typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
}

/** The paths that are not inside another of them, each once. */
function outermost(paths: readonly YamlPath[]): YamlPath[] {
  const inside = (p: YamlPath, q: YamlPath) => q.length <= p.length && q.every((k, i) => k === p[i]);
  return paths.filter((p, i) => !paths.some((q, j) => (q.length < p.length || (q.length === p.length && j < i)) && inside(p, q)));
}

/** Deletes `path` from the document; false when there is nothing to delete. */
function remove(value: unknown, path: YamlPath): boolean {
  const container = (v: unknown): v is Record<string | number, unknown> => isObject(v) || Array.isArray(v);
  let cur: unknown = value;
  for (const key of path.slice(0, -1)) {
    if (!container(cur)) return false;
    cur = cur[key];
  }
  // a list item itself is never deleted (leftOutPath leaves the list out instead)
  if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, path[path.length - 1])) return false;
  delete cur[path[path.length - 1] as string];
  return true;
}

/** The problems as one error: one as itself, several as a group at the file. */
function grouped(problems: readonly UserError[], summary: (n: number) => string, file: string): UserError {
  return problems.length === 1 ? problems[0] : new UserErrors(summary(problems.length), problems, { file });
}

/**
 * Runs `check` on the loaded document. Without `found`, as it is. With `found`, past its problems: the key each names is
 * left out of the document (its chart default applies) and the rest is checked again; the problems of every round go
 * to `found` as one error (`summary` words a group) and the checked rest is returned. A problem that names no key of
 * the document (the whole file, a default) ends the rounds: everything found is then thrown.
 * @internal
 */
export function checkLeavingOut<T>(loaded: LoadedYaml, check: (value: unknown) => T, summary: (n: number) => string, found?: UserError[]): T {
  if (!found) return check(loaded.value);
  const problems: UserError[] = [];
  const seen = new Set<string>();
  // the top-level keys a round left something out of: a later problem there may come from what was left out
  const touched = new Set<string>();
  for (let round = 0; ; round++) {
    let err: UserError;
    try {
      const checked = check(loaded.value);
      if (problems.length > 0) found.push(grouped(problems, summary, loaded.file));
      return checked;
    } catch (e) {
      if (!isUserError(e)) throw e;
      err = e;
    }
    const fresh = partsOf(err).filter((p) => !seen.has(p.message));
    fresh.forEach((p) => seen.add(p.message));
    const paths = pathsByField(loaded.value);
    const keys = fresh.map((p) => (p.location.field === undefined ? undefined : paths.get(p.location.field)));
    // After the first round, a problem in a section something was left out of (a request without the limit left out),
    // or about a default (the user's value left out), follows from what was left out: it is not reported.
    const follows = (i: number) => round > 0 && (keys[i] === undefined || touched.has(String(keys[i]![0])));
    problems.push(...fresh.filter((_p, i) => !follows(i)));
    const stuck = round + 1 >= MAX_ROUNDS || fresh.length === 0 || keys.some((k) => k === undefined);
    if (stuck || !outermost(keys.map((k) => leftOutPath(k!))).every((k) => remove(loaded.value, k))) throw grouped(problems, summary, loaded.file);
    keys.forEach((k) => touched.add(String(k![0])));
  }
}
