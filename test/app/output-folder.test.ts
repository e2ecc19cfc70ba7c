/**
 * The output folder, through the real app process: a folder that is or holds the inputs, a file, someone else's
 * folder, a mount point are refused (exit 1, one message naming the folder, nothing touched anywhere); the tool's
 * own output is replaced, also behind a symbolic link, and leftovers of a killed run never block or linger.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, MAIN, ROOT, listFiles, runApp, scratch, writeFiles } from './run';

const MARKER = '.cdk8s-falco-audit';
/** The swap lock beside an output folder named `out`. */
const LOCK = '.out.cdk8s-falco-audit.lock';
const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const DEFAULT_VALUES = fs.readFileSync(path.join(EXAMPLES, 'default', 'values.yaml'), 'utf8');
const CONFIG = ['apiServer:', '  manifest: kube-apiserver.yaml', 'falco:', '  values: values.yaml', '  clusterIP: 10.96.0.100', ''].join('\n');
/** The default example's inputs, as a user keeps them: config, manifest and values side by side. */
const INPUTS = { 'falco-audit.yaml': CONFIG, 'kube-apiserver.yaml': DEFAULT_MANIFEST, 'values.yaml': DEFAULT_VALUES };
const PEM = fs.readFileSync(path.join(EXAMPLES, 'reference-dynamic', 'falco-ca.pem'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Everything under `root` without following links, byte for byte: path -> `dir`, `link -> target`, `fifo`, or the
 * file's bytes (latin1: one character per byte) and its inode (a file hard-linked elsewhere shows).
 */
function tree(root: string, inodes = false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `link -> ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else if (st.isFIFO()) out[r] = 'fifo';
      else out[r] = `${inodes ? `inode ${st.ino}, ${st.nlink} link(s): ` : ''}${fs.readFileSync(p).toString('latin1')}`;
    }
  };
  walk('');
  return out;
}

/** `tree` without the entries at or under `folder` (relative to `root`). */
function outside(t: Record<string, string>, folder: string): Record<string, string> {
  return Object.fromEntries(Object.entries(t).filter(([p]) => p !== folder && !p.startsWith(folder + path.sep)));
}

const expected = new Map<string, Record<string, string>>();
/** The output `config` (the default example's, unless given) writes, from a run into a folder of its own. */
function expectedOutput(config = CONFIG): Record<string, string> {
  const known = expected.get(config);
  if (known) return known;
  const ref = scratch();
  try {
    writeFiles(ref, { ...INPUTS, 'falco-audit.yaml': config });
    const r = runApp({ cwd: ref, outdir: 'out', config: 'falco-audit.yaml' });
    if (r.status !== 0) throw new Error(`reference run failed: ${r.stderr}`);
    expected.set(config, tree(path.join(ref, 'out')));
    return expected.get(config)!;
  } finally {
    fs.rmSync(ref, { recursive: true, force: true });
  }
}

/**
 * A refused run: exit 1, the error matching `message`, then the line saying what the run left (`report`: by default
 * any "nothing was written" line), and nothing else.
 */
/**
 * A refused run: exit 1, the error matching `message`, then the line saying what the run left (`report`: by default
 * any "nothing was written" line), and nothing else.
 */
function expectRefused(
  r: { status: number | null; stdout: string; stderr: string },
  message: RegExp,
  report: RegExp | string = /^nothing was written: [^\n]*\.$/,
) {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: expect.stringMatching(/^error: [\s\S]*\n[^\n]+\n$/) });
  expect(r.stderr).toMatch(message);
  const last = r.stderr.split('\n').slice(-2)[0];
  if (typeof report === 'string') expect(last).toBe(report);
  else expect(last).toMatch(report);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(r.stdout).toBe('');
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface RefusedCase {
  readonly name: string;
  /** Lays out `dir` (files, folders, links); returns where to run and what to set. */
  readonly setup: (dir: string) => { cwd?: string; config?: string; outdir: string };
  /** The message, given the scratch folder's real path. */
  readonly message: (dir: string) => RegExp;
}

const refused: RefusedCase[] = [
  {
    name: '"." in the config\'s folder (it would leave only cluster/ and node/)',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'notes.md': 'mine\n' }), { outdir: '.' }),
    message: (d) =>
      new RegExp(
        `output folder "\\." is the config's folder \\(${esc(d)}\\); set --output \\(or CDK8S_OUTDIR\\) to a folder of its own, e\\.g\\. dist`,
      ),
  },
  {
    name: '".." from a subfolder, the config in the parent',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'sub/notes.md': 'mine\n' }), { cwd: path.join(d, 'sub'), config: '../falco-audit.yaml', outdir: '..' }),
    message: (d) => new RegExp(`output folder "\\.\\." is the config's folder \\(${esc(d)}\\)`),
  },
  {
    name: '".." from a subfolder, the config elsewhere: it holds the current folder',
    setup: (d) => {
      writeFiles(path.join(d, 'config'), INPUTS);
      writeFiles(d, { 'work/sub/notes.md': 'mine\n', 'work/other.txt': 'mine too\n' });
      return { cwd: path.join(d, 'work', 'sub'), config: '../../config/falco-audit.yaml', outdir: '..' };
    },
    message: (d) => new RegExp(`output folder "\\.\\." contains the current folder \\(${esc(path.join(d, 'work', 'sub'))}\\)`),
  },
  {
    name: '"." with the config elsewhere: the current folder',
    setup: (d) => {
      writeFiles(path.join(d, 'config'), INPUTS);
      writeFiles(d, { 'work/notes.md': 'mine\n' });
      return { cwd: path.join(d, 'work'), config: '../config/falco-audit.yaml', outdir: '.' };
    },
    message: (d) => new RegExp(`output folder "\\." is the current folder \\(${esc(path.join(d, 'work'))}\\)`),
  },
  {
    name: 'an absolute ancestor of the inputs',
    setup: (d) => (writeFiles(path.join(d, 'a', 'b'), INPUTS), { cwd: path.join(d, 'a', 'b'), outdir: path.join(d, 'a') }),
    message: (d) => new RegExp(`output folder "${esc(path.join(d, 'a'))}" contains the config's folder \\(${esc(path.join(d, 'a', 'b'))}\\)`),
  },
  {
    name: 'the values file (it would become a folder)',
    setup: (d) => (writeFiles(d, INPUTS), { outdir: 'values.yaml' }),
    message: (d) => new RegExp(`output folder "values\\.yaml" is the Falco values file \\(${esc(path.join(d, 'values.yaml'))}\\)`),
  },
  {
    name: 'the config file',
    setup: (d) => (writeFiles(d, INPUTS), { outdir: 'falco-audit.yaml' }),
    message: () => /output folder "falco-audit\.yaml" is the config file \(/,
  },
  {
    name: 'a folder holding the manifest',
    setup: (d) => (
      writeFiles(d, {
        ...INPUTS,
        'falco-audit.yaml': CONFIG.replace('manifest: kube-apiserver.yaml', 'manifest: in/kube-apiserver.yaml'),
        'in/kube-apiserver.yaml': DEFAULT_MANIFEST,
      }),
      { outdir: 'in' }
    ),
    message: (d) => new RegExp(`output folder "in" contains the kube-apiserver manifest \\(${esc(path.join(d, 'in', 'kube-apiserver.yaml'))}\\)`),
  },
  {
    name: 'a folder holding the AuditSink CA file',
    setup: (d) => {
      writeFiles(d, {
        'falco-audit.yaml': [
          'apiServer: {manifest: kube-apiserver.yaml}',
          'audit:',
          '  auditSink: {certificateAuthority: tls/ca.pem}',
          'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
          '',
        ].join('\n'),
        'kube-apiserver.yaml': DEFAULT_MANIFEST,
        'values.yaml': 'falco:\n  webserver:\n    sslEnabled: true\n',
        'tls/ca.pem': PEM,
      });
      return { outdir: 'tls' };
    },
    message: () => /output folder "tls" contains the AuditSink certificate authority file \(.*tls\/ca\.pem\)/,
  },
  {
    name: "a fleet: a folder holding one cluster's manifest",
    setup: (d) => {
      writeFiles(d, {
        'falco-audit.yaml': [
          'clusters:',
          '- name: a',
          '  apiServer: {manifest: kube-apiserver.yaml}',
          '  falco: {clusterIP: 10.96.0.100}',
          '- name: b',
          '  apiServer: {manifest: b/kube-apiserver.yaml}',
          '  falco: {clusterIP: 10.96.0.100}',
          '',
        ].join('\n'),
        'kube-apiserver.yaml': DEFAULT_MANIFEST,
        'b/kube-apiserver.yaml': DEFAULT_MANIFEST,
      });
      return { outdir: 'b' };
    },
    message: () => /output folder "b" contains the kube-apiserver manifest of cluster "b" \(/,
  },
  {
    name: "a symbolic link to the config's folder",
    setup: (d) => (writeFiles(d, INPUTS), fs.symlinkSync('.', path.join(d, 'out')), { outdir: 'out' }),
    message: (d) => new RegExp(`output folder "out" is the config's folder \\(${esc(d)}\\)`),
  },
  {
    name: 'a manifest that links into the output folder (the output fed back in)',
    setup: (d) => {
      writeFiles(d, { ...INPUTS, 'out/.cdk8s-falco-audit': '#\n', 'out/node/kube-apiserver.yaml': DEFAULT_MANIFEST });
      fs.rmSync(path.join(d, 'kube-apiserver.yaml'));
      fs.symlinkSync(path.join('out', 'node', 'kube-apiserver.yaml'), path.join(d, 'kube-apiserver.yaml'));
      return { outdir: 'out' };
    },
    message: (d) => new RegExp(`output folder "out" contains the kube-apiserver manifest \\(${esc(path.join(d, 'kube-apiserver.yaml'))}\\)`),
  },
  {
    name: 'a folder holding a link to the manifest (the link would go with the folder)',
    setup: (d) => {
      writeFiles(d, { ...INPUTS, 'falco-audit.yaml': CONFIG.replace('manifest: kube-apiserver.yaml', 'manifest: in/kube-apiserver.yaml') });
      fs.mkdirSync(path.join(d, 'in'));
      fs.symlinkSync(path.join('..', 'kube-apiserver.yaml'), path.join(d, 'in', 'kube-apiserver.yaml'));
      return { outdir: 'in' };
    },
    message: (d) => new RegExp(`output folder "in" contains the kube-apiserver manifest \\(${esc(path.join(d, 'in', 'kube-apiserver.yaml'))}\\)`),
  },
  {
    name: 'a file that is no input',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'notes.txt': 'mine\n' }), { outdir: 'notes.txt' }),
    message: (d) => new RegExp(`output folder "notes\\.txt" is a file, not a folder \\(${esc(path.join(d, 'notes.txt'))}\\)`),
  },
  {
    name: 'a folder under a file',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'notes.txt': 'mine\n' }), { outdir: 'notes.txt/out' }),
    message: (d) => new RegExp(`output folder "notes\\.txt/out" cannot be made: ${esc(path.join(d, 'notes.txt'))} is a file, not a folder`),
  },
  {
    name: 'a dangling symbolic link',
    setup: (d) => (writeFiles(d, INPUTS), fs.symlinkSync('gone', path.join(d, 'out')), { outdir: 'out' }),
    message: (d) =>
      new RegExp(`output folder "out": ${esc(path.join(d, 'out'))} is a symbolic link to gone, which does not exist; create that folder`),
  },
  {
    name: "someone else's folder (notes, no marker)",
    setup: (d) => (writeFiles(d, { ...INPUTS, 'docs/notes.md': 'mine\n', 'docs/cluster/x.yaml': 'a: 1\n' }), { outdir: 'docs' }),
    message: (d) =>
      new RegExp(
        `output folder "docs" \\(${esc(path.join(d, 'docs'))}\\) holds notes\\.md, which cdk8s-falco-audit did not write; .*only replaces an empty folder or its own output \\(marked by \\.cdk8s-falco-audit\\)`,
      ),
  },
  {
    name: 'a folder shaped like the output but with a .json file',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'out/cluster/a.yaml': 'a: 1\n', 'out/cluster/b.json': '{}\n' }), { outdir: 'out' }),
    message: () => /output folder "out" \(.*\) holds cluster\/b\.json, which cdk8s-falco-audit did not write/,
  },
  {
    name: 'a folder with only a hidden folder (a git checkout)',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'repo/.git/HEAD': 'ref: refs/heads/main\n' }), { outdir: 'repo' }),
    message: () => /output folder "repo" \(.*\) holds \.git, which cdk8s-falco-audit did not write/,
  },
  {
    name: 'an unmarked output whose cluster/ is a link to a folder elsewhere (named as a link, never followed)',
    setup: (d) => {
      writeFiles(d, { ...INPUTS, 'out/node/kube-apiserver.yaml': 'a: 1\n', 'victim/a.yaml': 'a: 1\n' });
      fs.symlinkSync('../victim', path.join(d, 'out', 'cluster'));
      return { outdir: 'out' };
    },
    message: () => /output folder "out" \(.*\) holds cluster \(a symbolic link\), which cdk8s-falco-audit did not write/,
  },
  {
    name: 'a fleet-shaped folder with something else in a cluster folder',
    setup: (d) => (writeFiles(d, { ...INPUTS, 'out/prod/cluster/a.yaml': 'a: 1\n', 'out/prod/secrets/key': 'k\n' }), { outdir: 'out' }),
    message: () => /output folder "out" \(.*\) holds prod\/secrets, which cdk8s-falco-audit did not write/,
  },
];

