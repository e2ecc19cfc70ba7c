'use strict';
/*
 * For the dev scripts that read ../shared (schemas, samples, charts): a missing input is one clear line and exit 1,
 * not a raw ENOENT trace. `shared` is where the steering repository's data sits beside a clone of this one.
 */
const fs = require('fs');
const path = require('path');

/** Exits with a message naming `file` (what it is, and how to give another) when it does not exist. */
function requireInput(script, file, what) {
  if (fs.existsSync(file)) return;
  const shared = path.resolve(__dirname, '..', '..', 'shared');
  console.error(
    `${script}: ${file} not found: it needs ${what}` +
      (file.startsWith(shared) ? ` from ../shared (the data folder beside this repository, not part of a clone);` : ';') +
      ' give another path as the first argument',
  );
  process.exit(1);
}

module.exports = { requireInput };
