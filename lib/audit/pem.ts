import { X509Certificate } from 'crypto';
import { UserError } from '../core/errors';
import { findPrivateKey } from '../core/secret-scan';
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

/**
 * The 1-based line of the first private key in the text, if any: a PEM key block of any label, a block of another
 * label whose body is a key (a key in a "CERTIFICATE" block), base64 of a PEM key (see `findPrivateKey`).
 */
export function privateKeyLine(text: string): number | undefined {
  return findPrivateKey(text)?.line;
}

/**
 * The CA certificates of a PEM text, as PEM: only its `CERTIFICATE` blocks, one base64 line after another as
 * written. The API server's webhook client reads CA data with Go's `CertPool.AppendCertsFromPEM`
 * (kubernetes/client-go transport/transport.go `rootCertPool`), which uses `CERTIFICATE` blocks without headers
 * and skips every other block (golang/go src/crypto/x509/cert_pool.go), so nothing else needs to be embedded.
 * Each certificate block must hold one X.509 certificate: Go skips a block that `ParseCertificate` refuses (and
 * fails when none parses), so anything else there would be embedded for nothing, or be a key in disguise.
 * Throws a `UserError` (no location: the caller adds it) when the text holds a private key, is not PEM, holds no
 * certificate, or a certificate block that is not one.
 * @param what names the input at the start of a message: `certificate authority file ca.pem`
 */
export function caCertificates(text: string, what: string): string {
  const key = findPrivateKey(text);
  if (key !== undefined) {
    throw new UserError(
      `${what} holds a private key (line ${key.line}${key.form === 'label' ? '' : `: ${key.what}`}): the CA is written into the output, ` +
        'which is meant for Git, and the API server needs only the certificate. Give the CA certificate alone; a self-signed falco.pem ' +
        '(certificate + key) is its own CA, so extract its certificate: openssl x509 -in falco.pem -out falco-ca.crt',
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
  for (const cert of certificates) checkCertificateBlock(cert, what);
  return certificates.map((c) => [`${BEGIN}CERTIFICATE${DASHES}`, ...c.body, `${END}CERTIFICATE${DASHES}`].join('\n')).join('\n') + '\n';
}

/** A CERTIFICATE block is base64 lines (no headers), strict base64 as a whole, of exactly one X.509 certificate. */
function checkCertificateBlock(cert: PemBlock, what: string): void {
  if (cert.body.length === 0) throw new UserError(`${what} is not valid PEM: line ${cert.line}: the CERTIFICATE block is empty`);
  const bad = cert.body.findIndex((l) => !BASE64_LINE.test(l));
  if (bad >= 0) {
    throw new UserError(
      `${what} is not valid PEM: line ${cert.bodyLines[bad]}: the CERTIFICATE block begun at line ${cert.line} holds a line that ` +
        'is not base64 (a certificate block has no headers)',
    );
  }
  // Go's pem.Decode reads the body with base64.StdEncoding: padding only at the end, a multiple of 4 characters
  const base64 = cert.body.join('');
  if (base64.length % 4 !== 0 || !BASE64_LINE.test(base64)) {
    throw new UserError(
      `${what} is not valid PEM: line ${cert.line}: the CERTIFICATE block begun here is not valid base64 (cut short, or padded inside)`,
    );
  }
  if (!isOneCertificate(Buffer.from(base64, 'base64'))) {
    throw new UserError(
      `${what} line ${cert.line}: the CERTIFICATE block begun here does not hold an X.509 certificate, so the API server cannot use it ` +
        "(its client skips a block Go's x509.ParseCertificate refuses). Give the CA's certificate as openssl writes it: " +
        'openssl x509 -in ca.crt -out ca.pem',
    );
  }
}

/**
 * True when the DER is one X.509 certificate and nothing after it, as Go's `x509.ParseCertificate` requires ("x509:
 * trailing data": golang/go src/crypto/x509/parser.go). Parsed by node's `X509Certificate` (OpenSSL), which reads
 * the first certificate and ignores what follows, hence the length check. Go refuses a few certificates OpenSSL
 * reads (a negative serial number, from Go 1.23): those still reach the output.
 */
function isOneCertificate(der: Buffer): boolean {
  try {
    return new X509Certificate(der).raw.length === der.length;
  } catch {
    return false;
  }
}
