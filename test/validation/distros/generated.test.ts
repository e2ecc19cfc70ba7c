/*
 * The committed schemas/distros/ and test/validation/distros/upstream/ must be what scripts/gen-distro-schemas.js makes
 * from ../shared/reference/distros, byte for byte (the generator is deterministic). Reads ../shared only to regenerate;
 * skipped, with a message, when it is missing.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCE = path.resolve(ROOT, '..', 'shared', 'reference', 'distros');
const OUTPUTS = ['schemas/distros', 'test/validation/distros/upstream'];
const present = fs.existsSync(path.join(SOURCE, 'README.md'));
if (!present) {
  console.warn(`generated.test.ts: skipped, ${SOURCE} is missing (cannot regenerate schemas/distros/ to compare)`);
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

(present ? test : test.skip)(
  'schemas/distros/ and the upstream examples are current and regenerate byte for byte',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-distros-'));
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-distro-schemas.js'), SOURCE], {
        env: { ...process.env, DISTROS_OUT_ROOT: out },
        stdio: 'pipe',
      });
      for (const dir of OUTPUTS) {
        const committed = filesUnder(path.join(ROOT, dir));
        expect({ dir, files: filesUnder(path.join(out, dir)) }).toEqual({ dir, files: committed });
        for (const file of committed) {
          const same = fs.readFileSync(path.join(out, dir, file)).equals(fs.readFileSync(path.join(ROOT, dir, file)));
          expect({ file: `${dir}/${file}`, same }).toEqual({ file: `${dir}/${file}`, same: true });
        }
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  30000,
);

test('the distribution validators run without ajv: no require() in the generated code', () => {
  const dir = path.join(ROOT, 'schemas', 'distros');
  const validators = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
  expect(validators.length).toBeGreaterThanOrEqual(9);
  for (const f of validators) {
    expect({ f, requires: fs.readFileSync(path.join(dir, f), 'utf8').includes('require(') }).toEqual({ f, requires: false });
  }
});

test('gen-distro-schemas with a missing input says what is missing and exits 1, without a stack trace', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-distro-schemas.js'), '/nonexistent/input'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('gen-distro-schemas: /nonexistent/input not found');
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
