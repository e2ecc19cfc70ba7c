import { quote } from '../../core/util';
import { Violation } from '../violation';
import { violation } from './distro-schemas';

/*
 * minikube has no schema for what it is given: the API server's flags go on the `minikube start` command line as
 * `--extra-config=apiserver.<flag>=<value>` and the files through its file sync ($MINIKUBE_HOME/files/<path> is copied
 * to <path> on the node at start, site/content/en/docs/handbook/filesync.md). The rules below are read from minikube's
 * source at v1.38.1 (kubernetes/minikube c93a4cb9, not in ../shared/reference; the research cites the same rules from
 * the docs at 09a43793 and 48e7fcaa).
 */

/**
 * The components `--extra-config` takes (minikube v1.38.1 pkg/minikube/bootstrapper/bsutil/kubeadm.go L207-228
 * `KubeadmExtraConfigOpts`; any other is refused at start, extraconfig.go L99-111 and L151-153).
 */
export const MINIKUBE_EXTRA_CONFIG_COMPONENTS: readonly string[] = Object.freeze([
  'apiserver',
  'controller-manager',
  'scheduler',
  'etcd',
  'kubeadm',
  'kubelet',
  'kube-proxy',
]);

/** The folder the minikube audit tutorial syncs files into: kubeadm mounts it into the API server Pod (its ca-certs volume). */
export const MINIKUBE_API_SERVER_FILES_DIR = '/etc/ssl/certs';

/** One `--extra-config` value split as minikube's ExtraOptionSlice.Set does (pkg/minikube/config/extra_options.go L68-97). */
function parseExtraConfig(value: string): { component: string; key: string; value: string } | string {
  const quoteAtEnd = /[\u201c\u201d]$/.test(value) && !/^[\u201c\u201d]/.test(value);
  if (quoteAtEnd) return 'it ends with a typographic quotation mark, which minikube refuses';
  const dot = value.indexOf('.');
  if (dot < 0) return 'it has no "." between the component and the flag ("apiserver.<flag>=<value>")';
  const rest = value.slice(dot + 1);
  const eq = rest.indexOf('=');
  if (eq < 0) return 'it has no "=" between the flag and its value';
  return { component: value.slice(0, dot), key: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

/**
 * Validates the `--extra-config` values of a `minikube start` line (with or without the `--extra-config=` prefix):
 * each `<component>.<flag>=<value>` as minikube parses it, the component one minikube knows, the flag written without
 * dashes (minikube passes it to kubeadm's `extraArgs`, which adds them), and each component's flag once (a later value
 * silently replaces an earlier one, extraconfig.go L115-130).
 */
export function validateMinikubeExtraConfig(entries: readonly string[], source = 'minikube start'): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  entries.forEach((raw, i) => {
    const at = `--extra-config[${i}]`;
    const parsed = parseExtraConfig(raw.replace(/^--extra-config=/, ''));
    if (typeof parsed === 'string') {
      out.push(violation(source, at, 'minikube.extra-config', `${quote(raw)} is not an extra-config value minikube reads: ${parsed}`, raw));
      return;
    }
    if (!MINIKUBE_EXTRA_CONFIG_COMPONENTS.includes(parsed.component)) {
      out.push(
        violation(
          source,
          at,
          'minikube.extra-config',
          `${quote(parsed.component)} is not a component minikube configures: one of ${MINIKUBE_EXTRA_CONFIG_COMPONENTS.join(', ')}`,
          raw,
        ),
      );
    }
    if (parsed.key === '' || parsed.key.startsWith('-')) {
      out.push(
        violation(
          source,
          at,
          'minikube.extra-config',
          `write the flag without dashes, as in "apiserver.audit-policy-file=...", not ${quote(parsed.key)}`,
          raw,
        ),
      );
    }
    const id = `${parsed.component}.${parsed.key}`;
    if (seen.has(id)) out.push(violation(source, at, 'minikube.extra-config', `${id} is given twice: minikube keeps only the last value`, raw));
    seen.add(id);
  });
  return out;
}

/**
 * Validates where the target puts the API server's files on a minikube node: absolute paths under /etc/ssl/certs (the
 * only folder the audit tutorial, site/content/en/docs/tutorials/audit-policy.md, names as mounted into the API server),
 * and not with a .crt or .pem extension: minikube reads such files under files/etc/ssl/certs as CA certificates to
 * install (pkg/minikube/bootstrapper/certs.go L449-489 @ v1.38.1).
 */
export function validateMinikubeFilePaths(nodePaths: readonly string[], source = 'minikube files'): Violation[] {
  const out: Violation[] = [];
  nodePaths.forEach((p, i) => {
    const at = `files[${i}]`;
    const normal = p.split('/').filter((s) => s !== '' && s !== '.');
    if (!p.startsWith('/') || normal.includes('..') || !`/${normal.join('/')}`.startsWith(`${MINIKUBE_API_SERVER_FILES_DIR}/`)) {
      out.push(
        violation(
          source,
          at,
          'minikube.file-path',
          `${quote(p)} is not under ${MINIKUBE_API_SERVER_FILES_DIR}/, the folder the API server Pod mounts`,
          p,
        ),
      );
    }
    if (/\.(crt|pem)$/i.test(p)) {
      out.push(
        violation(source, at, 'minikube.file-path', `${quote(p)} ends in .crt or .pem: minikube would take it for a CA certificate to install`, p),
      );
    }
  });
  return out;
}
