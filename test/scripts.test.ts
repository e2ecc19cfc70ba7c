/** The dev scripts that read ../shared say what is missing and exit 1, instead of a raw ENOENT trace. */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

test.each(['gen-imports', 'copy-fixtures', 'gen-chart-values', 'gen-falco-schemas', 'gen-schemas'])('%s with a missing input', (script) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', `${script}.js`), '/nonexistent/input'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${script}: /nonexistent/input`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
