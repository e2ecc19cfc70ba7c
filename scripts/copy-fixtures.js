#!/usr/bin/env node
/*
 * Copies the real kube-apiserver manifests of ../shared/apiserver-samples into test/apiserver/fixtures/, byte for
 * byte, so the tests run on a fresh clone without ../shared. test/apiserver/fixtures.test.ts fails when a copy
 * drifts from its source. Usage: npm run copy:fixtures [-- path/to/apiserver-samples]
 */
'use strict';
const { requireInput } = require('./require-input');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const source = path.resolve(process.argv[2] || path.join(root, '..', 'shared', 'apiserver-samples'));
requireInput('copy-fixtures', source, 'the kube-apiserver sample manifests (apiserver-samples/)');
const target = path.join(root, 'test', 'apiserver', 'fixtures');

const samples = fs
  .readdirSync(source)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
for (const file of samples) fs.copyFileSync(path.join(source, file), path.join(target, file));
console.log(`copied ${samples.length} samples from ${path.relative(root, source)} to ${path.relative(root, target)}`);
