#!/usr/bin/env node
/*
 * Reports how far lib/ is from compiling with jsii (issue: publish for other languages).
 * Copies lib/ and imports/ into a fresh temp dir with a package.json jsii accepts, runs node_modules/.bin/jsii there,
 * and prints `jsii: N errors` and the errors grouped by kind (error code and the first words of the message).
 *
 * With 0 errors it keeps the assembly (.jsii and that package.json) in build/jsii/, with a record of the sources it was
 * compiled from (scripts/build-inputs.js), for scripts/gen-api-docs.js (API.md).
 *
 * Usage: npm run jsii:check [-- --strict] [-- --keep]   (--strict exits 1 when N > 0; --keep leaves the temp dir)
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { snapshotInputs, writeRecord } = require('./build-inputs');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const pkg = require('../package.json');

/** The package.json jsii needs: author, repository, main/types and a jsii section, none of which the real one has. */
function jsiiPackageJson() {
  return {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: 'Apache-2.0',
    author: { name: 'cdk8s-falco-audit maintainers', email: 'maintainers@example.com', organization: true },
    repository: { type: 'git', url: 'https://github.com/example/cdk8s-falco-audit.git' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    peerDependencies: pkg.peerDependencies,
    jsii: { outdir: 'jsii-dist', targets: {}, tsc: { outDir: '.', rootDir: '.' } },
  };
}

/** A temp dir holding lib/ (with its JSON files), imports/, the package.json and a link to node_modules. */
function prepare() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-check-'));
  for (const sub of ['lib', 'imports']) fs.cpSync(path.join(root, sub), path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(jsiiPackageJson(), null, 2) + '\n');
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** jsii's diagnostics: lines such as `lib/x.ts:1:2 - error JSII1234: message` (colours off). */
function parseErrors(output) {
  const errors = [];
  const re = /^(?:(\S+?):\d+:\d+ - )?error (\w+): (.*)$/;
  for (const line of output.split(/\r?\n/)) {
    const m = re.exec(line.trim());
    if (m) errors.push({ file: m[1] || '', code: m[2], message: m[3] });
  }
  return errors;
}

/** The kind of an error: its code and the first words of its message (type names kept, the [rule] suffix dropped). */
function kindOf(error) {
  const words = error.message.replace(/\s*\[[\w/-]+\]\s*$/, '').split(/\s+/);
  return `${error.code} ${words.slice(0, 9).join(' ')}${words.length > 9 ? ' ...' : ''}`;
}

/** Prints the count and the kinds, most frequent first. */
function report(errors) {
  console.log(`jsii: ${errors.length} errors`);
  const counts = new Map();
  for (const e of errors) counts.set(kindOf(e), (counts.get(kindOf(e)) || 0) + 1);
  for (const [kind, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`${String(n).padStart(5)}  ${kind}`);
  }
}

/** What the assembly is compiled from: recorded beside it, so gen-api-docs.js can tell whether it is current. */
const ASSEMBLY_INPUTS = ['lib', 'imports', 'package.json', 'scripts/jsii-check.js'];
const ASSEMBLY_DIR = path.join(root, 'build', 'jsii');

/** Keeps the assembly jsii wrote in `dir` (with no errors) in build/jsii/, with the record of its sources. */
function keepAssembly(dir, inputs) {
  fs.rmSync(ASSEMBLY_DIR, { recursive: true, force: true });
  fs.mkdirSync(ASSEMBLY_DIR, { recursive: true });
  for (const f of ['.jsii', 'package.json']) fs.copyFileSync(path.join(dir, f), path.join(ASSEMBLY_DIR, f));
  writeRecord(path.join(ASSEMBLY_DIR, '.inputs.json'), inputs);
}

/** Runs jsii in a fresh copy and reports. */
function main() {
  // taken before the copy: a source edited while jsii runs makes the assembly stale
  const inputs = snapshotInputs(root, ASSEMBLY_INPUTS);
  const dir = prepare();
  const jsii = path.join(root, 'node_modules', '.bin', 'jsii');
  const run = spawnSync(jsii, [], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  const output = `${run.stdout || ''}\n${run.stderr || ''}`;
  const errors = parseErrors(output);
  if (errors.length === 0 && run.status !== 0) process.stderr.write(output);
  report(errors);
  if (errors.length === 0 && run.status === 0) keepAssembly(dir, inputs);
  if (args.includes('--keep')) console.log(`jsii-check: kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = args.includes('--strict') && (errors.length > 0 || run.status !== 0) ? 1 : 0;
}

module.exports = { ASSEMBLY_INPUTS, ASSEMBLY_DIR };

if (require.main === module) main();
