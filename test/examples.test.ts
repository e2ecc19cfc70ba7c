/**
 * Examples that run as written: every config under examples/ synthesizes (exit 0, no error) through the app process,
 * and the library guide's table of prop names and config keys is what the app maps. (That every config block of the
 * docs is one of these files word for word is test/docs.test.ts's.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { configField } from '../lib/app/run-app';
import { EXAMPLES, listFiles, ROOT, runApp, scratch } from './app/run';

const LIBRARY_GUIDE = fs.readFileSync(path.join(ROOT, 'docs', 'library.md'), 'utf8');
const configs = fs
  .readdirSync(EXAMPLES)
  .filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'falco-audit.yaml')))
  .sort();

/** The examples of the distributions (docs/distributions/<name>.md): each writes its control plane's files, not a manifest. */
const DISTRIBUTIONS = ['cluster-api', 'k0s', 'k3s', 'kind', 'microk8s', 'minikube', 'rke2', 'talos'];

test('the examples with a config are the documented ones', () => {
  expect(configs).toEqual(['falco-chart', 'fleet', 'modern', 'reference-dynamic', 'reference-webhook', ...DISTRIBUTIONS].sort());
  for (const d of DISTRIBUTIONS) expect({ d, page: fs.existsSync(path.join(ROOT, 'docs', 'distributions', `${d}.md`)) }).toEqual({ d, page: true });
});

test.each(configs)('examples/%s synthesizes', (name) => {
  const out = scratch();
  try {
    const r = runApp({ cwd: path.join(EXAMPLES, name), config: 'falco-audit.yaml', outdir: path.join(out, 'dist') });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const written = listFiles(path.join(out, 'dist'));
    if (DISTRIBUTIONS.includes(name)) expect(written.filter((f) => f.startsWith('node/')).length).toBeGreaterThan(0);
    else expect(written.some((f) => f.endsWith('kube-apiserver.yaml'))).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test("the library guide's table of prop names and config keys is the app's mapping", () => {
  const table = LIBRARY_GUIDE.slice(LIBRARY_GUIDE.indexOf('<!-- prop-keys:start -->'), LIBRARY_GUIDE.indexOf('<!-- prop-keys:end -->'));
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
