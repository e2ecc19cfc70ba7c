import { UserError } from '../../core/errors';
import { isPortText } from '../../core/port';
import { quote } from '../../core/util';

/** Where the k8saudit plugin listens, read from its `open_params` as the plugin reads it. */
export interface K8sAuditOpenParams {
  /** `https` when the plugin serves TLS with `init_config.sslCertificate`. */
  readonly scheme: 'http' | 'https';
  /** The port it listens on, on every address of the pod. */
  readonly port: number;
  /** The only path it accepts events on (the API server's URL path). */
  readonly path: string;
}

/**
 * Reads the k8saudit plugin's `open_params` the way the plugin does (falcosecurity/plugins
 * plugins/k8saudit/pkg/k8saudit/source.go:43-96 @ plugins/k8saudit/v0.16.1): Go's `url.Parse`, then for `http` and
 * `https` (Go lowercases the scheme) an `http.Server{Addr: u.Host}` with one handler registered for exactly `u.Path`;
 * with no scheme the parameter is a file or folder of audit logs to read, and any other scheme is an error.
 * Refused, each with why: a file source (the API server cannot send to it), a host other than "every address"
 * (the Service forwards to the pod's IP, not to 127.0.0.1), a port that is missing, named or 0 (Go would listen on
 * :80/:443, a service name or a random port), an empty path (Go's ServeMux panics on an empty pattern,
 * net/http server.go `Handle`), and a query or fragment (the handler ignores them; the API server's URL has none).
 * @param field the values path of the parameter, for messages
 */
export function parseK8sAuditOpenParams(text: unknown, field: string): K8sAuditOpenParams {
  if (typeof text !== 'string') {
    throw new UserError(
      `expected the k8saudit plugin's listener as a string such as "http://:9765/k8s-audit", got ${text === undefined ? 'nothing' : JSON.stringify(text)}`,
      { field },
    );
  }
  const { scheme, rest } = listenerScheme(text, field);
  const { host, portText, tail } = listenerAuthority(text, scheme, rest, field);
  checkListenerHost(text, scheme, host, portText, tail, field);
  checkListenerPort(text, scheme, portText, tail, field);
  checkListenerPath(text, tail, field);
  return { scheme, port: Number(portText), path: checkAuditPath(tail, field) };
}

/** The scheme (lowercased, as Go does) and what follows it; refuses a file source and any scheme but http and https. */
function listenerScheme(text: string, field: string): { scheme: 'http' | 'https'; rest: string } {
  const params = text.trim();
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(params);
  if (!m || m[1].length === 1) {
    // no scheme (a drive letter is no scheme either): the plugin reads audit log files
    throw new UserError(
      `"${text}" has no scheme, so the k8saudit plugin reads audit events from that file or folder and the API server cannot send it any; ` +
        'use "http://:<port><path>", e.g. "http://:9765/k8s-audit"',
      { field },
    );
  }
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw new UserError(
      `"${text}": the k8saudit plugin serves only http and https (scheme "${scheme}" ${scheme === 'file' ? 'reads a file' : 'is an error'}); use e.g. "http://:9765/k8s-audit"`,
      {
        field,
      },
    );
  }
  return { scheme, rest: m[2] };
}

/** The host, port text and path-and-after of `//host:port...`, as Go's `url.Parse` splits them; refuses user information. */
function listenerAuthority(text: string, scheme: string, rest: string, field: string): { host: string; portText: string | undefined; tail: string } {
  if (!rest.startsWith('//')) {
    throw new UserError(
      `"${text}" has no "//host:port" part, so the plugin would listen on :${scheme === 'http' ? 80 : 443} with no path; use "${scheme}://:9765/k8s-audit"`,
      { field },
    );
  }
  const afterSlashes = rest.slice(2);
  const authEnd = afterSlashes.search(/[/?#]/);
  const authority = authEnd < 0 ? afterSlashes : afterSlashes.slice(0, authEnd);
  const tail = authEnd < 0 ? '' : afterSlashes.slice(authEnd);
  if (authority.includes('@')) throw new UserError(`"${text}" has user information, which the plugin ignores; remove it`, { field });
  const hp = /^(\[[0-9A-Fa-f:.]*\]|[^:]*)(?::(.*))?$/.exec(authority)!;
  return { host: hp[1].replace(/^\[|\]$/g, ''), portText: hp[2], tail };
}

/** Refuses a host other than "every address": the Service forwards to the pod's IP, not to 127.0.0.1. */
function checkListenerHost(text: string, scheme: string, host: string, portText: string | undefined, tail: string, field: string): void {
  if (!['', '0.0.0.0', '::'].includes(host)) {
    throw new UserError(
      `"${text}" makes the plugin listen on ${host} only, but the Service forwards the API server's requests to the pod's own IP; ` +
        `leave the host out ("${scheme}://:${portText || 9765}${tail || '/k8s-audit'}") to listen on every address`,
      { field },
    );
  }
}

/** Refuses a missing, empty, named or out-of-range port (Go would listen on :80/:443, a random port or a service name). */
function checkListenerPort(text: string, scheme: string, portText: string | undefined, tail: string, field: string): void {
  if (!isPortText(portText)) {
    const what =
      portText === undefined || portText === ''
        ? `no port, so Go would listen on ${portText === undefined ? `:${scheme === 'http' ? 80 : 443}` : 'a random port'}`
        : `port "${portText}", which is not a port number from 1 to 65535`;
    throw new UserError(`"${text}" has ${what}; give one, e.g. "${scheme}://:9765${tail || '/k8s-audit'}"`, { field });
  }
}

/** Refuses a query or fragment (the handler ignores them) and an empty path (Go's ServeMux panics on it). */
function checkListenerPath(text: string, tail: string, field: string): void {
  const q = tail.search(/[?#]/);
  if (q >= 0) {
    throw new UserError(`"${text}" has a query or fragment ("${tail.slice(q)}"), which the plugin ignores (it serves the path alone); remove it`, {
      field,
    });
  }
  if (tail === '') {
    throw new UserError(
      `"${text}" has no path, and the plugin registers its handler for exactly that path (an empty one makes Go's ServeMux panic); add one, e.g. "/k8s-audit"`,
      { field },
    );
  }
}

/**
 * An audit endpoint path the API server can call and Falco serves as given: starts with '/', only URL-safe
 * characters (no spaces, query or fragment), and no `.` or `..` segment: resolving a URL removes those (RFC 3986
 * section 5.2.4, remove_dot_segments) and web servers normalise them, so the path called, the path written in the
 * AuditSink or kubeconfig and the path Falco serves would disagree.
 * Both shapes check theirs with it. @internal
 */
export function checkAuditPath(path: string, field: string): string {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw new UserError(
      `the audit endpoint path must be a URL path starting with "/" (letters, digits, ".", "_", "~", "-", "/"), got ${quote(path)}`,
      { field },
    );
  }
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new UserError(`the audit endpoint path must not have "." or ".." segments (the caller would resolve them to another path), got "${path}"`, {
      field,
    });
  }
  return path;
}
