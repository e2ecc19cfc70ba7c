#!/usr/bin/env node
/*
 * Generates docs/reachable-fields.md: every field of an emitted object that a values file can set, with the API
 * server's rules the tool checks it with (function and file:line) or the tool's refusal of it.
 *
 * Usage:  node scripts/gen-reachable-fields.js [--check] [--json]
 *         (needs `npm run build` first; --check compares with the committed file and writes nothing, --json prints
 *         the inventory as JSON instead). Exits 1 when a reachable field has neither a rule nor a refusal, or, with
 *         --check, when the committed file is stale. test/validation/reachable-fields.test.ts runs it.
 *
 * How the fields are found, for each values format (stable/falco 1.1.1 for Falco up to 0.31 and from 0.32,
 * falcosecurity/falco 9.1.0):
 * 1. scripts/reach/<format>.yaml sets every key of the format's values schema (the run fails when one is missing), a
 *    value meant to be found marked with "zz" or a number no other key uses. The Falco construct synthesizes it at
 *    Kubernetes 1.30, and the chart's minimal values (the baseline) too.
 * 2. Each value is looked for in the objects: a marked string equal to an emitted value, or inside one (then it lands
 *    in that field's text), an unmarked value or number equal to an emitted one that the baseline does not have there,
 *    a boolean the same and under the same name. Where a key's value is Kubernetes data (podSecurityContext,
 *    mounts.volumes, ...), the path below the key that reappears under the emitted field gives where the whole key
 *    lands; a marked value that arrives nowhere marks its field as one the tool drops (services[].selector).
 * 3. A field of Kubernetes data is expanded over the Kubernetes schema of the emitted kind (schemas/definitions.json,
 *    every minor the tool supports, 1.14-1.35): each leaf field below it is reachable.
 * 4. Each reachable field gets its coverage from lib/validation/field-coverage.ts (FIELD_COVERAGE).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const build = (p) => {
  const file = path.join(root, 'build', 'lib', p);
  if (!fs.existsSync(`${file}.js`)) {
    console.error(`gen-reachable-fields: ${file}.js is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  return require(file);
};
const yaml = require('js-yaml');
const { Testing, Chart } = require('cdk8s');
const { Falco, FalcoChart, FalcoVersion, CHART_VALUES_SCHEMA, FALCO_VALUES_SCHEMA } = build('falco/index');
const { KubernetesVersion } = build('core/kubernetes-version');
const { fieldCoverage } = build('validation/field-coverage');

const OUT = path.join(root, 'docs', 'reachable-fields.md');
const { definitions } = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'definitions.json'), 'utf8'));
const schemaIndex = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'index.json'), 'utf8'));
const MINORS = Object.keys(schemaIndex.minors)
  .map(Number)
  .sort((a, b) => a - b);
/** The version the values are synthesized for: the one whose validation.go the rules follow. */
const SYNTH_MINOR = 30;
const MARK = 'zz';
/** A number used once, from 41000 to 42999 (or a string holding one, such as a quantity), is a marker too. */
const MARK_NUMBER = /4[12][0-9]{3}/;

const FORMATS = [
  {
    id: 'chart-9.1.0',
    title: 'falcosecurity/falco 9.1.0',
    file: 'scripts/reach/chart-9.1.0.yaml',
    baseline: () => yaml.load(fs.readFileSync(path.join(root, 'examples', 'falco-chart', 'values-k8saudit.yaml'), 'utf8')),
    schema: CHART_VALUES_SCHEMA,
    chart: FalcoChart.FALCOSECURITY_FALCO_9_1_0,
    // the marked image tag is no release: say which one it runs
    falcoVersion: '0.44.1',
  },
  {
    id: 'stable-1.1.1-legacy',
    title: 'stable/falco 1.1.1, Falco up to 0.31 (the chart’s DaemonSet)',
    file: 'scripts/reach/stable-1.1.1-legacy.yaml',
    baseline: () => ({ image: { tag: '0.31.1' } }),
    schema: FALCO_VALUES_SCHEMA,
    chart: FalcoChart.STABLE_FALCO_1_1_1,
    falcoVersion: '0.31.1',
  },
  {
    id: 'stable-1.1.1-plugin',
    title: 'stable/falco 1.1.1, Falco 0.32 and later (the audit-only Deployment)',
    file: 'scripts/reach/stable-1.1.1-plugin.yaml',
    baseline: () => ({ image: { tag: '0.44.1' } }),
    schema: FALCO_VALUES_SCHEMA,
    chart: FalcoChart.STABLE_FALCO_1_1_1,
    falcoVersion: '0.44.1',
  },
];

