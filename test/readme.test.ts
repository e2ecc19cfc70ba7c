/**
 * The README is the front page: short, with the two set-up commands CI runs, the default example's config and the
 * output it writes, a table of what is supported that holds the code's numbers, the library's install line and
 * snippet, and a link to every page of the docs. Its blocks are checked with the docs' (test/docs.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { blocksOf, commandsOf, docFiles, ROOT } from './doc-blocks';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = blocksOf('README.md');

test('under 200 lines', () => {
  expect(README.split('\n').length).toBeLessThan(200);
});

test('set-up: two commands, and .ci/run runs exactly the README test command', () => {
  const setup = blocks.find((b) => b.lang === 'sh')!;
  expect(commandsOf(setup)).toEqual(['npm ci && npm run synth', 'npm test']);
  const ci = fs
    .readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  expect(ci).toContain('npm ci --no-audit --no-fund');
  expect(ci).toContain('npm test');
});

test('the first config is falco-audit.yaml, the one npm run synth reads', () => {
  const config = fs.readFileSync(path.join(ROOT, 'falco-audit.yaml'), 'utf8');
  expect(blocks.filter((b) => b.lang === 'yaml').map((b) => b.text)).toEqual([config]);
  expect(config.split('\n').length).toBeLessThanOrEqual(15);
  expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.synth).toMatch(/sh bin\/cdk8s-falco-audit\.sh synth$/);
});

test("the table of what is supported holds the code's version ranges", () => {
  const supported = require(path.join(ROOT, 'lib', 'core', 'supported-kubernetes.json'));
  const { NEWEST_FALCO_RELEASE } = require(path.join(ROOT, 'lib'));
  const { OLDEST_FALCO_MINOR } = require(path.join(ROOT, 'lib', 'falco', 'falco-version'));
  const { FalcoVersion } = require(path.join(ROOT, 'lib'));
  const rows = README.split('\n').filter((l) => /^\| (Kubernetes|Falco) \d/.test(l));
  expect(rows.map((r) => r.split('|')[1].trim())).toEqual([
    `Kubernetes 1.${supported.oldestMinor}-1.18`,
    `Kubernetes 1.19-1.${supported.newestMinor}`,
    `Falco 0.${OLDEST_FALCO_MINOR}-0.31`,
    `Falco 0.32-0.${NEWEST_FALCO_RELEASE.minor}`,
  ]);
  // 0.31 is the last legacy release, 0.32 the first plugin one
  expect([FalcoVersion.of('0.31.1').shape, FalcoVersion.of('0.32.0').shape]).toEqual(['legacy', 'plugin']);
});

test("the library snippet is the library guide's", () => {
  const guide = blocksOf(path.join('docs', 'library.md'));
  const snippet = blocks.find((b) => b.lang === 'ts')!;
  expect(snippet.text.split('\n').length).toBeLessThanOrEqual(12);
  expect(guide.find((b) => b.lang === 'ts')!.text).toBe(snippet.text);
  expect(commandsOf(blocks.find((b) => b.lang === 'sh' && b.text.includes('npm pack'))!)).toEqual(
    commandsOf(guide.find((b) => b.lang === 'sh')!).slice(0, 2),
  );
});

test('it links every page of the docs, API.md and CONTRIBUTING.md', () => {
  const pages = docFiles().filter((f) => f !== 'README.md' && !f.includes(`${path.sep}internals${path.sep}`));
  for (const page of [...pages, 'API.md', 'CONTRIBUTING.md']) expect({ page, linked: README.includes(`](${page})`) }).toEqual({ page, linked: true });
});
