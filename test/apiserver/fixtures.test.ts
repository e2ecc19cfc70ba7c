/**
 * The sample manifests under fixtures/ are byte-for-byte copies of ../shared/apiserver-samples, made by
 * scripts/copy-fixtures.js. Reads ../shared only to compare; skipped, with a message, when it is missing.
 */
import * as fs from 'fs';
import * as path from 'path';

const SOURCE = path.resolve(__dirname, '..', '..', '..', 'shared', 'apiserver-samples');
const FIXTURES = path.join(__dirname, 'fixtures');
const present = fs.existsSync(SOURCE);
if (!present) {
  console.warn(`fixtures.test.ts: skipped, ${SOURCE} is missing (cannot compare the copied samples)`);
}

(present ? test : test.skip)('every shared sample is copied unchanged (npm run copy:fixtures)', () => {
  const samples = fs
    .readdirSync(SOURCE)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  expect(samples.length).toBeGreaterThan(0);
  for (const file of samples) {
    const copy = path.join(FIXTURES, file);
    expect({ file, copied: fs.existsSync(copy) && fs.readFileSync(copy).equals(fs.readFileSync(path.join(SOURCE, file))) }).toEqual({
      file,
      copied: true,
    });
  }
});
