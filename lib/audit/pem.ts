import { UserError } from '../core/errors';
import { quote } from '../core/util';

/** One PEM block (RFC 7468): its label, the 1-based line of its BEGIN line, and its base64 lines. */
export interface PemBlock {
  readonly label: string;
  readonly line: number;
  /** The non-blank lines between BEGIN and END, trimmed. */
  readonly body: readonly string[];
  /** The 1-based line of each of `body`. */
  readonly bodyLines: readonly number[];
}

/** The blocks of a PEM text, or the first reason it is not PEM, with its 1-based line. @internal */
export interface PemText {
  readonly blocks: readonly PemBlock[];
  readonly problem?: { readonly line: number; readonly message: string };
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** A base64 line; anchored, one character class, so testing it is linear in the line's length. */
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Splits PEM text into its blocks, line by line (linear time: a file of nothing but BEGIN lines is one pass,
 * where a regular expression across lines backtracks quadratically). Text outside blocks is skipped, as RFC 7468
 * allows (openssl writes "subject=" and "Bag Attributes" lines there). @internal
 */
export function parsePem(text: string): PemText {
  const blocks: PemBlock[] = [];
  let open: { label: string; line: number; body: string[]; bodyLines: number[] } | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    lineNo++;
    const begin = line.startsWith(BEGIN) && line.endsWith(DASHES) && line.length >= BEGIN.length + DASHES.length;
    const finish = line.startsWith(END) && line.endsWith(DASHES) && line.length >= END.length + DASHES.length;
    if (open === undefined) {
      if (begin) open = { label: line.slice(BEGIN.length, -DASHES.length), line: lineNo, body: [], bodyLines: [] };
      else if (finish) return { blocks, problem: { line: lineNo, message: `an END line without a BEGIN line before it` } };
      continue;
    }
    if (begin) {
      return {
        blocks,
        problem: { line: lineNo, message: `the ${quote(open.label)} block begun at line ${open.line} has no END line before this BEGIN line` },
      };
    }
    if (finish) {
      const label = line.slice(END.length, -DASHES.length);
      if (label !== open.label) {
        return {
          blocks,
          problem: { line: lineNo, message: `the ${quote(open.label)} block begun at line ${open.line} ends with END ${quote(label)}` },
        };
      }
      blocks.push({ label: open.label, line: open.line, body: open.body, bodyLines: open.bodyLines });
      open = undefined;
      continue;
    }
    if (line !== '') {
      open.body.push(line);
      open.bodyLines.push(lineNo);
    }
  }
  if (open) return { blocks, problem: { line: open.line, message: `the ${quote(open.label)} block begun here has no END line` } };
  return { blocks };
}

/** The 1-based line of the first "PRIVATE KEY" in the text (any key block: PKCS#8, RSA, EC, OpenSSH), if any. */
export function privateKeyLine(text: string): number | undefined {
  const at = text.indexOf('PRIVATE KEY');
  if (at < 0) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The CA certificates of a PEM text, as PEM: only its `CERTIFICATE` blocks, one base64 line after another as
 * written. The API server's webhook client reads CA data with Go's `CertPool.AppendCertsFromPEM`
 * (kubernetes/client-go transport/transport.go `rootCertPool`), which uses `CERTIFICATE` blocks without headers
 * and skips every other block (golang/go src/crypto/x509/cert_pool.go), so nothing else needs to be embedded.
 * Throws a `UserError` (no location: the caller adds it) when the text holds a private key, is not PEM, or
 * holds no certificate.
 * @param what names the input at the start of a message: `certificate authority file ca.pem`
 */
export function caCertificates(text: string, what: string): string {
  const keyLine = privateKeyLine(text);
  if (keyLine !== undefined) {
    throw new UserError(
      `${what} holds a private key (line ${keyLine}): the CA is written into the output, which is meant for Git, and the API ` +
        'server needs only the certificate. Give the CA certificate alone; a self-signed falco.pem (certificate + key) is ' +
        'its own CA, so extract its certificate: openssl x509 -in falco.pem -out falco-ca.crt',
    );
  }
  const { blocks, problem } = parsePem(text);
  if (problem) throw new UserError(`${what} is not valid PEM: line ${problem.line}: ${problem.message}`);
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certificates.length === 0) {
    const others = [...new Set(blocks.map((b) => quote(b.label)))].slice(0, 5);
    throw new UserError(
      `${what} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block` +
        (others.length ? `; it has ${others.join(', ')} blocks, which the API server ignores` : '') +
        ')',
    );
  }
  for (const cert of certificates) {
    if (cert.body.length === 0) throw new UserError(`${what} is not valid PEM: line ${cert.line}: the CERTIFICATE block is empty`);
    const bad = cert.body.findIndex((l) => !BASE64_LINE.test(l));
    if (bad >= 0) {
      throw new UserError(
        `${what} is not valid PEM: line ${cert.bodyLines[bad]}: the CERTIFICATE block begun at line ${cert.line} holds a line that ` +
          'is not base64 (a certificate block has no headers)',
      );
    }
  }
  return certificates.map((c) => [`${BEGIN}CERTIFICATE${DASHES}`, ...c.body, `${END}CERTIFICATE${DASHES}`].join('\n')).join('\n') + '\n';
}
