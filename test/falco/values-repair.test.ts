/**
 * Every problem of a values file at once (lib/falco/values-repair.ts): with `_problems`, a loader leaves out the key of
 * each problem and checks the rest again, so the checks that need well-formed values run too; the problems go to
 * `_problems` and the checked rest is returned. A problem that follows from what was left out is not reported.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../lib/core/errors';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { loadFalcoValuesFile } from '../../lib/falco';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'values-repair-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function load(text: string) {
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, text);
  const found: UserError[] = [];
  const values = loadFalcoValuesFile(file, 'values.yaml', undefined, { kubernetesVersion: KubernetesVersion.of('1.30.6'), _problems: found })
    .values as any;
  return { values, messages: found.flatMap((e) => e.message.split('\n')) };
}

test('a mistyped key and the API server problems behind it, a key inside a list item among them: all reported, those keys left out', () => {
  const { values, messages } = load(
    'falco:\n  jsonOutput: "true"\n  logLevel: info\nresources:\n  limits: {cpu: 1 core, memory: 1Gi}\ntolerations:\n  - key: a\n    efect: NoSchedule\n',
  );
  expect(messages).toEqual([
    'values.yaml: the values have 3 problems:',
    '  - values.yaml:2: falco.jsonOutput: expected a boolean (true or false), got the string "true"',
    '  - values.yaml:5: resources.limits.cpu: limits.cpu "1 core" is not a quantity such as 100m, 0.5 or 512Mi',
    expect.stringMatching(/^ {2}- values\.yaml:8: tolerations\[0\]\.efect: unknown field "efect"/),
  ]);
  // only the keys the problems name are left out; the rest is as written
  expect(values).toEqual({ falco: { logLevel: 'info' }, resources: { limits: { memory: '1Gi' } }, tolerations: [{ key: 'a' }] });
});

test('a problem that follows from a key left out (a request without the limit left out) is not reported', () => {
  const preset = fs.readFileSync(path.join(__dirname, 'fixtures', 'chart-9.1.0', 'values-k8saudit.yaml'), 'utf8');
  const { messages } = load(`${preset}resources: {limits: {memory: 1Gi, hugepages-2Mi: 3Mi}, requests: {hugepages-2Mi: 3Mi}}\n`);
  expect(messages).toEqual([
    expect.stringMatching(/^values\.yaml:\d+: resources\.limits\.hugepages-2Mi: limits\.hugepages-2Mi "3Mi" is not a positive/),
  ]);
});

test('without _problems the loader throws as before; a clean file reports nothing', () => {
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, 'falco:\n  jsonOutput: "true"\n');
  expect(() => loadFalcoValuesFile(file, 'values.yaml')).toThrow(/^values\.yaml:2: falco\.jsonOutput: expected a boolean/);
  expect(load('falco:\n  jsonOutput: true\n').messages).toEqual([]);
});
