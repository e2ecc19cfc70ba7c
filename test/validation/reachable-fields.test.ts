/*
 * The inventory of fields a values file can reach (docs/reachable-fields.md, written by scripts/gen-reachable-fields.js):
 * current, every field checked with the API server's rule or refused, every integer field bounded, every rule it names
 * one validateAll applies, every citation of the vendored sources pointing at that function, and every place values
 * land seen by the values checks (values-api-checks.ts), so that their errors point at the values file's line.
 * Runs the built generator (`npm run build` first, as `npm test` does).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { _standInOrigins } from '../../lib/falco/values-api-checks';
import { resolveChartValues } from '../../lib/falco/chart-values';
import { resolveFalcoValues } from '../../lib/falco/values';
import { FIELD_COVERAGE, SEMANTIC_RULES } from '../../lib/validation';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'gen-reachable-fields.js');
const VENDORED = path.resolve(ROOT, '..', 'shared', 'reference', 'kubernetes-validation');

interface Inventory {
  byRule: number;
  refused: number;
  uncovered: string[];
  fields: { kinds: string[]; field: string; type: string; text: boolean; from: string[]; refused: string | null; rules: string[] }[];
  formats: {
    id: string;
    reach: Record<string, { values: string; kind: string; object: string; field: string; text: boolean }[]>;
    unreached: string[];
  }[];
}

let inventory: Inventory;
let run: { status: number | null; stderr: string };
beforeAll(() => {
  // one run: --check compares the committed file (and fails on an uncovered field), --json prints the inventory
  const r = spawnSync(process.execPath, [SCRIPT, '--check', '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  run = { status: r.status, stderr: r.stderr };
  inventory = JSON.parse(r.stdout) as Inventory;
}, 60000);

test('docs/reachable-fields.md is current, and every reachable field has a rule or a refusal', () => {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(inventory.uncovered).toEqual([]);
  expect(inventory.byRule + inventory.refused).toBe(inventory.fields.length);
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'reachable-fields.md'), 'utf8');
  expect(doc).toContain(
    `**${inventory.fields.length} fields: ${inventory.byRule} checked with the API server's rules, ${inventory.refused} refused.**`,
  );
}, 60000);

test('the defects of issue 23 are among the fields, each checked', () => {
  const coverage = (field: string) => inventory.fields.find((f) => f.field === field && f.kinds.includes('apps/v1/Deployment'));
  for (const [field, rule] of [
    ['spec.template.spec.containers[].env[].valueFrom.fieldRef.fieldPath', 'checkEnvSources'],
    ['spec.template.spec.initContainers[].envFrom[].secretRef.name', 'checkEnvFrom'],
    ['spec.template.spec.initContainers[].livenessProbe.exec.command', 'checkInitContainers'],
    ['spec.template.spec.initContainers[].restartPolicy', 'checkInitContainers'],
    ['spec.template.spec.volumes[].secret.items[].path', 'checkVolumeSources'],
    ['spec.template.spec.volumes[].nfs.path', 'checkVolumeSources'],
    ['spec.template.spec.volumes[].csi.driver', 'checkVolumeSources'],
    ['spec.template.spec.securityContext.sysctls[].name', 'checkSysctls'],
    ['spec.template.spec.securityContext.seccompProfile.localhostProfile', 'checkSecurityProfiles'],
    ['spec.template.spec.containers[].volumeMounts[].mountPropagation', 'checkVolumeMountOptions'],
  ]) {
    expect({ field, rules: coverage(field)?.rules }).toEqual({ field, rules: expect.arrayContaining([rule]) });
  }
  const service = (field: string) => inventory.fields.find((f) => f.field === field && f.kinds.includes('v1/Service'))?.rules;
  for (const field of [
    'spec.type',
    'spec.ports[].name',
    'spec.externalTrafficPolicy',
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
    'spec.externalIPs',
  ]) {
    expect({ field, rules: service(field) }).toEqual({ field, rules: expect.arrayContaining(['checkServiceSpec']) });
  }
  expect(inventory.fields.find((f) => f.field === 'spec.template.spec.tolerations[].tolerationSeconds')?.type).toBe('int64');
});

test('every integer field is bounded (int32 or int64) by the schema', () => {
  const unbounded = inventory.fields.filter((f) => /integer \(unbounded\)/.test(f.type)).map((f) => f.field);
  expect(unbounded).toEqual([]);
  expect(inventory.fields.filter((f) => /int(32|64)/.test(f.type)).length).toBeGreaterThan(40);
});

test('every rule the coverage names is one validateAll applies, and every refusal says why', () => {
  const applied = new Set(SEMANTIC_RULES.map((r) => r.name));
  for (const entry of FIELD_COVERAGE) {
    for (const r of entry.rules ?? [])
      expect({ fields: entry.fields, rule: r.rule, known: r.rule === 'schema' || applied.has(r.rule) }).toMatchObject({ known: true });
    if (entry.refused !== undefined) expect(entry.refused.length).toBeGreaterThan(20);
    expect({ fields: entry.fields, covered: (entry.rules ?? []).length > 0 || entry.refused !== undefined }).toMatchObject({ covered: true });
  }
});

/** Applies a unified diff (the vendored patch) to a text. */
function applyPatch(text: string, patch: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let next = 0;
  const hunks = patch.split(/^@@ /m).slice(1);
  for (const hunk of hunks) {
    const start = Number(/^-(\d+)/.exec(hunk)![1]) - 1;
    out.push(...lines.slice(next, start));
    next = start;
    for (const line of hunk.split('\n').slice(1)) {
      if (line.startsWith('+')) out.push(line.slice(1));
      else if (line.startsWith('-')) next++;
      else if (line.startsWith(' ')) {
        out.push(lines[next]);
        next++;
      }
    }
  }
  return [...out, ...lines.slice(next)].join('\n');
}

