import * as fs from 'fs';
import * as path from 'path';

/**
 * Dependencies between lib/'s folders flow one way, from the app down to the primitives: a folder imports only its
 * own files and the folders below it. apiserver and falco are peers that know nothing of each other; the composition
 * (FalcoAudit, at the top of lib/) is what brings them together.
 */
const LAYERS: Record<string, number> = {
  index: 7, // lib/index.ts: the public API, re-exports only
  app: 6, // the command line, the output folder, the plan
  config: 5, // the config file, read by the app
  composition: 4, // lib/falco-audit.ts
  apiserver: 3,
  falco: 3,
  audit: 2, // the audit vocabulary: endpoint, levels and stages, Policy, kubeconfig, AuditSink
  validation: 1,
  core: 0, // errors, versions, YAML, node files, small helpers
  imports: -1, // generated typed classes
};

const LIB = path.join(__dirname, '..', 'lib');

function layerOf(file: string): string {
  const rel = path.relative(path.join(__dirname, '..'), file).split(path.sep);
  if (rel[0] === 'imports') return 'imports';
  if (rel.length === 2) return rel[1] === 'index.ts' ? 'index' : 'composition';
  return rel[1];
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => {
    const target = path.resolve(path.dirname(file), s);
    return fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'index.ts') : target;
  });
}

const files = sources(LIB);

test('every folder of lib/ has a layer', () => {
  const unknown = [...new Set(files.map(layerOf))].filter((l) => LAYERS[l] === undefined);
  expect(unknown).toEqual([]);
});

/** The imports of `file` that go up, or sideways to a peer folder. */
function upwardImports(file: string, targets: string[]): string[] {
  const from = layerOf(file);
  return targets
    .filter((target) => layerOf(target) !== from && LAYERS[layerOf(target)] >= LAYERS[from])
    .map((target) => `${path.relative(LIB, file)} (${from}) imports ${path.relative(LIB, target)} (${layerOf(target)})`);
}

test('no file in lib/ imports a folder above its own, or a peer folder', () => {
  expect(files.flatMap((file) => upwardImports(file, importsOf(file)))).toEqual([]);
});

test('the check reports an upward and a sideways import, and allows a downward one', () => {
  const at = (...p: string[]) => path.join(LIB, ...p);
  expect(upwardImports(at('core', 'util.ts'), [at('falco', 'falco.ts')])).toEqual(['core/util.ts (core) imports falco/falco.ts (falco)']);
  expect(upwardImports(at('falco', 'falco.ts'), [at('apiserver', 'flags.ts')])).toHaveLength(1);
  expect(upwardImports(at('apiserver', 'index.ts'), [at('falco-audit.ts')])).toHaveLength(1);
  expect(upwardImports(at('falco-audit.ts'), [at('falco', 'index.ts'), at('core', 'errors.ts'), at('..', 'imports', 'k8s.ts')])).toEqual([]);
  expect(upwardImports(at('falco', 'falco.ts'), [at('falco', 'values.ts')])).toEqual([]);
});

/**
 * lib/falco/ is split by concern, and its sub-folders depend one way too: values (the two charts' values files) <
 * releases (the per-release start-up contract and the differences) < sources (where Falco reads audit events from) <
 * shapes (the objects of each shape) < the Falco construct and the index at the top of the folder.
 */
const FALCO_PARTS: Record<string, number> = { values: 0, releases: 1, sources: 2, shapes: 3, top: 4 };

function falcoPartOf(file: string): string | undefined {
  const rel = path.relative(path.join(LIB, 'falco'), file).split(path.sep);
  if (rel[0] === '..') return undefined;
  return rel.length === 1 ? 'top' : rel[0];
}

/** The imports of `file`, a file of lib/falco/, that reach a sub-folder at or above its own (other than its own). */
function upwardFalcoImports(file: string, targets: string[]): string[] {
  const from = falcoPartOf(file);
  if (from === undefined) return [];
  return targets
    .filter((target) => {
      const to = falcoPartOf(target);
      return to !== undefined && to !== from && FALCO_PARTS[to] >= FALCO_PARTS[from];
    })
    .map((target) => `${path.relative(LIB, file)} (${from}) imports ${path.relative(LIB, target)} (${falcoPartOf(target)})`);
}

test('every file of lib/falco/ is in a known sub-folder, or is the Falco construct or the index', () => {
  const falcoFiles = files.map((f) => path.relative(path.join(LIB, 'falco'), f)).filter((f) => !f.startsWith('..'));
  expect(falcoFiles.filter((f) => FALCO_PARTS[falcoPartOf(path.join(LIB, 'falco', f))!] === undefined)).toEqual([]);
  expect(falcoFiles.filter((f) => !f.includes(path.sep)).sort()).toEqual(['falco.ts', 'index.ts']);
});

test("lib/falco/'s sub-folders import only the ones below them", () => {
  expect(files.flatMap((file) => upwardFalcoImports(file, importsOf(file)))).toEqual([]);
});

test('the sub-folder check reports an upward and a sideways import inside lib/falco/, and allows a downward one', () => {
  const at = (...p: string[]) => path.join(LIB, 'falco', ...p);
  expect(upwardFalcoImports(at('values', 'values.ts'), [at('shapes', 'shape-context.ts')])).toEqual([
    'falco/values/values.ts (values) imports falco/shapes/shape-context.ts (shapes)',
  ]);
  expect(upwardFalcoImports(at('sources', 'k8saudit-open-params.ts'), [at('falco.ts')])).toHaveLength(1);
  expect(upwardFalcoImports(at('shapes', 'chart-shape.ts'), [at('values', 'chart-values.ts'), at('sources', 'k8saudit-open-params.ts')])).toEqual([]);
  expect(upwardFalcoImports(at('shapes', 'chart-shape.ts'), [at('shapes', 'chart-names.ts'), path.join(LIB, 'core', 'errors.ts')])).toEqual([]);
});

/** An eslint comment that turns max-lines-per-function off or reconfigures it: a disable of any form, or `/* eslint <rule>: ... *\/`. */
const LONG_FUNCTION_EXCEPTION = /(?:eslint-disable(?:-next-line|-line)?\b|\/\*\s*eslint\s)[^\n]*\bmax-lines-per-function\b/;

test('no file in lib/ has a max-lines-per-function exception, so eslint holds every function to 60 lines (issue 11)', () => {
  const exceptions = files.filter((f) => LONG_FUNCTION_EXCEPTION.test(fs.readFileSync(f, 'utf8')));
  expect(exceptions.map((f) => path.relative(LIB, f)).sort()).toEqual([]);
});

test('the exception check sees every eslint comment that lifts the limit, and not those of other rules', () => {
  expect(LONG_FUNCTION_EXCEPTION.test('// eslint-disable-next-line max-lines-per-function -- 102 lines')).toBe(true);
  expect(LONG_FUNCTION_EXCEPTION.test('/* eslint-disable max-lines-per-function */')).toBe(true);
  expect(LONG_FUNCTION_EXCEPTION.test('f(); // eslint-disable-line no-console, max-lines-per-function')).toBe(true);
  expect(LONG_FUNCTION_EXCEPTION.test('/* eslint max-lines-per-function: ["error", { max: 200 }] */')).toBe(true);
  expect(LONG_FUNCTION_EXCEPTION.test('// eslint-disable-next-line no-control-regex')).toBe(false);
});
