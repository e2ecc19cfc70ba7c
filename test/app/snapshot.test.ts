/**
 * The fast path, bin/cdk8s-falco-audit.sh started from the V8 startup snapshot `npm run build` makes, against the
 * plain bundle (`node build/app.js`): the same files byte for byte, the same plan and exit code, for each example,
 * a fleet, --plan-json and a bad config; and every way it falls back to the plain bundle (switched off,
 * NODE_OPTIONS, another node, no blob, a stale or moved blob, a snapshot folder that cannot be written), with the
 * same output and no error. FALCO_AUDIT_TRACE_START=1 makes each run say which way it started.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, MAIN, ROOT, scratch, writeFiles } from './run';

const LAUNCHER = path.join(ROOT, 'bin', 'cdk8s-falco-audit.sh');
const SNAPSHOT = path.join(ROOT, 'build', 'snapshot');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  /** How the run started: the launcher's and the snapshot's `start: ...` lines. */
  readonly start: string[];
}

/** Runs a command in its own folder under `dir` (so that the plans, which name the output folder, compare). */
function run(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const cwd = path.join(dir, name);
  fs.mkdirSync(cwd, { recursive: true });
  const r = spawnSync(command, args, { cwd, env: { PATH: process.env.PATH, FALCO_AUDIT_TRACE_START: '1', ...env }, encoding: 'utf8' });
  const lines = r.stderr.split('\n');
  return { status: r.status, stderr: lines.filter((l) => !l.startsWith('start: ')).join('\n'), start: lines.filter((l) => l.startsWith('start: ')) };
}

const fast = (name: string, args: readonly string[], env?: NodeJS.ProcessEnv, launcher = LAUNCHER) => run(name, 'sh', [launcher, ...args], env);
const plain = (name: string, args: readonly string[]) => run(name, process.execPath, [MAIN, ...args]);

/** Every file under `root` (dot files included), as relative path -> sha256 of its bytes. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else
        out[r] = crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(root, r)))
          .digest('hex');
    }
  };
  if (fs.existsSync(root)) walk('');
  return out;
}

/** The fast run and the plain run wrote the same files and printed the same plan, with the same exit code. */
function expectSame(a: Run, aOut: string, b: Run, bOut: string): void {
  expect(a.status).toBe(b.status);
  expect(a.stderr).toBe(b.stderr);
  expect(tree(aOut)).toEqual(tree(bOut));
}

