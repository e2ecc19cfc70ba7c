/**
 * The file system calls the output writer uses inside the output folder (lib/app/no-follow.ts), on real files: no
 * symbolic link is followed, only regular files are opened, and paths resolve as the kernel resolves them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { NoFollowFolders, readRegularFile, removeTree, resolveLinks } from '../../lib/app/no-follow';
import { scratch, writeFiles } from './run';

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(scratch());
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const mkfifo = (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0);

describe.each([
  ['through /proc/self/fd', true],
  ['with lstat (no /proc)', false],
])('NoFollowFolders, %s', (_how, viaProc) => {
  test('a path through real folders names the file; through a link to a folder, or from a root that is a link, there is none', () => {
    writeFiles(dir, { 'out/cluster/a.yaml': 'a: 1\n', 'victim/a.yaml': 'victim\n' });
    fs.symlinkSync('../victim', path.join(dir, 'out', 'node'));
    fs.symlinkSync('out', path.join(dir, 'outlink'));
    const folders = NoFollowFolders.under(path.join(dir, 'out'), viaProc);
    try {
      expect(fs.readFileSync(folders.entry('cluster/a.yaml')!, 'utf8')).toBe('a: 1\n');
      expect(folders.entry('node/a.yaml')).toBeUndefined();
      expect(folders.folder('node')).toBeUndefined();
      // the link itself can be named (and so removed as a link)
      expect(fs.lstatSync(folders.entry('node')!).isSymbolicLink()).toBe(true);
    } finally {
      folders.close();
    }
    expect(NoFollowFolders.under(path.join(dir, 'outlink'), viaProc).entry('cluster/a.yaml')).toBeUndefined();
  });

  test('more folders than it keeps open: each path still names its file', () => {
    const files = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`c${i}/cluster/f.yaml`, `${i}\n`]));
    writeFiles(dir, files);
    const folders = NoFollowFolders.under(dir, viaProc);
    try {
      for (let round = 0; round < 2; round++) {
        for (const [rel, text] of Object.entries(files)) expect(fs.readFileSync(folders.entry(rel)!, 'utf8')).toBe(text);
      }
    } finally {
      folders.close();
    }
  });
});

describe('readRegularFile', () => {
  test('reads a regular file it accepts; not a link, a named pipe (which would block), nor one it does not accept', () => {
    writeFiles(dir, { 'a.yaml': 'a: 1\n' });
    fs.symlinkSync('a.yaml', path.join(dir, 'link.yaml'));
    mkfifo(path.join(dir, 'pipe.yaml'));
    expect(readRegularFile(path.join(dir, 'a.yaml'), () => true)?.bytes.toString()).toBe('a: 1\n');
    expect(readRegularFile(path.join(dir, 'a.yaml'), (st) => st.size === 1)).toBeUndefined();
    expect(readRegularFile(path.join(dir, 'link.yaml'), () => true)).toBeUndefined();
    expect(readRegularFile(path.join(dir, 'pipe.yaml'), () => true)).toBeUndefined();
    expect(readRegularFile(path.join(dir, 'missing.yaml'), () => true)).toBeUndefined();
  });
});

describe('removeTree', () => {
  test('removes folders, files, pipes and links as themselves: what a link points to stays', () => {
    writeFiles(dir, { 'old/cluster/a.yaml': 'a\n', 'old/prod/node/b.yaml': 'b\n', 'victim/a.yaml': 'mine\n', 'victim/sub/c.txt': 'mine\n' });
    fs.symlinkSync('../victim', path.join(dir, 'old', 'node'));
    fs.symlinkSync(path.join(dir, 'victim', 'a.yaml'), path.join(dir, 'old', 'prod', 'a.yaml'));
    mkfifo(path.join(dir, 'old', 'cluster', 'p.yaml'));
    removeTree(path.join(dir, 'old'));
    expect(fs.readdirSync(dir)).toEqual(['victim']);
    expect(fs.readFileSync(path.join(dir, 'victim', 'a.yaml'), 'utf8')).toBe('mine\n');
    expect(fs.readFileSync(path.join(dir, 'victim', 'sub', 'c.txt'), 'utf8')).toBe('mine\n');
  });

  test('a link given as the tree: the link goes, its folder stays', () => {
    writeFiles(dir, { 'victim/a.yaml': 'mine\n' });
    fs.symlinkSync('victim', path.join(dir, 'old'));
    removeTree(path.join(dir, 'old'));
    expect(fs.readdirSync(dir)).toEqual(['victim']);
    expect(fs.readdirSync(path.join(dir, 'victim'))).toEqual(['a.yaml']);
  });
});

describe('resolveLinks: where a write to the path lands', () => {
  test.each([
    ['no link', [], 'a/b/plan.json', 'a/b/plan.json'],
    ['a relative link to a missing folder', [['pj', 'out/cluster']], 'pj/plan.json', 'out/cluster/plan.json'],
    [
      'a chain, the last dangling',
      [
        ['pj', 'a'],
        ['a', 'out'],
      ],
      'pj/plan.json',
      'out/plan.json',
    ],
    ['the last part a dangling link', [['plan.json', 'out/p.json']], 'plan.json', 'out/p.json'],
    ['.. after a link goes up from its target (x -> deep/er; x/../y is deep/y)', [['x', 'deep/er']], 'x/../y', 'deep/y'],
    ['an absolute link', [['pj', '<dir>/abs']], 'pj/plan.json', 'abs/plan.json'],
  ])('%s', (_name, links, given, lands) => {
    fs.mkdirSync(path.join(dir, 'deep', 'er'), { recursive: true });
    for (const [at, to] of links) fs.symlinkSync(to.replace('<dir>', dir), path.join(dir, at));
    expect(resolveLinks(`${dir}/${given}`)).toBe(path.join(dir, lands));
  });

  test('a loop throws ELOOP, as the kernel does', () => {
    fs.symlinkSync('b', path.join(dir, 'a'));
    fs.symlinkSync('a', path.join(dir, 'b'));
    expect(() => resolveLinks(path.join(dir, 'a', 'plan.json'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });
});
