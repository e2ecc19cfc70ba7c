import * as path from 'path';
import { NodeFile } from '../../core/node-file';

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
export function sh(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Owner and mode of a host file: CIS Kubernetes Benchmark 1.1.1 (the API server pod manifest) and 1.1.x for its files. */
export const ROOT_ONLY = '-o root -g root -m 0600';

/** `install -D` of an output file to its place on the node (root:root, 0600 unless `mode` says otherwise). */
export function installLine(nodeDir: string, file: NodeFile, mode = ROOT_ONLY): string {
  return `  install -D ${mode} ${sh(path.posix.join(nodeDir, file.fileName))} ${sh(file.nodePath!)}`;
}