describe('the snapshot npm run build made', () => {
  test('is there, for this node, with the flags it runs with', () => {
    expect(fs.statSync(path.join(SNAPSHOT, 'app.blob')).size).toBeGreaterThan(1_000_000);
    expect(fs.realpathSync(path.join(SNAPSHOT, 'node'))).toBe(fs.realpathSync(process.execPath));
    expect(fs.readFileSync(path.join(SNAPSHOT, 'v8-flags'), 'utf8').trim()).toMatch(/^(--[a-z-]+(=\S+)? ?)+$/);
  });

  test.each([
    ['the default example', path.join(ROOT, 'falco-audit.yaml')],
    ['the modern example (a minor the snapshot was not warmed with)', path.join(EXAMPLES, 'modern', 'falco-audit.yaml')],
    ['the falcosecurity/falco chart example', path.join(EXAMPLES, 'falco-chart', 'falco-audit.yaml')],
  ])('%s: the same files, plan and JSON plan as the plain bundle', (_name, config) => {
    const args = ['synth', '--config', config, '--output', 'out', '--plan-json', 'plan.json'];
    const a = fast('fast', args);
    const b = plain('plain', args);
    expect(a.start).toEqual([`start: snapshot ${ROOT}/bin/../build/snapshot/app.blob`]);
    expect(a.status).toBe(0);
    expectSame(a, path.join(dir, 'fast'), b, path.join(dir, 'plain'));
    expect(Object.keys(tree(path.join(dir, 'fast', 'out')))).toContain('node/kube-apiserver.yaml');
  });

  test('a fleet of two minors, written twice into the same folder (the second run links unchanged files)', () => {
    const cluster = (name: string, example: string, ip: string) => [
      `  - name: ${name}`,
      `    apiServer: {manifest: ${path.join(EXAMPLES, example, 'kube-apiserver.yaml')}}`,
      `    falco: {values: ${path.join(EXAMPLES, example, 'values.yaml')}, clusterIP: ${ip}}`,
    ];
    writeFiles(dir, {
      'fleet.yaml': ['clusters:', ...cluster('old', 'default', '10.96.0.100'), ...cluster('new', 'modern', '10.96.0.101'), ''].join('\n'),
    });
    const args = ['synth', '--config', path.join(dir, 'fleet.yaml'), '--output', 'out'];
    const a = fast('fast', args);
    const b = plain('plain', args);
    expect(a.status).toBe(0);
    expectSame(a, path.join(dir, 'fast'), b, path.join(dir, 'plain'));
    const before = fs.statSync(path.join(dir, 'fast', 'out', 'old', 'node', 'kube-apiserver.yaml')).ino;
    // what an earlier version wrote and this one does not: gone with the replaced output
    writeFiles(path.join(dir, 'fast', 'out'), { 'old/cluster/stale.yaml': 'a: 1\n', 'gone/cluster/x.yaml': 'b: 2\n' });
    const again = fast('fast', args);
    expectSame(again, path.join(dir, 'fast'), b, path.join(dir, 'plain'));
    // the same file, not a copy: nothing freed and allocated again (OutputStaging.add)
    expect(fs.statSync(path.join(dir, 'fast', 'out', 'old', 'node', 'kube-apiserver.yaml')).ino).toBe(before);
    expect(fs.readdirSync(path.join(dir, 'fast')).sort()).toEqual(['out']);
  });

  test('one cluster written over an older output: the files it no longer writes are gone, nothing left beside it', () => {
    const args = ['synth', '--config', path.join(ROOT, 'falco-audit.yaml'), '--output', 'out'];
    expect(fast('fast', args).status).toBe(0);
    writeFiles(path.join(dir, 'fast', 'out'), { 'cluster/stale.yaml': 'a: 1\n', 'node/extra/x.yaml': 'b: 2\n' });
    const a = fast('fast', args);
    const b = plain('plain', args);
    expectSame(a, path.join(dir, 'fast'), b, path.join(dir, 'plain'));
    expect(fs.readdirSync(path.join(dir, 'fast')).sort()).toEqual(['out']);
  });

  test('a config with errors: the same messages and exit code, nothing written', () => {
    writeFiles(dir, { 'bad.yaml': 'apiServer:\n  manifest: missing.yaml\nfalco:\n  clusterIP: 10.96.0.100\n  releaseName: Bad_Name\n' });
    const args = ['synth', '--config', path.join(dir, 'bad.yaml'), '--output', 'out'];
    const a = fast('fast', args);
    const b = plain('plain', args);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/missing\.yaml not found/);
    expectSame(a, path.join(dir, 'fast'), b, path.join(dir, 'plain'));
    expect(fs.existsSync(path.join(dir, 'fast', 'out'))).toBe(false);
  });

  test('--help, --version and a bad option read the same', () => {
    for (const args of [['--help'], ['--version'], ['synth', '--frobnicate']]) {
      const a = fast('fast', args);
      const b = plain('plain', args);
      expect([a.status, a.stderr]).toEqual([b.status, b.stderr]);
      expect(spawnSync('sh', [LAUNCHER, ...args], { encoding: 'utf8' }).stdout).toBe(
        spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' }).stdout,
      );
    }
  });
});