/** The value types of the two schemas whose value is Kubernetes or user data, walked as a whole. */
const DATA_TYPES = new Set(['open', 'map-list', 'string-map', 'scalar-map', 'object', 'object-list', 'list']);
/** Lists of plain values: each item is a value of the key (extraArgs, falcoctl refs). */
const LIST_TYPES = new Set(['string-list']);

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Synthesizes values with the Falco construct: the objects and the fullname their names start with. */
function synth(values, format) {
  const app = Testing.app();
  const chart = new Chart(app, 'reach');
  const falco = new Falco(chart, 'falco', {
    kubernetesVersion: KubernetesVersion.of(`1.${SYNTH_MINOR}.0`),
    chart: format.chart,
    values,
    ...(format.falcoVersion ? { falcoVersion: FalcoVersion.of(format.falcoVersion) } : {}),
  });
  return { objects: Testing.synth(chart), fullname: falco.fullname };
}

/** `apps/v1/Deployment` of an object. */
function kindKey(o) {
  return `${o.apiVersion}/${o.kind}`;
}

/** Every scalar of the objects: { object index, kind key, slot (kind and name, the fullname left out), path (segments), value }. */
function scalarsOf(objects, fullname) {
  const out = [];
  objects.forEach((o, oi) => {
    const slot = `${o.kind} ${String(o.metadata?.name ?? '').replace(fullname, '<fullname>')}`;
    const walk = (v, p) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
      else out.push({ oi, kind: kindKey(o), slot, path: p, value: v });
    };
    walk(o, []);
  });
  return out;
}

/** Where an emitted scalar is, comparable between two runs. */
function slotKey(entry) {
  return `${entry.slot} ${JSON.stringify(entry.path)}`;
}

/**
 * The values' leaves: { path, value, keyPath } where keyPath is the schema key the leaf belongs to; a marked mapping
 * key below a data key is a leaf too ({ key: true }), for keys that land as values (daemonset.env's names).
 */
function leavesOf(values, schema) {
  const out = [];
  const data = (v, p, keyPath) => {
    if (Array.isArray(v)) v.forEach((x, i) => data(x, [...p, i], keyPath));
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k.toLowerCase().includes(MARK)) out.push({ path: [...p, k], value: k, keyPath, key: true, data: true });
        data(x, [...p, k], keyPath);
      }
    } else out.push({ path: p, value: v, keyPath, data: true });
  };
  const walk = (v, p) => {
    for (const [k, x] of Object.entries(v)) {
      const dotted = [...p, k].join('.');
      const type = schema[dotted];
      if (type === undefined) throw new Error(`${dotted} is not a key of the values schema`);
      if (type === 'section') walk(x, [...p, k]);
      else if (DATA_TYPES.has(type)) data(x, [...p, k], dotted);
      else if (LIST_TYPES.has(type)) x.forEach((item, i) => out.push({ path: [...p, k, i], value: item, keyPath: dotted }));
      else out.push({ path: [...p, k], value: x, keyPath: dotted });
    }
  };
  walk(values, []);
  return out;
}

/** Every non-section key of a schema that the values do not set. */
function unsetKeys(values, schema) {
  const at = (dotted) => dotted.split('.').reduce((o, k) => (isObject(o) && k in o ? o[k] : undefined), values);
  return Object.entries(schema)
    .filter(([k, t]) => t !== 'section' && at(k) === undefined)
    .map(([k]) => k);
}