(fs.existsSync(VENDORED) ? test : test.skip)(
  'every citation `fn (file:line)` names the line where fn is declared in the vendored v1.30.0 source',
  () => {
    const read = (f: string) => fs.readFileSync(path.join(VENDORED, f), 'utf8');
    const files: Record<string, string[]> = {
      'validation.go': applyPatch(
        read('9ad2aabc64c7/pkg__apis__core__validation__validation.go'),
        read('9ad2aabc64c7-to-v1.30.0.validation.go.patch'),
      ).split('\n'),
      'util/validation.go': read('96a16a7bc9f6/staging__src__k8s.io__apimachinery__pkg__util__validation__validation.go').split('\n'),
      'defaults.go': read('v1.30.0/pkg__apis__core__v1__defaults.go').split('\n'),
    };
    // the patched copy is v1.30.0: its ValidateVolumeMounts calls validateMountRecursiveReadOnly
    expect(files['validation.go'].filter((l) => l.includes('validateMountRecursiveReadOnly(mnt,'))).toHaveLength(1);
    const sources = FIELD_COVERAGE.flatMap((e) => (e.rules ?? []).map((r) => r.source));
    let checked = 0;
    for (const source of sources) {
      for (const m of source.matchAll(/(\w+) \((validation\.go|util\/validation\.go|defaults\.go):(\d+)\)/g)) {
        const [, fn, file, line] = m;
        const text = files[file][Number(line) - 1] ?? '';
        expect({ fn, file, line, text }).toEqual({ fn, file, line, text: expect.stringMatching(new RegExp(`^(func|var) (\\([^)]*\\) )?${fn}\\b`)) });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  },
);

/** Whether one path is the other or lies below it (`a.b` and `a.b.c`, `a.b` and `a.b[]`), either way round. */
const within = (a: string, b: string) =>
  [a, b].some((x, i) => {
    const y = i === 0 ? b : a;
    return x === y || y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
  });

/**
 * A field with its indexes as `[]`, the kind left out: a value that lands in the same field of several objects (a
 * label in every object's labels, the pod template of a DaemonSet or a Deployment) meets the same rule in each.
 */
const normal = (_kind: string, field: string) => field.replace(/\[\d+\]/g, '[]');

test('the values checks see every place a value lands as Kubernetes data, at its values key', () => {
  const sink = (f: string) => yaml.load(fs.readFileSync(path.join(ROOT, 'scripts', 'reach', f), 'utf8')) as any;
  const origins = [
    ..._standInOrigins(resolveChartValues(sink('chart-9.1.0.yaml'), false), 'chart').map((o) => ({ ...o, format: 'chart-9.1.0' })),
    ...['stable-1.1.1-legacy', 'stable-1.1.1-plugin'].flatMap((id) =>
      _standInOrigins(resolveFalcoValues(sink(`${id}.yaml`)), 'stable').map((o) => ({ ...o, format: id })),
    ),
  ];
  const missing: string[] = [];
  for (const format of inventory.formats) {
    for (const [key, lands] of Object.entries(format.reach)) {
      for (const land of lands.filter((l) => !l.text)) {
        const seen = origins.some(
          (o) => o.format === format.id && within(o.values.join('.'), key) && within(normal(o.kind, o.field), normal(land.kind, land.field)),
        );
        if (!seen) missing.push(`${format.id}: ${key} -> ${land.object} ${land.field}`);
      }
    }
  }
  // The object names the shapes build from these, and the names that refer to them, are checked where they are built
  // (chart-names.ts checkDnsLabel at fullnameOverride or nameOverride; the service account's name as the pod's
  // serviceAccountName, a DNS-1123 subdomain as ValidateServiceAccountName wants), at the key.
  const derived = ['fullnameOverride', 'serviceAccount.name'];
  expect(missing.filter((m) => !derived.some((key) => m.includes(`: ${key} -> `)))).toEqual([]);
});
