import * as fs from 'fs';
import * as path from 'path';
import { KubernetesVersion } from '../lib/core/kubernetes-version';

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