function resolve(s) {
  return s && s.$ref ? definitions[s.$ref.replace('#/definitions/', '')] : s;
}

/** The schema of `kind` at `minor`, or undefined when the minor does not serve it. */
function rootSchema(minor, kind) {
  const hash = schemaIndex.minors[String(minor)]?.[kind];
  return hash ? definitions[hash] : undefined;
}

/** A raw path's normalized form (`[]` for a list item, `{}` for a map entry) in the kind's schema, or undefined. */
function normalize(minor, kind, raw) {
  let s = rootSchema(minor, kind);
  const out = [];
  for (const seg of raw) {
    s = resolve(s);
    if (!s) return undefined;
    if (typeof seg === 'number') {
      if (!s.items) return undefined;
      out[out.length - 1] += '[]';
      s = s.items;
    } else if (s.properties && seg in s.properties) {
      out.push(seg);
      s = s.properties[seg];
    } else if (isObject(s.additionalProperties)) {
      out[out.length - 1] += '{}';
      s = s.additionalProperties;
    } else return undefined;
  }
  return out.join('.');
}

/** A field that is a scalar item of a list or map (`args[]`, `data{}`) is named by the list or map (`args`, `data`). */
function leafField(kind, field) {
  while (field !== undefined && /(\[\]|\{\})$/.test(field)) {
    const item = resolve(schemaAt(SYNTH_MINOR, kind, field));
    if (!item || item.properties || item.items || isObject(item.additionalProperties)) break;
    field = field.slice(0, -2);
  }
  return field;
}

