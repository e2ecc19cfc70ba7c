import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { UserError } from '../errors';
import { NodeFile } from '../node-file';
import { dumpYaml } from '../yaml';

/** One file of the output, by its path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** Argo CD applies `cluster/`; `node/` holds files for control-plane nodes. */
export const CLUSTER_DIR = 'cluster';
export const NODE_DIR = 'node';

/**
 * The files for every object under `scope`: one file per Kubernetes object under `cluster/`, named
 * `<kind>-<name>.yaml` so the names stay stable as long as the objects do, and every `NodeFile` under `node/`.
 * @param prefix a folder to put both under (a fleet's cluster name), or '' for none
 */
export function renderOutput(scope: IConstruct, prefix = ''): OutputFile[] {
  const files: OutputFile[] = [];
  const seen = new Set<string>();
  const add = (file: OutputFile, what: string) => {
    if (seen.has(file.path)) throw new Error(`two outputs would be written to ${file.path} (${what})`);
    seen.add(file.path);
    files.push(file);
  };
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const json = obj.toJson();
    const name = `${String(json.kind).toLowerCase()}-${json.metadata?.name}.yaml`;
    add({ path: path.posix.join(prefix, CLUSTER_DIR, name), content: dumpYaml(json) }, `${json.kind} ${json.metadata?.name}`);
  }
  for (const nodeFile of NodeFile.all(scope)) {
    add({ path: path.posix.join(prefix, NODE_DIR, nodeFile.fileName), content: nodeFile.toYaml() }, nodeFile.description);
  }
  return files;
}

/**
 * Replaces `outdir` with exactly `files`, or leaves it untouched on any failure: everything is written to a
 * sibling folder first, which then takes the old one's place.
 */
export function writeOutput(outdir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  const staging = path.join(parent, `.${path.basename(target)}.staging-${process.pid}`);
  const old = path.join(parent, `.${path.basename(target)}.old-${process.pid}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.rmSync(staging, { recursive: true, force: true });
    for (const file of files) {
      const dest = path.join(staging, file.path);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, file.content);
    }
    fs.mkdirSync(staging, { recursive: true });
    const existed = fs.existsSync(target);
    if (existed) fs.renameSync(target, old);
    fs.renameSync(staging, target);
    if (existed) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(target)) fs.renameSync(old, target);
    throw new UserError(`cannot write the output to ${outdir}: ${(err as Error).message}`);
  }
}
