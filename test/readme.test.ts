/**
 * The README is part of the product: its library example must compile against the real API, its commands must be
 * the ones CI runs, and its list of deliberate differences must be the one the code and the parity tests use.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function codeBlocks(lang: string): string[] {
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  return [...README.matchAll(re)].map((m) => m[1]);
}

test('the TypeScript examples compile against the library', () => {
  const blocks = codeBlocks('ts');
  expect(blocks.length).toBeGreaterThan(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-ts-'));
  try {
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `example${i}.ts`);
      fs.writeFileSync(file, code);
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
    throw new Error(`README example does not compile:\n${err.stdout ?? err.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('set-up: two commands, and .ci/run runs exactly the README test command', () => {
  const setup = codeBlocks('sh')[0];
  const commands = setup
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  expect(commands).toEqual(['npm ci && npm run synth', 'npm test']);
  const ci = fs
    .readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  expect(ci).toContain('npm test');
});

test('the deliberate differences section is generated from lib/falco/differences.ts', () => {
  const { differencesSection } = require(path.join(ROOT, 'scripts', 'update-readme.js'));
  const start = README.indexOf('<!-- differences:start');
  const end = README.indexOf('<!-- differences:end -->');
  const section = README.slice(README.indexOf('\n', start) + 1, end).trim();
  expect(section).toBe(differencesSection().trim());
});

test('the Falco release table is generated from lib/falco/falco-releases.ts', () => {
  const { falcoReleasesSection } = require(path.join(ROOT, 'scripts', 'update-readme.js'));
  const start = README.indexOf('<!-- falco-releases:start');
  const end = README.indexOf('<!-- falco-releases:end -->');
  const section = README.slice(README.indexOf('\n', start) + 1, end).trim();
  expect(section).toBe(falcoReleasesSection().trim());
});

test('the library example is examples/library/main.ts, word for word', () => {
  const file = fs.readFileSync(path.join(ROOT, 'examples', 'library', 'main.ts'), 'utf8');
  expect(codeBlocks('ts')).toContain(file);
});

/**
 * The pins have one source, lib/falco/falco-releases.ts (and the vendored chart): the README's release table is
 * generated from it, and every version the prose and examples name by hand must be one the code pins, so a new
 * release or pin cannot leave a stale one behind.
 */
describe("the README's hand-written pins are the code's", () => {
  const { FALCO_RELEASES, CHART_9_APP_VERSION, CHART_9_VERSION, parseFalcoctlRef, requiredPluginApi } = require(path.join(ROOT, 'lib'));
  const releases: any[] = FALCO_RELEASES;
  const all = (re: RegExp) => [...README.matchAll(re)];

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
    expect(all(/appVersion (\d+\.\d+\.\d+)/g).map((m) => m[1])).toEqual([CHART_9_APP_VERSION]);
    const chartVersions = new Set(all(/falcosecurity\/falco@?\s?(\d+\.\d+\.\d+)/g).map((m) => m[1]));
    expect([...chartVersions]).toEqual([CHART_9_VERSION]);
  });

  test('the plugin API example is what the table and the ref rules say', () => {
    const m = /`(k8saudit:[\d.]+)` on Falco (0\.\d+), which provides ([\d.]+); k8saudit 0\.16\+ needs ([\d.]+)/.exec(README.replace(/\n\s*/g, ' '));
    expect(m).not.toBeNull();
    const [, ref, minor, provides, needs] = m!;
    expect(releases.find((r) => `0.${r.minor}` === minor).pluginApi).toBe(provides);
    expect(requiredPluginApi(parseFalcoctlRef(ref))).toBe(needs);
  });
});
