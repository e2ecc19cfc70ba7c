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

test('no file in lib/ imports a folder above its own, or a peer folder', () => {
  const upward: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (to === from) continue;
      if (LAYERS[to] >= LAYERS[from]) upward.push(`${path.relative(LIB, file)} (${from}) imports ${path.relative(LIB, target)} (${to})`);
    }
  }
  expect(upward).toEqual([]);
});

test('the check finds an upward import', () => {
  // the rule itself, on a made-up pair: core importing falco would be reported
  expect(LAYERS[layerOf(path.join(LIB, 'falco', 'falco.ts'))] >= LAYERS[layerOf(path.join(LIB, 'core', 'errors.ts'))]).toBe(true);
  expect(layerOf(path.join(LIB, 'falco-audit.ts'))).toBe('composition');
});
