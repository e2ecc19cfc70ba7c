#!/usr/bin/env node
/*
 * npm run bundle: the app as one file, build/app.js (esbuild, from tsc's build/main.js), so a synth resolves no
 * modules. The bundle is wrapped in a function that gets its `require` from outside: node's own in a plain run,
 * and in a run from the startup snapshot (lib/app/snapshot.ts) a loader that can read the per-minor validators,
 * which a snapshot's own `require` cannot (it serves built-in modules only). The same file is the snapshot's entry
 * (bin/build-snapshot.js), where `module` and `exports` do not exist.
 */
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const LOADER = 'Symbol.for("cdk8s-falco-audit.load")';

esbuild.buildSync({
  entryPoints: [path.join(root, 'build', 'main.js')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  outfile: path.join(root, 'build', 'app.js'),
  logLevel: 'warning',
  define: { PACKAGE_VERSION: JSON.stringify(require(path.join(root, 'package.json')).version) },
  banner: { js: '(function (require, module, exports) {' },
  footer: {
    js:
      `})(function (id) { var load = globalThis[${LOADER}]; return load ? load(id, require) : require(id); }, ` +
      'typeof module === "object" ? module : { exports: {} }, typeof exports === "object" ? exports : {});',
  },
});
