import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** The repository root; end-to-end tests run the compiled app (`npm test` builds it first). */
export const ROOT = path.resolve(__dirname, '..', '..');
/** The bundled app, exactly what `cdk8s synth` runs (cdk8s.yaml). */
export const MAIN = path.join(ROOT, 'build', 'app.js');

export interface AppRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The output folder the run was given. */
  readonly outdir: string;
}

/** A scratch folder for one test; removed by `cleanup()`. */
export function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-e2e-'));
}

/** Runs the app as a user would: a separate Node process, config and output folder from the environment. */
export function runApp(options: { config?: string; cwd?: string; outdir: string; env?: NodeJS.ProcessEnv }): AppRun {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does) first`);
  const r = spawnSync(process.execPath, [MAIN], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH,
      CDK8S_OUTDIR: options.outdir,
      ...(options.config ? { FALCO_AUDIT_CONFIG: options.config } : {}),
      ...options.env,
    },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outdir: options.outdir };
}

/** Every file under `dir`, as sorted relative paths. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Parses one YAML file of the output. */
export function readDoc(dir: string, rel: string): any {
  return yaml.load(fs.readFileSync(path.join(dir, rel), 'utf8'));
}

/** Writes files (relative path -> text) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

/** The flags of the kube-apiserver container of a patched manifest, as name -> value (last wins). */
export function flagsOf(pod: any): Map<string, string> {
  const container = pod.spec.containers.find((c: any) => c.name === 'kube-apiserver');
  const args: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const flags = new Map<string, string>();
  for (const a of args) {
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    flags.set(eq < 0 ? a.slice(2) : a.slice(2, eq), eq < 0 ? '' : a.slice(eq + 1));
  }
  return flags;
}

export const EXAMPLES = path.join(ROOT, 'examples');
