/**
 * The docs are part of the product: every fenced block of README.md and docs/ is run, synthesized, compiled or compared
 * with what the code produces, except a short list of blocks that cannot run here, each with its reason; every
 * output a documented command writes is ignored by git; generated sections are what their generators write; the
 * versions the prose names are the ones the code pins; and every relative link resolves.
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { USAGE } from '../lib/app/cli';
import { allBlocks, Block, commandsOf, docFiles, ROOT } from './doc-blocks';
import { listFiles } from './app/run';

jest.setTimeout(180_000);

const blocks = allBlocks();
const text = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const where = (b: Block) => `${b.file}:${b.line}`;

/** Commands another test runs exactly as written (it holds its copy to the docs' block). */
const RUN_ELSEWHERE: Record<string, string> = {
  'npm pack': 'test/consumer/consumer.test.ts',
  'npm install ./cdk8s-falco-audit-0.1.0.tgz': 'test/consumer/consumer.test.ts',
  'npx cdk8s-falco-audit --help': 'test/consumer/consumer.test.ts',
  'npm install ./cdk8s-falco-audit-0.1.0.tgz cdk8s-plus-25': 'test/consumer/consumer.test.ts',
  'npm install --save-dev typescript@5 ts-node @types/node@20': 'test/consumer/consumer.test.ts',
  'npx ts-node main.ts': 'test/consumer/consumer.test.ts',
};

/** Commands that cannot run inside the test suite, and why. */
const CANNOT_RUN: Record<string, string> = {
  'npm ci && npm run synth':
    'the set-up itself: it reinstalls node_modules and rebuilds build/ under the running tests; .ci/run and a fresh clone run it, ' +
    'and test/app/app.test.ts holds the committed dist/ it writes to a fresh synth',
  'npm test': 'the test suite itself; test/readme.test.ts checks that .ci/run runs exactly it',
  'BENCH_RUNS=3 npm run bench': 'minutes long, and needs ../shared and a helm binary; bench is a package.json script (checked below)',
};

/** Commands whose documented outcome is not exit 0. */
const EXPECTED_STATUS: Record<string, number> = {
  // diff exits 1 when the files differ, which is what the docs show
  'diff examples/modern/kube-apiserver.yaml dist-modern/node/kube-apiserver.yaml': 1,
};

/** Blocks that are neither commands nor config, checked otherwise (or not at all), and why. */
function otherBlock(b: Block): string | undefined {
  if (b.lang === 'mermaid') return 'a picture of the flow';
  if (b.lang === 'yaml' && /^kind: Application$/m.test(b.text)) {
    // an Argo CD object: it needs Argo CD to apply; it must at least point at the folder the synth writes
    const app = yaml.load(b.text) as any;
    expect({ at: where(b), path: app.spec.source.path }).toEqual({ at: where(b), path: 'dist/cluster' });
    return 'an Argo CD Application, checked to parse and to point at dist/cluster';
  }
  return undefined;
}

const isConfig = (b: Block) => b.lang === 'yaml' && /^(apiServer|clusters|kubernetesVersion):/m.test(b.text);

/**
 * A folder that looks like the repository to a documented command: its inputs, scripts, bin and build, linked. Its
 * path is fixed per checkout: `npx cdk8s-falco-audit` installs the folder's own package into npm's npx cache under a
 * key made from the path, so a new path every run would leave a new entry there every run.
 */
