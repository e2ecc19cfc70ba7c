/**
 * The command: its arguments, `--help` and `--version`, the JSON plan, and what a failed synth leaves behind, through
 * the bin and through the real `cdk8s synth` with the project's cdk8s.yaml: the previous output stays, and the
 * message says so.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from '../../lib/app/cli';
import { EXAMPLES, listFiles, ROOT, scratch, writeFiles } from './run';
import { PlanMessageCode } from '../../lib/core/plan-message';

const BIN = path.join(ROOT, 'bin', 'cdk8s-falco-audit.js');
const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

describe('parseArgs', () => {
  test.each([
    [[], { kind: 'synth' }],
    [['synth'], { kind: 'synth' }],
    [
      ['synth', '--config', 'a.yaml', '--output=out', '--plan-json', 'p.json'],
      { kind: 'synth', config: 'a.yaml', output: 'out', planJson: 'p.json' },
    ],
    [['--output', 'dist'], { kind: 'synth', output: 'dist' }],
    [['--help'], { kind: 'help' }],
    [['synth', '-h'], { kind: 'help' }],
    [['--version'], { kind: 'version' }],
    [['deploy'], { kind: 'error', message: 'unknown command "deploy"; the command is synth (see --help)' }],
    [['synth', '--out', 'x'], { kind: 'error', message: 'unknown option "--out" (see --help)' }],
    [['synth', '--config'], { kind: 'error', message: '--config needs a value, e.g. --config falco-audit.yaml' }],
    [['synth', '--output', '--config', 'x'], { kind: 'error', message: '--output needs a value, e.g. --output dist' }],
    [['synth', '--output', 'a', '--output', 'b'], { kind: 'error', message: '--output is given twice' }],
  ])('%j', (args, expected) => {
    expect(parseArgs(args)).toEqual(expected);
  });
});

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The default example's inputs in `dir`, as a user's repository would hold them. */
function project(config = 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100}\n'): void {
  writeFiles(dir, {
    'falco-audit.yaml': config,
    'kube-apiserver.yaml': fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8'),
    'values.yaml': fs.readFileSync(path.join(EXAMPLES, 'default', 'values.yaml'), 'utf8'),
  });
}
const BROKEN = 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100, releaseNme: x}\n';

function bin(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH }, encoding: 'utf8' });
}

/** A snapshot of every file under `sub` (path -> content). */
function tree(sub: string): Record<string, string> {
  const base = path.join(dir, sub);
  return Object.fromEntries(listFiles(base).map((f) => [f, fs.readFileSync(path.join(base, f), 'utf8')]));
}

