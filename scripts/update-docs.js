#!/usr/bin/env node
/*
 * Regenerates the generated sections of docs/ from the code, so the docs cannot drift:
 *   - docs/falco-releases.md, the release table: from FALCO_RELEASES (lib/falco/releases/falco-releases.ts);
 *   - docs/falco-releases.md, "Deliberate differences from the charts": from DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES and
 *     CHART_VALUES_DIFFERENCES (lib/falco/releases/differences.ts);
 *   - docs/configuration.md, the plan's warning and note codes: from PlanMessageCode (lib/core/plan-message.ts, read as
 *     source: each member's doc comment is its description);
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
const CONFIGURATION_DOC = path.join(root, 'docs', 'configuration.md');
const PLAN_MESSAGE_SOURCE = path.join(root, 'lib', 'core', 'plan-message.ts');
const PERFORMANCE_DOC = path.join(root, 'docs', 'performance.md');
const { DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES, CHART_VALUES_DIFFERENCES } = require(
  path.join(root, 'build', 'lib', 'falco', 'releases', 'differences.js'),
);
const { FALCO_RELEASES } = require(path.join(root, 'build', 'lib', 'falco', 'releases', 'falco-releases.js'));

/** The markdown of the per-release start-up table, from lib/falco/releases/falco-releases.ts. */
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

/**
 * The markdown table of the plan's codes: each `PlanMessageCode` member's code, and its doc comment (`Warning: ...` or
 * `Note: ...`) split into the kind and what it is about.
 */
function planCodesSection() {
  const source = fs.readFileSync(PLAN_MESSAGE_SOURCE, 'utf8');
  const body = /export enum PlanMessageCode \{([\s\S]*?)\n\}/.exec(source);
  if (!body) throw new Error('no PlanMessageCode enum in lib/core/plan-message.ts');
  const rows = [...body[1].matchAll(/\/\*\*([\s\S]*?)\*\/\s*[A-Z0-9_]+ = '([a-z0-9-]+)'/g)].map(([, comment, code]) => {
    const text = comment.replace(/\n\s*\*\s?/g, ' ').trim();
    const m = /^(Warning|Note): (.*)$/.exec(text);
    if (!m) throw new Error(`PlanMessageCode ${code}: its doc comment must start with "Warning: " or "Note: "`);
    return `| \`${code}\` | ${m[1].toLowerCase()} | ${m[2].replace(/\|/g, '\\|')} |`;
  });
  return ['| code | kind | what it is about |', '| --- | --- | --- |', ...rows].join('\n');
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

module.exports = { differencesSection, falcoReleasesSection, planCodesSection, sectionOf, RELEASES_DOC, CONFIGURATION_DOC };

if (require.main === module) {
  replaceSection(RELEASES_DOC, 'differences', differencesSection());
  replaceSection(RELEASES_DOC, 'falco-releases', falcoReleasesSection());
  replaceSection(CONFIGURATION_DOC, 'plan-codes', planCodesSection());
  if (process.argv[2]) {
    const bench = fs.readFileSync(process.argv[2], 'utf8');
    // a blank line after the machine line, so the table renders as one
    const table = bench.slice(bench.indexOf('machine:')).trim().replace('\n', '\n\n');
    replaceSection(PERFORMANCE_DOC, 'bench', table);
  }
}
