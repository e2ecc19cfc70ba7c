/**
 * A problem the output checks find in a field of Falco's workload that the values file set is reported at the values
 * line (lib/falco/values-origin.ts): the field's path in the workload leads to its values key, and only when the user's
 * values hold the same value there (the chart's own entries, such as its env, are the tool's).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { StaticPodManifest } from '../../lib/apiserver';
import { FalcoAudit } from '../../lib/falco-audit';
import { loadFalcoValuesFile } from '../../lib/falco';
import { _workloadViolationOrigin } from '../../lib/falco/values-origin';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'values-origin-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function falcoFor(text: string, fromFile = true) {
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, text);
  const values = loadFalcoValuesFile(file, 'values.yaml').values;
  const props = fromFile ? values : JSON.parse(JSON.stringify(values));
  const manifest = StaticPodManifest.fromFile(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'));
  const audit = new FalcoAudit(new Chart(Testing.app(), 't'), 'FalcoAudit', {
    apiServerManifest: manifest,
    falco: { clusterIP: '10.96.0.100', values: props },
  });
  return { falco: audit.falco, values: props };
}

const violation = (source: string, p: string) => ({ source, path: p, rule: 'schema.type', message: 'wrong' });
const VALUES = 'resources:\n  limits: {cpu: 300m}\ntolerations:\n  - key: a\n    operator: Exists\n    effect: NoSchedule\n';

test("a field of the workload the values set: at the values file's line", () => {
  const { falco, values } = falcoFor(VALUES);
  const workload = `${falco.workload.kind} ${falco.workload.name}`;
  expect(_workloadViolationOrigin(falco, values, violation(workload, 'spec.template.spec.tolerations[0].effect'))).toEqual({
    file: 'values.yaml',
    field: 'tolerations[0].effect',
    line: 6,
  });
  expect(_workloadViolationOrigin(falco, values, violation(workload, 'spec.template.spec.containers[0].resources.limits.cpu'))).toMatchObject({
    file: 'values.yaml',
    field: 'resources.limits.cpu',
    line: 2,
  });
});

test("the tool's own fields, other objects and values not read from a file have no values line", () => {
  const { falco, values } = falcoFor(VALUES);
  const workload = `${falco.workload.kind} ${falco.workload.name}`;
  // the chart's default memory limit, merged beside the user's cpu: not the user's
  expect(_workloadViolationOrigin(falco, values, violation(workload, 'spec.template.spec.containers[0].resources.limits.memory'))).toBeUndefined();
  expect(_workloadViolationOrigin(falco, values, violation(workload, 'spec.template.spec.containers[0].image'))).toBeUndefined();
  expect(_workloadViolationOrigin(falco, values, violation('ConfigMap falco', 'data'))).toBeUndefined();
  const inline = falcoFor(VALUES, false);
  expect(_workloadViolationOrigin(inline.falco, inline.values, violation(workload, 'spec.template.spec.tolerations[0].effect'))).toBeUndefined();
});
