#!/usr/bin/env node
/*
 * npm run build: compiles the app into build/ (tsc), bundles it (scripts/bundle.js) and makes its startup snapshot
 * (bin/build-snapshot.js --if-possible), then records what it was made from in build/.inputs.json.
 * With --if-needed (`npm run synth`, `npm pack`) it builds only when that record differs from the sources as they are
 * now, or an output is missing or was changed since; a fresh clone has no build/ and builds. --dry-run (with
 * --if-needed) only says whether a build is needed, and why.
 *
 * What the build reads, and so what is recorded: tsc reads tsconfig.json, main.ts, lib/ and imports/ (and the type
 * packages in node_modules); the bundle reads node_modules and package.json (its version); the snapshot runs the
 * bundle and reads schemas/ (the validators it loads, and the indexes whose files it checks at every start) with
 * this node, the only one that can load it; the build scripts themselves. node_modules is represented by npm's own
 * record of it, node_modules/.package-lock.json, which every `npm ci` and `npm install` rewrites. Not recorded:
 * falco-audit.yaml and the files it names, which the snapshot's build synthesizes once only to start warm (a run
 * with any config gives the same output with or without it), so editing the config does not cost a rebuild.
 *
 * Usage: node scripts/build.js [--if-needed [--dry-run]]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { snapshotInputs, differenceOf, readRecord, writeRecord } = require('./build-inputs');

const root = path.resolve(__dirname, '..');
const RECORD = path.join(root, 'build', '.inputs.json');
const INPUTS = [
  'tsconfig.json',
  'main.ts',
  'lib',
  'imports',
  'schemas',
  'package.json',
  'node_modules/.package-lock.json',
  'scripts/build.js',
  'scripts/build-inputs.js',
  'scripts/bundle.js',
  'bin/build-snapshot.js',
];
/** What the build makes that a synth or a consumer uses; the snapshot only when the build could make one. */
const OUTPUTS = ['build/app.js', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/snapshot/app.blob', 'build/snapshot/v8-flags'];

/** Why build/ must be (re)made, or undefined when it is current. */
function staleness() {
  const record = readRecord(RECORD);
  const inputs = differenceOf(record && record.inputs, snapshotInputs(root, INPUTS));
  if (inputs) return inputs;
  const outputs = differenceOf(record.outputs, snapshotInputs(root, OUTPUTS));
  return outputs && `build output: ${outputs}`;
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
}

function build() {
  // taken before the build starts: a source edited while it runs makes the next --if-needed build again
  const inputs = snapshotInputs(root, INPUTS);
  fs.rmSync(path.join(root, 'build'), { recursive: true, force: true });
  run([require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.json']);
  run([path.join('scripts', 'bundle.js')]);
  run([path.join('bin', 'build-snapshot.js'), '--if-possible']);
  writeRecord(RECORD, { inputs, outputs: snapshotInputs(root, OUTPUTS) });
}

function main(args) {
  if (!args.includes('--if-needed')) return build();
  const why = staleness();
  if (args.includes('--dry-run')) console.log(why ? `build: needed (${why})` : 'build: up to date');
  else if (why) {
    console.error(`build: rebuilding build/ (${why})`);
    build();
  }
}

module.exports = { INPUTS, OUTPUTS, RECORD };

if (require.main === module) main(process.argv.slice(2));