/** The schema at a normalized path. */
function schemaAt(minor, kind, normalized) {
  let s = rootSchema(minor, kind);
  for (const seg of normalized === '' ? [] : normalized.split('.')) {
    const m = /^([^[{]*)((?:\[\]|\{\})*)$/.exec(seg);
    s = resolve(s);
    if (!s?.properties?.[m[1]]) return undefined;
    s = s.properties[m[1]];
    for (const suffix of m[2].match(/\[\]|\{\}/g) ?? []) {
      s = resolve(s);
      s = suffix === '[]' ? s?.items : s?.additionalProperties;
      if (!s) return undefined;
    }
  }
  return s;
}

/** How a leaf schema is described: its type and, for integers, its bounds. */
function describeType(s) {
  s = resolve(s);
  if (!s) return '?';
  if (s.oneOf) return 'int or string';
  if (s.type === 'integer') {
    if (s.minimum === -2147483648) return 'int32';
    if (s.minimum === -(2 ** 63)) return 'int64';
    return 'integer (unbounded)';
  }
  if (s.type === 'array') return `list of ${describeType(s.items)}`;
  if (isObject(s.additionalProperties)) return `map of ${describeType(s.additionalProperties)}`;
  if (s.type === 'object' && !s.properties) return 'free-form object';
  return s.type ?? '?';
}

/** The leaf fields below a normalized path of a kind at one minor: { path, type }. */
function leavesBelow(minor, kind, normalized) {
  const out = [];
  const walk = (s, p) => {
    s = resolve(s);
    if (s.properties) {
      for (const [k, x] of Object.entries(s.properties)) walk(x, p === '' ? k : `${p}.${k}`);
    } else if (s.type === 'array' && resolve(s.items)?.properties) {
      walk(s.items, `${p}[]`);
    } else if (isObject(s.additionalProperties) && resolve(s.additionalProperties).properties) {
      walk(s.additionalProperties, `${p}{}`);
    } else {
      out.push({ path: p, type: describeType(s) });
    }
  };
  const s = schemaAt(minor, kind, normalized);
  if (s) walk(s, normalized);
  return out;
}

/** Whether a value is a marker: a string with "zz", or a number (or string) with a 41000-42999 run. */
function isMarker(v) {
  if (typeof v === 'string' && v.toLowerCase().includes(MARK)) return true;
  return (typeof v === 'number' || typeof v === 'string') && MARK_NUMBER.test(String(v));
}

/**
 * Whether a values leaf's value matches an emitted scalar: 'value', 'text' or false. Inside Kubernetes data only
 * markers count (the rest of the data is structure); a plain value of a key counts where the baseline differs.
 */
function matchKind(leaf, entry, baseline) {
  const v = leaf.value;
  const e = entry.value;
  if (isMarker(v)) {
    if (e === v || (typeof v === 'number' && e === String(v))) return 'value';
    if (typeof e === 'string' && String(v).length >= 5 && e.includes(String(v))) return 'text';
    // a number read out of a string (a port in a URL)
    return typeof v === 'string' && typeof e === 'number' && MARK_NUMBER.test(String(e)) && v.includes(String(e)) ? 'text' : false;
  }
  if (leaf.data || leaf.key || v === '' || typeof v === 'boolean' || v === null) return false;
  const before = baseline.get(slotKey(entry));
  if (e === v) return before === v ? false : 'value';
  const text = String(v);
  return typeof e === 'string' && text.length >= 3 && e.includes(text) && !(typeof before === 'string' && before.includes(text)) ? 'text' : false;
}

/**
 * Where a boolean key lands: flipped, the fields that take its new value under its name, and the ConfigMap texts
 * that change (falco.yaml, falcoctl.yaml). A flip the tool refuses lands nowhere.
 */
function booleanLandings(values, leaf, format, scalars) {
  const flipped = JSON.parse(JSON.stringify(values));
  let at = flipped;
  for (const seg of leaf.path.slice(0, -1)) at = at[seg];
  at[leaf.path[leaf.path.length - 1]] = !leaf.value;
  let run;
  try {
    run = synth(flipped, format);
  } catch {
    return [];
  }
  const name = leaf.path[leaf.path.length - 1];
  const out = [];
  const compare = (from, to, objects, value) => {
    const other = new Map(to.map((e) => [slotKey(e), e.value]));
    for (const entry of from) {
      const was = other.get(slotKey(entry));
      if (was === entry.value) continue;
      if (entry.value === value && entry.path[entry.path.length - 1] === name) out.push({ entry, objects, how: 'value' });
      else if (entry.kind === 'v1/ConfigMap' && entry.path[0] === 'data' && was !== undefined) out.push({ entry, objects, how: 'text' });
    }
  };
  const after = scalarsOf(run.objects, run.fullname);
  compare(after, scalars, run.objects, !leaf.value);
  compare(scalars, after, undefined, leaf.value);
  return out;
}

/** Markers and plain values must each mean one key: a repeated one, or one inside another, would land twice. */
function checkMarkers(leaves, file) {
  const seen = new Map();
  for (const leaf of leaves) {
    const v = leaf.value;
    if (typeof v === 'boolean' || v === '' || v === null || (leaf.data && !isMarker(v))) continue;
    const id = JSON.stringify(v);
    if (seen.has(id) && seen.get(id) !== leaf.keyPath + JSON.stringify(leaf.path)) {
      throw new Error(`${file}: the value ${id} is set at ${seen.get(id)} and at ${JSON.stringify(leaf.path)}; use a value no other key uses`);
    }
    seen.set(id, leaf.keyPath + JSON.stringify(leaf.path));
  }
  const strings = [...seen.keys()].map((k) => JSON.parse(k)).filter((v) => typeof v === 'string' && v.toLowerCase().includes(MARK));
  for (const a of strings) {
    const b = strings.find((x) => x !== a && x.includes(a));
    if (b) throw new Error(`${file}: the marker ${JSON.stringify(a)} is inside ${JSON.stringify(b)}; use markers that do not contain each other`);
  }
}

/** The longest tail of the leaf's path below its key that the emitted path ends with (indexes may differ). */
function alignedTail(leaf, entry) {
  const keyDepth = leaf.keyPath.split('.').length;
  for (let k = keyDepth; k <= leaf.path.length; k++) {
    const tail = leaf.path.slice(k);
    if (tail.length > entry.path.length) continue;
    const outTail = entry.path.slice(entry.path.length - tail.length);
    if (tail.every((seg, i) => seg === outTail[i] || (typeof seg === 'number' && typeof outTail[i] === 'number'))) return tail.length;
  }
  return 0;
}

/** `a.b[0].c` with indexes as `[]` and marked mapping keys (a label, a rules file name) as `{}`. */
function valuesPattern(p) {
  return p.reduce((s, seg) => {
    if (typeof seg === 'number') return `${s}[]`;
    if (String(seg).toLowerCase().includes(MARK)) return `${s}{}`;
    return s === '' ? String(seg) : `${s}.${seg}`;
  }, '');
}

/** Where each values key of one format lands: key -> [{ values, kind, object, field, text }], and what arrived nowhere. */
function reachOf(format) {
  const values = yaml.load(fs.readFileSync(path.join(root, format.file), 'utf8'));
  const unset = unsetKeys(values, format.schema);
  if (unset.length > 0) throw new Error(`${format.file} does not set ${unset.join(', ')}; every key of the values schema must be set`);
  const { objects, fullname } = synth(values, format);
  const before = synth(format.baseline(), format);
  const baseline = new Map(scalarsOf(before.objects, before.fullname).map((e) => [slotKey(e), e.value]));
  const scalars = scalarsOf(objects, fullname);
  const reach = new Map();
  const dropped = [];
  const leaves = leavesOf(values, format.schema);
  checkMarkers(leaves, format.file);
  const record = (leaf, entry, o, how) => {
    const tail = how === 'value' ? alignedTail(leaf, entry) : 0;
    const outRoot = entry.path.slice(0, entry.path.length - tail);
    const field = leafField(entry.kind, normalize(SYNTH_MINOR, entry.kind, outRoot));
    if (field === undefined) throw new Error(`${o.kind} ${o.metadata?.name}: ${JSON.stringify(outRoot)} is not in the 1.${SYNTH_MINOR} schema`);
    const land = {
      values: valuesPattern(leaf.path.slice(0, leaf.path.length - tail)) + (leaf.key ? ' (key)' : ''),
      kind: entry.kind,
      object: o.kind,
      field,
      text: how === 'text' || leaf.key === true,
    };
    const list = reach.get(leaf.keyPath) ?? [];
    if (!list.some((l) => JSON.stringify(l) === JSON.stringify(land))) list.push(land);
    reach.set(leaf.keyPath, list);
  };
  for (const leaf of leaves) {
    let found = false;
    if (typeof leaf.value === 'boolean' && !leaf.data) {
      for (const { entry, objects: from, how } of booleanLandings(values, leaf, format, scalars))
        record(leaf, entry, (from ?? objects)[entry.oi], how);
      continue;
    }
    for (const entry of scalars) {
      const how = leaf.key ? (entry.value === leaf.value ? 'text' : false) : matchKind(leaf, entry, baseline);
      if (!how) continue;
      found = true;
      record(leaf, entry, objects[entry.oi], how);
    }
    if (!found && leaf.data && isMarker(leaf.value)) dropped.push(leaf);
  }
  return { values, reach, dropped, unreached: Object.keys(format.schema).filter((k) => format.schema[k] !== 'section' && !reach.has(k)) };
}

/** The data fields below a landing whose marked value arrived nowhere: the tool drops them. */
function droppedFields(land, dropped) {
  const out = [];
  const landDepth = land.values.split(/\.|\[\]/).filter(Boolean).length;
  for (const leaf of dropped) {
    if (!valuesPattern(leaf.path).startsWith(land.values.replace(/ \(key\)$/, ''))) continue;
    // the first segment below the landing that arrived nowhere
    const below = leaf.path.slice(0).filter((s) => typeof s !== 'number');
    const name = below[landDepth];
    if (name !== undefined) out.push(`${land.field}.${name}`);
  }
  return out;
}

/** Every reachable field: `kind field` -> { kind, object, field, type, minors, from: Set<string> }. */
function inventory() {
  const fields = new Map();
  const formats = [];
  for (const format of FORMATS) {
    const { reach, dropped, unreached } = reachOf(format);
    formats.push({ format, reach, unreached, dropped });
    for (const [key, lands] of reach) {
      for (const land of lands) {
        const drops = droppedFields(land, dropped);
        const add = (field, type, minor) => {
          if (drops.some((d) => field === d || field.startsWith(`${d}.`) || field.startsWith(`${d}[`) || field.startsWith(`${d}{`))) return;
          const id = `${land.kind} ${field}`;
          const entry = fields.get(id) ?? { kind: land.kind, object: land.object, field, type, minors: new Set(), from: new Set() };
          entry.minors.add(minor);
          entry.from.add(`${format.id}: ${key}`);
          if (land.text) entry.text = true;
          fields.set(id, entry);
        };
        if (land.text) {
          add(land.field, describeType(schemaAt(SYNTH_MINOR, land.kind, land.field)), SYNTH_MINOR);
          continue;
        }
        for (const minor of MINORS) for (const leaf of leavesBelow(minor, land.kind, land.field)) add(leaf.path, leaf.type, minor);
      }
    }
  }
  return { fields, formats };
}

/** `1.14-1.35`, `1.31+`, `1.14-1.24`. */
function minorRange(minors) {
  const sorted = [...minors].sort((a, b) => a - b);
  const first = sorted[0] === MINORS[0] ? 13 : sorted[0];
  const last = sorted[sorted.length - 1];
  if (last === MINORS[MINORS.length - 1]) return first === 13 ? 'all' : `1.${first}+`;
  return `1.${first}-1.${last}`;
}

function cell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One row per field path: the kinds that have it merged (a DaemonSet's pod and a Deployment's are the same fields). */
function mergedRows(fields) {
  const rows = new Map();
  for (const f of fields.values()) {
    const { rules, refused } = fieldCoverage(f.kind, f.field);
    const coverage =
      refused !== undefined
        ? `**refused**: ${refused}`
        : rules.map((r) => `${r.checks} (${r.rule === 'schema' ? 'schema' : `\`${r.rule}\``}; ${r.source})`).join('; ');
    const id = `${f.field} ${coverage}`;
    const row = rows.get(id) ?? {
      objects: new Set(),
      kinds: new Set(),
      field: f.field,
      type: f.type,
      minors: new Set(),
      from: new Set(),
      text: false,
      refused,
      rules,
      coverage,
    };
    row.objects.add(f.object);
    row.kinds.add(f.kind);
    for (const m of f.minors) row.minors.add(m);
    for (const x of f.from) row.from.add(x);
    row.text = row.text || !!f.text;
    rows.set(id, row);
  }
  return [...rows.values()].sort((a, b) => `${[...a.objects].sort()[0]} ${a.field}`.localeCompare(`${[...b.objects].sort()[0]} ${b.field}`));
}

/** The landing table of one values format. */
function landingSection({ format, reach, unreached }) {
  return [
    `## ${format.title}: where the values land`,
    '',
    '| values key | lands at |',
    '| --- | --- |',
    ...[...reach.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, lands]) => {
        const where = lands
          .map((l) => `${l.object} \`${l.field}\`${l.text ? ' (in its text)' : ''}${l.values !== key ? ` (from \`${l.values}\`)` : ''}`)
          .sort();
        return `| \`${key}\` | ${cell([...new Set(where)].join('; '))} |`;
      }),
    '',
    `Keys that reach no emitted field (switches, and settings of what this tool does not render): ${unreached.map((k) => `\`${k}\``).join(', ') || 'none'}.`,
    '',
  ];
}

/** The document. */
function render({ fields, formats }) {
  const rows = mergedRows(fields);
  const refused = rows.filter((r) => r.refused !== undefined).length;
  const uncovered = rows.filter((r) => r.refused === undefined && r.rules.length === 0).map((r) => `${[...r.objects].join(', ')} ${r.field}`);
  const byRule = rows.length - refused - uncovered.length;
  const lines = rows.map((r) => {
    const from = [...r.from].sort().join(', ');
    const objects = [...r.objects].sort().join(', ');
    return `| ${objects} | \`${r.field}\`${r.text ? ' (text)' : ''} | ${cell(r.type)} | ${minorRange(r.minors)} | ${cell(from)} | ${cell(r.coverage || '**none**')} |`;
  });
  const doc = [
    '# Fields a values file can reach',
    '',
    '<!-- Generated by scripts/gen-reachable-fields.js from scripts/reach/, the Kubernetes schemas in schemas/ and',
    'lib/validation/field-coverage.ts. Do not edit: run `npm run build && node scripts/gen-reachable-fields.js`. -->',
    '',
    'Every field of an emitted object that a values file can set, found by synthesizing values that set every key of',
    'each values format (scripts/reach/) and expanding the Kubernetes data among them over the schema of the field it',
    "lands in, for every supported Kubernetes minor. Each field is checked with the API server's rules, named by the",
    'semantic rule of lib/validation/rules/ that applies them and the function and line they follow, or refused (at',
    "the values file's line) with the reason given. Files: `validation.go` is `pkg/apis/core/validation/validation.go`,",
    '`util/validation.go` is `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` and `defaults.go` is',
    '`pkg/apis/core/v1/defaults.go`, all at Kubernetes v1.30.0 (vendored in `../shared/reference/kubernetes-validation/`).',
    '`schema` is the strict schema of the target minor: the type, required fields, and the range of every int32 and',
    'int64 field. "(text)": the value lands inside the field\'s text (an image reference, falco.yaml in a ConfigMap).',
    '',
    `**${rows.length} fields: ${byRule} checked with the API server's rules, ${refused} refused.**`,
    '',
    ...formats.flatMap(landingSection),
    '## The fields',
    '',
    '| object | field | type | minors | set by | checked with, or refused |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lines,
    '',
  ].join('\n');
  return { doc, byRule, refused, uncovered, rows };
}

