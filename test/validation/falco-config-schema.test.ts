/*
 * falco.yaml against Falco's own schema of it (config_json_schema.h, vendored by scripts/gen-falco-schemas.js from
 * ../shared/falco-schemas): every plugin-shape render 0.39.2+ is valid for its release, the nearest older schema
 * serves patch releases, and a violation is an error of the output's validation.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FalcoVersion } from '../../lib/falco';
import { falcoSchemaRelease, validateFalcoConfig } from '../../lib/validation/falco-config-validation';
import { synthFalco } from '../falco/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.resolve(ROOT, '..', 'shared', 'falco-schemas');
const present = fs.existsSync(path.join(SOURCE, '0.44.1.json'));
if (!present) {
  console.warn(`falco-config-schema.test.ts: regeneration check skipped, ${SOURCE} is missing`);
}

const v = (text: string) => FalcoVersion.of(text);

describe('which schema applies', () => {
  test.each([
    // the same minor's file (nearest patch at or below, else above); never another minor's
    ['0.38.2', undefined],
    ['0.39.0', '0.39.2'],
    ['0.39.1', '0.39.2'],
    ['0.39.2', '0.39.2'],
    ['0.39.9', '0.39.2'],
    ['0.40.0', '0.40.0'],
    ['0.41.0', '0.41.3'],
    ['0.41.3', '0.41.3'],
    ['0.42.0', '0.42.1'],
    ['0.42.1', '0.42.1'],
    ['0.43.0', '0.43.1'],
    ['0.44.0', '0.44.1'],
    ['0.44.7', '0.44.1'],
  ])('Falco %s -> %s', (falco, schema) => {
    expect(falcoSchemaRelease(v(falco))).toBe(schema);
  });
});

describe('every plugin-shape render is valid for its release', () => {
  const tags = ['0.39.2', '0.40.0', '0.41.0', '0.41.3', '0.42.0', '0.42.1', '0.43.1', '0.44.0', '0.44.1'];
  test.each(tags)('Falco %s (default values, and JSON + HTTP + program output)', (tag) => {
    for (const values of [
      { image: { tag } },
      { image: { tag }, falco: { jsonOutput: true, httpOutput: { enabled: true, url: 'http://sidekick:2801/' }, programOutput: { enabled: true } } },
    ]) {
      const s = synthFalco({ values, k8s: '1.30', service: { clusterIP: '10.96.0.100' } });
      expect(s.falco.validateConfig()).toEqual([]);
    }
  });
});

describe('violations', () => {
  test('plugins_hostinfo is unknown to 0.39.2 (added in 0.40.0), so the release picks the schema', () => {
    const config = { plugins_hostinfo: false, load_plugins: ['k8saudit'] };
    expect(validateFalcoConfig(config, v('0.40.0'), 'falco.yaml')).toEqual([]);
    expect(validateFalcoConfig(config, v('0.39.2'), 'falco.yaml')).toEqual([
      expect.objectContaining({
        path: 'plugins_hostinfo',
        rule: 'falco-schema.unknown-field',
        message: 'unknown field "plugins_hostinfo": not in the Falco 0.39.2 falco.yaml schema',
      }),
    ]);
  });

  test('a mistyped key and an unknown nested key', () => {
    const problems = validateFalcoConfig(
      { json_output: 'yes', webserver: { enabled: true, listen_prot: 8765 } },
      v('0.44.1'),
      'ConfigMap falco: falco.yaml',
    );
    expect(problems.map((p) => `${p.path}: ${p.rule}`)).toEqual([
      'json_output: falco-schema.type',
      'webserver.listen_prot: falco-schema.unknown-field',
    ]);
  });

  test('no schema file for the minor (before 0.39): nothing to check', () => {
    expect(validateFalcoConfig({ anything: 1 }, v('0.38.2'), 'falco.yaml')).toEqual([]);
  });
});

(present ? test : test.skip)('schemas/falco is current and regenerates byte for byte', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-falco-schemas-'));
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-falco-schemas.js'), SOURCE], {
      env: { ...process.env, SCHEMAS_OUT_DIR: out },
      stdio: 'pipe',
    });
    const committed = fs.readdirSync(path.join(ROOT, 'schemas', 'falco')).sort();
    expect(fs.readdirSync(path.join(out, 'falco')).sort()).toEqual(committed);
    for (const file of committed) {
      const same = fs.readFileSync(path.join(out, 'falco', file)).equals(fs.readFileSync(path.join(ROOT, 'schemas', 'falco', file)));
      expect({ file, same }).toEqual({ file, same: true });
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
