/**
 * Where Falco really serves audit events, as the API server must call it. Computed once, by the
 * Falco side, and handed to every consumer (AuditSink URL, webhook kubeconfig, Service ports), so
 * nothing re-derives a port or a path from a string.
 */
export interface AuditEndpoint {
  /** `http` unless Falco's webserver (legacy) or listener (plugin) has TLS on. */
  readonly scheme: 'http' | 'https';
  /** The port Falco listens on inside its pod (the Service's targetPort). */
  readonly containerPort: number;
  /** The URL path of the audit endpoint, starting with `/`, e.g. `/k8s-audit`. */
  readonly path: string;
}

/**
 * Builds the URL the API server calls. IPv6 addresses are bracketed.
 * @param host an IP address (the Service's ClusterIP, or 127.0.0.1 for a nodePort)
 * @param port the port at that address (the Service port, or the nodePort)
 */
export function auditUrl(endpoint: AuditEndpoint, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${endpoint.scheme}://${h}:${port}${endpoint.path}`;
}
