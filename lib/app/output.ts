import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { UserError, isUserError } from '../core/errors';
import { NodeFile } from '../core/node-file';
import { dumpYaml } from '../core/yaml';
import { matchesDns1123Label } from '../validation/names';

/** One file of the output, by its path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** Argo CD applies `cluster/`; `node/` holds files for control-plane nodes. */
export const CLUSTER_DIR = 'cluster';
export const NODE_DIR = 'node';

/**
 * The files for every object under `scope`: one file per Kubernetes object under `cluster/`, named
 * `<kind>-<name>.yaml` so the names stay stable as long as the objects do, and every `NodeFile` under `node/`.
 * @param prefix a folder to put both under (a fleet's cluster name), or '' for none
 */
export function renderOutput(scope: IConstruct, prefix = ''): OutputFile[] {
  const files: OutputFile[] = [];
  const seen = new Set<string>();
  const add = (file: OutputFile, what: string) => {
    if (seen.has(file.path)) throw new Error(`two outputs would be written to ${file.path} (${what})`);
    seen.add(file.path);
    files.push(file);
  };
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
    const json = obj.toJson();
    const name = `${String(json.kind).toLowerCase()}-${json.metadata?.name}.yaml`;
    add({ path: path.posix.join(prefix, CLUSTER_DIR, name), content: dumpYaml(json) }, `${json.kind} ${json.metadata?.name}`);
  }
  for (const nodeFile of NodeFile.all(scope)) {
    add({ path: path.posix.join(prefix, NODE_DIR, nodeFile.fileName), content: nodeFile.toYaml() }, nodeFile.description);
  }
  return files;
}

/**
 * The file that marks a folder as this tool's output: a run replaces a non-empty folder only if it holds this file
 * or nothing but what the tool writes. Fixed text, so the output stays deterministic.
 */
export const OUTPUT_MARKER = '.cdk8s-falco-audit';
const MARKER_TEXT = '# Output of cdk8s-falco-audit: every run replaces this whole folder. Keep nothing else here.\n';

/** A path the output folder must neither be nor contain. */
export interface ProtectedPath {
  readonly path: string;
  /** What it is, for the message: `the config file`. */
  readonly what: string;
}

export interface WriteOutputOptions {
  /** The output folder as the user named it, for messages. @default - `outdir` */
  readonly shownAs?: string;
  /** The current folder, the config, every input file: refused as, or inside, the output folder. @default - none */
  readonly protect?: ProtectedPath[];
}

/**
 * Replaces `outdir` with exactly `files` (and the marker), or leaves it untouched on any failure: everything is
 * written to a sibling folder first, which then takes the old one's place. Refuses, before touching anything, an
 * output folder that is or contains a protected path, is not a folder, is a mount point, or holds files this
 * tool did not write. A symbolic link is followed: the folder it points to is replaced, the link stays. Leftovers
 * of an interrupted run beside the folder are cleaned up first (the previous output put back if it is missing).
 */
export function writeOutput(outdir: string, files: readonly OutputFile[], options: WriteOutputOptions = {}): void {
  const staging = OutputStaging.begin(outdir, options);
  try {
    staging.add(files);
    staging.commit();
  } catch (err) {
    staging.abort();
    throw err;
  }
}

/**
 * The app's output folder, for a cdk8s app of its own: `cluster/` (what Argo CD applies) and `node/` (the files for
 * the control-plane nodes). The static form of `renderOutput` and `writeOutput`, which other languages than
 * TypeScript call (jsii has no free functions).
 */
export class OutputFolder {
  /** The folder of the Kubernetes objects, which Argo CD applies. */
  public static readonly CLUSTER_DIR = CLUSTER_DIR;
  /** The folder of the files for the control-plane nodes. */
  public static readonly NODE_DIR = NODE_DIR;
  /** The file that marks a folder as this tool's output. */
  public static readonly MARKER = OUTPUT_MARKER;

