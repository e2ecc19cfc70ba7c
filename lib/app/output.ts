import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { UserError, isUserError } from '../core/errors';
import { NodeFile } from '../core/node-file';
import { dumpYaml } from '../core/yaml';
import { matchesDns1123Label } from '../validation/names';
import { NoFollowFolders, kindOf, lstatOrUndefined as lstat, readRegularFile, removeTree } from './no-follow';

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
 * tool did not write. A symbolic link as the output folder is followed: the folder it points to is replaced, the link
 * stays; inside the folder no link is followed (one there is removed as a link). Leftovers of an interrupted run beside
 * the folder are cleaned up first (the previous output put back if it is missing).
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
 * folder `begin` made, leaving everything as it was. Until `commit` the output folder is not touched. Inside the
 * output folder no symbolic link is followed (`NoFollowFolders`): one found where the tool's own file or folder
 * should be is removed as the link it is, and what it points to is never read, linked or removed.
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
  /** The previous output's folders, which `linkUnchanged` reads through; opened as files are looked for. */
  private previous?: NoFollowFolders;
  /** This process's user (POSIX), whose files alone are linked from the previous output. */
  private readonly uid = process.getuid?.();
  /** What `commit` changed beside the output folder, in words (`removed ...`), should it fail after all. */
  private readonly changes: string[] = [];
  /** The name of the folder `commit` put back as the output folder (an interrupted run had moved it aside). */
  private restored?: string;

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
   * What a failed run left of the output folder, exactly, for the line after its error (see `failedRunReport`):
   * nothing was written, and what the folder holds; and what `commit` changed beside it before it failed, if it did.
   */
  public failureReport(outdir: string): string {
    return report(outdir, this.shownAs, this.changes, this.restored !== undefined);
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

  /**
   * Links `dest` to the previous output's file at the same path if that is `file`, byte for byte; else false. The
   * previous output is read through `NoFollowFolders`, so a link in it (a folder of it replaced by a link to one
   * elsewhere, say) is never followed, and only a regular file is opened; the link made is checked to be the file read.
   */
  private linkUnchanged(file: OutputFile, dest: string): boolean {
    const uid = this.uid;
    if (uid === undefined) return false;
    this.previous ??= NoFollowFolders.under(this.target);
    const previous = this.previous.entry(file.path);
    if (previous === undefined) return false;
    const size = Buffer.byteLength(file.content);
    const found = readRegularFile(previous, (st) => st.nlink === 1 && st.uid === uid && (st.mode & 0o7777) === this.fileMode && st.size === size);
    if (found === undefined || found.bytes.toString('utf8') !== file.content || !this.link(previous, dest)) return false;
    const made = lstat(dest);
    if (made?.ino === found.st.ino && made.dev === found.st.dev) return true;
    // another file took its name between the read and the link: this one is written instead
    fs.unlinkSync(dest);
    return false;
  }

  /** Hard-links `from` (a path that does not follow its last part) as `dest`; false if it cannot. */
  private link(from: string, dest: string): boolean {
    try {
      fs.linkSync(from, dest);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || lstat(path.dirname(dest)) !== undefined) return false;
    }
    // the folder `prepare` asked for is not made yet
    this.folder(path.dirname(dest), true);
    try {
      fs.linkSync(from, dest);
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
    this.previous?.close();
    // runs side by side on one folder swap it one at a time (each has its own staging folder until then)
    withSwapLock(
      this.target,
      this.shownAs,
      (lock) => this.changes.push(`removed the lock a killed run had left (${lock})`),
      () => this.swap(options),
    );
  }

  private swap(options: { readonly background?: boolean }): void {
    const { target, staging } = this;
    let old: string | undefined;
    try {
      this.clearTheWay();
      old = this.moveAside();
      fs.renameSync(staging, target);
      this.done = true;
      if (old) this.removeReplaced(old, options.background ?? false);
    } catch (err) {
      if (old && exists(old) && !exists(target)) fs.renameSync(old, target);
      this.abort();
      throw writeError(err, this.shownAs);
    }
  }

  /**
   * Puts the previous output back if an interrupted run left it moved aside, refuses a folder this tool did not
   * write, then removes the leftovers of interrupted runs beside it; notes each change for the failure report.
   */
  private clearTheWay(): void {
    const { target, shownAs } = this;
    const { leftovers, restored } = recoverLeftovers(target, path.basename(this.staging));
    if (restored !== undefined) {
      this.restored = restored;
      this.changes.push(`put back ${shownAs}, which an interrupted run had moved aside to ${beside(shownAs, restored)}`);
    }
    const foreign = foreignEntry(target, shownAs);
    if (foreign !== undefined) {
      throw new UserError(
        `output folder "${shownAs}" (${target}) holds ${foreign}, which cdk8s-falco-audit did not write; ` +
          `a run replaces the whole folder, so it only replaces an empty folder or its own output (marked by ${OUTPUT_MARKER}): ` +
          `empty it, or ${hint(shownAs)}`,
      );
    }
    const removed: string[] = [];
    try {
      for (const leftover of leftovers) {
        removeTree(path.join(path.dirname(target), leftover));
        removed.push(beside(shownAs, leftover));
      }
    } finally {
      if (removed.length > 0) this.changes.push(`removed the leftovers of interrupted runs beside it (${removed.join(', ')})`);
    }
  }

  /** Renames the output folder, if there is one, to `.<name>.old-<pid>-<random>` and returns that path. */
  private moveAside(): string | undefined {
    const { target } = this;
    if (!exists(target)) return undefined;
    const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${path.basename(this.staging).replace(/^.*\.staging-/, '')}`);
    try {
      fs.renameSync(target, old);
    } catch (err) {
      // Linux refuses to rename a mount point (EBUSY): the check for one where /proc/self/mountinfo is unreadable.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EBUSY' || code === 'EXDEV') throw mountPointError(this.shownAs, target);
      throw err;
    }
    return old;
  }

  /**
   * Removes the replaced output, `old`. It mostly holds what this run wrote (the output changes little between runs):
   * those files go by name, without listing folders, then the folders, deepest first; whatever is left goes through
   * the walk. Names are resolved through `NoFollowFolders`: a link in the old output (a folder of it replaced by a
   * link to another, say) is removed by the walk as a link, and nothing it points to is touched. If that fails, the
   * next run's leftover clean-up removes it. In the `background`, the folders go in the thread pool, in parallel,
   * after this returns (the process ends only when they are gone): each folder frees a block, which on a file system
   * mounted with `discard` waits for the disk, ~0.1 ms a folder here. Those are the folders just found to be real
   * ones (not links), removed by path: rmdir removes only an empty folder and does not follow the last part.
   */
  private removeReplaced(old: string, background: boolean): void {
    const folders = NoFollowFolders.under(old);
    // the folders of `old` found to be real ones: only these are removed by name
    const real = new Set<string>(['']);
    try {
      for (const file of [...this.files, OUTPUT_MARKER]) {
        const entry = folders.entry(file);
        if (entry === undefined) continue;
        for (let dir = path.dirname(file); dir !== '.' && !real.has(dir); dir = path.dirname(dir)) real.add(dir);
        try {
          fs.unlinkSync(entry);
        } catch {
          // not there, or a folder: the walk sees to it
        }
      }
      const dirs = [...this.dirs].map((d) => path.relative(this.staging, d)).filter((d) => d !== '' && real.has(d));
      if (background) {
        removeFolders(old, dirs);
        return;
      }
      for (const dir of dirs.sort((a, b) => b.length - a.length)) {
        const entry = folders.entry(dir);
        try {
          if (entry !== undefined) fs.rmdirSync(entry);
        } catch {
          // not empty (a file this run did not write) or not there
        }
      }
    } catch {
      // the walk below
    } finally {
      folders.close();
    }
    removeQuietly(old);
  }

  /** Removes the staging folder and any folder `begin` made; the output folder was never touched. */
  public abort(): void {
    if (this.done) return;
    this.done = true;
    this.previous?.close();
    fs.rmSync(this.staging, { recursive: true, force: true });
    if (this.madeParent) removeQuietly(this.madeParent);
  }
}

/**
 * Removes the folders `dirs` (relative to `old`, emptied) and then `old` in node's thread pool, in parallel, each
 * after the folders in it; whatever is left then goes through the walk.
 */
function removeFolders(old: string, dirs: readonly string[]): void {
  const children = new Map<string, string[]>();
  const parentOf = (dir: string) => (path.dirname(dir) === '.' ? '' : path.dirname(dir));
  for (const dir of ['', ...dirs]) children.set(dir, []);
  for (const dir of dirs) children.get(parentOf(dir))?.push(dir);
  const rmdir = (dir: string) => new Promise<void>((resolve) => fs.rmdir(path.join(old, dir), () => resolve()));
  const remove = (dir: string): Promise<void> => Promise.all((children.get(dir) ?? []).map(remove)).then(() => rmdir(dir));
  void remove('').then(() => removeQuietly(old));
}

/** `name` (a file beside the output folder) as the user would write it, next to `shownAs`. */
function beside(shownAs: string, name: string): string {
  return path.join(path.dirname(shownAs), name);
}

/**
 * The line a failed run ends with: what it left of the output folder, exactly. The output is written only at the
 * very end, so nothing was; but before it failed, the run may have put back a folder an interrupted run had moved
 * aside, or removed interrupted runs' leftovers or a killed run's lock, and then it says so.
 * @param staging the run's staging, if it got that far
 */
export function failedRunReport(outdir: string, shownAs: string, staging?: OutputStaging): string {
  return staging ? staging.failureReport(outdir) : report(outdir, shownAs, [], false);
}

/** `failedRunReport`, given what the run changed (`changes`) and whether the output folder is one it put back. */
function report(outdir: string, shownAs: string, changes: readonly string[], restored: boolean): string {
  const state = folderState(outdir, shownAs, restored);
  if (changes.length === 0) return `nothing was written: ${state}.`;
  return `the output was not written, but this run ${changes.join(', and ')}: ${state}.`;
}

/** What the output folder holds after a failed run, which wrote nothing into it. */
function folderState(outdir: string, shownAs: string, restored: boolean): string {
  let own: fs.Stats | undefined;
  try {
    own = lstat(outdir);
    if (own === undefined) return `${shownAs} does not exist and was not created`;
    if (!fs.statSync(outdir).isDirectory()) return `${shownAs} is not a folder and was left as it is`;
    const entries = fs.readdirSync(outdir);
    if (restored) return `${shownAs} holds what it held before that run`;
    if (entries.length === 0) return `${shownAs} is empty, as it was`;
    return lstat(path.join(outdir, OUTPUT_MARKER))?.isFile()
      ? `${shownAs} still holds the previous output, unchanged`
      : `${shownAs} was left as it was`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (own?.isSymbolicLink() && code === 'ENOENT') {
      return `${shownAs} is a symbolic link to ${fs.readlinkSync(outdir)}, which does not exist, and nothing was created`;
    }
    if (code === 'ELOOP') {
      return own?.isSymbolicLink()
        ? `${shownAs} is a symbolic link in a loop and was left as it is`
        : `${shownAs} lies behind a loop of symbolic links; nothing was created`;
    }
    return `${shownAs} cannot be read (${(err as Error).message}) and was left as it is`;
  }
}

/** A UserError as it is; anything else as the reason the output could not be written. */
function writeError(err: unknown, shownAs: string): UserError {
  if (isUserError(err)) return err;
  return new UserError(`cannot write the output to ${shownAs}: ${(err as Error).message}`);
}

/**
 * Checks the output folder without touching anything and returns its real path (symbolic links resolved).
 * Containment is decided on real paths, so a link or `..` cannot hide an input inside the folder. A path that
 * cannot be resolved (a loop of links, a folder on the way that cannot be read) is the user's to fix.
 */
function checkOutputFolder(outdir: string, shownAs: string, protect: readonly ProtectedPath[]): string {
  const abs = path.resolve(outdir);
  try {
    return checkFolder(abs, shownAs, protect);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (isUserError(err) || typeof code !== 'string') throw err;
    const why =
      code === 'ELOOP'
        ? loopOn(abs)
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied (${(err as NodeJS.ErrnoException).path ?? abs})`
          : code === 'ENAMETOOLONG'
            ? 'the path is too long'
            : (err as Error).message;
    throw new UserError(`output folder "${shownAs}" (${abs}) cannot be resolved: ${why}; ${hint(shownAs)}`);
  }
}