describe('an output folder that would destroy something: exit 1, one message, nothing touched anywhere', () => {
  test.each(refused.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const d = fs.realpathSync(dir);
    const { cwd, config, outdir } = c.setup(d);
    const before = tree(d);
    const r = runApp({ cwd: cwd ?? d, config: config ?? 'falco-audit.yaml', outdir });
    expectRefused(r, c.message(d));
    expect(tree(d)).toEqual(before);
  });

  test('a mount point is refused, with the folder inside it to use instead', () => {
    const d = fs.realpathSync(dir);
    writeFiles(d, { ...INPUTS, 'volume/.cdk8s-falco-audit': '#\n', 'volume/cluster/a.yaml': 'a: 1\n' });
    fs.mkdirSync(path.join(d, 'out'));
    // A bind mount needs root (CAP_SYS_ADMIN); where there is none, this one case cannot be set up.
    const mount = spawnSync('mount', ['--bind', path.join(d, 'volume'), path.join(d, 'out')], { encoding: 'utf8' });
    if (mount.status !== 0) {
      console.warn(`skipped the mount point case: mount --bind failed (${(mount.stderr || mount.error?.message || '').trim()})`);
      return;
    }
    try {
      const before = tree(d);
      const r = runApp({ cwd: d, config: 'falco-audit.yaml', outdir: 'out' });
      expectRefused(
        r,
        new RegExp(
          `output folder "out" is a mount point \\(${esc(path.join(d, 'out'))}\\), which cannot be replaced in one step; set --output \\(or CDK8S_OUTDIR\\) to a folder inside it, e\\.g\\. out/dist`,
        ),
      );
      expect(tree(d)).toEqual(before);
      // and the folder inside it works
      expect(runApp({ cwd: d, config: 'falco-audit.yaml', outdir: 'out/dist' }).status).toBe(0);
      expect(tree(path.join(d, 'out', 'dist'))).toEqual(expectedOutput());
    } finally {
      spawnSync('umount', [path.join(d, 'out')]);
    }
  });
});

