import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../core/errors';
import { lstatOrUndefined, resolveLinks } from './no-follow';
import { ProtectedPath } from './output';

/**
 * The JSON plan goes where the user says, but never into the output folder, which Argo CD may apply whole, and never
 * over the config or an input. That is decided on where the plan really lands, every symbolic link on the way
 * resolved, also one whose target does not exist yet (a link into an output folder not written yet points into it
 * once it is): the named file in its real folder (the plan is renamed over that name, a link there included), and
 * what a link of that name points to. Its folder must be writable before the output is replaced, so a failure cannot
 * come after it.
 * @param file the plan's path as given, resolved against the current folder
 * @param shownAs the path as the user gave it, for messages
 */
export function checkPlanJsonPath(file: string, outdir: string, shownAs: string, shownOut: string, protect: readonly ProtectedPath[]): void {
  const { places, out, inputs } = resolved(file, outdir, shownAs, protect);
  for (const place of places) {
    if (within(place, out)) {
      throw new UserError(
        `--plan-json ${shownAs} is inside the output folder ${shownOut}${place === file ? '' : ` (it leads to ${place})`}, ` +
          'which Argo CD may read whole (and a run replaces); write it beside the folder, e.g. --plan-json plan.json',
      );
    }
    const input = inputs.find((p) => p.places.includes(place));
    if (input) throw new UserError(`--plan-json ${shownAs} is ${input.what} (${input.path}); name a file of its own, e.g. plan.json`);
  }
  // a folder, a device, a pipe, or a link to one (a link to a file is replaced by the plan)
  if (lstatOrUndefined(places[1])?.isFile() === false) throw new UserError(`--plan-json ${shownAs} is not a file; name a file, e.g. plan.json`);
  // the plan's folder is made through the path as given (mkdir -p), which a link to a missing folder stops
  const dangling = danglingLink(path.dirname(file));
  if (dangling !== undefined) {
    throw new UserError(
      `--plan-json ${shownAs}: ${dangling} is a symbolic link to ${fs.readlinkSync(dangling)}, which does not exist; create that folder, or name another place, e.g. plan.json`,
    );
  }
  let dir = path.dirname(places[0]);
  while (lstatOrUndefined(dir) === undefined && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a folder');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`--plan-json ${shownAs}: ${dir} is not a folder the plan can be written in; name a writable place, e.g. plan.json`);
  }
}

/** Where the plan lands (its name in its real folder, then what a link of that name points to), the output folder and the inputs, real. */
function resolved(file: string, outdir: string, shownAs: string, protect: readonly ProtectedPath[]) {
  // both where a path is (a link there is replaced) and what it points to
  const placesOf = (p: string) => {
    const at = path.join(resolveLinks(path.dirname(p)), path.basename(p));
    return [at, resolveLinks(at)];
  };
  try {
    return {
      places: placesOf(file),
      out: resolveLinks(outdir),
      inputs: protect.map((p) => ({ ...p, places: placesOf(path.resolve(p.path)) })),
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ELOOP')
      throw new UserError(`--plan-json ${shownAs}: ${e.path} is a symbolic link in a loop of them; name a file of its own, e.g. plan.json`);
    throw new UserError(`--plan-json ${shownAs} cannot be resolved: ${e.message}; name a file of its own, e.g. plan.json`);
  }
}

/** The first symbolic link on `dir` whose target does not exist, if any. */
function danglingLink(dir: string): string | undefined {
  let p = path.parse(dir).root;
  for (const part of dir.split(path.sep).filter((s) => s !== '')) {
    p = path.join(p, part);
    const st = lstatOrUndefined(p);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink() && !fs.existsSync(p)) return p;
  }
  return undefined;
}

/** True when `child` is `folder` or inside it (`..` only as a whole path segment). */
function within(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
