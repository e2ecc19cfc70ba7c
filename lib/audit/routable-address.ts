import { UserError } from '../core/errors';
import { cut, quote } from '../core/util';
import { webhookUrlProblems } from '../validation/rules/audit-sink-rules';
import { AuditEndpoint, auditUrl } from './audit-endpoint';

/**
 * A routable address of Falco's Service for an API server that has no kube-proxy beside it (a controller-only k0s, a
 * k3s server without its agent): `http(s)://<host>:<nodePort>`, a node that runs kube-proxy (a worker's IP, or a load
 * balancer in front of the node ports) and the Service's node port. The port is the Service's `nodePort`.
 */
export interface RoutableAddress {
  readonly scheme: 'http' | 'https';
  /** The host as written: an IP address (IPv6 without brackets) or a DNS name the API server's host resolves. */
  readonly host: string;
  /** The Service's node port. */
  readonly port: number;
  /** The path, when the address names one (it must be Falco's audit path). */
  readonly path?: string;
}

/** Loopback hosts: `127.0.0.1:<nodePort>` is what `falco.nodePort` means. */
const LOOPBACK = /^(localhost|127(\.\d+){3}|::1|0:0:0:0:0:0:0:1)$/i;

/**
 * Parses `falco.address`: an absolute http or https URL with a host and an explicit port, no user info, query or
 * fragment (the webhook client refuses those), and not a loopback address.
 */
export function parseRoutableAddress(value: string, field = 'falco.address'): RoutableAddress {
  const problems = webhookUrlProblems(String(value));
  if (problems.length > 0) throw new UserError(problems.join('; '), { field });
  const url = new URL(value);
  const explicitPort = /^[a-z]+:\/\/(\[[^\]]*\]|[^/:]*):(\d+)/i.exec(value);
  if (!explicitPort) {
    throw new UserError(`must name the port, the node port of Falco's Service, e.g. http://10.0.0.5:30765, got ${quote(cut(value))}`, { field });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (LOOPBACK.test(host)) {
    throw new UserError(
      `${quote(cut(value))} is this host itself; 127.0.0.1:<nodePort> is what falco.nodePort gives, and it needs kube-proxy beside the API server: ` +
        'give the address of another node (a worker) or of a load balancer',
      { field },
    );
  }
  const port = Number(explicitPort[2]);
  const path = url.pathname === '/' ? undefined : url.pathname;
  return { scheme: url.protocol === 'https:' ? 'https' : 'http', host, port, path };
}

/** The URL the API server calls at a routable address: Falco's scheme and path, the address's host and port. */
export function routableAuditUrl(endpoint: AuditEndpoint, address: RoutableAddress, field = 'falco.address'): string {
  if (address.scheme !== endpoint.scheme) {
    throw new UserError(`is ${address.scheme}, but Falco serves audit events over ${endpoint.scheme}; write ${endpoint.scheme}://`, { field });
  }
  if (address.path !== undefined && address.path !== endpoint.path) {
    throw new UserError(`names the path ${quote(address.path)}, but Falco serves audit events at ${quote(endpoint.path)}; leave the path out`, {
      field,
    });
  }
  return auditUrl(endpoint, address.host, address.port);
}
