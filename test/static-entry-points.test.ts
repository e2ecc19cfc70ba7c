import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  FalcoAudit,
  FalcoChart,
  FalcoValues,
  KubernetesVersion,
  loadFalcoValuesFile,
  OUTPUT_MARKER,
  OutputFolder,
  renderOutput,
  StaticPodManifest,
  UserError,
} from '../lib';

/**
 * The static forms of the free functions other languages than TypeScript need (jsii has no free functions): reading
 * a values file and writing the output folder. They do what the functions do, on real files.
 */
const EXAMPLES = path.join(__dirname, '..', 'examples');

describe('FalcoValues', () => {
  test('fromFile reads either chart, detected from the keys, as loadFalcoValuesFile does', () => {
    const stable = FalcoValues.fromFile(path.join(EXAMPLES, 'modern', 'values.yaml'));
    expect(stable).toEqual(loadFalcoValuesFile(path.join(EXAMPLES, 'modern', 'values.yaml')));
    expect(stable.chart).toBe(FalcoChart.STABLE_FALCO_1_1_1);
    const chart = FalcoValues.fromFile(path.join(EXAMPLES, 'falco-chart', 'values-k8saudit.yaml'), { shownAs: 'values-k8saudit.yaml' });
    expect(chart).toMatchObject({ chart: FalcoChart.FALCOSECURITY_FALCO_9_1_0, detected: true });
    expect(FalcoValues.detectChart(chart.values)).toBe(FalcoChart.FALCOSECURITY_FALCO_9_1_0);
    expect(FalcoValues.detectChart({ image: { tag: '0.44.1' } })).toBe(FalcoChart.STABLE_FALCO_1_1_1);
  });

  test('a bad key is a UserError at the file, line and key, named as shownAs says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-values-'));
    const file = path.join(dir, 'values.yaml');
    fs.writeFileSync(file, 'image:\n  tag: 0.44.1\nfalco:\n  jsonOutptu: true\n');
    let error: unknown;
    try {
      FalcoValues.fromFile(file, { shownAs: 'values.yaml', kubernetesVersion: KubernetesVersion.of('1.30') });
    } catch (err) {
      error = err;
    }
    expect(UserError.isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^values\.yaml:4: falco\.jsonOutptu: unknown key .*did you mean "falco\.jsonOutput"/);
  });

  test('a stated chart is read as that chart', () => {
    const loaded = FalcoValues.fromFile(path.join(EXAMPLES, 'modern', 'values.yaml'), { chart: FalcoChart.STABLE_FALCO_1_1_1 });
    expect(loaded).toMatchObject({ chart: FalcoChart.STABLE_FALCO_1_1_1, detected: false });
  });
});

describe('OutputFolder', () => {
  const build = () => {
    const chart = new Chart(Testing.app(), 'test');
    new FalcoAudit(chart, 'FalcoAudit', {
      apiServerManifest: StaticPodManifest.fromFile(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'kube-apiserver.yaml'),
      falco: { clusterIP: '10.96.0.100' },
    });
    return chart;
  };

  test('render lists what renderOutput lists: cluster/ objects and node/ files, under the prefix', () => {
    const chart = build();
    const files = OutputFolder.render(chart, 'lab');
    expect(files).toEqual(renderOutput(chart, 'lab'));
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['lab/cluster/auditsink-falco.yaml', 'lab/node/kube-apiserver.yaml']));
    expect(files.every((f) => f.path.startsWith(`lab/${OutputFolder.CLUSTER_DIR}/`) || f.path.startsWith(`lab/${OutputFolder.NODE_DIR}/`))).toBe(
      true,
    );
  });

  test('write puts exactly those files and the marker in the folder', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'output-folder-')), 'dist');
    const files = OutputFolder.render(build());
    OutputFolder.write(outdir, files);
    const written = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? written(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    expect(written(outdir).sort()).toEqual([OutputFolder.MARKER, ...files.map((f) => f.path)].sort());
    expect(OutputFolder.MARKER).toBe(OUTPUT_MARKER);
    for (const f of files) expect(fs.readFileSync(path.join(outdir, f.path), 'utf8')).toBe(f.content);
  });
});