describe('replacing the output folder: only the folder changes', () => {
  /** Runs the default example into `out` and checks the folder is exactly the output and nothing else changed. */
  function expectReplaced(outdir = 'out', real = outdir) {
    const before = outside(tree(dir), real);
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    expect(tree(path.join(dir, real))).toEqual(expectedOutput());
    expect(outside(tree(dir), real)).toEqual(before);
  }

  test('the output writes the marker, with fixed text', () => {
    writeFiles(dir, INPUTS);
    expectReplaced();
    expect(fs.readFileSync(path.join(dir, 'out', MARKER), 'utf8')).toBe(
      '# Output of cdk8s-falco-audit: every run replaces this whole folder. Keep nothing else here.\n',
    );
  });

  test('an output from before the marker (the committed dist/) is replaced', () => {
    writeFiles(dir, INPUTS);
    fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'out'), { recursive: true });
    fs.rmSync(path.join(dir, 'out', MARKER), { force: true });
    writeFiles(dir, { 'out/cluster/podsecuritypolicy-falco.yaml': 'an object an earlier config made\n' });
    expectReplaced();
  });

  test("a fleet's earlier output (<cluster>/cluster, <cluster>/node) is replaced", () => {
    writeFiles(dir, {
      ...INPUTS,
      'out/prod/cluster/a.yaml': 'a: 1\n',
      'out/prod/node/kube-apiserver.yaml': 'b: 1\n',
      'out/lab/cluster/c.yaml': 'c: 1\n',
      'out/cluster/d.yaml': 'd: 1\n',
    });
    expectReplaced();
  });

  test('a marked folder is replaced whatever else it holds, and an empty folder is filled', () => {
    writeFiles(dir, { ...INPUTS, [`out/${MARKER}`]: '#\n', 'out/stray.json': '{}\n', 'out/old/x.txt': 'x\n' });
    expectReplaced();
    fs.rmSync(path.join(dir, 'out'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'out'));
    expectReplaced();
  });

  test('through a symbolic link: the folder it points to is replaced and the link stays', () => {
    writeFiles(dir, { ...INPUTS, 'real/cluster/old.yaml': 'old: 1\n' });
    fs.symlinkSync('real', path.join(dir, 'out'));
    expectReplaced('out', 'real');
    expect(fs.readlinkSync(path.join(dir, 'out'))).toBe('real');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('leftovers of killed runs (.out.old-1, .out.staging-<pid>) are removed; other dot folders stay', () => {
    writeFiles(dir, {
      ...INPUTS,
      'out/cluster/a.yaml': 'a: 1\n',
      '.out.old-1/cluster/a.yaml': 'a: 0\n',
      '.out.staging-4242/cluster/half.yaml': 'hal',
      '.out.staging-9999999-0a1b2c3d/node/x.yaml': 'x: 1\n',
      '.out.old-notes/keep.txt': 'not a leftover: the name is not one the tool uses\n',
      '.dist.old-1/keep.txt': "another folder's\n",
    });
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expect(r.status).toBe(0);
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput());
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('.'))
        .sort(),
    ).toEqual(['.dist.old-1', '.out.old-notes']);
  });

  test.each([
    ['its PID names no process', '9999999', 0],
    ['its PID is alive but it is older than any swap (a reused PID, e.g. 1 in a container)', '1', 60_000],
  ])('a swap lock left by a killed run (%s) is taken over at once', (_what, pid, ageMs) => {
    writeFiles(dir, { ...INPUTS, [`${LOCK}/owner`]: `cdk8s-falco-audit swap lock, process ${pid}\n` });
    if (ageMs) {
      const old = (Date.now() - ageMs) / 1000;
      fs.utimesSync(path.join(dir, LOCK), old, old);
    }
    const started = Date.now();
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000); // not the 30 s a live lock is waited for
    expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput());
  });

  test('killed between its two renames (no out/, an .out.old-*): the next run puts the old folder back first', () => {
    // The old folder holds a file the tool did not write: the run restores it, then refuses to replace it.
    writeFiles(dir, { ...INPUTS, '.out.old-1/notes.md': 'mine\n', '.out.staging-1-00ff00ff/cluster/half.yaml': 'hal' });
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expectRefused(
      r,
      /output folder "out" \(.*\) holds notes\.md, which cdk8s-falco-audit did not write/,
      'the output was not written, but this run put back out, which an interrupted run had moved aside to .out.old-1: out holds what it held before that run.',
    );
    expect(listFiles(path.join(dir, 'out'))).toEqual(['notes.md']);
    expect(fs.readFileSync(path.join(dir, 'out', 'notes.md'), 'utf8')).toBe('mine\n');
    // the staging leftover stays until the folder is accepted: a refused run removes nothing
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual(['.out.staging-1-00ff00ff']);
  });

  test('killed between its two renames, with its own output: restored, replaced, no leftovers', () => {
    writeFiles(dir, { ...INPUTS, '.out.old-1/cluster/a.yaml': 'a: 1\n', [`.out.old-1/${MARKER}`]: '#\n' });
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expect(r.status).toBe(0);
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput());
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('as PID 1 (a container) with a stale .out.old-1 beside the folder', () => {
    writeFiles(dir, { ...INPUTS, 'out/cluster/a.yaml': 'a: 1\n', '.out.old-1/cluster/a.yaml': 'a: 0\n' });
    // unshare --pid --fork makes the app PID 1 in a new PID namespace (needs root), as in a container.
    const probe = spawnSync('unshare', ['--pid', '--fork', process.execPath, '-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    if (probe.stdout !== '1') {
      console.warn(`skipped the PID 1 case: unshare --pid failed (${(probe.stderr || probe.error?.message || '').trim()})`);
      return;
    }
    const r = spawnSync('unshare', ['--pid', '--fork', process.execPath, MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH, FALCO_AUDIT_CONFIG: 'falco-audit.yaml', CDK8S_OUTDIR: 'out' },
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput());
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('killed at random moments: the folder is always whole or recoverable, and the next run cleans up', () => {
    writeFiles(dir, INPUTS);
    const expected = expectedOutput();
    const env = { PATH: process.env.PATH, FALCO_AUDIT_CONFIG: 'falco-audit.yaml', CDK8S_OUTDIR: 'out' };
    const run = (timeout?: number) => spawnSync(process.execPath, [MAIN], { cwd: dir, env, timeout, killSignal: 'SIGKILL' });
    run();
    const started = Date.now();
    run();
    const took = Date.now() - started;
    // a fixed seed: the same kill times on every run of the suite (as far as the machine's speed allows)
    let seed = 14;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let interrupted = 0;
    // The writing is the last part of a run (after start-up, loading and validation): aim most kills there.
    for (let i = 0; i < 20; i++) {
      const killed = run(Math.max(1, Math.round(took * (0.5 + 0.55 * random()))));
      if (killed.signal) interrupted++;
      const left = fs.readdirSync(dir).filter((f) => f.startsWith('.'));
      // right after the kill: the old output (the same bytes: the output is deterministic) is whole, in place or
      // as the one .out.old-* a run makes between its two renames
      const olds = left.filter((f) => f.startsWith('.out.old-'));
      if (fs.existsSync(path.join(dir, 'out'))) expect(tree(path.join(dir, 'out'))).toEqual(expected);
      else {
        expect(olds).toHaveLength(1);
        expect(tree(path.join(dir, olds[0]))).toEqual(expected);
      }
      // (and the swap lock of a run killed while it held it, which the next run takes over)
      expect(left.every((f) => /^\.out\.(old|staging)-\d+-[0-9a-f]+$/.test(f) || f === LOCK)).toBe(true);
      const next = run();
      expect(next.status).toBe(0);
      expect(tree(path.join(dir, 'out'))).toEqual(expected);
      expect(fs.readdirSync(dir).sort()).toEqual([...Object.keys(INPUTS), 'out'].sort());
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 60_000);
});

/** A fleet of two clusters, prod and lab, from the default example's manifest and values. */
const FLEET = [
  'clusters:',
  '- name: prod',
  '  apiServer: {manifest: kube-apiserver.yaml}',
  '  falco: {values: values.yaml, clusterIP: 10.96.0.100}',
  '- name: lab',
  '  apiServer: {manifest: kube-apiserver.yaml}',
  '  falco: {values: values.yaml, clusterIP: 10.96.0.101}',
  '',
].join('\n');

/** The app on `dir`, as a user runs it (`args` after the bundle), stopped after 20 s: a run that blocks fails. */
function run(args: string[] = [], outdir = 'out') {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, FALCO_AUDIT_CONFIG: 'falco-audit.yaml', CDK8S_OUTDIR: outdir },
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Copies the files of `from` (a folder) into `to`, a folder of the user's, beside `keep.txt`, a file of theirs. */
function victimFrom(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) fs.copyFileSync(path.join(from, name), path.join(to, name));
  fs.writeFileSync(path.join(to, 'keep.txt'), "the user's own file\n");
}

describe('inside the previous output, nothing is followed: only the output folder changes, everything else byte for byte', () => {
  /**
   * A first run into out/; `change` puts something into it (and victim/ beside it); the next run must exit 0, leave
   * out/ exactly the output, and everything outside it as it was, byte for byte (files, links, inodes and link counts).
   */
  function replacedAfter(change: (d: string) => void, config = CONFIG, gone: string[] = []) {
    writeFiles(dir, { ...INPUTS, 'falco-audit.yaml': config });
    expect(run().status).toBe(0);
    change(dir);
    const before = outside(tree(dir, true), 'out');
    const r = run();
    expect({ status: r.status, signal: r.signal, error: /^error.*$/m.exec(r.stderr)?.[0] }).toEqual({ status: 0, signal: null, error: undefined });
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput(config));
    for (const name of gone) delete before[name];
    expect(outside(tree(dir, true), 'out')).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.out.'))).toEqual([]);
  }

  test('out/cluster replaced by a link to a folder elsewhere holding files of the same names: the link goes, the folder stays', () => {
    replacedAfter((d) => {
      victimFrom(path.join(d, 'out', 'cluster'), path.join(d, 'victim'));
      fs.rmSync(path.join(d, 'out', 'cluster'), { recursive: true });
      fs.symlinkSync('../victim', path.join(d, 'out', 'cluster'));
    });
    expect(fs.readdirSync(path.join(dir, 'victim'))).toContain('auditsink-falco.yaml');
  });

  test('out/node replaced by a link to a folder elsewhere', () => {
    replacedAfter((d) => {
      victimFrom(path.join(d, 'out', 'node'), path.join(d, 'victim'));
      fs.rmSync(path.join(d, 'out', 'node'), { recursive: true });
      fs.symlinkSync(path.join(d, 'victim'), path.join(d, 'out', 'node'));
    });
  });

  test('an output file replaced by a link to a file elsewhere with the same bytes: the link goes, the file is neither linked nor removed', () => {
    replacedAfter((d) => {
      victimFrom(path.join(d, 'out', 'cluster'), path.join(d, 'victim'));
      fs.rmSync(path.join(d, 'out', 'cluster', 'auditsink-falco.yaml'));
      fs.symlinkSync('../../victim/auditsink-falco.yaml', path.join(d, 'out', 'cluster', 'auditsink-falco.yaml'));
    });
  });

  test("a fleet's cluster folder replaced by a link to a folder elsewhere (out/prod -> ../victim)", () => {
    replacedAfter((d) => {
      victimFrom(path.join(d, 'out', 'prod', 'cluster'), path.join(d, 'victim', 'cluster'));
      victimFrom(path.join(d, 'out', 'prod', 'node'), path.join(d, 'victim', 'node'));
      fs.rmSync(path.join(d, 'out', 'prod'), { recursive: true });
      fs.symlinkSync('../victim', path.join(d, 'out', 'prod'));
    }, FLEET);
    expect(fs.readdirSync(path.join(dir, 'victim', 'cluster'))).toContain('auditsink-falco.yaml');
  });

  test('a named pipe where an output file was: not opened (the run does not block), removed with the old output', () => {
    replacedAfter((d) => {
      fs.rmSync(path.join(d, 'out', 'cluster', 'auditsink-falco.yaml'));
      expect(spawnSync('mkfifo', [path.join(d, 'out', 'cluster', 'auditsink-falco.yaml')]).status).toBe(0);
    });
  });

  test('a device where an output file was: removed with the old output like any other entry', () => {
    writeFiles(dir, INPUTS);
    // mknod needs root (CAP_MKNOD); where there is none, this one case cannot be set up
    const probe = spawnSync('mknod', [path.join(dir, 'probe'), 'c', '1', '3'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn(`skipped the device case: mknod failed (${(probe.stderr || probe.error?.message || '').trim()})`);
      return;
    }
    fs.rmSync(path.join(dir, 'probe'));
    replacedAfter((d) => {
      fs.rmSync(path.join(d, 'out', 'node', 'kube-apiserver.yaml'));
      // /dev/null's numbers (linux Documentation/admin-guide/devices.txt: char 1 3)
      expect(spawnSync('mknod', [path.join(d, 'out', 'node', 'kube-apiserver.yaml'), 'c', '1', '3']).status).toBe(0);
    });
  });

  test('a folder of the output replaced by a link to itself (a loop)', () => {
    replacedAfter((d) => {
      fs.rmSync(path.join(d, 'out', 'cluster'), { recursive: true });
      fs.symlinkSync('cluster', path.join(d, 'out', 'cluster'));
    });
  });

  test("a link named like an interrupted run's old folder (.out.old-1 -> a marked folder elsewhere): removed as a link, never put back", () => {
    replacedAfter(
      (d) => {
        fs.cpSync(path.join(d, 'out'), path.join(d, 'victim'), { recursive: true });
        fs.writeFileSync(path.join(d, 'victim', 'keep.txt'), "the user's own file\n");
        fs.rmSync(path.join(d, 'out'), { recursive: true });
        fs.symlinkSync('victim', path.join(d, '.out.old-1'));
      },
      CONFIG,
      ['.out.old-1'],
    );
    expect(fs.existsSync(path.join(dir, '.out.old-1'))).toBe(false);
  });

  test('a named pipe in a folder the tool did not mark: refused, named as one, nothing touched', () => {
    writeFiles(dir, { ...INPUTS, 'out/cluster/a.yaml': 'a: 1\n' });
    expect(spawnSync('mkfifo', [path.join(dir, 'out', 'cluster', 'b.yaml')]).status).toBe(0);
    const before = tree(dir, true);
    expectRefused(
      run(),
      /output folder "out" \(.*\) holds cluster\/b\.yaml \(a named pipe\), which cdk8s-falco-audit did not write/,
      'nothing was written: out was left as it was.',
    );
    expect(tree(dir, true)).toEqual(before);
  });
});

describe('an output folder behind a loop of symbolic links: a clear error, nothing touched', () => {
  test.each([
    ['out -> out', 'out', [['out', 'out']], 'out is a symbolic link to out'],
    [
      'out -> loop -> out',
      'out',
      [
        ['out', 'loop'],
        ['loop', 'out'],
      ],
      'out is a symbolic link to loop',
    ],
    ['a folder under the loop (out/dist, out -> out)', 'out/dist', [['out', 'out']], 'out is a symbolic link to out'],
  ])('%s', (_name, outdir, links, which) => {
    const d = fs.realpathSync(dir);
    writeFiles(d, INPUTS);
    for (const [at, to] of links) fs.symlinkSync(to, path.join(d, at));
    const before = tree(d, true);
    const report =
      outdir === 'out'
        ? `nothing was written: out is a symbolic link in a loop and was left as it is.`
        : `nothing was written: out/dist lies behind a loop of symbolic links; nothing was created.`;
    expectRefused(
      run([], outdir),
      new RegExp(
        `^error: output folder "${esc(outdir)}" \\(${esc(path.join(d, outdir))}\\) cannot be resolved: ${esc(path.join(d, which))}, which never reaches a folder \\(a loop of symbolic links\\); set --output`,
      ),
      report,
    );
    expect(tree(d, true)).toEqual(before);
  });
});

describe("the swap lock: a name no file of the user's has, and anything else there is refused, not removed", () => {
  test.each([
    ['a file', (d: string) => writeFiles(d, { [LOCK]: 'mine\n' }), 'a file'],
    ["a folder of the user's", (d: string) => writeFiles(d, { [`${LOCK}/notes.md`]: 'mine\n' }), 'a folder'],
    ["a folder with an owner file that is not the tool's", (d: string) => writeFiles(d, { [`${LOCK}/owner`]: 'mine\n' }), 'a folder'],
    [
      "a link to a folder that looks like a lock of the tool's",
      (d: string) => {
        writeFiles(d, { 'victim/owner': 'cdk8s-falco-audit swap lock, process 9999999\n' });
        fs.symlinkSync('victim', path.join(d, LOCK));
      },
      'a symbolic link',
    ],
  ])("%s at the lock's name: exit 1, the previous output and everything else as they were", (_name, put, kind) => {
    writeFiles(dir, INPUTS);
    expect(run().status).toBe(0);
    put(dir);
    // old enough to be a killed run's lock, were it one
    const old = (Date.now() - 60_000) / 1000;
    fs.lutimesSync(path.join(dir, LOCK), old, old);
    const before = tree(dir, true);
    expectRefused(
      run(),
      new RegExp(
        `cannot replace output folder "out": ${esc(path.join(fs.realpathSync(dir), LOCK))} is ${kind} that is not a lock of cdk8s-falco-audit, which keeps its lock at that name while it replaces the folder; move it away`,
      ),
      'nothing was written: out still holds the previous output, unchanged.',
    );
    expect(tree(dir, true)).toEqual(before);
  });

  test("a user's own .out.lock (the name the lock had before) is left alone", () => {
    writeFiles(dir, { ...INPUTS, '.out.lock': 'mine\n' });
    const before = outside(tree(dir, true), 'out');
    const r = run();
    expect(r.status).toBe(0);
    expect(outside(tree(dir, true), 'out')).toEqual(before);
  });
});

describe('--plan-json: where the plan really lands, every link resolved, also a dangling one', () => {
  test.each([
    [
      'a dangling link to a folder of the output not written yet (pj -> out/cluster)',
      'pj/plan.json',
      [['pj', 'out/cluster']],
      'out/cluster/plan.json',
    ],
    [
      'a chain of links, the last dangling (pj -> a -> out)',
      'pj/plan.json',
      [
        ['pj', 'a'],
        ['a', 'out'],
      ],
      'out/plan.json',
    ],
    ['the plan file a dangling link into the output (plan.json -> out/plan.json)', 'plan.json', [['plan.json', 'out/plan.json']], 'out/plan.json'],
    ['an absolute dangling link', 'pj/plan.json', [['pj', '<dir>/out/node']], 'out/node/plan.json'],
  ])('%s: refused before anything is written', (_name, planJson, links, lands) => {
    const d = fs.realpathSync(dir);
    writeFiles(d, INPUTS);
    for (const [at, to] of links) fs.symlinkSync(to.replace('<dir>', d), path.join(d, at));
    const before = tree(d, true);
    expectRefused(
      run(['synth', '--plan-json', planJson]),
      new RegExp(
        `^error: --plan-json ${esc(planJson)} is inside the output folder out \\(it leads to ${esc(path.join(d, lands))}\\), which Argo CD may read whole`,
      ),
      'nothing was written: out does not exist and was not created.',
    );
    expect(tree(d, true)).toEqual(before);
  });

  test('the same link once the output exists (no longer dangling) is refused too, the previous output unchanged', () => {
    writeFiles(dir, INPUTS);
    expect(run().status).toBe(0);
    fs.symlinkSync('out/cluster', path.join(dir, 'pj'));
    const before = tree(dir, true);
    expectRefused(
      run(['synth', '--plan-json', 'pj/plan.json']),
      /--plan-json pj\/plan\.json is inside the output folder out \(it leads to .*out\/cluster\/plan\.json\)/,
      'nothing was written: out still holds the previous output, unchanged.',
    );
    expect(tree(dir, true)).toEqual(before);
  });

  test('a loop of links on the way: a clear error before anything is written', () => {
    const d = fs.realpathSync(dir);
    writeFiles(d, INPUTS);
    fs.symlinkSync('pj', path.join(d, 'pj'));
    const before = tree(d, true);
    expectRefused(
      run(['synth', '--plan-json', 'pj/plan.json']),
      new RegExp(`^error: --plan-json pj/plan\\.json: ${esc(path.join(d, 'pj'))} is a symbolic link in a loop of them`),
    );
    expect(tree(d, true)).toEqual(before);
  });

  test('a link to a folder outside the output: the plan is written there', () => {
    writeFiles(dir, { ...INPUTS, 'plans/keep.txt': 'mine\n' });
    fs.symlinkSync('plans', path.join(dir, 'pj'));
    const r = run(['synth', '--plan-json', 'pj/plan.json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plans', 'plan.json'), 'utf8')).clusters).toHaveLength(1);
  });

  test("a link to a missing folder outside the output: refused before anything is written (the folder is the user's to make)", () => {
    const d = fs.realpathSync(dir);
    writeFiles(d, INPUTS);
    fs.symlinkSync('plans', path.join(d, 'pj'));
    const before = tree(d, true);
    expectRefused(
      run(['synth', '--plan-json', 'pj/plan.json']),
      new RegExp(
        `^error: --plan-json pj/plan\\.json: ${esc(path.join(d, 'pj'))} is a symbolic link to plans, which does not exist; create that folder`,
      ),
      'nothing was written: out does not exist and was not created.',
    );
    expect(tree(d, true)).toEqual(before);
  });
});

describe('a failed run says exactly what it left: "as it was" only when it is', () => {
  const BROKEN = CONFIG.replace('  clusterIP: 10.96.0.100', '  clusterIP: 10.96.0.100\n  releaseNme: x');
  const OLD_LOCK = `cdk8s-falco-audit swap lock, process 9999999\n`;

  test.each([
    ['no output folder', () => undefined, 'out does not exist and was not created'],
    ['an empty folder', (d: string) => fs.mkdirSync(path.join(d, 'out')), 'out is empty, as it was'],
    [
      'the previous output',
      (d: string) => expect(run([], 'out').status === 0 || d === '').toBe(true),
      'out still holds the previous output, unchanged',
    ],
    ['a file', (d: string) => writeFiles(d, { out: 'mine\n' }), 'out is not a folder and was left as it is'],
    ["someone else's folder", (d: string) => writeFiles(d, { 'out/notes.md': 'mine\n' }), 'out was left as it was'],
    [
      'a link to a missing folder',
      (d: string) => fs.symlinkSync('gone', path.join(d, 'out')),
      'out is a symbolic link to gone, which does not exist, and nothing was created',
    ],
    ['a link in a loop', (d: string) => fs.symlinkSync('out', path.join(d, 'out')), 'out is a symbolic link in a loop and was left as it is'],
  ])('a config error, with %s', (_name, setup, state) => {
    writeFiles(dir, INPUTS);
    setup(dir);
    writeFiles(dir, { 'falco-audit.yaml': BROKEN });
    const before = tree(dir, true);
    expectRefused(run(), /falco-audit\.yaml:\d+: falco\.releaseNme: unknown key "releaseNme"/, `nothing was written: ${state}.`);
    expect(tree(dir, true)).toEqual(before);
  });

  test("a killed run's lock taken over, then someone else's folder refused: the lock's removal is said", () => {
    writeFiles(dir, { ...INPUTS, 'out/notes.md': 'mine\n', [`${LOCK}/owner`]: OLD_LOCK });
    const before = tree(dir, true);
    expectRefused(
      run(),
      /holds notes\.md, which cdk8s-falco-audit did not write/,
      `the output was not written, but this run removed the lock a killed run had left (${LOCK}): out was left as it was.`,
    );
    delete before[LOCK];
    delete before[`${LOCK}/owner`];
    expect(tree(dir, true)).toEqual(before);
  });

  test("a killed run's lock and a folder an interrupted run moved aside: both said, and the folder is back", () => {
    writeFiles(dir, { ...INPUTS, '.out.old-1/notes.md': 'mine\n', [`${LOCK}/owner`]: OLD_LOCK });
    expectRefused(
      run(),
      /holds notes\.md, which cdk8s-falco-audit did not write/,
      `the output was not written, but this run removed the lock a killed run had left (${LOCK}), and put back out, which an interrupted run ` +
        'had moved aside to .out.old-1: out holds what it held before that run.',
    );
    expect(tree(path.join(dir, 'out'))).toEqual({ 'notes.md': 'mine\n' });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('leftovers removed, then the swap failed (an immutable output folder): the removal is said, the output unchanged', () => {
    writeFiles(dir, INPUTS);
    expect(run().status).toBe(0);
    writeFiles(dir, { '.out.old-7-0a1b2c3d/cluster/a.yaml': 'a: 0\n' });
    const out = path.join(dir, 'out');
    // chattr +i needs root (CAP_LINUX_IMMUTABLE) and a file system that has the flag (ext4, xfs, btrfs)
    const chattr = spawnSync('chattr', ['+i', out], { encoding: 'utf8' });
    if (chattr.status !== 0) {
      console.warn(`skipped the immutable folder case: chattr +i failed (${(chattr.stderr || chattr.error?.message || '').trim()})`);
      return;
    }
    try {
      const before = tree(dir, true);
      expectRefused(
        run(),
        /^error: cannot write the output to out: EPERM: operation not permitted, rename/,
        'the output was not written, but this run removed the leftovers of interrupted runs beside it (.out.old-7-0a1b2c3d): out still holds the previous output, unchanged.',
      );
      for (const gone of ['.out.old-7-0a1b2c3d', '.out.old-7-0a1b2c3d/cluster', '.out.old-7-0a1b2c3d/cluster/a.yaml']) delete before[gone];
      expect(tree(dir, true)).toEqual(before);
    } finally {
      spawnSync('chattr', ['-i', out]);
    }
  });
});
