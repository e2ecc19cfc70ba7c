#!/usr/bin/env node
/*
 * npm run docs:api: API.md, the API reference, generated from the jsii assembly by jsii-docgen (the Construct Hub
 * convention: the same pages Construct Hub shows for a published construct library). The assembly is the one
 * `npm run jsii:check` compiles and keeps in build/jsii/ (npm test runs it before the tests); when it is missing or
 * older than lib/ this runs jsii:check first. test/api-docs.test.ts fails when API.md is not what this writes.
 *
 * Usage: node scripts/gen-api-docs.js [--output FILE]   (default: API.md)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { snapshotInputs, differenceOf, readRecord } = require('./build-inputs');
const { ASSEMBLY_INPUTS, ASSEMBLY_DIR } = require('./jsii-check');

const root = path.resolve(__dirname, '..');
// jsii's libraries warn on every start on Node 20 (out of their support window); the output is the same
const QUIET = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };

/** The assembly in build/jsii/, compiled again when it is missing or its sources changed since. */
function currentAssembly() {
  const why = differenceOf(readRecord(path.join(ASSEMBLY_DIR, '.inputs.json')), snapshotInputs(root, ASSEMBLY_INPUTS));
  if (why) {
    console.error(`docs:api: compiling the jsii assembly (${why})`);
    const r = spawnSync(process.execPath, [path.join(__dirname, 'jsii-check.js'), '--strict'], { cwd: root, env: QUIET, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run jsii:check failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  // jsii-docgen reads the dependencies' assemblies (cdk8s, constructs) from node_modules beside the package
  const modules = path.join(ASSEMBLY_DIR, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(root, 'node_modules'), modules, 'dir');
  return ASSEMBLY_DIR;
}

/** The markdown jsii-docgen makes of the assembly: TypeScript signatures, every submodule, no README. */
async function apiMarkdown() {
  const dir = currentAssembly();
  Object.assign(process.env, QUIET);
  const { Documentation, Language } = require('jsii-docgen');
  const docs = await Documentation.forProject(dir);
  const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, readme: false, allSubmodules: true });
  return markdown.render();
}

module.exports = { apiMarkdown };

if (require.main === module) {
  const i = process.argv.indexOf('--output');
  const output = path.resolve(i > 0 ? process.argv[i + 1] : path.join(root, 'API.md'));
  apiMarkdown()
    .then((md) => {
      fs.writeFileSync(output, md);
      console.log(`docs:api: ${path.relative(process.cwd(), output) || output} (${md.split('\n').length} lines)`);
    })
    .catch((err) => {
      console.error(`docs:api: ${err.message}`);
      process.exit(1);
    });
}
