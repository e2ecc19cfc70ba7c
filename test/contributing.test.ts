import * as fs from 'fs';
import * as path from 'path';
import { KubernetesVersion } from '../lib/core/kubernetes-version';
import { FALCO_RELEASES } from '../lib/falco/falco-releases';

/** The one data file that lists the supported Kubernetes minors, read by the library and by scripts/gen-schemas.js. */
const SUPPORTED = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'lib', 'core', 'supported-kubernetes.json'), 'utf8'));

describe('supported Kubernetes minors have one source of truth', () => {
  test('KubernetesVersion.SUPPORTED_MINORS spans the data file', () => {
    const minors = KubernetesVersion.SUPPORTED_MINORS;
    expect(minors[0]).toBe(SUPPORTED.oldestMinor);
    expect(minors[minors.length - 1]).toBe(SUPPORTED.newestMinor);
  });

  test('schemas/index.json holds exactly the minors from firstSchemaMinor to newestMinor', () => {
    const index = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'index.json'), 'utf8'));
    const expected = [];
    for (let m = SUPPORTED.firstSchemaMinor; m <= SUPPORTED.newestMinor; m++) expected.push(String(m));
    expect(Object.keys(index.minors).sort((a, b) => Number(a) - Number(b))).toEqual(expected);
  });

  test('scripts/gen-schemas.js reads the data file instead of its own numbers', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'scripts', 'gen-schemas.js'), 'utf8');
    expect(source).toContain("require('../lib/core/supported-kubernetes.json')");
  });
});

const ROOT = path.join(__dirname, '..');
const CONTRIBUTING = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');

/** The packages package.json names: `ipaddr.js` is a package, not a file. */
const PACKAGES = (() => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }));
})();

/** The file paths CONTRIBUTING.md names: backticked words with a `/` or a .ts/.js/.json ending, placeholders left out. */
function namedPaths(text: string): string[] {
  const words = [...text.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(/\s+/));
  return [...new Set(words.filter((w) => (w.includes('/') || /\.(ts|js|json)$/.test(w)) && !/[<>=*]/.test(w) && !PACKAGES.has(w)))];
}

describe('CONTRIBUTING.md names only what exists', () => {
  test('every file path it names is on disk (../shared ones only when ../shared is there)', () => {
    const paths = namedPaths(CONTRIBUTING);
    expect(paths.length).toBeGreaterThan(20);
    const sharedPresent = fs.existsSync(path.join(ROOT, '..', 'shared'));
    const missing = paths.filter((p) => (sharedPresent || !p.startsWith('../shared')) && !fs.existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  test('every `npm run X` it names is a package.json script', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    const named = [...new Set([...CONTRIBUTING.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]))];
    expect(named).toEqual(expect.arrayContaining(['gen:schemas', 'gen:imports', 'gen:config', 'gen:falco-schemas', 'lint', 'format']));
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });
});

describe('schemas/falco/index.json covers the Falco release table', () => {
  /** Falco ships a schema of its configuration from 0.39.0 (userspace/falco/config_json_schema.h). */
  const FIRST_SCHEMA_MINOR = 39;
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'falco', 'index.json'), 'utf8'));

  test('every FALCO_RELEASES row with a schema has its latest patch in the index, with its validator file', () => {
    const withSchema = FALCO_RELEASES.filter((r) => r.minor >= FIRST_SCHEMA_MINOR);
    expect(withSchema.length).toBeGreaterThan(0);
    const missing = withSchema.filter(
      (r) => !index.versions.includes(r.latest) || !fs.existsSync(path.join(ROOT, 'schemas', 'falco', index.files[r.latest] ?? '-')),
    );
    expect(missing.map((r) => r.latest)).toEqual([]);
  });

  test('the index holds no version the release table does not know', () => {
    const latest = FALCO_RELEASES.map((r) => r.latest);
    expect(index.versions.filter((v: string) => !latest.includes(v))).toEqual([]);
  });
});
