/*
 * What a build was made from, so a later run can tell whether build/ is still current without rebuilding: the size
 * and modification time of every file the build reads, and the node that ran it. scripts/build.js records it after a
 * build (build/.inputs.json) and compares it before `npm run synth`; scripts/gen-api-docs.js does the same for the
 * jsii assembly. Sizes and times, not hashes: a stat of ~150 files takes a few milliseconds, and an edit, a
 * checkout, `npm ci` and a deleted or added file all change what is recorded.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/** Every file under `entries` (files or folders, relative to `root`), as sorted relative paths; missing ones skipped. */
function listInputs(root, entries) {
  const out = [];
  const walk = (rel) => {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!st) return;
    if (!st.isDirectory()) return out.push(rel);
    for (const name of fs.readdirSync(path.join(root, rel))) walk(path.join(rel, name));
  };
  entries.forEach(walk);
  return [...new Set(out)].sort();
}

/** `{ node, files: { rel: [size, mtimeMs] } }` for the given inputs, taken now. */
function snapshotInputs(root, entries) {
  const files = {};
  for (const rel of listInputs(root, entries)) {
    const st = fs.statSync(path.join(root, rel));
    files[rel.split(path.sep).join('/')] = [st.size, st.mtimeMs];
  }
  return { node: `${fs.realpathSync(process.execPath)} ${process.version}`, files };
}

/** Why `now` differs from `recorded` (the first difference, in words), or undefined when they are the same. */
function differenceOf(recorded, now) {
  if (!recorded) return 'no record of a previous build';
  if (recorded.node !== now.node) return `it was made by another node (${recorded.node}; now ${now.node})`;
  for (const [rel, state] of Object.entries(now.files)) {
    const before = recorded.files[rel];
    if (!before) return `${rel} is new`;
    if (before[0] !== state[0] || before[1] !== state[1]) return `${rel} changed`;
  }
  const gone = Object.keys(recorded.files).find((rel) => !(rel in now.files));
  return gone ? `${gone} is gone` : undefined;
}

/** The record in `file`, or undefined when there is none (or it cannot be read). */
function readRecord(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes the record through a temporary file, so a reader never sees half of one. */
function writeRecord(file, record) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(record) + '\n');
  fs.renameSync(tmp, file);
}

module.exports = { listInputs, snapshotInputs, differenceOf, readRecord, writeRecord };