function sandbox(): string {
  const dir = path.join(os.tmpdir(), `cdk8s-falco-audit-docs-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  for (const entry of ['bin', 'scripts', 'node_modules', 'package.json', 'examples', 'falco-audit.yaml', 'cdk8s.yaml']) {
    fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  }
  // a folder of its own, so cdk8s-cli's scratch folder is made here; the built app linked into it
  fs.mkdirSync(path.join(dir, 'build'));
  for (const entry of fs.readdirSync(path.join(ROOT, 'build'))) {
    if (entry !== 'cdk8s-scratch') fs.symlinkSync(path.join(ROOT, 'build', entry), path.join(dir, 'build', entry));
  }
  return dir;
}

describe('every fenced block of README.md and docs/', () => {
  let box: string;
  /** What each run command printed, by file, in order. */
  const runs: { file: string; command: string; status: number | null; out: string }[] = [];

  beforeAll(() => {
    box = sandbox();
    for (const b of blocks.filter((x) => x.lang === 'sh')) {
      for (const command of commandsOf(b)) {
        if (command in RUN_ELSEWHERE || command in CANNOT_RUN) continue;
        const r = spawnSync('/bin/sh', ['-c', command], {
          cwd: box,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK8S_CHECK_UPGRADE: 'false', npm_config_update_notifier: 'false' },
          encoding: 'utf8',
        });
        runs.push({ file: b.file, command, status: r.status, out: `${r.stdout}${r.stderr}` });
      }
    }
  });

  afterAll(() => {
    if (box) fs.rmSync(box, { recursive: true, force: true });
  });

  test('every block has a language', () => {
    expect(blocks.filter((b) => b.lang === '').map(where)).toEqual([]);
  });

  test('every command runs as documented (the ones that cannot, or run in another test, are listed with a reason)', () => {
    expect(runs.length).toBeGreaterThan(5);
    for (const r of runs) {
      const expected = EXPECTED_STATUS[r.command] ?? 0;
      // the output's last lines, to see why when the status is not the documented one
      const tail = r.status === expected ? '' : r.out.split('\n').slice(-8).join('\n');
      expect({ command: r.command, status: r.status, tail }).toEqual({ command: r.command, status: expected, tail: '' });
      expect(r.out).not.toMatch(/^error/m);
    }
  });

  test('the listed exceptions are all still documented, and the other tests still run theirs', () => {
    const documented = new Set(blocks.filter((b) => b.lang === 'sh').flatMap(commandsOf));
    for (const c of [...Object.keys(RUN_ELSEWHERE), ...Object.keys(CANNOT_RUN), ...Object.keys(EXPECTED_STATUS)]) {
      expect({ c, documented: documented.has(c) }).toEqual({ c, documented: true });
    }
    for (const [c, test] of Object.entries(RUN_ELSEWHERE)) expect({ c, inTest: text(test).includes(`'${c}'`) }).toEqual({ c, inTest: true });
    const scripts = JSON.parse(text('package.json')).scripts;
    expect(scripts.bench).toBeDefined();
  });

  test('every output a documented command writes is ignored by git (dist/ itself is committed)', () => {
    const outputs = runs.flatMap((r) => [...r.command.matchAll(/--(?:output|plan-json)[ =](\S+)/g)].map((m) => m[1]));
    expect(outputs.length).toBeGreaterThan(3);
    for (const out of outputs.filter((o) => o !== 'dist')) {
      const ignored = spawnSync('git', ['check-ignore', '-q', out], { cwd: ROOT }).status === 0;
      expect({ out, ignored }).toEqual({ out, ignored: true });
    }
    // and nothing else appeared in the sandbox
    const made = fs.readdirSync(box).filter((e) => !fs.lstatSync(path.join(box, e)).isSymbolicLink() && e !== 'build');
    for (const e of made)
      expect({ e, ignored: spawnSync('git', ['check-ignore', '-q', e], { cwd: ROOT }).status === 0 || e === 'dist' }).toEqual({ e, ignored: true });
  });

  test('every config block is a synthesized config, word for word', () => {
    const configs = [
      path.join(ROOT, 'falco-audit.yaml'),
      ...fs.readdirSync(path.join(ROOT, 'examples')).map((d) => path.join(ROOT, 'examples', d, 'falco-audit.yaml')),
    ]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f, 'utf8'));
    const found = blocks.filter(isConfig);
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const b of found) expect({ at: where(b), isConfig: configs.includes(b.text) }).toEqual({ at: where(b), isConfig: true });
  });

  test('every output tree is what the synth wrote, and every plan excerpt what it printed', () => {
    for (const b of blocks.filter((x) => x.lang === 'text')) {
      const first = b.text.split('\n')[0];
      if (first.startsWith('Usage: ')) {
        expect(USAGE.split('\n')[0]).toBe(first);
      } else if (/^[\w.-]+\/$/.test(first)) {
        const root = first.slice(0, -1);
        // dist/ is the committed output of the default example; any other folder a documented command wrote
        const listed = treeFiles(b.text);
        expect({ at: where(b), files: listed }).toEqual({ at: where(b), files: listFiles(path.join(root === 'dist' ? ROOT : box, root)) });
      } else {
        const printed = runs.filter((r) => r.file === b.file).map((r) => r.out);
        expect({ at: where(b), printed: printed.some((o) => o.includes(b.text)) }).toEqual({ at: where(b), printed: true });
      }
    }
  });

  test('no other kind of block', () => {
    const checked = (b: Block) => b.lang === 'sh' || b.lang === 'ts' || b.lang === 'text' || isConfig(b) || otherBlock(b) !== undefined;
    expect(blocks.filter((b) => !checked(b)).map((b) => `${where(b)} (${b.lang})`)).toEqual([]);
  });
});

/** The files of a drawn tree (`├── name`, indented by `│   `), as sorted paths relative to its root. */
function treeFiles(tree: string): string[] {
  const files: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n').slice(1)) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    if (m[2].endsWith('/')) stack.push(m[2].slice(0, -1));
    else files.push([...stack, m[2]].join('/'));
  }
  return files.sort();
}

test('the TypeScript blocks compile against the library', () => {
  const ts = blocks.filter((b) => b.lang === 'ts');
  expect(ts.length).toBeGreaterThanOrEqual(3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-ts-'));
  try {
    const files = ts.map((b, i) => {
      const file = path.join(dir, `block${i}.ts`);
      fs.writeFileSync(file, b.text);
      return file;
    });
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2020',
          module: 'commonjs',
          strict: true,
          noEmit: true,
          esModuleInterop: true,
          // as the project's own tsconfig: lib/ reads its data files (supported-kubernetes.json) as JSON modules
          resolveJsonModule: true,
          skipLibCheck: true,
          baseUrl: ROOT,
          paths: { 'cdk8s-falco-audit': ['lib/index.ts'], '*': ['node_modules/*', 'node_modules/@types/*'] },
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files,
      }),
    );
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  } catch (err: any) {
    throw new Error(`a TypeScript block does not compile:\n${err.stdout ?? err.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the library guide shows examples/library/main.ts word for word', () => {
  const file = text(path.join('examples', 'library', 'main.ts'));
  expect(blocks.filter((b) => b.file === path.join('docs', 'library.md') && b.lang === 'ts').map((b) => b.text)).toContain(file);
});

describe('generated sections are what their generators write', () => {
  const { differencesSection, falcoReleasesSection, sectionOf, RELEASES_DOC } = require(path.join(ROOT, 'scripts', 'update-docs.js'));
  const releases = fs.readFileSync(RELEASES_DOC, 'utf8');

  test('the deliberate differences, from lib/falco/differences.ts', () => {
    expect(sectionOf(releases, 'differences')).toBe(differencesSection().trim());
  });

  test('the Falco release table, from lib/falco/falco-releases.ts', () => {
    expect(sectionOf(releases, 'falco-releases')).toBe(falcoReleasesSection().trim());
  });
});

/**
 * The pins have one source, lib/falco/falco-releases.ts (and the vendored chart): the release table is generated from
 * it, and every version the prose and examples name by hand must be one the code pins, so a new release or pin cannot
 * leave a stale one behind.
 */
describe("the docs' hand-written pins are the code's", () => {
  const { FALCO_RELEASES, CHART_9_APP_VERSION, CHART_9_VERSION, parseFalcoctlRef, requiredPluginApi } = require(path.join(ROOT, 'lib'));
  const releases: any[] = FALCO_RELEASES;
  const docs = docFiles().map(text).join('\n');
  const all = (re: RegExp) => [...docs.matchAll(re)];

  test('every falcoctl image tag and every fully pinned k8saudit ref is one some release pins', () => {
    const images = new Set(releases.map((r) => r.falcoctlImage).filter(Boolean));
    const refs = new Set(releases.flatMap((r) => r.defaultRefs ?? []));
    const named = all(/falcoctl:(\d+\.\d+\.\d+)/g).map((m) => `docker.io/falcosecurity/falcoctl:${m[1]}`);
    const pinned = all(/\b(k8saudit(?:-rules)?:\d+\.\d+\.\d+)\b/g).map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(pinned.length).toBeGreaterThan(0);
    expect(named.filter((i) => !images.has(i))).toEqual([]);
    expect(pinned.filter((r) => !refs.has(r))).toEqual([]);
  });

  test('every Falco version an example runs is a release the table knows', () => {
    const latest = new Set(releases.map((r) => r.latest));
    const versions = all(/(?:version: "|tag: '|FalcoVersion\.of\(')(0\.\d+\.\d+)/g).map((m) => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.filter((v) => !latest.has(v))).toEqual([]);
  });

  test("the chart's appVersion and version are the vendored chart's", () => {
    const appVersions = new Set(all(/appVersion (\d+\.\d+\.\d+)/g).map((m) => m[1]));
    expect([...appVersions]).toEqual([CHART_9_APP_VERSION]);
    const chartVersions = new Set(all(/falcosecurity\/falco@?\s?(\d+\.\d+\.\d+)/g).map((m) => m[1]));
    expect([...chartVersions]).toEqual([CHART_9_VERSION]);
  });

  test('the plugin API example is what the table and the ref rules say', () => {
    const m = /`(k8saudit:[\d.]+)` on Falco (0\.\d+), which provides ([\d.]+); k8saudit 0\.16\+ needs ([\d.]+)/.exec(docs.replace(/\n\s*/g, ' '));
    expect(m).not.toBeNull();
    const [, ref, minor, provides, needs] = m!;
    expect(releases.find((r) => `0.${r.minor}` === minor).pluginApi).toBe(provides);
    expect(requiredPluginApi(parseFalcoctlRef(ref))).toBe(needs);
  });
});

/** Links whose target another change adds (issue 22: the generated list of the API server rules checked). */
const PENDING_LINKS: Record<string, string> = {};

test('every relative link resolves, anchors included', () => {
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const anchorsOf = (file: string) => new Set([...text(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
  const broken: string[] = [];
  for (const file of [...docFiles(), 'CONTRIBUTING.md']) {
    const body = text(file).replace(/```[\s\S]*?```/g, '');
    for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [rel, anchor] = target.split('#');
      const dest = rel === '' ? file : path.normalize(path.join(path.dirname(file), rel));
      if (dest in PENDING_LINKS) continue;
      if (!fs.existsSync(path.join(ROOT, dest))) broken.push(`${file}: ${target} (no ${dest})`);
      else if (anchor && dest.endsWith('.md') && !anchorsOf(dest).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
    }
  }
  expect(broken).toEqual([]);
  for (const pending of Object.keys(PENDING_LINKS)) expect(docFiles().map(text).join('\n')).toContain(path.basename(pending));
});