/** Which link of `abs` loops: the first part of it that cannot be resolved for too many links. */
function loopOn(abs: string): string {
  let p = path.parse(abs).root;
  for (const part of abs.split(path.sep).filter((s) => s !== '')) {
    p = path.join(p, part);
    try {
      fs.realpathSync.native(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP' || !lstat(p)?.isSymbolicLink()) break;
      return `${p} is a symbolic link to ${fs.readlinkSync(p)}, which never reaches a folder (a loop of symbolic links)`;
    }
  }
  return 'too many levels of symbolic links (a loop of them)';
}

function checkFolder(abs: string, shownAs: string, protect: readonly ProtectedPath[]): string {
  const { real: target, existing, dangling } = realPathOf(abs);
  for (const p of protect) {
    // Both where the path is (a link there would be deleted with the folder) and what it points to.
    const at = path.resolve(p.path);
    for (const real of [path.join(realPathOf(path.dirname(at)).real, path.basename(at)), realPathOf(at).real]) {
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

/** Removes what a run replaced or left; if that fails, the next run's leftover clean-up removes it. */
function removeQuietly(p: string): void {
  try {
    removeTree(p);
  } catch {
    // left over: recoverLeftovers() of the next run removes it
  }
}

function exists(p: string): boolean {
  return lstat(p) !== undefined;
}

/**
 * The `.<name>.staging-*` and `.<name>.old-*` folders an interrupted run left beside `target` (any run: a PID is no
 * owner, containers reuse PID 1), except `own`, this run's staging folder, and a link at such a name (removed as a
 * link, never followed); anything else there is not the tool's and stays. If `target` is missing, the run died
 * between its two renames: the newest old folder is the previous output and is put back (`restored`, its name).
 * Returns the rest, to be removed once the folder is accepted.
 */
function recoverLeftovers(target: string, own: string): { leftovers: string[]; restored?: string } {
  const parent = path.dirname(target);
  const name = path.basename(target);
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(staging|old)-\\d+(-[0-9a-f]+)?$`);
  // readdir's types are the entries' own (a link is a link), as lstat gives them
  const found = fs.readdirSync(parent, { withFileTypes: true }).filter((e) => e.name !== own && pattern.test(e.name));
  const folders = found.filter((e) => e.isDirectory() && !liveStaging(parent, e.name)).map((e) => e.name);
  const leftovers = [...folders, ...found.filter((e) => e.isSymbolicLink()).map((e) => e.name)].sort();
  if (exists(target)) return { leftovers };
  const olds = folders
    .filter((n) => n.startsWith(`.${name}.old-`))
    .map((n) => ({ name: n, ctime: fs.lstatSync(path.join(parent, n)).ctimeMs }))
    .sort((a, b) => b.ctime - a.ctime || a.name.localeCompare(b.name));
  if (olds.length === 0) return { leftovers };
  fs.renameSync(path.join(parent, olds[0].name), target);
  return { leftovers: leftovers.filter((n) => n !== olds[0].name), restored: olds[0].name };
}

/** A lock older than this is a killed run's whatever its PID says (PIDs are reused): a swap takes milliseconds. */
const STALE_LOCK_MS = 10_000;

/**
 * The swap lock, beside the output folder: a folder (mkdir is atomic) named with the tool's name, so that no file of
 * the user's has its name, holding one file, `owner`, that says so and names the process holding it.
 */
function lockOf(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.cdk8s-falco-audit.lock`);
}
const LOCK_OWNER = 'owner';
const LOCK_TEXT = /^cdk8s-falco-audit swap lock, process (\d+)\n$/;
const lockText = (pid: number) => `cdk8s-falco-audit swap lock, process ${pid}\n`;

/** A lock of this tool's: its holder (undefined while a run is between making it and naming itself in it), its age. */
interface HeldLock {
  readonly pid?: number;
  readonly ageMs: number;
  /** the lock folder's inode: a stale lock is removed only if it is still the one judged stale */
  readonly ino: number;
}

/**
 * The lock at `lock`, or undefined when there is none (or it went while it was looked at). Anything else at its
 * name (a file, a link, a folder holding something else) is not this tool's lock: refused, and left untouched.
 */
function readLock(lock: string, shownAs: string): HeldLock | undefined {
  const st = lstat(lock);
  if (st === undefined) return undefined;
  const ageMs = Date.now() - st.mtimeMs;
  const ino = st.ino;
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = fs.readdirSync(lock);
    } catch {
      names = ['?'];
    }
    if (names.length === 0) return { ageMs, ino };
    if (names.length === 1 && names[0] === LOCK_OWNER) {
      const owner = readRegularFile(path.join(lock, LOCK_OWNER), (s) => s.size <= 100);
      // an empty owner: its run has just made it and not written it yet
      const held = owner?.bytes.length === 0 ? { ageMs, ino } : owner && LOCK_TEXT.exec(owner.bytes.toString('utf8'));
      if (held) return Array.isArray(held) ? { pid: Number(held[1]), ageMs, ino } : held;
    }
  }
  if (!exists(lock)) return undefined;
  throw new UserError(
    `cannot replace output folder "${shownAs}": ${lock} is ${kindOf(st)} that is not a lock of cdk8s-falco-audit, ` +
      'which keeps its lock at that name while it replaces the folder; move it away',
  );
}

/** A lock left by a run that is gone: its PID names no process, or it is older than any swap. */
function staleLock(held: HeldLock): boolean {
  if (held.ageMs > STALE_LOCK_MS) return true;
  // killed between making the lock and naming itself in it
  if (held.pid === undefined) return held.ageMs > 1000;
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a lock of this tool's (its owner file, then the folder, which rmdir removes only empty), if it is still the
 * folder `ino` (when given: another run may have taken a stale lock over meanwhile); false if it is not gone.
 */
function removeLock(lock: string, ino?: number): boolean {
  if (ino !== undefined && lstat(lock)?.ino !== ino) return false;
  try {
    fs.unlinkSync(path.join(lock, LOCK_OWNER));
  } catch {
    // not named yet, or gone
  }
  try {
    fs.rmdirSync(lock);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Runs `swap` holding the swap lock (`lockOf`), waiting up to 30 s for another run's; a killed run's lock is taken
 * over (`tookOver` is told), anything else at its name refused.
 */
function withSwapLock(target: string, shownAs: string, tookOver: (lock: string) => void, swap: () => void): void {
  const lock = lockOf(target);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readLock(lock, shownAs);
    if (held === undefined) continue;
    if (staleLock(held)) {
      if (removeLock(lock, held.ino)) tookOver(beside(shownAs, path.basename(lock)));
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `another run is replacing output folder "${shownAs}" (${lock} exists); wait for it, or remove ${lock} if no run is going on`,
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  try {
    // 'wx': a new file, never one (or a link) put there
    fs.writeFileSync(path.join(lock, LOCK_OWNER), lockText(process.pid), { flag: 'wx' });
    swap();
  } finally {
    removeLock(lock);
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
 * cluster folders (the output of a version before the marker). Entries are taken as they are (lstat): a link is a
 * link, not what it points to, and is named as one.
 */
function foreignEntry(dir: string, shownAs: string): string | undefined {
  const st = lstat(dir);
  if (st === undefined) return undefined;
  if (!st.isDirectory()) throw new UserError(`output folder "${shownAs}" (${dir}) was replaced by ${kindOf(st)} while the run went on; run again`);
  const marker = lstat(path.join(dir, OUTPUT_MARKER));
  if (marker?.isFile()) return undefined;
  const named = (rel: string, e: fs.Dirent) => (e.isFile() || e.isDirectory() ? rel : `${rel} (${kindOf(e)})`);
  const yamlOnly = (rel: string): string | undefined => {
    for (const e of sortedEntries(path.join(dir, rel))) {
      if (!e.isFile() || !e.name.endsWith('.yaml') || e.name.startsWith('.')) return named(path.join(rel, e.name), e);
    }
    return undefined;
  };
  const outputFolders = (rel: string): string | undefined => {
    for (const e of sortedEntries(path.join(dir, rel))) {
      const sub = path.join(rel, e.name);
      if (!e.isDirectory() || (e.name !== CLUSTER_DIR && e.name !== NODE_DIR)) return named(sub, e);
      const bad = yamlOnly(sub);
      if (bad !== undefined) return bad;
    }
    return undefined;
  };
  for (const e of sortedEntries(dir)) {
    if (!e.isDirectory()) return named(e.name, e);
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