  /**
   * The files for every object under `scope` (`cluster/<kind>-<name>.yaml`) and every node file (`node/<name>`).
   * @param prefix a folder to put both under (a fleet's cluster name), or '' for none
   */
  public static render(scope: IConstruct, prefix = ''): OutputFile[] {
    return renderOutput(scope, prefix);
  }

  /** Replaces `outdir` with exactly `files` (and the marker), or leaves it untouched on any failure (see `writeOutput`). */
  public static write(outdir: string, files: OutputFile[], options: WriteOutputOptions = {}): void {
    writeOutput(outdir, files, options);
  }

  private constructor() {}
}

/**
 * `writeOutput` in steps, so that a fleet's files go to disk as each cluster is built and nothing of it stays in
 * memory: `begin` checks the folder (nothing touched yet) and makes the staging folder beside it, `add` writes
 * files into that, `commit` replaces the output folder with it in one rename, and `abort` removes it and every
 * folder `begin` made, leaving everything as it was. Until `commit` the output folder is not touched.
 */
export class OutputStaging {
  /**
   * Checks `outdir` (a protected path, a file, a mount point: refused here, before anything is made) and makes the
   * staging folder, `.<name>.staging-<pid>-<random>` beside it (the same file system, so the swap is a rename).
   */
  public static begin(outdir: string, options: WriteOutputOptions = {}): OutputStaging {
    const shownAs = options.shownAs ?? outdir;
    const target = checkOutputFolder(outdir, shownAs, options.protect ?? []);
    const parent = path.dirname(target);
    let made: string | undefined;
    try {
      // mkdirSync returns the first folder it made: removed again by abort(), so a failed run leaves no trace
      made = fs.mkdirSync(parent, { recursive: true });
      const staging = path.join(parent, `.${path.basename(target)}.staging-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      fs.mkdirSync(staging);
      const marker = path.join(staging, OUTPUT_MARKER);
      fs.writeFileSync(marker, MARKER_TEXT);
      // the mode a file written now gets (umask), which a file linked from the previous output must have too
      return new OutputStaging(target, shownAs, staging, made, fs.statSync(marker).mode & 0o7777);
    } catch (err) {
      if (made) removeQuietly(made);
      throw writeError(err, shownAs);
    }
  }

  private readonly dirs = new Set<string>();
  /** every file added, relative to the output folder */
  private readonly files: string[] = [];
  /** folders `prepare` asked the thread pool for, not yet reported made (or not) */
  private preparing = 0;
  private prepared?: () => void;
  private done = false;

  private constructor(
    private readonly target: string,
    private readonly shownAs: string,
    private readonly staging: string,
    private readonly madeParent: string | undefined,
    private readonly fileMode: number,
  ) {
    this.dirs.add(staging);
  }

  /**
   * Writes `files` into the staging folder (paths relative to the output folder). A file whose bytes the previous
   * output already holds, in a file of this user's with the mode a new one gets and no other name, is hard-linked
   * from there instead: the output is the same, and no inode is freed and allocated again. That matters on ext4
   * without a journal, which passes over every inode freed in the last 60 s (300 s while its inode table block is
   * dirty) when it allocates one (linux fs/ext4/ialloc.c, recently_deleted(), RECENTCY_MIN/RECENTCY_DIRTY): there,
   * replacing a 1,000-cluster output with 9,000 new files took seconds (perf: __ext4_new_inode), linking a fraction.
   */
  public add(files: readonly OutputFile[]): void {
    if (this.done) throw new Error('OutputStaging.add after commit or abort');
    try {
      for (const file of files) {
        const dest = path.join(this.staging, file.path);
        this.folder(path.dirname(dest));
        if (!this.linkUnchanged(file, dest)) this.writeFile(dest, file.content);
        this.files.push(file.path);
      }
    } catch (err) {
      throw writeError(err, this.shownAs);
    }
  }

  /**
   * Asks node's thread pool to make these folders (relative to the output folder) while the caller goes on: for a
   * fleet, whose thousands of folders cost as much as its files. A folder's parent must exist by then (asked for
   * earlier); `add` makes any folder that is not there yet itself. Call `settled()` before `commit` or `abort`.
   */
  public prepare(folders: readonly string[]): void {
    for (const folder of folders) {
      const dir = path.join(this.staging, folder);
      if (dir === this.staging || this.dirs.has(dir)) continue;
      this.dirs.add(dir);
      this.preparing++;
      fs.mkdir(dir, () => {
        // a folder that could not be made here is made, or its error reported, by add()
        if (--this.preparing === 0) this.prepared?.();
      });
    }
  }

  /** Resolves when every folder `prepare` asked for is made (or failed). */
  public settled(): Promise<void> {
    return this.preparing === 0 ? Promise.resolve() : new Promise((resolve) => (this.prepared = resolve));
  }

  /**
   * Makes `dir` in the staging folder, parents first, one mkdir each. `force`: also the ones `prepare` asked for
   * (not made yet, when a file needs them now); one made meanwhile is fine.
   */
  private folder(dir: string, force = false): void {
    if (dir === this.staging || (this.dirs.has(dir) && !force)) return;
    this.folder(path.dirname(dir), force);
    try {
      fs.mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    this.dirs.add(dir);
  }

  /** Writes a new file; if its folder, asked for by `prepare`, is not made yet, makes it first. */
  private writeFile(dest: string, content: string): void {
    try {
      fs.writeFileSync(dest, content);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.folder(path.dirname(dest), true);
      fs.writeFileSync(dest, content);
    }
  }

  /** Links `dest` to the previous output's file at the same path if that is `file`, byte for byte; else false. */
  private linkUnchanged(file: OutputFile, dest: string): boolean {
    const noFollow = fs.constants.O_NOFOLLOW;
    if (USER_ID === undefined || noFollow === undefined) return false;
    const previous = path.join(this.target, file.path);
    let fd: number;
    try {
      fd = fs.openSync(previous, fs.constants.O_RDONLY | noFollow);
    } catch {
      return false;
    }
    try {
      const st = fs.fstatSync(fd);
      const size = Buffer.byteLength(file.content);
      if (!st.isFile() || st.nlink !== 1 || st.uid !== USER_ID || (st.mode & 0o7777) !== this.fileMode || st.size !== size) return false;
      const bytes = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, bytes, read, size - read, read);
        if (n === 0) return false;
        read += n;
      }
      if (bytes.toString('utf8') !== file.content) return false;
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(previous, dest);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync(previous)) return false;
    }
    // the folder `prepare` asked for is not made yet
    this.folder(path.dirname(dest), true);
    try {
      fs.linkSync(previous, dest);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Replaces the output folder with the staging folder: leftovers of interrupted runs are dealt with first (the
   * previous output put back if it is missing), a folder holding files this tool did not write is refused, then
   * the two renames; on any failure the previous output is in place and the staging folder is removed.
   */
  public commit(options: { readonly background?: boolean } = {}): void {
    if (this.done) throw new Error('OutputStaging.commit after commit or abort');
    // runs side by side on one folder swap it one at a time (each has its own staging folder until then)
    withSwapLock(this.target, this.shownAs, () => this.swap(options));
  }

  private swap(options: { readonly background?: boolean }): void {
    const { target, shownAs, staging } = this;
    const parent = path.dirname(target);
    let old: string | undefined;
    try {
      const leftovers = recoverLeftovers(target, path.basename(staging));
      const foreign = foreignEntry(target);
      if (foreign !== undefined) {
        throw new UserError(
          `output folder "${shownAs}" (${target}) holds ${foreign}, which cdk8s-falco-audit did not write; ` +
            `a run replaces the whole folder, so it only replaces an empty folder or its own output (marked by ${OUTPUT_MARKER}): ` +
            `empty it, or ${hint(shownAs)}`,
        );
      }
      for (const leftover of leftovers) fs.rmSync(path.join(parent, leftover), { recursive: true, force: true });
      if (exists(target)) {
        old = path.join(parent, `.${path.basename(target)}.old-${path.basename(staging).replace(/^.*\.staging-/, '')}`);
        try {
          fs.renameSync(target, old);
        } catch (err) {
          old = undefined;
          // Linux refuses to rename a mount point (EBUSY): the check for one where /proc/self/mountinfo is unreadable.
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EBUSY' || code === 'EXDEV') throw mountPointError(shownAs, target);
          throw err;
        }
      }
      fs.renameSync(staging, target);
      this.done = true;
      if (old) this.removeReplaced(old, options.background ?? false);
    } catch (err) {
      if (old && exists(old) && !exists(target)) fs.renameSync(old, target);
      this.abort();
      throw writeError(err, shownAs);
    }
  }

  /**
   * Removes the replaced output, `old`. It mostly holds what this run wrote (the output changes little between runs):
   * those files go by name, without listing folders, then the folders, deepest first; whatever is left goes through
   * the walk. If that fails, the next run's leftover clean-up removes it. In the `background`, the folders go in the
   * thread pool, in parallel, after this returns (the process ends only when they are gone): each folder frees a
   * block, which on a file system mounted with `discard` waits for the disk, ~0.1 ms a folder here.
   */
  private removeReplaced(old: string, background: boolean): void {
    for (const file of [...this.files, OUTPUT_MARKER]) {
      try {
        fs.unlinkSync(path.join(old, file));
      } catch {
        // not there, or not a file: the walk below sees to it
      }
    }
    const dirs = [...this.dirs].map((d) => path.relative(this.staging, d)).filter((d) => d !== '');
    if (!background) {
      for (const dir of dirs.sort((a, b) => b.length - a.length)) {
        try {
          fs.rmdirSync(path.join(old, dir));
        } catch {
          // not empty (a file this run did not write) or not there
        }
      }
      try {
        fs.rmdirSync(old);
      } catch {
        removeQuietly(old);
      }
      return;
    }
    const children = new Map<string, string[]>();
    for (const dir of ['', ...dirs]) children.set(dir, []);
    for (const dir of dirs) children.get(path.dirname(dir) === '.' ? '' : path.dirname(dir))?.push(dir);
    const rmdir = (dir: string) => new Promise<void>((resolve) => fs.rmdir(path.join(old, dir), () => resolve()));
    const remove = (dir: string): Promise<void> => Promise.all((children.get(dir) ?? []).map(remove)).then(() => rmdir(dir));
    void remove('').then(() => {
      if (exists(old)) removeQuietly(old);
    });
  }

  /** Removes the staging folder and any folder `begin` made; the output folder was never touched. */
  public abort(): void {
    if (this.done) return;
    this.done = true;
    fs.rmSync(this.staging, { recursive: true, force: true });
    if (this.madeParent) removeQuietly(this.madeParent);
  }
}

/** This process's user (POSIX), whose files alone are linked from the previous output. */
const USER_ID = process.getuid?.();

/** A UserError as it is; anything else as the reason the output could not be written. */
function writeError(err: unknown, shownAs: string): UserError {
  if (isUserError(err)) return err;
  return new UserError(`cannot write the output to ${shownAs}: ${(err as Error).message}`);
}

/**
 * Checks the output folder without touching anything and returns its real path (symbolic links resolved).
 * Containment is decided on real paths, so a link or `..` cannot hide an input inside the folder.
 */
function checkOutputFolder(outdir: string, shownAs: string, protect: readonly ProtectedPath[]): string {
  const { real: target, existing, dangling } = realPathOf(path.resolve(outdir));
  for (const p of protect) {
    // Both where the path is (a link there would be deleted with the folder) and what it points to.
    const abs = path.resolve(p.path);
    for (const real of [path.join(realPathOf(path.dirname(abs)).real, path.basename(abs)), realPathOf(abs).real]) {
      if (real === target) throw new UserError(`output folder "${shownAs}" is ${p.what} (${p.path}); ${hint(shownAs)}`);
      if (isInside(real, target)) throw new UserError(`output folder "${shownAs}" contains ${p.what} (${p.path}); ${hint(shownAs)}`);
    }
  }
  if (dangling) {
    // Creating the folder a link names is the user's call (it may be a volume not mounted yet).
    throw new UserError(
      `output folder "${shownAs}": ${dangling} is a symbolic link to ${fs.readlinkSync(dangling)}, which does not exist; create that folder, or ${hint(shownAs)}`,
    );
  }
  const stat = fs.statSync(existing);
  if (!stat.isDirectory()) {
    if (existing === target)
      throw new UserError(
        `output folder "${shownAs}" ${stat.isFile() ? 'is a file, not a folder' : 'is not a folder'} (${target}); ${hint(shownAs)}`,
      );
    throw new UserError(`output folder "${shownAs}" cannot be made: ${existing} is a file, not a folder; ${hint(shownAs)}`);
  }
  if (existing === target && isMountPoint(target)) throw mountPointError(shownAs, target);
  return target;
}

/**
 * `p` with every symbolic link resolved, also when its last parts do not exist yet; `existing` is the longest
 * part that does, `dangling` a link on the way whose target is missing.
 */
function realPathOf(p: string): { real: string; existing: string; dangling?: string } {
  const rest: string[] = [];
  let head = p;
  for (;;) {
    try {
      const existing = fs.realpathSync.native(head);
      return { real: path.join(existing, ...rest), existing };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(head) === head) throw err;
      if (lstat(head)?.isSymbolicLink()) {
        const parent = realPathOf(path.dirname(head));
        return { real: path.join(parent.real, path.basename(head), ...rest), existing: parent.existing, dangling: head };
      }
      rest.unshift(path.basename(head));
      head = path.dirname(head);
    }
  }
}

function isInside(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel !== '' && !rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel);
}

/** A mount point cannot be renamed, so it cannot be replaced in one step: refuse it rather than empty it in place. */
function isMountPoint(dir: string): boolean {
  let mountinfo: string | undefined;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    mountinfo = undefined;
  }
  if (mountinfo !== undefined) {
    // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped (proc(5), /proc/pid/mountinfo).
    return mountinfo.split('\n').some((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_m, o) => String.fromCharCode(parseInt(o, 8))) === dir);
  }
  return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
}

function mountPointError(shownAs: string, target: string): UserError {
  return new UserError(
    `output folder "${shownAs}" is a mount point (${target}), which cannot be replaced in one step; ` +
      `set --output (or CDK8S_OUTDIR) to a folder inside it, e.g. ${path.posix.join(shownAs, 'dist')}`,
  );
}

function hint(shownAs: string): string {
  return path.normalize(shownAs) === 'dist'
    ? 'set --output (or CDK8S_OUTDIR) to a folder of its own'
    : 'set --output (or CDK8S_OUTDIR) to a folder of its own, e.g. dist';
}

/** Removes the replaced output; if that fails, the new output is in place all the same and the next run removes it. */
function removeQuietly(dir: string): void {
  try {
    removeTree(dir);
  } catch {
    // left over: recoverLeftovers() of the next run removes it
  }
}

/**
 * `rm -r dir`, for a folder of this tool's making (folders and files, no links followed): one unlink per file and
 * one rmdir per folder, about half the system calls of fs.rmSync's retrying walk, which showed in a synth's time.
 */
function removeTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) removeTree(p);
    else fs.unlinkSync(p);
  }
  fs.rmdirSync(dir);
}

function exists(p: string): boolean {
  return lstat(p) !== undefined;
}

/** `p`'s own status, or undefined when it does not exist (also when a part of its path is a file). */
function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * The `.<name>.staging-*` and `.<name>.old-*` folders an interrupted run left beside `target` (any run: a PID is no
 * owner, containers reuse PID 1), except `own`, this run's staging folder. If `target` is missing, the run died
 * between its two renames: the newest old folder is the previous output and is put back. Returns the rest, to be
 * removed once the folder is accepted.
 */
function recoverLeftovers(target: string, own: string): string[] {
  const parent = path.dirname(target);
  const escaped = path.basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${escaped}\\.(staging|old)-\\d+(-[0-9a-f]+)?$`);
  const leftovers = fs
    .readdirSync(parent)
    .filter((name) => name !== own && pattern.test(name) && !liveStaging(parent, name))
    .sort();
  if (exists(target)) return leftovers;
  const olds = leftovers
    .filter((name) => name.startsWith(`.${path.basename(target)}.old-`))
    .map((name) => ({ name, ctime: fs.lstatSync(path.join(parent, name)).ctimeMs }))
    .sort((a, b) => b.ctime - a.ctime || a.name.localeCompare(b.name));
  if (olds.length === 0) return leftovers;
  fs.renameSync(path.join(parent, olds[0].name), target);
  return leftovers.filter((name) => name !== olds[0].name);
}

/** A lock older than this is a killed run's whatever its PID says (PIDs are reused): a swap takes milliseconds. */
const STALE_LOCK_MS = 10_000;

/** A lock left by a run that is gone: its PID names no process, or it is older than any swap. */
function staleLock(lock: string): boolean {
  const st = lstat(lock);
  if (st === undefined) return false;
  if (Date.now() - st.mtimeMs > STALE_LOCK_MS) return true;
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return Date.now() - st.mtimeMs > 1000; // killed between making the lock and naming itself in it
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `swap` holding `.<name>.lock` beside the output folder (mkdir is atomic; the holder's PID inside), waiting up to
 * 30 s for another run's; a killed run's lock is taken over.
 */
function withSwapLock(target: string, shownAs: string, swap: () => void): void {
  const lock = path.join(path.dirname(target), `.${path.basename(target)}.lock`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (staleLock(lock)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `another run is replacing output folder "${shownAs}" (${lock} exists); wait for it, or remove ${lock} if no run is going on`,
        );
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    swap();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** How long a staging folder of a live process may be another run's work in progress (a PID may be reused). */
const LIVE_STAGING_MS = 60 * 60 * 1000;

/**
 * A staging folder of a run still going on beside this one (its PID alive, the folder younger than an hour): not a
 * leftover, and removing it would fail that run.
 */
function liveStaging(parent: string, name: string): boolean {
  const m = /\.staging-(\d+)-[0-9a-f]+$/.exec(name);
  if (!m || Number(m[1]) === process.pid) return false;
  try {
    process.kill(Number(m[1]), 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // no such process
  }
  const st = lstat(path.join(parent, name));
  return st !== undefined && Date.now() - st.mtimeMs < LIVE_STAGING_MS;
}

/**
 * The first entry of `dir` this tool would not have written, or undefined if the tool may replace the folder: it is
 * missing, empty, marked, or holds only `cluster/` and `node/` folders of `.yaml` files, directly or under fleet
 * cluster folders (the output of a version before the marker).
 */
function foreignEntry(dir: string): string | undefined {
  if (!exists(dir)) return undefined;
  const marker = lstat(path.join(dir, OUTPUT_MARKER));
  if (marker?.isFile()) return undefined;
  const yamlOnly = (rel: string): string | undefined => {
    for (const e of sortedEntries(path.join(dir, rel))) {
      if (!e.isFile() || !e.name.endsWith('.yaml') || e.name.startsWith('.')) return path.join(rel, e.name);
    }
    return undefined;
  };
  const outputFolders = (rel: string): string | undefined => {
    for (const e of sortedEntries(path.join(dir, rel))) {
      const sub = path.join(rel, e.name);
      if (!e.isDirectory() || (e.name !== CLUSTER_DIR && e.name !== NODE_DIR)) return sub;
      const bad = yamlOnly(sub);
      if (bad !== undefined) return bad;
    }
    return undefined;
  };
  for (const e of sortedEntries(dir)) {
    if (!e.isDirectory()) return e.name;
    const asOutput = e.name === CLUSTER_DIR || e.name === NODE_DIR ? yamlOnly(e.name) : e.name;
    if (asOutput === undefined) continue;
    // A fleet cluster's folder name has a DNS label's form, as the config file requires.
    const asCluster = matchesDns1123Label(e.name) ? outputFolders(e.name) : e.name;
    if (asCluster === undefined) continue;
    return e.name === CLUSTER_DIR || e.name === NODE_DIR ? asOutput : asCluster;
  }
  return undefined;
}

function sortedEntries(dir: string): fs.Dirent[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
