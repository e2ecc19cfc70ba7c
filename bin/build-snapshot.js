#!/usr/bin/env node
/*
 * Builds the app's V8 startup snapshot (lib/app/snapshot.ts) into build/snapshot/: app.blob; v8-flags, the V8 flags
 * it was made with and must run with; and node, a link to the node binary that made it. bin/cdk8s-falco-audit.sh runs the blob only with that very binary (a blob is tied to
 * the node and V8 that made it: another one refuses it, exit 14), and the plain bundle otherwise. `npm run build`
 * runs this with --if-possible (no snapshot is no error: everything works without it, only slower); in an installed
 * package, `node node_modules/cdk8s-falco-audit/bin/build-snapshot.js` makes one (the package ships none).
 * Usage: node bin/build-snapshot.js [--if-possible]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'build', 'app.js');
const dir = path.join(root, 'build', 'snapshot');
const blob = path.join(dir, 'app.blob');
const link = path.join(dir, 'node');
const flagsFile = path.join(dir, 'v8-flags');

/**
 * V8 flags the blob is made and run with (a blob runs only with the flags it was made with: V8 checks a hash of
 * them), written to build/snapshot/v8-flags for the launcher. They keep a fleet's memory down: every cluster's
 * objects are garbage once its files are staged, and with node's defaults (16 MB semi-spaces, an old generation
 * that may grow 4x past what survived the last full GC) a 1,000-cluster run peaked at ~155 MB RSS for ~15 MB live;
 * with these, ~120 MB, at the same speed (4 MB semi-spaces: ~100 MB, but ~0.3 s slower). A single cluster never
 * fills 8 MB of young generation.
 */
const FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=50'];

/**
 * The config the snapshot's build synthesizes, so that a run starts with the code it calls compiled and the
 * validators of its Kubernetes minor loaded: the project's own falco-audit.yaml, the config a synth reads by
 * default (none in an installed package: its snapshot holds the initialised modules only). Each further config
 * would add its minor's validators to the heap, which every start then pays to load.
 */
function warmUps() {
  return ['falco-audit.yaml'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
}

function build() {
  if (!fs.existsSync(bundle)) throw new Error(`${path.relative(root, bundle)} is missing (npm run build makes it)`);
  const v8 = require('v8');
  if (typeof (v8.startupSnapshot && v8.startupSnapshot.isBuildingSnapshot) !== 'function') {
    throw new Error(`node ${process.version} cannot build a startup snapshot`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.app.blob.${process.pid}`);
  // NODE_OPTIONS may hold V8 flags, which a blob must be run with too; the launcher runs it without any
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  try {
    // --no-warnings: node says it has not verified every built-in module in snapshots (vm, child_process); the
    // tests compare the snapshot's output with the plain bundle's, file by file
    const args = ['--no-warnings', ...FLAGS, '--snapshot-blob', tmp, '--build-snapshot', bundle, ...warmUps().flatMap((c) => ['--warm-up', c])];
    const made = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`node --build-snapshot failed (exit ${made.status}): ${(made.stderr || String(made.error)).trim()}`);
    const check = spawnSync(process.execPath, [...FLAGS, '--snapshot-blob', tmp, '--', '--version'], { cwd: root, env, encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error(`the new snapshot does not start (exit ${check.status}): ${(check.stderr || String(check.error)).trim()}`);
    for (const note of made.stderr.split('\n').filter((l) => l.startsWith('note: '))) console.error(note);
    // The launcher takes the blob only beside a link to the running node: the old link goes first, the new one
    // comes last, so it never pairs a blob with a binary that did not make it.
    fs.rmSync(link, { force: true });
    fs.writeFileSync(flagsFile, `${FLAGS.join(' ')}\n`);
    fs.renameSync(tmp, blob);
    fs.symlinkSync(process.execPath, link);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

try {
  build();
  console.log(`startup snapshot: ${path.relative(process.cwd(), blob) || blob} (node ${process.version})`);
} catch (err) {
  // no half state: without the link the launcher never tries a blob
  for (const file of [link, blob]) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // not there to remove (build/snapshot is no folder, say)
    }
  }
  const message = `startup snapshot not built: ${err.message}; bin/cdk8s-falco-audit.sh runs the plain bundle instead`;
  if (!process.argv.includes('--if-possible')) {
    console.error(`error: ${message}`);
    process.exit(1);
  }
  console.error(`note: ${message}`);
}
