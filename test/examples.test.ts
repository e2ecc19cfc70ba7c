/**
 * Examples that run as written: every config under examples/ synthesizes (exit 0, no error) through the app process,
 * every config block of the README is one of them word for word, and the README's table of prop names and config keys
 * is what the app maps.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configField } from '../lib/app/run-app';
import { EXAMPLES, listFiles, ROOT, runApp, scratch } from './app/run';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const configs = fs
  .readdirSync(EXAMPLES)
  .filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'falco-audit.yaml')))
  .sort();

test('the examples with a config are the documented ones', () => {
  expect(configs).toEqual(['falco-chart', 'fleet', 'modern', 'reference-dynamic', 'reference-webhook']);
});

test.each(configs)('examples/%s synthesizes', (name) => {
  const out = scratch();
  try {
    const r = runApp({ cwd: path.join(EXAMPLES, name), config: 'falco-audit.yaml', outdir: path.join(out, 'dist') });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    expect(listFiles(path.join(out, 'dist')).some((f) => f.endsWith('kube-apiserver.yaml'))).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('every config block of the README is an examples/ file, word for word', () => {
  const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^(apiServer|clusters|kubernetesVersion):/m.test(b));
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  const files = configs.map((d) => fs.readFileSync(path.join(EXAMPLES, d, 'falco-audit.yaml'), 'utf8'));
  for (const block of blocks)
    expect({ block: block.slice(0, 80), isExample: files.includes(block) }).toEqual({ block: block.slice(0, 80), isExample: true });
});

test("the README's table of prop names and config keys is the app's mapping", () => {
  const table = README.slice(README.indexOf('<!-- prop-keys:start -->'), README.indexOf('<!-- prop-keys:end -->'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `') && !l.includes('FalcoAudit'));
  expect(rows.length).toBeGreaterThan(5);
  const names = (cell: string) => [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  for (const row of rows) {
    const [, props, keys] = row.split('|');
    const [p, k] = [names(props), names(keys)];
    // the manifest and the policy are objects in the library and files/names in the config: not renamed paths
    if (p[0] === 'apiServerManifest' || p[0] === 'webhook.policy') continue;
    expect(p.length).toBe(k.length);
    p.forEach((prop, i) => expect(`${prop} -> ${configField(prop)}`).toBe(`${prop} -> ${k[i]}`));
  }
});
