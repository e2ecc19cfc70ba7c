import { UserError } from '../core/errors';
import { webhookUrlProblems } from '../validation/rules/audit-sink-rules';
import { quote } from '../core/util';
import { parsePem, privateKeyLine } from './pem';

/** Props of `WebhookKubeconfig`. */
export interface WebhookKubeconfigProps {
  /** The URL the API server posts audit events to, e.g. `http://10.96.0.50:8765/k8s-audit`. */
  readonly server: string;
  /**
   * Base64 of the PEM CA bundle that signed the webhook's serving certificate (https only).
   * @default - the host's system roots
   */
  readonly certificateAuthorityData?: string;
  /**
   * The cluster, user and context name inside the file.
   * @default 'falco'
   */
  readonly name?: string;
}

/**
 * Checks a webhook URL the way the API server's webhook client needs it: absolute `http` or `https`
 * with a host, no user info, query or fragment. Throws a `UserError` naming the value.
 * @param field the setting the value came from, for the message
 */
export function validateWebhookServerUrl(server: string, field = 'server'): URL {
  const problems = webhookUrlProblems(server);
  if (problems.length > 0) throw new UserError(problems.join('; '), { field });
  return new URL(server);
}

/**
 * Checks `certificate-authority-data` (and an AuditSink's `caBundle`): base64 of PEM with at least one
 * certificate and no private key. The value is written into the output, which is meant for Git.
 * @param field the setting the value came from, for the message
 */
export function validateCertificateAuthorityData(data: string, field = 'certificateAuthorityData'): void {
  const compact = String(data).replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new UserError('must be base64 of a PEM CA certificate (base64 -w0 ca.crt)', { field });
  }
  const pem = Buffer.from(compact, 'base64').toString('utf8');
  const keyLine = privateKeyLine(pem);
  if (keyLine !== undefined) {
    throw new UserError(
      `decodes to PEM with a private key (line ${keyLine}); it would be written into the output, which is meant for Git. ` +
        'Give base64 of the CA certificate alone (a self-signed certificate is its own CA: openssl x509 -in falco.pem | base64 -w0)',
      { field },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(
      'decodes to something other than a PEM certificate; give base64 of the PEM file (base64 -w0 ca.crt), not of the DER bytes or a key',
      { field },
    );
  }
  const { problem } = parsePem(pem);
  if (problem) throw new UserError(`decodes to PEM that is not valid: line ${problem.line}: ${problem.message}`, { field });
}

/**
 * The kubeconfig file named by `--audit-webhook-config-file`: one cluster whose `server` is the
 * webhook URL (with an optional CA), one context, and an empty user (the webhook needs no client
 * credentials; Falco's endpoint does not authenticate the API server).
 */
export class WebhookKubeconfig {
  /** The webhook URL. */
  public readonly server: string;
  /** The CA data, if any. */
  public readonly certificateAuthorityData?: string;
  /** The cluster/user/context name. */
  public readonly name: string;

  constructor(props: WebhookKubeconfigProps) {
    validateWebhookServerUrl(props.server);
    if (props.certificateAuthorityData !== undefined) {
      validateCertificateAuthorityData(props.certificateAuthorityData);
      if (new URL(props.server).protocol !== 'https:') {
        throw new UserError(`certificateAuthorityData is set but the audit webhook URL ${quote(props.server)} is http; use https or drop the CA`, {
          field: 'certificateAuthorityData',
        });
      }
    }
    const name = props.name ?? 'falco';
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
      throw new UserError(`kubeconfig name must be lowercase letters, digits, "-" and ".", got ${quote(name)}`, { field: 'name' });
    }
    this.server = props.server;
    this.certificateAuthorityData = props.certificateAuthorityData?.replace(/\s+/g, '');
    this.name = name;
  }

  /** The kubeconfig (`apiVersion: v1`, `kind: Config`). */
  public toDocument(): Record<string, unknown> {
    const cluster: Record<string, unknown> = { server: this.server };
    if (this.certificateAuthorityData) cluster['certificate-authority-data'] = this.certificateAuthorityData;
    return {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: this.name, cluster }],
      contexts: [{ name: this.name, context: { cluster: this.name, user: this.name } }],
      'current-context': this.name,
      preferences: {},
      users: [{ name: this.name, user: {} }],
    };
  }
}
