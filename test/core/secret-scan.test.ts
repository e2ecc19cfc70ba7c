import { createPublicKey, generateKeyPairSync, KeyObject } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { commandHasUrlPassword, findPrivateKey, isPrivateKeyDer, scanSecrets, urlCredentials } from '../../lib/core/secret-scan';
import { loadYaml } from '../../lib/core/yaml';
import { refusePrivateKeys } from '../../lib/core/secret-scan';
import { UserError } from '../../lib/core/errors';

/** Keys are made per run: nothing here is a real secret, and no fixture holds one. */
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const RSA = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
const ED = generateKeyPairSync('ed25519').privateKey;
const pem = (k: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1', cipher?: string) =>
  k.export({ type, format: 'pem', ...(cipher ? { cipher, passphrase: 'x' } : {}) } as any).toString();
const P8 = pem(EC, 'pkcs8');
/** The base64 lines of a PEM text, without BEGIN and END. */
const bodyOf = (text: string) =>
  text
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('\n');
const CERT = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'reference-dynamic', 'falco-ca.pem'), 'utf8');
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('findPrivateKey: every way a key is written, found at its line, by its form', () => {
  test.each([
    ['PKCS#8', P8, 1, 'label', 'a PEM "PRIVATE KEY" block'],
    ['SEC 1 EC', pem(EC, 'sec1'), 1, 'label', 'a PEM "EC PRIVATE KEY" block'],
    ['PKCS#1 RSA', pem(RSA, 'pkcs1'), 1, 'label', 'a PEM "RSA PRIVATE KEY" block'],
    ['encrypted PKCS#8', pem(EC, 'pkcs8', 'aes-256-cbc'), 1, 'label', 'a PEM "ENCRYPTED PRIVATE KEY" block'],
    ['Ed25519', pem(ED, 'pkcs8'), 1, 'label', 'a PEM "PRIVATE KEY" block'],
    [
      'OpenSSH',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n',
      1,
      'label',
      'a PEM "OPENSSH PRIVATE KEY" block',
    ],
    ['after a certificate', CERT + P8, 12, 'label', 'a PEM "PRIVATE KEY" block'],
    ['indented (a block scalar kept as written)', P8.replace(/^/gm, '    '), 1, 'label', 'a PEM "PRIVATE KEY" block'],
    ['with CR LF', P8.replace(/\n/g, '\r\n'), 1, 'label', 'a PEM "PRIVATE KEY" block'],
    ['folded onto one line (a plain multi-line YAML scalar)', `x: ${P8.replace(/\n/g, ' ')}`, 1, 'label', 'a PEM "PRIVATE KEY" block'],
    ['inside a longer string, after other lines', `first\nsecond\nthe key: ${P8} and more`, 3, 'label', 'a PEM "PRIVATE KEY" block'],
    [
      "in a JSON string with \\n as two characters (a service account's credentials file)",
      JSON.stringify({ private_key: P8 }),
      1,
      'label',
      'a PEM "PRIVATE KEY" block',
    ],
    ['in lower case', P8.replace(/PRIVATE KEY/g, 'private key'), 1, 'label', 'a PEM "private key" block'],
    [
      'as an ssh.com key (four dashes, spaces)',
      '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nP2/56wAAAi4AAAA3aWYtbW9kbntzaWdue3JzYS1wa2NzMS1zaGExfSxlbmNyeXB0\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n',
      1,
      'label',
      'a PEM "SSH2 ENCRYPTED PRIVATE KEY" block',
    ],
    [
      'in a CERTIFICATE block',
      `-----BEGIN CERTIFICATE-----\n${bodyOf(P8)}\n-----END CERTIFICATE-----\n`,
      1,
      'body',
      'a PEM "CERTIFICATE" block whose body is a private key',
    ],
    [
      'in a block of any label',
      `-----BEGIN STUFF-----\n${bodyOf(pem(RSA, 'pkcs1'))}\n-----END STUFF-----\n`,
      1,
      'body',
      'a PEM "STUFF" block whose body is a private key',
    ],
    [
      'an encrypted key in a CERTIFICATE block',
      `-----BEGIN CERTIFICATE-----\n${bodyOf(pem(EC, 'pkcs8', 'aes-128-cbc'))}\n-----END CERTIFICATE-----\n`,
      1,
      'body',
      'a PEM "CERTIFICATE" block whose body is a private key',
    ],
    ['as base64 of the PEM (kubeconfig client-key-data)', `client-key-data: ${b64(P8)}`, 1, 'base64-pem', 'base64 of a PEM "PRIVATE KEY" block'],
    ['as base64 of the PEM, wrapped at 76 columns', b64(P8).replace(/(.{76})/g, '$1\n'), 1, 'base64-pem', 'base64 of a PEM "PRIVATE KEY" block'],
    ['as base64 of a certificate and its key', b64(CERT + P8), 1, 'base64-pem', 'base64 of a PEM "PRIVATE KEY" block'],
    [
      'as base64 of base64 (a Secret holding a kubeconfig)',
      b64(`users:\n- user:\n    client-key-data: ${b64(P8)}\n`),
      1,
      'base64-pem',
      'base64 of base64 of a PEM "PRIVATE KEY" block',
    ],
    ['as a PEM body without its BEGIN and END lines', bodyOf(P8), 1, 'der', 'base64 of a DER private key'],
    ['as base64 of the DER in a longer string', `key=${bodyOf(P8).replace(/\n/g, '')};`, 1, 'der', 'base64 of a DER private key'],
    [
      'as a PuTTY key file',
      'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 1\nAAAAC3NzaC1lZDI1NTE5\nPrivate-Lines: 1\nAAAAIG5vdGFrZXk=\n',
      1,
      'putty',
      'a PuTTY private key file',
    ],
  ])('%s', (_what, text, line, form, what) => {
    expect(findPrivateKey(text)).toEqual({ line, form, what });
  });

  test.each([
    ['a certificate', CERT],
    ['base64 of a certificate', b64(CERT)],
    ['a public key', createPublicKey(EC).export({ type: 'spki', format: 'pem' }).toString()],
    ['an RSA public key', createPublicKey(RSA).export({ type: 'pkcs1', format: 'pem' }).toString()],
    ['a rule that looks for the marker in events', 'condition: evt.buffer contains "-----BEGIN RSA PRIVATE KEY-----"'],
    ['a rule output that names the marker', 'output: private key read (-----BEGIN RSA PRIVATE KEY----- seen) by %proc.name'],
    ['prose about keys', 'rotate the PRIVATE KEY yearly'],
    ['an image digest', `docker.io/falcosecurity/falco@sha256:${'ab'.repeat(32)}`],
    ['a long base64 string that is no key', b64('x'.repeat(300))],
    ['a block of AAAA', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
  ])('no key in %s', (_what, text) => {
    expect(findPrivateKey(text)).toBeUndefined();
  });

  test('linear: a megabyte of BEGIN lines, of encoded BEGINs, of dashes, of base64 is scanned in well under a second', () => {
    const inputs = [
      '-----BEGIN CERTIFICATE-----\n'.repeat(40_000),
      '---BEGIN '.repeat(110_000),
      'LS0tLS1CRUdJ'.repeat(80_000),
      '-'.repeat(1_000_000),
      `M${'A'.repeat(1_000_000)}`,
      `${'QUFB\n'.repeat(10)}`.repeat(20_000),
    ];
    const start = Date.now();
    for (const text of inputs) expect(findPrivateKey(text)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(3000);
  });

  test('isPrivateKeyDer: keys of each kind are, a certificate is not (and costs no parse)', () => {
    expect(isPrivateKeyDer(EC.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
    expect(isPrivateKeyDer(RSA.export({ type: 'pkcs1', format: 'der' }))).toBe(true);
    expect(isPrivateKeyDer(EC.export({ type: 'sec1', format: 'der' }))).toBe(true);
    expect(isPrivateKeyDer(EC.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'x' }))).toBe(true);
    expect(isPrivateKeyDer(Buffer.from(bodyOf(CERT), 'base64'))).toBe(false);
    expect(isPrivateKeyDer(Buffer.from([0x30, 0x84, 0xff]))).toBe(false);
    expect(isPrivateKeyDer(Buffer.alloc(0))).toBe(false);
  });
});

describe('urlCredentials: with a scheme, without one, every reading', () => {
  test.each([
    'https://a:b@h/x',
    'http://user:p@ss@proxy:3128',
    'nats://u:pw@nats:4222',
    ' https://a:b@h',
    // no scheme: libcurl guesses http://, Go's proxy settings prepend it
    'alice:Pa55word@hooks.example.com/falco',
    'proxyuser:Pr0xyPass@proxy.example.com:3128',
    '//a:b@h',
    // a scheme without "//": libcurl reads "mailto" as the user
    'mailto:a:b@h',
    'HTTP://A:B@H',
    'http:/a:b@h',
    // an encoded ':' in the user name
    'https://alice%3APa55@h',
  ])('%s carries a password', (url) => {
    expect(urlCredentials(url)).toBe('password');
  });

  test.each(['nats://t0ken@nats:4222', 'https://user@h/', 't0ken@nats:4222'])('%s carries a user alone', (url) => {
    expect(urlCredentials(url)).toBe('user');
  });

  test.each([
    'https://h/x@y',
    'https://h?q=a:b@c',
    'https://h#a:b@c',
    'http://some.url',
    'https://user:@h',
    'https://:${P}@h',
    'https://${U}:${P}@h',
    'http://u:$(PROXY_PASSWORD)@proxy:3128',
    'proxy.example.com:3128',
    'h/x@y',
    '',
    5,
    undefined,
  ])('%s carries none', (url) => {
    expect(urlCredentials(url)).toBeUndefined();
  });

  test('a command: scheme:// URLs with a password, not x@y', () => {
    expect(commandHasUrlPassword("jq '{text: .output}' | curl -d @- -X POST https://bot:s3cret@hooks.example.com/x")).toBe(true);
    expect(commandHasUrlPassword('curl -d @- -X POST "https://bot:s3cret@hooks.example.com/x"')).toBe(true);
    expect(commandHasUrlPassword("jq '{text: .output}' | curl -d @- -X POST https://hooks.slack.com/services/XXX")).toBe(false);
    expect(commandHasUrlPassword('mail -s falco ops@example.com')).toBe(false);
    expect(commandHasUrlPassword('curl https://bot:${TOKEN}@hooks.example.com')).toBe(false);
  });
});

describe('scanSecrets: every string and key, with its path', () => {
  test('keys in values, list items and mapping keys; URL passwords only where the rules say a URL is', () => {
    const doc = {
      a: { b: [`x ${P8}`], url: 'https://a:b@h' },
      [P8]: 'a key as a key',
      annotations: { 'iam.gke.io/gcp-service-account': 'sa@p.iam.gserviceaccount.com', note: 'user:pass@host' },
      image: `repo@sha256:${'0'.repeat(64)}`,
      proxy: 'user:pass@proxy:3128',
      list: 'idx,https://corp:pw@index.example.com/index.yaml;other,https://h/i.yaml',
      cmd: 'curl https://u:p@h',
      skipped: P8,
    };
    const uses: Record<string, 'url' | 'url-list' | 'command'> = { proxy: 'url', list: 'url-list', cmd: 'command', 'a.url': 'url' };
    const found = scanSecrets(doc, { urlUse: (p) => uses[p.join('.')], skip: (p) => p.join('.') === 'skipped' });
    expect(found.map(({ path: p, kind, keyIndex, use }) => ({ p: p.join('.'), kind, keyIndex, use }))).toEqual([
      { p: 'a.b.0', kind: 'private-key', keyIndex: undefined, use: undefined },
      { p: 'a.url', kind: 'url-password', keyIndex: undefined, use: 'url' },
      { p: '', kind: 'private-key', keyIndex: 1, use: undefined },
      { p: 'proxy', kind: 'url-password', keyIndex: undefined, use: 'url' },
      { p: 'list', kind: 'url-password', keyIndex: undefined, use: 'url-list' },
      { p: 'cmd', kind: 'url-password', keyIndex: undefined, use: 'command' },
    ]);
  });

  test('objects without a prototype are walked too', () => {
    const doc = Object.assign(Object.create(null), { constructor: P8 });
    expect(scanSecrets(doc)).toEqual([expect.objectContaining({ path: ['constructor'], kind: 'private-key' })]);
  });

  test('refusePrivateKeys: each key at its line, the key never shown, a mapping key by its position only', () => {
    const text = `a: 1\nb: |\n  text\n${P8.replace(/^/gm, '  ')}\nc:\n  ${JSON.stringify(P8)}: x\n`;
    let err: UserError | undefined;
    try {
      refusePrivateKeys(loadYaml(text, { file: 'in.yaml', what: 'test file' }), 'a reason', (n) => `in.yaml: ${n} problems:`);
    } catch (e) {
      err = e as UserError;
    }
    expect(err!.message).toBe(
      [
        'in.yaml: 2 problems:',
        '  - in.yaml:2: b: refused: this value holds a private key (a PEM "PRIVATE KEY" block, at its line 2): a reason',
        `  - in.yaml:${text.split('\n').indexOf('c:') + 1}: c: refused: key number 1 of this mapping holds a private key (a PEM "PRIVATE KEY" block): a reason`,
      ].join('\n'),
    );
    expect(err!.message).not.toContain(bodyOf(P8).split('\n')[1]);
  });
});