describe('falls back to the plain bundle, with the same output and no error', () => {
  const args = ['synth', '--config', path.join(ROOT, 'falco-audit.yaml'), '--output', 'out'];
  let expected: Run;
  beforeEach(() => {
    expected = plain('plain', args);
    expect(expected.status).toBe(0);
  });
  /** Started plain, for the reason `why` (the launcher's, or the snapshot's own after the launcher's start line). */
  const expectPlain = (r: Run, name: string, why: RegExp) => {
    const last = r.start[r.start.length - 1];
    expect(last).toMatch(/^start: plain /);
    expect(last).toMatch(why);
    expect(r.stderr).not.toMatch(/error|Failed to load/i);
    expectSame(r, path.join(dir, name), expected, path.join(dir, 'plain'));
  };

  test('FALCO_AUDIT_SNAPSHOT=0', () => {
    expectPlain(fast('off', args, { FALCO_AUDIT_SNAPSHOT: '0' }), 'off', /\(FALCO_AUDIT_SNAPSHOT=0\)$/);
  });

  test('NODE_OPTIONS set (a V8 flag there would make node refuse the blob, exit 14)', () => {
    expectPlain(fast('options', args, { NODE_OPTIONS: '--max-old-space-size=512' }), 'options', /\(NODE_OPTIONS is set\)$/);
  });

  test('another node first on PATH (another version, say)', () => {
    // a different file that runs the same node: the blob is not its own, so the launcher does not try it
    writeFiles(dir, { 'other-node/node': `#!/bin/sh\nexec ${process.execPath} "$@"\n` });
    fs.chmodSync(path.join(dir, 'other-node', 'node'), 0o755);
    const r = fast('other', args, { PATH: `${path.join(dir, 'other-node')}:${process.env.PATH}` });
    expectPlain(r, 'other', /was made by another node than .*other-node\/node\)$/);
  });

  /** A copy of what a run needs (bin/, build/app.js, schemas/), as an installed package or another clone has it. */
  function copyOfPackage(name: string): string {
    const copy = path.join(dir, name);
    fs.mkdirSync(path.join(copy, 'build'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
    fs.copyFileSync(MAIN, path.join(copy, 'build', 'app.js'));
    fs.cpSync(path.join(ROOT, 'schemas'), path.join(copy, 'schemas'), { recursive: true });
    return copy;
  }

  test('no snapshot (an installed package ships none)', () => {
    const copy = copyOfPackage('package');
    expectPlain(fast('none', args, {}, path.join(copy, 'bin', 'cdk8s-falco-audit.sh')), 'none', /\(no .*build\/snapshot\/app\.blob\)$/);
  });

  test('a snapshot made in another folder (moved or copied), or from files that changed since', () => {
    const copy = copyOfPackage('clone');
    const launcher = path.join(copy, 'bin', 'cdk8s-falco-audit.sh');
    fs.cpSync(SNAPSHOT, path.join(copy, 'build', 'snapshot'), { recursive: true, verbatimSymlinks: true });
    expectPlain(fast('moved', args, {}, launcher), 'moved', new RegExp(`the snapshot is stale: it was made in ${fs.realpathSync(ROOT)}\\)$`));
    // made in the copy itself: used, until a file it was made from changes
    const built = spawnSync(process.execPath, [path.join(copy, 'bin', 'build-snapshot.js')], { encoding: 'utf8' });
    expect(built.status).toBe(0);
    const used = fast('used', args, {}, launcher);
    expect(used.start).toEqual([`start: snapshot ${copy}/bin/../build/snapshot/app.blob`]);
    expectSame(used, path.join(dir, 'used'), expected, path.join(dir, 'plain'));
    const index = path.join(copy, 'schemas', 'index.json');
    fs.utimesSync(index, new Date(), new Date(Date.now() + 5000));
    expectPlain(fast('stale', args, {}, launcher), 'stale', new RegExp(`stale: ${fs.realpathSync(index).replace(/[.]/g, '\\.')} changed\\)$`));
  }, 30_000);

  test('a snapshot folder that cannot be written: npm run build goes on without one', () => {
    const copy = copyOfPackage('readonly');
    // (as root, a read-only mode does not stop a write: a file where the folder should be does)
    fs.writeFileSync(path.join(copy, 'build', 'snapshot'), 'not a folder\n');
    const optional = spawnSync(process.execPath, [path.join(copy, 'bin', 'build-snapshot.js'), '--if-possible'], { encoding: 'utf8' });
    expect(optional.status).toBe(0);
    expect(optional.stderr).toMatch(/^note: startup snapshot not built: .*; bin\/cdk8s-falco-audit\.sh runs the plain bundle instead\n$/);
    const required = spawnSync(process.execPath, [path.join(copy, 'bin', 'build-snapshot.js')], { encoding: 'utf8' });
    expect(required.status).toBe(1);
    expect(required.stderr).toMatch(/^error: startup snapshot not built: /);
    expectPlain(fast('unwritable', args, {}, path.join(copy, 'bin', 'cdk8s-falco-audit.sh')), 'unwritable', /\(no .*app\.blob\)$/);
  });
});
