import * as fs from 'fs';
import * as path from 'path';

/*
 * File system calls for inside a folder the tool replaces, none of which follows a symbolic link: what the tool finds
 * where its own file or folder should be is handled as itself (a link is removed as a link), and only a regular file
 * is ever opened (a named pipe would block the run, a device could act on the open).
 */

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/**
 * Linux's names for a process's open descriptors (proc(5), /proc/pid/fd): `/proc/self/fd/N/name` resolves `name` in
 * the folder open as N, as the *at() system calls do, which node's fs does not offer.
 */
const PROC_FD = '/proc/self/fd';

/** Whether `PROC_FD` is there; asked per run, not when the module loads (the startup snapshot would keep the answer). */
function procFdWorks(): boolean {
  try {
    return O_NOFOLLOW !== undefined && O_DIRECTORY !== undefined && fs.statSync(PROC_FD).isDirectory();
  } catch {
    return false;
  }
}

/** How many folders `NoFollowFolders` keeps open: a fleet's thousands are opened again as needed. */
const MAX_OPEN = 64;

/** `p`'s own status (a link's, not its target's), or undefined when it does not exist (also when a part of its path is a file). */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** What `st` is, for a message: `a symbolic link`, `a named pipe`, ... */
export function kindOf(st: fs.Stats | fs.Dirent): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * The folders under `root` (itself included), each opened from its parent with O_NOFOLLOW, so that no symbolic link
 * below `root` is ever followed, also one swapped in while the tool works: a path from `entry` names a file or folder
 * through the descriptor of the folder it is in, for a call that does not follow a link in the last part of a path
 * either (lstat, unlink, rmdir, link, readdir, an open with O_NOFOLLOW). Use such a path before the next call: it
 * names a descriptor that may be closed then. Where /proc is not mounted (not Linux), each folder on the way is
 * checked with lstat instead, which a link swapped in between the check and the call gets past.
 */
export class NoFollowFolders {
  /**
   * Opens nothing yet: a folder is opened when a path in it is first asked for.
   * @param viaProc whether to go through /proc/self/fd (tests ask for the lstat way) @default - where it is there
   */
  public static under(root: string, viaProc = procFdWorks()): NoFollowFolders {
    return new NoFollowFolders(root, viaProc);
  }

  /** folder (relative to root, '' for root) -> its path, or null when it is not a real folder */
  private readonly known = new Map<string, string | null>();
  private readonly fds: number[] = [];

  private constructor(
    private readonly root: string,
    private readonly viaProc: boolean,
  ) {}

  /** A path to `rel` (relative to the root) that follows no link, or undefined when a folder on its way is no real folder. */
  public entry(rel: string): string | undefined {
    const dir = path.dirname(rel);
    const folder = this.folder(dir === '.' ? '' : dir);
    return folder === undefined ? undefined : `${folder}/${path.basename(rel)}`;
  }

  /** A path to the folder `rel` (relative to the root, '' for the root itself), or undefined when it is no real folder. */
  public folder(rel: string): string | undefined {
    if (this.fds.length > MAX_OPEN) this.close();
    return this.resolve(rel);
  }

  /** Closes every folder opened; the object can still be used (it opens them again). */
  public close(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
    this.known.clear();
  }

  private resolve(rel: string): string | undefined {
    const known = this.known.get(rel);
    if (known !== undefined) return known ?? undefined;
    let found: string | undefined;
    if (rel === '') {
      found = this.open(this.root);
    } else {
      const dir = path.dirname(rel);
      const parent = this.resolve(dir === '.' ? '' : dir);
      found = parent === undefined ? undefined : this.open(`${parent}/${path.basename(rel)}`);
    }
    this.known.set(rel, found ?? null);
    return found;
  }

  private open(p: string): string | undefined {
    if (!this.viaProc) {
      try {
        return fs.lstatSync(p).isDirectory() ? p : undefined;
      } catch {
        return undefined;
      }
    }
    let fd: number;
    try {
      // a link here fails (ELOOP, or ENOTDIR with O_DIRECTORY): it is not followed
      fd = fs.openSync(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch {
      return undefined;
    }
    this.fds.push(fd);
    return `${PROC_FD}/${fd}`;
  }
}

/**
 * Reads the regular file at `p` (a path whose last part is not followed, e.g. from `NoFollowFolders.entry`) if
 * `accept` takes its status: nothing else is opened (lstat first; the open cannot block on a pipe swapped in, nor
 * follow a link). Returns its status and bytes, or undefined.
 */
export function readRegularFile(p: string, accept: (st: fs.Stats) => boolean): { st: fs.Stats; bytes: Buffer } | undefined {
  let st: fs.Stats;
  let fd: number;
  try {
    st = fs.lstatSync(p);
    if (!st.isFile() || !accept(st) || O_NOFOLLOW === undefined) return undefined;
    fd = fs.openSync(p, O_RDONLY | O_NOFOLLOW | (O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const opened = fs.fstatSync(fd);
    // another file put in its place between the lstat and the open
    if (opened.ino !== st.ino || opened.dev !== st.dev || opened.size !== st.size) return undefined;
    const bytes = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = fs.readSync(fd, bytes, read, st.size - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    return { st, bytes };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `rm -r p`, never following a link: a link (at `p` or anywhere below it) is removed as a link, a folder is emptied
 * through `NoFollowFolders`. One unlink per file and one rmdir per folder.
 */
export function removeTree(p: string): void {
  const st = lstatOrUndefined(p);
  if (st === undefined) return;
  if (!st.isDirectory()) {
    fs.unlinkSync(p);
    return;
  }
  const folders = NoFollowFolders.under(p);
  const within = (rel: string, name: string) => (rel === '' ? name : `${rel}/${name}`);
  const empty = (rel: string): void => {
    const dir = folders.folder(rel);
    if (dir === undefined) throw new Error(`${path.join(p, rel)} was replaced while it was being removed`);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        empty(within(rel, e.name));
        fs.rmdirSync(mustEntry(folders, within(rel, e.name), p));
      } else {
        fs.unlinkSync(mustEntry(folders, within(rel, e.name), p));
      }
    }
  };
  try {
    empty('');
  } finally {
    folders.close();
  }
  fs.rmdirSync(p);
}

function mustEntry(folders: NoFollowFolders, rel: string, root: string): string {
  const entry = folders.entry(rel);
  if (entry === undefined) throw new Error(`${path.join(root, path.dirname(rel))} was replaced while it was being removed`);
  return entry;
}

/** The most symbolic links one path resolution follows (linux include/linux/namei.h, MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Where a file written at `p` (absolute) ends up: `p` with every symbolic link on it resolved, also a link whose
 * target does not exist (yet: a later write creates it there) and a link in the last part. `..` after a link goes
 * up from the link's target, as the kernel does. A loop of links throws ELOOP, as the kernel does.
 */
export function resolveLinks(p: string): string {
  const todo = p.split(path.sep).filter((part) => part !== '');
  let done = path.parse(p).root || path.sep;
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done = path.dirname(done);
      continue;
    }
    const next = path.join(done, part);
    const st = lstatOrUndefined(next);
    if (!st?.isSymbolicLink()) {
      done = next;
      continue;
    }
    if (++links > MAX_LINKS) {
      throw Object.assign(new Error(`ELOOP: too many symbolic links encountered, resolving '${p}'`), { code: 'ELOOP', path: next });
    }
    const target = fs.readlinkSync(next);
    if (path.isAbsolute(target)) done = path.parse(target).root;
    todo.unshift(...target.split(path.sep).filter((t) => t !== ''));
  }
  return done;
}