function main() {
  const args = process.argv.slice(2);
  const inv = inventory();
  const { doc, byRule, refused, uncovered, rows } = render(inv);
  if (args.includes('--json')) {
    const json = {
      byRule,
      refused,
      uncovered,
      fields: rows.map((f) => ({
        kinds: [...f.kinds].sort(),
        field: f.field,
        type: f.type,
        text: f.text,
        from: [...f.from].sort(),
        minors: [...f.minors].sort((a, b) => a - b),
        refused: f.refused ?? null,
        rules: f.rules.map((r) => r.rule),
      })),
      formats: inv.formats.map(({ format, reach, unreached }) => ({ id: format.id, reach: Object.fromEntries(reach), unreached })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 1)}\n`);
  }
  let failed = false;
  if (uncovered.length > 0) {
    console.error(
      `gen-reachable-fields: ${uncovered.length} reachable field(s) with neither a rule nor a refusal (add them to lib/validation/field-coverage.ts):`,
    );
    for (const u of uncovered) console.error(`  ${u}`);
    failed = true;
  }
  if (args.includes('--check')) {
    const committed = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (committed !== doc) {
      console.error(`gen-reachable-fields: ${path.relative(root, OUT)} is stale; run \`npm run build && node scripts/gen-reachable-fields.js\``);
      failed = true;
    }
  } else if (!args.includes('--json')) {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, doc);
    console.log(
      `gen-reachable-fields: ${rows.length} fields (${byRule} checked with the API server's rules, ${refused} refused) -> ${path.relative(root, OUT)}`,
    );
  }
  if (failed) process.exit(1);
}

main();
