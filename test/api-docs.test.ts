/**
 * API.md is the API reference jsii-docgen makes of the jsii assembly (scripts/gen-api-docs.js, `npm run docs:api`):
 * a change to the public API that does not regenerate it fails here.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

test('API.md is what npm run docs:api writes from the current public API', async () => {
  const { apiMarkdown } = require(path.join(ROOT, 'scripts', 'gen-api-docs.js'));
  const generated: string = await apiMarkdown();
  const committed = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
  // every class lib/index.ts exports has its section
  expect(generated).toContain('### FalcoAudit <a name="FalcoAudit" id="cdk8s-falco-audit.FalcoAudit">');
  // stale: run `npm run docs:api` and commit API.md
  expect({ fresh: committed === generated }).toEqual({ fresh: true });
}, 180_000);