describe('the bin', () => {
  test('--help and --version', () => {
    const help = bin(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: cdk8s-falco-audit synth [--config FILE] [--output DIR] [--plan-json FILE]');
    const version = bin(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  test('a bad argument: exit 1, a message, no stack', () => {
    const r = bin(['synth', '--frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: unknown option "--frobnicate" (see --help)\n');
  });

  test('a missing config names FALCO_AUDIT_CONFIG and --config', () => {
    const r = bin(['synth']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: falco-audit.yaml: config file not found; run where falco-audit.yaml is, or name the file with --config FILE (or FALCO_AUDIT_CONFIG=FILE)',
    );
  });

  test('synth writes --output; a failed synth leaves it as it was and says so', () => {
    project();
    expect(bin(['synth', '--output', 'out']).status).toBe(0);
    const before = tree('out');
    expect(Object.keys(before)).toContain('cluster/auditsink-falco.yaml');
    project(BROKEN);
    const r = bin(['synth', '--output', 'out']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('falco-audit.yaml:2: falco.releaseNme: unknown key "releaseNme"');
    expect(r.stderr).toContain('nothing was written: out still holds the previous output, unchanged.\n');
    expect(tree('out')).toEqual(before);
  });

  test('the first failed synth of a fresh clone creates nothing and says so', () => {
    project(BROKEN);
    const r = bin(['synth', '--output', 'out']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing was written: out does not exist and was not created.\n');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('--plan-json writes the plan as data beside the output, never inside it', () => {
    project();
    const r = bin(['synth', '--output', 'out', '--plan-json', 'plan/plan.json']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan', 'plan.json'), 'utf8'));
    expect(plan.clusters).toHaveLength(1);
    expect(plan.clusters[0]).toMatchObject({ kubernetesVersion: '1.18.20', backend: 'dynamic', auditTarget: 'http://10.96.0.100:8765/k8s-audit' });
    expect(plan.clusters[0].apiServer.flagsAdded.map((f: any) => f.flag)).toContain('audit-dynamic-configuration');
    expect(plan.clusters[0].files).toContain('out/cluster/auditsink-falco.yaml');
    const inside = bin(['synth', '--output', 'out', '--plan-json', 'out/plan.json']);
    expect(inside.status).toBe(1);
    expect(inside.stderr).toContain('--plan-json out/plan.json is inside the output folder out, which Argo CD may read whole');
    expect(fs.existsSync(path.join(dir, 'out', 'plan.json'))).toBe(false);
  });
});

describe('the JSON plan is the plan: every warning and note stderr shows, each with its code', () => {
  test('--plan-json - writes the JSON to stdout (and no file named -), the plan for people to stderr', () => {
    project();
    const r = bin(['synth', '--output', 'out', '--plan-json', '-']);
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dir, '-'))).toBe(false);
    const plan = JSON.parse(r.stdout);
    expect(plan.clusters[0]).toMatchObject({ kubernetesVersion: '1.18.20', backend: 'dynamic' });
    expect(r.stderr).toMatch(/^Kubernetes 1\.18\.20, dynamic audit backend/);
    expect(r.stderr).not.toContain('"clusters"');
    // the plain-HTTP warning stderr shows is in the JSON, with its code
    expect(plan.clusters[0].warnings).toContainEqual({
      code: 'plain-http-audit',
      message: expect.stringMatching(/^audit events go to Falco over plain HTTP \(http:\/\/10\.96\.0\.100:8765\/k8s-audit\)/),
    });
  });

  /** Each cluster's lines of the plan for people (a fleet's clusters start with "cluster <name>: "). */
  function clusterTexts(stderr: string, names: readonly (string | null)[]): string[] {
    if (names.length === 1) return [stderr];
    return names.map((n, i) => {
      const start = stderr.indexOf(`cluster ${n}: Kubernetes`);
      const next = i + 1 < names.length ? stderr.indexOf(`cluster ${names[i + 1]}: Kubernetes`) : stderr.length;
      return stderr.slice(start, next);
    });
  }
  const linesOf = (text: string, kind: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`  ${kind}: `))
      .map((l) => l.slice(kind.length + 4));

  const examples = fs.readdirSync(EXAMPLES).filter((e) => fs.existsSync(path.join(EXAMPLES, e, 'falco-audit.yaml')));
  test.each(examples)('examples/%s: the --plan-json warnings and notes equal the stderr ones, each with a code of PlanMessageCode', (example) => {
    const r = bin(['synth', '--config', path.join(EXAMPLES, example, 'falco-audit.yaml'), '--output', 'out', '--plan-json', '-']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    const texts = clusterTexts(
      r.stderr,
      plan.clusters.map((c: any) => c.name),
    );
    plan.clusters.forEach((c: any, i: number) => {
      expect(c.warnings.map((w: any) => w.message)).toEqual(linesOf(texts[i], 'warning'));
      expect(c.notes.map((n: any) => n.message)).toEqual(linesOf(texts[i], 'note'));
      for (const m of [...c.warnings, ...c.notes]) expect(Object.values(PlanMessageCode)).toContain(m.code);
    });
  });
});

describe('--plan-json never overwrites what it must not', () => {
  test.each([
    ['falco-audit.yaml', 'is the config file'],
    ['kube-apiserver.yaml', 'is the kube-apiserver manifest'],
    ['values.yaml', 'is the Falco values file'],
    ['out/..plan.json', 'is inside the output folder out'],
  ])('--plan-json %s is refused before anything is written', (target, message) => {
    project();
    const before = fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : '']);
    const r = bin(['synth', '--output', 'out', '--plan-json', target]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(
      fs
        .readdirSync(dir)
        .sort()
        .map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : '']),
    ).toEqual(before);
  });

  test('through a link to the output folder', () => {
    project();
    expect(bin(['synth', '--output', 'out']).status).toBe(0);
    fs.symlinkSync('out', path.join(dir, 'outlink'));
    const r = bin(['synth', '--output', 'out', '--plan-json', 'outlink/plan.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is inside the output folder out');
    expect(fs.existsSync(path.join(dir, 'out', 'plan.json'))).toBe(false);
  });

  test('a place the plan cannot be written is refused before the output is replaced', () => {
    project();
    const r = bin(['synth', '--output', 'out', '--plan-json', 'values.yaml/plan.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not a folder the plan can be written in');
    expect(r.stderr).toContain('nothing was written: out does not exist and was not created.');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('the real cdk8s synth with the project cdk8s.yaml', () => {
  /** cdk8s.yaml as the project has it, with the app's path made absolute (the bundle lives in the repository). */
  function cdk8sYaml(): void {
    const text = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
    expect(text).toMatch(/^app: sh bin\/cdk8s-falco-audit\.sh synth --output dist$/m);
    expect(text).toMatch(/^output: build\/cdk8s-scratch$/m);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), text.replace('sh bin/', `sh ${ROOT}/bin/`));
  }
  const synth = () =>
    spawnSync(process.execPath, [CDK8S, 'synth'], { cwd: dir, env: { PATH: process.env.PATH, CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8' });

  test('a config error after a good synth: dist/ is exactly the previous output, the message true', () => {
    project();
    cdk8sYaml();
    const ok = synth();
    expect(ok.status).toBe(0);
    const before = tree('dist');
    expect(Object.keys(before)).toContain('node/kube-apiserver.yaml');
    project(BROKEN);
    const bad = synth();
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('nothing was written: dist still holds the previous output, unchanged.');
    expect(tree('dist')).toEqual(before);
  }, 30_000);

  test('cdk8s synth --output DIR (another folder than the scratch one) writes the output there', () => {
    project();
    cdk8sYaml();
    const r = spawnSync(process.execPath, [CDK8S, 'synth', '--output', 'elsewhere/dist'], {
      cwd: dir,
      env: { PATH: process.env.PATH, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(listFiles(path.join(dir, 'elsewhere', 'dist'))).toContain('cluster/auditsink-falco.yaml');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  }, 30_000);

  test('cdk8s synth --output dist (the real folder): the message says cdk8s-cli deleted it, and how to restore it', () => {
    project(BROKEN);
    cdk8sYaml();
    const r = spawnSync(process.execPath, [CDK8S, 'synth', '--output', 'dist'], {
      cwd: dir,
      env: { PATH: process.env.PATH, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      '(cdk8s synth deleted dist itself before it started the app, because its --output names the output folder; restore it with git checkout -- dist',
    );
  }, 30_000);
});

test('runs side by side on one output folder: every run succeeds, and one whole output is left', async () => {
  project();
  const { spawn } = await import('child_process');
  const runOnce = () =>
    new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'synth', '--output', 'out'], { cwd: dir, env: { PATH: process.env.PATH }, stdio: 'ignore' });
      p.on('exit', (code) => resolve(code ?? -1));
    });
  const codes = await Promise.all(Array.from({ length: 6 }, runOnce));
  expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
  expect(listFiles(path.join(dir, 'out'))).toContain('cluster/auditsink-falco.yaml');
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('.out.'))).toEqual([]);
}, 60_000);
