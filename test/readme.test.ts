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
