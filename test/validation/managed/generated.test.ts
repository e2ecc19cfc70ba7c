/*
 * schemas/managed is what scripts/gen-managed-schemas.js makes from ../shared/reference/managed, byte for byte; its
 * validators need no ajv; the generator fails clearly without its input; and the validators work from the files a
 * packed install has (package.json "files").
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCE = path.resolve(ROOT, '..', 'shared', 'reference', 'managed');
const SCRIPT = path.join(ROOT, 'scripts', 'gen-managed-schemas.js');
const present = fs.existsSync(path.join(SOURCE, 'README.md'));
if (!present) console.warn(`generated.test.ts: regeneration check skipped, ${SOURCE} is missing`);

/** Every file under `dir`, relative, sorted. */
function listing(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listing(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]))
    .sort();
}

(present ? test : test.skip)(
  'schemas/managed is current and regenerates byte for byte',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-managed-'));
    try {
      execFileSync(process.execPath, [SCRIPT, SOURCE], { env: { ...process.env, SCHEMAS_OUT_DIR: out }, stdio: 'pipe' });
      const committed = listing(path.join(ROOT, 'schemas', 'managed'));
      expect(listing(path.join(out, 'managed'))).toEqual(committed);
      for (const file of committed) {
        const same = fs.readFileSync(path.join(out, 'managed', file)).equals(fs.readFileSync(path.join(ROOT, 'schemas', 'managed', file)));
        expect({ file, same }).toEqual({ file, same: true });
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  60000,
);

test('the validators run without ajv: no require() in the generated code', () => {
  for (const f of listing(path.join(ROOT, 'schemas', 'managed')).filter((f) => f.endsWith('.js'))) {
    expect({ f, requires: fs.readFileSync(path.join(ROOT, 'schemas', 'managed', f), 'utf8').includes('require(') }).toEqual({ f, requires: false });
  }
});

test('the generator with a missing input says what is missing and exits 1', () => {
  const r = spawnSync(process.execPath, [SCRIPT, '/nonexistent/input'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('gen-managed-schemas: /nonexistent/input');
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

const BUILT = path.join(ROOT, 'build', 'lib', 'validation', 'managed', 'index.js');
if (!fs.existsSync(BUILT)) console.warn('generated.test.ts: the packed-install check needs npm run build first; skipped');

(fs.existsSync(BUILT) ? test : test.skip)(
  'a packed install has schemas/managed, and the validators run from it',
  () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    const managed = listing(path.join(ROOT, 'schemas', 'managed')).map((f) => path.posix.join('schemas', 'managed', f.split(path.sep).join('/')));
    expect(managed.filter((f) => !files.includes(f))).toEqual([]);
    // the installed layout: only the packed files, under node_modules/<name>
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'managed-packed-'));
    try {
      const pkg = path.join(dir, 'node_modules', 'cdk8s-falco-audit');
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(pkg, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
      }
      const script = [
        `const m = require(${JSON.stringify(path.join(pkg, 'build', 'lib', 'validation', 'managed', 'index.js'))});`,
        `const bad = m.validatePluginInitConfig('k8saudit-aks', '0.6.0', { max_event_size: 1 }).map((v) => v.rule);`,
        `const ok = m.validateLoggingLogSink({ apiVersion: 'logging.cnrm.cloud.google.com/v1beta1', kind: 'LoggingLogSink', metadata: { name: 's1' }, spec: { destination: {} } }, { forFalco: false }).map((v) => v.rule);`,
        `const overlay = m.gkeOverlay('0.9.0').text.length;`,
        `console.log(JSON.stringify({ bad, ok, overlay }));`,
      ].join('\n');
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' }));
      expect(out.bad).toContain('plugin.unknown-key');
      expect(out.ok).toEqual(['schema.one-of']);
      expect(out.overlay).toBeGreaterThan(1000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  120000,
);
