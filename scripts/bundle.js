#!/usr/bin/env node
/*
 * npm run bundle: the app as one file, build/app.js (esbuild, from tsc's build/main.js), so a synth resolves no
 * modules. The bundle is wrapped in a function that gets its `require` from outside: node's own in a plain run,
 * and in a run from the startup snapshot (lib/app/snapshot.ts) a loader that can read the per-minor validators,
 * which a snapshot's own `require` cannot (it serves built-in modules only). The same file is the snapshot's entry
 * (bin/build-snapshot.js), where `module` and `exports` do not exist.
 * Two things keep the bundle small, which matters most to the snapshot (its heap holds the bundle's source, and a
 * run's start-up time grows with the heap): whitespace and syntax are minified (names are kept, so a stack trace of
 * an internal error still reads), and the `yaml` package, which cdk8s needs only for App.synth(), Include and Yaml
 * (cdk8s lib/yaml.js), is left out: the app renders its YAML with js-yaml (lib/yaml.ts) and never calls those.
 */
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const LOADER = 'Symbol.for("cdk8s-falco-audit.load")';

/** `require("yaml")` from cdk8s: a module whose every function says it is not part of the app. */
const withoutYamlPackage = {
  name: 'without-yaml-package',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, (args) =>
      /[\\/]node_modules[\\/]cdk8s[\\/]/.test(args.importer) ? { path: 'yaml', namespace: 'not-bundled' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'not-bundled' }, () => ({
      loader: 'js',
      contents:
        'const unavailable = () => { throw new Error("the yaml package is not bundled into the cdk8s-falco-audit app: cdk8s App.synth(), Include and Yaml are not available in it"); };\n' +
        'module.exports = { __esModule: true, parse: unavailable, parseAllDocuments: unavailable, stringify: unavailable };\n',
    }));
  },
};

esbuild
  .build({
    entryPoints: [path.join(root, 'build', 'main.js')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: path.join(root, 'build', 'app.js'),
    logLevel: 'warning',
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [withoutYamlPackage],
    define: { PACKAGE_VERSION: JSON.stringify(require(path.join(root, 'package.json')).version) },
    banner: { js: '(function (require, module, exports) {' },
    footer: {
      js:
        `})(function (id) { var load = globalThis[${LOADER}]; return load ? load(id, require) : require(id); }, ` +
        'typeof module === "object" ? module : { exports: {} }, typeof exports === "object" ? exports : {});',
    },
  })
  .catch(() => process.exit(1));
