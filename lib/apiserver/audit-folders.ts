import * as path from 'path';
import { UserError } from '../core/errors';
import { echo } from '../core/util';

/** CIS 1.2.16-1.2.19 audit log defaults. */
export const DEFAULT_AUDIT_LOG = { path: '/var/log/kubernetes/audit/audit.log', maxAge: 30, maxBackup: 10, maxSize: 100 } as const;
/** Where the policy and webhook kubeconfig go on the node by default. */
export const DEFAULT_AUDIT_DIRECTORY = '/etc/kubernetes/audit';

/**
 * Host folders an audit file may not live in, nor above, with the reason. kube-apiserver gets a hostPath mount of
 * the file's folder at the same path, so such a folder would hide the container's own files (the official image has
 * its binary at /usr/local/bin/kube-apiserver: build/server-image in kubernetes/kubernetes) or give the API server
 * the node's: the kubelet runs every file in /etc/kubernetes/manifests (FACTS.md section 3). A folder above one of
 * them (`/`, `/etc`, `/var`) contains it.
 */
export const PROTECTED_HOST_FOLDERS: readonly (readonly [string, string])[] = [
  ['/etc/kubernetes/manifests', "the kubelet's static pod folder (it runs every file there)"],
  ['/var/lib/kubelet', "the kubelet's state, with every pod's volumes and secrets"],
  ['/var/lib/etcd', "etcd's data"],
  ['/run/containerd', "the container runtime's folder"],
  ['/var/run', "the runtime sockets' folder"],
  ['/usr', 'the folder of programs and libraries (kube-apiserver itself is /usr/local/bin/kube-apiserver)'],
  ['/bin', 'a folder of programs'],
  ['/sbin', 'a folder of programs'],
  ['/lib', 'a folder of libraries'],
  ['/lib32', 'a folder of libraries'],
  ['/lib64', 'a folder of libraries'],
  ['/libx32', 'a folder of libraries'],
  ['/boot', "the kernel's folder"],
  ['/dev', 'the device folder'],
  ['/proc', 'a kernel interface'],
  ['/sys', 'a kernel interface'],
];

/** Why `dir` (absolute, normalised) cannot be mounted into kube-apiserver for audit files, or undefined. */
export function protectedFolderProblem(dir: string): string | undefined {
  const inside = (child: string, parent: string) => parent === '/' || child === parent || child.startsWith(`${parent}/`);
  if (dir === '/') return "that mounts the host's root folder over the whole kube-apiserver container";
  const under = PROTECTED_HOST_FOLDERS.find(([p]) => inside(dir, p));
  if (under) return `${dir === under[0] ? dir : `${dir} is inside ${under[0]}, which`} is ${under[1]}`;
  const above = PROTECTED_HOST_FOLDERS.find(([p]) => inside(p, dir));
  if (above) return `${dir} contains ${above[0]}, ${above[1]}`;
  return undefined;
}

/** An absolute path without spaces or "..", normalised without a trailing slash. */
function checkAbsolutePath(value: string, field: string): string {
  if (typeof value !== 'string' || !path.posix.isAbsolute(value) || /\s/.test(value) || value.split('/').includes('..')) {
    throw new UserError(`must be an absolute path without spaces or "..", got ${echo(value)}`, { field });
  }
  const normalized = path.posix.normalize(value);
  return normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
}

/** A folder for audit files: absolute, and neither the host root nor a system folder (see PROTECTED_HOST_FOLDERS). */
export function checkAuditFolder(value: string, field: string): string {
  const dir = checkAbsolutePath(value, field);
  const problem = protectedFolderProblem(dir);
  if (problem) {
    throw new UserError(`${JSON.stringify(value)} cannot hold audit files: ${problem}; use a folder of its own such as ${DEFAULT_AUDIT_DIRECTORY}`, {
      field,
    });
  }
  return dir;
}

/** The audit log file: absolute, a file rather than a folder, in a folder that checkAuditFolder accepts. */
export function checkAuditLogFile(value: string, field: string): string {
  const file = checkAbsolutePath(value, field);
  if (file === '/' || value.endsWith('/') || value.endsWith('/.')) {
    throw new UserError(`must name the log file, not a folder, got ${JSON.stringify(value)}; e.g. ${DEFAULT_AUDIT_LOG.path}`, { field });
  }
  const problem = protectedFolderProblem(path.posix.dirname(file));
  if (problem) {
    throw new UserError(
      `${JSON.stringify(value)} cannot be the audit log: kube-apiserver would get a writable mount of ${path.posix.dirname(file)}, and ${problem}; ` +
        `e.g. ${DEFAULT_AUDIT_LOG.path}`,
      { field },
    );
  }
  return file;
}
