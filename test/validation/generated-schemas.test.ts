/*
 * The committed schemas/ must be what scripts/gen-schemas.js makes from ../shared/k8s-schemas, byte for
 * byte (the generator is deterministic). Reads ../shared only to regenerate; skipped, with a message,
 * when it is missing.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.resolve(ROOT, '..', 'shared', 'k8s-schemas');
const present = fs.existsSync(path.join(SOURCE, 'v1.18.0.json'));
if (!present) {
  console.warn(`generated-schemas.test.ts: skipped, ${SOURCE} is missing (cannot regenerate schemas/ to compare)`);
}

(present ? test : test.skip)(
  'schemas/ is current and regenerates byte for byte',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-schemas-'));
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-schemas.js'), SOURCE], {
        env: { ...process.env, SCHEMAS_OUT_DIR: out },
        stdio: 'pipe',
      });
      const validatorFiles = fs.readdirSync(path.join(ROOT, 'schemas', 'validators')).map((f) => `validators/${f}`);
      expect(
        fs
          .readdirSync(path.join(out, 'validators'))
          .map((f) => `validators/${f}`)
          .sort(),
      ).toEqual(validatorFiles.sort());
      for (const file of ['definitions.json', 'index.json', ...validatorFiles]) {
        const fresh = fs.readFileSync(path.join(out, file));
        const committed = fs.readFileSync(path.join(ROOT, 'schemas', file));
        expect({ file, same: fresh.equals(committed) }).toEqual({ file, same: true });
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  20000,
);

test('the validators run without ajv: no require() in the generated code', () => {
  const dir = path.join(ROOT, 'schemas', 'validators');
  for (const f of fs.readdirSync(dir)) {
    expect({ f, requires: fs.readFileSync(path.join(dir, f), 'utf8').includes('require(') }).toEqual({ f, requires: false });
  }
});
