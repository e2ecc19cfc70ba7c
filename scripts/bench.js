#!/usr/bin/env node
/*
 * npm run bench: measures, side by side in one run (median of several runs each):
 *   1. the app's synth of the default example (node build/app.js, one process per run);
 *   2. `cdk8s synth` end to end (the CLI, which runs the app);
 *   3. a 100-cluster fleet in one process, with its peak memory (max RSS);
 *   4. where a helm binary is available (scripts/get-helm.js), `helm template` of a chart doing the same
 *      work as the legacy stable/falco chart: it is built on the fly from the reference render in
 *      ../shared/reference (same objects, release name and namespace templated), as the baseline.
 * Timings are wall-clock on this machine; nothing here asserts a number.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync, execFileSync } = require('child_process');
const { getHelm } = require('./get-helm');

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-bench-'));
const runs = Number(process.env.BENCH_RUNS || 7);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a job once: wall time in ms and the largest max RSS (KiB) its Node processes reported. */
function runOnce(job, i) {
  const rssFile = path.join(work, `rss-${job.label.replace(/\W+/g, '-')}-${i}`);
  const start = process.hrtime.bigint();
  const r = spawnSync(job.command, job.args, {
    cwd: root,
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${path.join(__dirname, 'bench-rss.js')}`, ...job.env },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${job.label} failed (exit ${r.status}):\n${r.stderr}`);
  let peak = 0;
  if (fs.existsSync(rssFile)) {
    for (const line of fs.readFileSync(rssFile, 'utf8').trim().split('\n')) peak = Math.max(peak, Number(line));
  }
  return { ms, peak };
}

/**
 * Runs the jobs `n` times each, interleaved (a, b, a, b, ...) after one discarded warm-up run each, so that load
 * on the machine falls on all of them alike; returns each job's median and min wall time and peak RSS.
 */
function measure(jobs, n) {
  for (const job of jobs) runOnce(job, 'warmup');
  const samples = jobs.map(() => ({ times: [], peak: 0 }));
  for (let i = 0; i < n; i++) {
    jobs.forEach((job, j) => {
      const { ms, peak } = runOnce(job, i);
      samples[j].times.push(ms);
      samples[j].peak = Math.max(samples[j].peak, peak);
    });
  }
  return jobs.map((job, j) => ({ label: job.label, ms: median(samples[j].times), min: Math.min(...samples[j].times), peakMB: samples[j].peak / 1024 }));
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

/** A helm binary (scripts/get-helm.js: $HELM, PATH, or the npm package's, cached in .bench/), or undefined. */
function findHelm() {
  try {
    return getHelm();
  } catch (err) {
    console.error(`${err.message}; the baseline is skipped`);
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
  const app = { label: 'app synth, default example (node build/app.js)', command: process.execPath, args: ['build/app.js'], env: { CDK8S_OUTDIR: path.join(work, 'out-app') } };
  const helm = findHelm();
  const chart = helm && baselineChart();
  const baselineJob = helm && chart
    ? { label: 'helm template, legacy chart baseline', command: helm, args: ['template', 'falco', chart, '--namespace', 'falco'], env: { NODE_OPTIONS: '' } }
    : undefined;
  // the app and its baseline interleaved, so the ratio is fair on a busy machine
  const results = measure(baselineJob ? [app, baselineJob] : [app], runs);
  const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
  results.splice(1, 0, ...measure([{ label: 'cdk8s synth end to end', command: cli, args: ['synth', '--no-check-upgrade', '--output', path.join(work, 'out-cli')] }], Math.max(3, Math.floor(runs / 2))));
  const fleet = fleetConfig(100);
  results.splice(2, 0, ...measure([{ label: '100-cluster fleet, one process', command: process.execPath, args: ['build/app.js'], env: { FALCO_AUDIT_CONFIG: fleet, CDK8S_OUTDIR: path.join(work, 'out-fleet') } }], 3));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nmachine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log('| what | median ms | min ms | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)} | ${r.peakMB ? r.peakMB.toFixed(0) : '-'} |`);
  }
  const appResult = results[0];
  const baseline = results.find((r) => r.label.startsWith('helm'));
  if (baseline) console.log(`\napp synth / helm template = ${(appResult.ms / baseline.ms).toFixed(2)}x (target: within 2x)`);
  else console.log('\nhelm template baseline skipped: no helm binary (set HELM=/path/to/helm) or no ../shared/reference');
  fs.rmSync(work, { recursive: true, force: true });
}

main();
