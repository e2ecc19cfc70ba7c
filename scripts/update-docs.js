#!/usr/bin/env node
/*
 * Regenerates the generated sections of docs/ from the code, so the docs cannot drift:
 *   - docs/falco-releases.md, the release table: from FALCO_RELEASES (lib/falco/falco-releases.ts);
 *   - docs/falco-releases.md, "Deliberate differences from the charts": from DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES and
 *     CHART_VALUES_DIFFERENCES (lib/falco/differences.ts);
 *   - docs/performance.md, the bench table, when given a file with `npm run bench` output:
 *     node scripts/update-docs.js bench.txt
 * Needs `npm run build` first. test/docs.test.ts fails when a generated section is stale. API.md has its own
 * generator (scripts/gen-api-docs.js).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const RELEASES_DOC = path.join(root, 'docs', 'falco-releases.md');
const PERFORMANCE_DOC = path.join(root, 'docs', 'performance.md');
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

/** The text between a file's `<!-- name:start ... -->` and `<!-- name:end -->` markers, trimmed. */
function sectionOf(text, name) {
  const m = new RegExp(`<!-- ${name}:start[^>]*-->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(text);
  if (!m) throw new Error(`no ${name} markers`);
  return m[1].trim();
}

function replaceSection(file, name, body) {
  const text = fs.readFileSync(file, 'utf8');
  const start = new RegExp(`(<!-- ${name}:start[^>]*-->)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!start.test(text)) throw new Error(`${path.relative(root, file)} has no ${name} markers`);
  fs.writeFileSync(
    file,
    text.replace(start, (_m, a, b) => `${a}\n${body}\n${b}`),
  );
}

module.exports = { differencesSection, falcoReleasesSection, sectionOf, RELEASES_DOC };

if (require.main === module) {
  replaceSection(RELEASES_DOC, 'differences', differencesSection());
  replaceSection(RELEASES_DOC, 'falco-releases', falcoReleasesSection());
  if (process.argv[2]) {
    const bench = fs.readFileSync(process.argv[2], 'utf8');
    // a blank line after the machine line, so the table renders as one
    const table = bench.slice(bench.indexOf('machine:')).trim().replace('\n', '\n\n');
    replaceSection(PERFORMANCE_DOC, 'bench', table);
  }
}
