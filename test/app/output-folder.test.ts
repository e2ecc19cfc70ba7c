/**
 * The output folder, through the real app process: a folder that is or holds the inputs, a file, someone else's
 * folder, a mount point are refused (exit 1, one message naming the folder, nothing touched anywhere); the tool's
 * own output is replaced, also behind a symbolic link, and leftovers of a killed run never block or linger.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, MAIN, ROOT, listFiles, runApp, scratch, writeFiles } from './run';

const MARKER = '.cdk8s-falco-audit';
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

/** Everything under `root` without following links: path -> `dir`, `link -> target` or the file's sha256. */
function tree(root: string): Record<string, string> {
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
      } else out[r] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk('');
  return out;
}

/** `tree` without the entries at or under `folder` (relative to `root`). */
function outside(t: Record<string, string>, folder: string): Record<string, string> {
  return Object.fromEntries(Object.entries(t).filter(([p]) => p !== folder && !p.startsWith(folder + path.sep)));
}

let expected: Record<string, string> | undefined;
/** The output the default example's config writes, from a run into a folder of its own. */
function expectedOutput(): Record<string, string> {
  if (expected) return expected;
  const ref = scratch();
  try {
    writeFiles(ref, INPUTS);
    const r = runApp({ cwd: ref, outdir: 'out', config: 'falco-audit.yaml' });
    if (r.status !== 0) throw new Error(`reference run failed: ${r.stderr}`);
    expected = tree(path.join(ref, 'out'));
    return expected;
  } finally {
    fs.rmSync(ref, { recursive: true, force: true });
  }
}

function expectRefused(r: { status: number | null; stdout: string; stderr: string }, message: RegExp) {
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 1,
    stderr: expect.stringMatching(/^error: [^\n]*\nnothing was written: [^\n]*\.\n$/),
  });
  expect(r.stderr).toMatch(message);
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
    writeFiles(dir, { ...INPUTS, '.out.lock/pid': pid });
    if (ageMs) {
      const old = (Date.now() - ageMs) / 1000;
      fs.utimesSync(path.join(dir, '.out.lock'), old, old);
    }
    const started = Date.now();
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000); // not the 30 s a live lock is waited for
    expect(fs.existsSync(path.join(dir, '.out.lock'))).toBe(false);
    expect(tree(path.join(dir, 'out'))).toEqual(expectedOutput());
  });

  test('killed between its two renames (no out/, an .out.old-*): the next run puts the old folder back first', () => {
    // The old folder holds a file the tool did not write: the run restores it, then refuses to replace it.
    writeFiles(dir, { ...INPUTS, '.out.old-1/notes.md': 'mine\n', '.out.staging-1-00ff00ff/cluster/half.yaml': 'hal' });
    const r = runApp({ cwd: dir, config: 'falco-audit.yaml', outdir: 'out' });
    expectRefused(r, /output folder "out" \(.*\) holds notes\.md, which cdk8s-falco-audit did not write/);
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
      expect(left.every((f) => /^\.out\.(old|staging)-\d+-[0-9a-f]+$/.test(f) || f === '.out.lock')).toBe(true);
      const next = run();
      expect(next.status).toBe(0);
      expect(tree(path.join(dir, 'out'))).toEqual(expected);
      expect(fs.readdirSync(dir).sort()).toEqual([...Object.keys(INPUTS), 'out'].sort());
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 60_000);
});
