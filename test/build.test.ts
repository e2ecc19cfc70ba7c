/**
 * `npm run synth` builds only when it must (scripts/build.js --if-needed): a second synth with nothing changed starts
 * the app at once, and a change to anything the build reads, a deleted or added source, a missing output or another
 * node makes it build again. Run on a copy of the sources, so the repository's build/ is never touched.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const SOURCES = ['tsconfig.json', 'main.ts', 'lib', 'imports', 'schemas', 'package.json', 'scripts', 'bin'];

jest.setTimeout(180_000);

let copy: string;
/** npm's record of the repository's node_modules, which the copy links: the cases must leave it alone. */
const NPM_RECORD = path.join(ROOT, 'node_modules', '.package-lock.json');
let npmRecordTime: number;

function build(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(copy, 'scripts', 'build.js'), ...args], { cwd: copy, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
/** The build's record, as scripts/build.js writes it after a build (of the copy as it is now). */
let RECORD: string;
function restamp(): void {
  const { INPUTS, OUTPUTS } = require(path.join(copy, 'scripts', 'build.js'));
  const { snapshotInputs } = require(path.join(copy, 'scripts', 'build-inputs.js'));
  fs.writeFileSync(RECORD, JSON.stringify({ inputs: snapshotInputs(copy, INPUTS), outputs: snapshotInputs(copy, OUTPUTS) }));
  expect(decision()).toBe('build: up to date');
}
const decision = () => build('--if-needed', '--dry-run').out.trim();
const mtime = (rel: string) => fs.statSync(path.join(copy, rel)).mtimeMs;

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-build-'));
  for (const entry of SOURCES) fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  RECORD = path.join(copy, 'build', '.inputs.json');
  npmRecordTime = fs.statSync(NPM_RECORD).mtimeMs;
  // a fresh clone: no build/, so the first --if-needed builds
  const first = build('--if-needed');
  expect(first.out).toContain('build: rebuilding build/ (no record of a previous build)');
  expect(first.status).toBe(0);
});

afterAll(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

test('nothing changed: up to date, and a second --if-needed leaves build/ as it was', () => {
  expect(decision()).toBe('build: up to date');
  const before = mtime('build/app.js');
  const again = build('--if-needed');
  expect(again).toEqual({ status: 0, out: '' });
  expect(mtime('build/app.js')).toBe(before);
  expect(fs.existsSync(path.join(copy, 'build', 'lib', 'index.js'))).toBe(true);
});

test('the config and the files it names are no build input', () => {
  fs.writeFileSync(path.join(copy, 'falco-audit.yaml'), 'apiServer: {manifest: kube-apiserver.yaml}\n');
  expect(decision()).toBe('build: up to date');
});

test.each([
  ['an edited source', 'lib/core/errors.ts', (f: string) => fs.appendFileSync(f, '\n'), 'lib/core/errors.ts changed'],
  ['a new source', 'lib/core/new-file.ts', (f: string) => fs.writeFileSync(f, 'export const x = 1;\n'), 'lib/core/new-file.ts is new'],
  [
    'a regenerated schema index',
    'schemas/index.json',
    (f: string) => fs.utimesSync(f, new Date(), new Date(Date.now() + 5000)),
    'schemas/index.json changed',
  ],
  ['an npm install', 'node_modules/.package-lock.json', undefined, 'node_modules/.package-lock.json changed'],
  ['a changed version', 'package.json', (f: string) => fs.appendFileSync(f, ' '), 'package.json changed'],
  ['a deleted source', 'main.ts', (f: string) => fs.rmSync(f), 'main.ts is gone'],
  ['a deleted output', 'build/app.js', (f: string) => fs.rmSync(f), 'build output: build/app.js is gone'],
])('%s (%s): needed', (_what, rel, change, why) => {
  const file = path.join(copy, rel);
  const saved = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  try {
    if (change) change(file);
    else {
      // the repository's node_modules is shared: pretend it changed in the record instead
      const r = JSON.parse(fs.readFileSync(RECORD, 'utf8'));
      r.inputs.files[rel][1] -= 1000;
      fs.writeFileSync(RECORD, JSON.stringify(r));
    }
    expect(decision()).toBe(`build: needed (${why})`);
  } finally {
    // only what the case changed is put back: node_modules is the repository's own, linked (never write through it)
    if (change && saved === undefined) fs.rmSync(file, { force: true });
    else if (change) fs.writeFileSync(file, saved!);
    restamp();
  }
});

test('a build made by another node: needed', () => {
  try {
    const r = JSON.parse(fs.readFileSync(RECORD, 'utf8'));
    r.inputs.node = '/usr/bin/node v18.0.0';
    fs.writeFileSync(RECORD, JSON.stringify(r));
    expect(decision()).toMatch(/^build: needed \(it was made by another node \(\/usr\/bin\/node v18\.0\.0; now .+ v20\./);
  } finally {
    restamp();
  }
});

test('npm run synth and npm pack build only when needed; npm run build always', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(scripts.synth).toBe('node scripts/build.js --if-needed && sh bin/cdk8s-falco-audit.sh synth');
  expect(scripts.prepack).toBe('node scripts/build.js --if-needed');
  expect(scripts.build).toBe('node scripts/build.js');
});

test("the repository's own build inputs were not touched (node_modules is linked into the copy)", () => {
  expect(fs.statSync(NPM_RECORD).mtimeMs).toBe(npmRecordTime);
});
