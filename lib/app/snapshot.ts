/**
 * The app's V8 startup snapshot: `node --snapshot-blob build/snapshot/app.blob --build-snapshot build/app.js` (Node
 * 20's user-land snapshot; nodejs/node doc/api/cli.md, `--build-snapshot`) runs the bundle's module initialisation
 * and a synth of the project's own config, and saves the heap, compiled functions included; a run started from the
 * blob (bin/cdk8s-falco-audit.sh) neither compiles the bundle nor initialises its modules, and starts warm.
 *
 * A snapshot's entry script cannot `require` files ("user-land modules are not yet supported in the snapshot, so
 * only one single file can be snapshotted", same doc), so the per-minor validators, which lib/validation `require`s
 * when a run first needs them, are read with fs and compiled with vm instead (`installLoader`): the bundle gets its
 * `require` from outside (scripts/bundle.js), and in a snapshot that is this loader. The snapshot remembers the
 * files it was made from; when one of them changed, or the folder moved, a run falls back to the plain bundle in the
 * same process, so a stale snapshot costs time, never output.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

/** Where the bundle's footer looks for the loader (set only in a snapshot: a plain run uses node's `require`). */
const LOADER = Symbol.for('cdk8s-falco-audit.load');

/** The blob and the link to the node binary that made it, under build/ (bin/build-snapshot.js writes both). */
export const SNAPSHOT_DIR = path.join('build', 'snapshot');
export const SNAPSHOT_BLOB = 'app.blob';

/** A file the snapshot was made from, as it was then. */
interface FileState {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
}

type Main = (args: readonly string[]) => void;

/** True while `node --build-snapshot` runs the bundle. */
export function buildingSnapshot(): boolean {
  return typeof v8.startupSnapshot?.isBuildingSnapshot === 'function' && v8.startupSnapshot.isBuildingSnapshot();
}

/**
 * Sets the snapshot up, while `node --build-snapshot build/app.js [--warm-up CONFIG]...` runs the bundle: installs
 * the loader, synthesizes each warm-up config into a scratch folder (so the functions a synth calls are compiled
 * and the validators it loads are in the heap; one that fails is left out, with a note), records the files it read,
 * and makes `main` the function a run from the blob starts with.
 */
export function prepareSnapshot(
  bundle: string,
  args: readonly string[],
  main: Main,
  warmUp: (config: string, scratch: string) => Promise<void>,
): void {
  const loaded = installLoader();
  const root = path.resolve(path.dirname(bundle), '..');
  // what the snapshot is made from, known once the warm-ups are done (node takes the snapshot when the process ends)
  const made = { root: fs.realpathSync(root), files: [] as FileState[] };
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    // a run from the blob: process.argv is [node, ...args], the blob is in execArgv
    const args = process.argv.slice(1);
    const current = currentRoot();
    const changed = current === made.root ? made.files.find((f) => !same(f, stateOf(f.file))) : undefined;
    if (current === made.root && changed === undefined) return main(args);
    const plain = path.join(current ?? made.root, 'build', 'app.js');
    if (process.env.FALCO_AUDIT_TRACE_START) {
      process.stderr.write(`start: plain ${plain} (the snapshot is stale: ${changed ? `${changed.file} changed` : `it was made in ${made.root}`})\n`);
    }
    runPlain(plain, args);
  });
  void (async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-snapshot-'));
    try {
      for (let i = 0; i < args.length; i++) {
        if (args[i] !== '--warm-up') continue;
        try {
          await warmUp(path.resolve(args[i + 1]), path.join(scratch, String(i)));
        } catch (err) {
          // a config that does not synth now (being edited, say) only makes the snapshot less warm
          process.stderr.write(`note: the snapshot is not warmed up with ${args[i + 1]}: ${(err as Error).message.split('\n')[0]}\n`);
        }
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    // the bundle, every file the loader read, and the indexes that name the files it did not read yet
    const sources = [
      bundle,
      ...loaded,
      ...['index.json', 'config-validators.js', path.join('falco', 'index.json')].map((f) => path.join(root, 'schemas', f)),
    ];
    made.files = [...new Set(sources)].filter((f) => fs.existsSync(f)).map(stateOf);
  })();
}

function stateOf(file: string): FileState {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return { file, size: st?.size ?? -1, mtimeMs: st?.mtimeMs ?? -1 };
}

function same(a: FileState, b: FileState): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The repository (or package) folder the blob being run is in: `<root>/build/snapshot/app.blob`. */
function currentRoot(): string | undefined {
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const blob =
      argv[i] === '--snapshot-blob' ? argv[i + 1] : argv[i].startsWith('--snapshot-blob=') ? argv[i].slice('--snapshot-blob='.length) : undefined;
    if (blob === undefined) continue;
    try {
      return fs.realpathSync.native(path.resolve(path.dirname(path.resolve(blob)), '..', '..'));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The plain path, in this process: the bundle on disk, as `node build/app.js ...args` would run it. */
function runPlain(bundle: string, args: readonly string[]): void {
  delete (globalThis as Record<symbol, unknown>)[LOADER];
  process.argv = [process.argv[0], bundle, ...args];
  createRequire(bundle)(bundle);
}

/**
 * Makes the bundle's `require` load files with fs + vm, as a CommonJS module (the validators are self-contained
 * CommonJS: `exports.x = ...`, no `require` of their own); built-in modules still come from node. Returns the list
 * of files loaded so far (it grows).
 */
function installLoader(): string[] {
  const modules = new Map<string, { exports: unknown }>();
  const files: string[] = [];
  const load = (id: string, builtin: (id: string) => unknown): unknown => {
    if (!path.isAbsolute(id)) return builtin(id);
    let mod = modules.get(id);
    if (!mod) {
      const source = fs.readFileSync(id, 'utf8');
      mod = { exports: {} };
      modules.set(id, mod);
      files.push(id);
      const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
        filename: id,
      }).runInThisContext();
      const requireFrom = (inner: string) => load(inner.startsWith('.') ? path.resolve(path.dirname(id), inner) : inner, builtin);
      wrapper.call(mod.exports, mod.exports, requireFrom, mod, id, path.dirname(id));
    }
    return mod.exports;
  };
  (globalThis as Record<symbol, unknown>)[LOADER] = load;
  return files;
}
