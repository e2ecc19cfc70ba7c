#!/usr/bin/env node
/*
 * Regenerates the README's generated sections from the code, so the docs cannot drift:
 *   - "Deliberate differences from the chart": from DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES and CHART_VALUES_DIFFERENCES
 *     (lib/falco/differences.ts);
 *   - the performance table, when given a file with `npm run bench` output: node scripts/update-readme.js bench.txt
 * Needs `npm run build` first. test/readme.test.ts fails when the differences section is stale.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const readmeFile = path.join(root, 'README.md');
const { DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES, CHART_VALUES_DIFFERENCES } = require(path.join(root, 'build', 'lib', 'falco', 'differences.js'));
const { FALCO_RELEASES } = require(path.join(root, 'build', 'lib', 'falco', 'falco-releases.js'));

/** The markdown of the per-release start-up table, from lib/falco/falco-releases.ts. */
function falcoReleasesSection() {
  const hostRoot = { none: 'nothing needed', 'empty-host-root': '`HOST_ROOT=""`', 'plugins-hostinfo-off': '`plugins_hostinfo: false`' };
  const row = (r) =>
    `| 0.${r.minor} (${r.latest}) | \`${r.rulesKey}\` | ${hostRoot[r.hostRoot]} | ` +
    (r.artifacts === 'image'
      ? 'bundled in the image | - | - '
      : `falcoctl \`${r.falcoctlImage.replace(/^docker\.io\/falcosecurity\//, '')}\` | ${r.defaultRefs.map((x) => `\`${x}\``).join(', ')} | ${r.pluginApi} `) +
    `| ${r.probes === 'startup' ? 'startup + every 15 s' : 'after 60 s / 30 s'} | ${r.chart ?? '-'} |`;
  return [
    '| Falco (newest patch read) | rules key | without /host/proc | plugins and rules from | default refs (pinned) | plugin API | probes | pins from chart |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...FALCO_RELEASES.map(row),
  ].join('\n');
}

/** The markdown of the differences section. */
function differencesSection() {
  const rows = (list) => list.map((d) => `| ${d.what} | ${d.why}${d.source ? ` (${d.source})` : ''} |`).join('\n');
  return [
    'Legacy shape, against `helm template` of stable/falco 1.1.1 for the same values (each one tested):',
    '',
    '| what | why |',
    '| --- | --- |',
    rows(DIFFERENCES),
    '',
    'Plugin shape, against the k8saudit preset of the falcosecurity/falco chart release that shipped each Falco 0.36-0.44 (each one tested):',
    '',
    '| what | why |',
    '| --- | --- |',
    rows(PLUGIN_SHAPE_DIFFERENCES),
    '',
    'falcosecurity/falco 9.1.0 values, against `helm template` of chart 9.1.0 for the same values (each one tested):',
    '',
    '| what | why |',
    '| --- | --- |',
    rows(CHART_VALUES_DIFFERENCES),
  ].join('\n');
}

function replaceSection(text, name, body) {
  const start = new RegExp(`(<!-- ${name}:start[^>]*-->)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!start.test(text)) throw new Error(`README.md has no ${name} markers`);
  return text.replace(start, (_m, a, b) => `${a}\n${body}\n${b}`);
}

module.exports = { differencesSection, falcoReleasesSection };

if (require.main === module) {
  let readme = fs.readFileSync(readmeFile, 'utf8');
  readme = replaceSection(readme, 'differences', differencesSection());
  readme = replaceSection(readme, 'falco-releases', falcoReleasesSection());
  if (process.argv[2]) {
    const bench = fs.readFileSync(process.argv[2], 'utf8');
    // a blank line after the machine line, so the table renders as one
    const table = bench.slice(bench.indexOf('machine:')).trim().replace('\n', '\n\n');
    readme = replaceSection(readme, 'bench', table);
  }
  fs.writeFileSync(readmeFile, readme);
}
