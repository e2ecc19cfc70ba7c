import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { caCertificates, parsePem, privateKeyLine } from '../../lib/audit/pem';
import { UserError } from '../../lib/core/errors';

/** A block that is PEM, but no certificate (its body is not DER): enough to test the PEM structure. */
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTONLY\nAAAA\n-----END CERTIFICATE-----\n';
/** Two real self-signed certificates, their keys thrown away (the example's CA and test/audit/fixtures/second-ca.pem). */
const CA = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'reference-dynamic', 'falco-ca.pem'), 'utf8');
const SECOND_CA = fs.readFileSync(path.join(__dirname, 'fixtures', 'second-ca.pem'), 'utf8');
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The base64 lines of a PEM text. */
const bodyOf = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('-----'));
const block = (label: string, lines: readonly string[]) => [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ''].join('\n');

describe('parsePem', () => {
  test('blocks with their labels, lines and base64 lines; text outside blocks is skipped', () => {
    const text = `subject=CN = ca\n${CERT}\nfree text\n-----BEGIN X509 CRL-----\r\nMIIB\r\n-----END X509 CRL-----\r\n`;
    expect(parsePem(text)).toEqual({
      blocks: [
        { label: 'CERTIFICATE', line: 2, body: ['MIIBszCCAVmgAwIBAgIUTESTONLY', 'AAAA'], bodyLines: [3, 4] },
        { label: 'X509 CRL', line: 8, body: ['MIIB'], bodyLines: [9] },
      ],
    });
  });

  test.each([
    [
      'a BEGIN inside a block',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n',
      3,
      'the "CERTIFICATE" block begun at line 1 has no END line before this BEGIN line',
    ],
    ['a block without END', 'x\n-----BEGIN CERTIFICATE-----\nMIIB\n', 2, 'the "CERTIFICATE" block begun here has no END line'],
    [
      'an END for another label',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END PUBLIC KEY-----\n',
      3,
      'the "CERTIFICATE" block begun at line 1 ends with END "PUBLIC KEY"',
    ],
    ['an END without BEGIN', 'MIIB\n-----END CERTIFICATE-----\n', 2, 'an END line without a BEGIN line before it'],
  ])('%s is a problem at its line', (_what, text, line, message) => {
    expect(parsePem(text).problem).toEqual({ line, message });
  });

  test('a label in a message is cut: a BEGIN line can be a whole file long', () => {
    const text = `-----BEGIN ${'A'.repeat(100_000)}-----\n`;
    expect(parsePem(text).problem!.message.length).toBeLessThan(200);
  });

  test('linear: 200,000 BEGIN lines (5.6 MB) and a block of 200,000 base64 lines parse in one pass', () => {
    // the old check, /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, took 26 s on 840 KB of BEGIN lines
    expect(parsePem('-----BEGIN CERTIFICATE-----\n'.repeat(200_000)).problem!.line).toBe(2);
    const big = `-----BEGIN CERTIFICATE-----\n${'QUFB\n'.repeat(200_000)}-----END CERTIFICATE-----\n`;
    expect(parsePem(big).blocks[0].body.length).toBe(200_000);
  });
});

describe('privateKeyLine', () => {
  test.each([
    ['pkcs8', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['sec1', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString()],
    [
      'encrypted pkcs8',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
        .toString(),
    ],
  ])('finds a %s key after a certificate', (_what, key) => {
    expect(privateKeyLine(CERT + key)).toBe(5);
  });

  test('none in a certificate', () => {
    expect(privateKeyLine(CERT)).toBeUndefined();
  });
});

describe('caCertificates', () => {
  const err = (text: string) => {
    try {
      caCertificates(text, 'certificate authority file ca.pem');
    } catch (e) {
      if (e instanceof UserError) return e;
      throw e;
    }
    throw new Error('expected a UserError');
  };

  test('keeps only CERTIFICATE blocks, normalised to LF, in order', () => {
    expect(caCertificates(`head\r\n${CA.replace(/\n/g, '\r\n')}-----BEGIN PUBLIC KEY-----\nQUFB\n-----END PUBLIC KEY-----\n${SECOND_CA}`, 'ca')).toBe(
      CA + SECOND_CA,
    );
  });

  test('a private key in a CERTIFICATE block is refused as a key, at its line, never shown (issue 23)', () => {
    const e = err(`${CA}${block('CERTIFICATE', bodyOf(KEY))}`);
    expect(e.message).toMatch(
      /^certificate authority file ca\.pem holds a private key \(line 12: a PEM "CERTIFICATE" block whose body is a private key\): the CA is written into the output/,
    );
    for (const line of bodyOf(KEY)) expect(e.message).not.toContain(line);
  });

  test.each([
    ['a block of AAAA', block('CERTIFICATE', ['AAAA']), 1],
    [
      'a public key in a CERTIFICATE block',
      block('CERTIFICATE', bodyOf(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString())),
      1,
    ],
    ['the second of two blocks', CA + block('CERTIFICATE', ['QUFBQUFB']), 12],
    // OpenSSL reads the first certificate and ignores what follows; Go's x509.ParseCertificate refuses trailing data
    [
      'a certificate with bytes after it',
      block('CERTIFICATE', [Buffer.concat([Buffer.from(bodyOf(CA).join(''), 'base64'), Buffer.from('AAAA')]).toString('base64')]),
      1,
    ],
  ])('%s is no X.509 certificate: refused at the block, the API server could not use it (issue 23)', (_what, text, line) => {
    expect(err(text).message).toBe(
      `certificate authority file ca.pem line ${line}: the CERTIFICATE block begun here does not hold an X.509 certificate, so the API server ` +
        "cannot use it (its client skips a block Go's x509.ParseCertificate refuses). Give the CA's certificate as openssl writes it: " +
        'openssl x509 -in ca.crt -out ca.pem',
    );
  });

  test('base64 padded inside, or cut short, is refused: Go decodes the body as one base64 string', () => {
    const lines = bodyOf(CA);
    expect(err(block('CERTIFICATE', ['QUE=', ...lines])).message).toBe(
      'certificate authority file ca.pem is not valid PEM: line 1: the CERTIFICATE block begun here is not valid base64 (cut short, or padded inside)',
    );
    expect(err(block('CERTIFICATE', [...lines.slice(0, -1), lines[lines.length - 1].slice(0, -1)])).message).toMatch(/is not valid base64/);
  });

  test('a private key anywhere is refused without a location (the caller adds it) and without showing the key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const e = err(CERT + key);
    expect(e.location).toEqual({});
    expect(e.message).toMatch(
      /^certificate authority file ca\.pem holds a private key \(line 5\): the CA is written into the output, which is meant for Git/,
    );
    expect(e.message).not.toContain(key.split('\n')[1]);
  });

  test.each([
    ['no certificate', 'hello', 'holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)'],
    [
      'an empty certificate block',
      '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
      'is not valid PEM: line 1: the CERTIFICATE block is empty',
    ],
    [
      'a header in a certificate block',
      '-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nQUFB\n-----END CERTIFICATE-----\n',
      'is not valid PEM: line 2: the CERTIFICATE block begun at line 1 holds a line that is not base64 (a certificate block has no headers)',
    ],
    [
      'an unterminated block',
      `${CERT}-----BEGIN CERTIFICATE-----\nQUFB\n`,
      'is not valid PEM: line 5: the "CERTIFICATE" block begun here has no END line',
    ],
  ])('%s is refused', (_what, text, message) => {
    expect(err(text).message).toBe(`certificate authority file ca.pem ${message}`);
  });
});
