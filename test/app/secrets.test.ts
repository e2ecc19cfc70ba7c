/**
 * Secrets must not reach Git, and no input makes the app do unbounded work: through the real app process, every
 * refused input ends with exit 1, one located message (file:line: field:) that never shows the secret, no stack
 * trace, and the output folder exactly as it was.
 */
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES, listFiles, readDoc, runApp, scratch, writeFiles } from './run';

const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const DEFAULT_VALUES = fs.readFileSync(path.join(EXAMPLES, 'default', 'values.yaml'), 'utf8');
/** An earlier run's output (marked, so a valid run may replace it), with a file a bad run must not lose. */
const SEED = { '.cdk8s-falco-audit': '# Output of cdk8s-falco-audit\n', 'keep.txt': 'written by an earlier run\n' };

/** A certificate block (not a real certificate: its body is no DER) and a real private key, made per run. */
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTONLY\n-----END CERTIFICATE-----\n';
/** Two real self-signed certificates, their keys thrown away. */
const CA = fs.readFileSync(path.join(EXAMPLES, 'reference-dynamic', 'falco-ca.pem'), 'utf8');
const SECOND_CA = fs.readFileSync(path.join(__dirname, '..', 'audit', 'fixtures', 'second-ca.pem'), 'utf8');
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The README's falco.pem: certificate and key in one file. */
const FALCO_PEM = CERT + KEY;
/** A line of the key's base64 body: it must never appear in any output. */
const KEY_MATERIAL = KEY.split('\n')[1];

const TLS_VALUES = 'falco:\n  webserver:\n    sslEnabled: true\n';
const SINK_CONFIG = [
  'apiServer: {manifest: kube-apiserver.yaml}',
  'audit:',
  '  auditSink: {certificateAuthority: falco.pem}',
  'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
  '',
].join('\n');
const WEBHOOK_CONFIG = [
  'apiServer: {manifest: kube-apiserver.yaml}',
  'audit:',
  '  backend: webhook',
  '  webhook: {certificateAuthority: falco.pem}',
  'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
  '',
].join('\n');
const PLAIN_CONFIG = ['apiServer: {manifest: kube-apiserver.yaml}', 'falco:', '  values: values.yaml', '  clusterIP: 10.96.0.100', ''].join('\n');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the app on the default example with `files` replaced; the output folder starts with SEED in it. */
function run(files: Record<string, string>) {
  writeFiles(dir, { 'falco-audit.yaml': PLAIN_CONFIG, 'kube-apiserver.yaml': DEFAULT_MANIFEST, 'values.yaml': DEFAULT_VALUES, ...files });
  const out = path.join(dir, 'out');
  writeFiles(out, SEED);
  return runApp({ cwd: dir, outdir: out });
}

/** Exit 1, exactly one `error:` message matching `message`, no stack, nothing written, and none of `secrets` shown. */
function expectRefused(r: ReturnType<typeof run>, message: string | RegExp, secrets: readonly string[] = []) {
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 1,
    stderr: expect.stringMatching(/^error: [^]*\nnothing was written: [^\n]*\.\n$/),
  });
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(r.stdout).toBe('');
  for (const s of secrets) expect(r.stderr).not.toContain(s);
  expect(listFiles(r.outdir)).toEqual(Object.keys(SEED));
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
}

/** 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** A file of `size` bytes that takes no disk space (a sparse file): reading it whole would take seconds or fail. */
function sparse(name: string, size: number): void {
  const fd = fs.openSync(path.join(dir, name), 'w');
  fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
}

describe('a CA file that holds a private key is refused, saying why', () => {
  test("as the AuditSink caBundle (the README's falco.pem, certificate + key)", () => {
    const r = run({ 'falco-audit.yaml': SINK_CONFIG, 'falco.pem': FALCO_PEM, 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      `falco-audit.yaml:3: audit.auditSink.certificateAuthority: certificate authority file falco.pem holds a private key (line ${lineOf(FALCO_PEM, 'PRIVATE KEY')}): ` +
        'the CA is written into the output, which is meant for Git',
      [KEY_MATERIAL],
    );
    expect(r.stderr).toContain('openssl x509 -in falco.pem -out falco-ca.crt');
  });

  test('as the webhook kubeconfig certificate-authority-data', () => {
    const r = run({ 'falco-audit.yaml': WEBHOOK_CONFIG, 'falco.pem': FALCO_PEM, 'values.yaml': TLS_VALUES });
    expectRefused(r, `falco-audit.yaml:4: audit.webhook.certificateAuthority: certificate authority file falco.pem holds a private key (line 4)`, [
      KEY_MATERIAL,
    ]);
  });

  test('an RSA key in the traditional format, before the certificate, is refused too', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const r = run({ 'falco-audit.yaml': SINK_CONFIG, 'falco.pem': rsa + CERT, 'values.yaml': TLS_VALUES });
    expectRefused(r, 'audit.auditSink.certificateAuthority: certificate authority file falco.pem holds a private key (line 1)', [rsa.split('\n')[1]]);
  });
});

describe('only certificate blocks are embedded', () => {
  test("openssl's text around the blocks and a second certificate: the caBundle holds exactly the two certificates", () => {
    const file = `subject=CN = falco.falco.svc\nissuer=CN = falco-ca\n${CA.replace(/\n/g, '\r\n')}\nBag Attributes\n    friendlyName: ca\n${SECOND_CA}`;
    const r = run({ 'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'), 'ca.pem': file, 'values.yaml': TLS_VALUES });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const caBundle = readDoc(r.outdir, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig.caBundle;
    expect(Buffer.from(caBundle, 'base64').toString('utf8')).toBe(CA + SECOND_CA);
  });

  test('a file with only other blocks says which, and that the API server ignores them', () => {
    const r = run({
      'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'),
      'ca.pem': CERT.replace(/CERTIFICATE/g, 'TRUSTED CERTIFICATE'),
      'values.yaml': TLS_VALUES,
    });
    expectRefused(
      r,
      'falco-audit.yaml:3: audit.auditSink.certificateAuthority: certificate authority file ca.pem holds no PEM certificate (no -----BEGIN CERTIFICATE----- block; it has "TRUSTED CERTIFICATE" blocks, which the API server ignores)',
    );
  });

  test('a certificate block with a line that is not base64 is refused at its line', () => {
    const r = run({
      'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'),
      'ca.pem': CERT.replace('TESTONLY\n', 'TESTONLY\nnot base64!\n'),
      'values.yaml': TLS_VALUES,
    });
    expectRefused(
      r,
      'certificate authority file ca.pem is not valid PEM: line 3: the CERTIFICATE block begun at line 1 holds a line that is not base64',
    );
  });
});

describe('every CERTIFICATE block of a CA file must be one X.509 certificate (issue 23)', () => {
  const KEY_LINES = KEY.split('\n').filter((l) => l && !l.startsWith('-----'));
  const asCertificate = (lines: readonly string[]) => ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');

  test('a PKCS#8 key in a "CERTIFICATE" block is refused as a key at its line, and never reaches the caBundle', () => {
    const file = CA + asCertificate(KEY_LINES);
    const r = run({ 'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'), 'ca.pem': file, 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      `falco-audit.yaml:3: audit.auditSink.certificateAuthority: certificate authority file ca.pem holds a private key (line ${lineOf(CA, 'END') + 1}: ` +
        'a PEM "CERTIFICATE" block whose body is a private key): the CA is written into the output, which is meant for Git',
      KEY_LINES,
    );
  });

  test('a block of AAAA is refused at its line: the API server cannot load it', () => {
    const r = run({ 'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'), 'ca.pem': asCertificate(['AAAA']), 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      'falco-audit.yaml:3: audit.auditSink.certificateAuthority: certificate authority file ca.pem line 1: the CERTIFICATE block begun here does not ' +
        "hold an X.509 certificate, so the API server cannot use it (its client skips a block Go's x509.ParseCertificate refuses)",
    );
  });

  test('the webhook CA too: a real certificate followed by a block that is none is refused at that block', () => {
    const file = CA + asCertificate(['QUFBQUFBQUFB']);
    const r = run({ 'falco-audit.yaml': WEBHOOK_CONFIG.replace('falco.pem', 'ca.pem'), 'ca.pem': file, 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      `falco-audit.yaml:4: audit.webhook.certificateAuthority: certificate authority file ca.pem line ${lineOf(CA, 'END') + 1}: the CERTIFICATE block begun here does not hold an X.509 certificate`,
    );
  });
});

describe('bounded work: big or pathological files are refused before they are read whole', () => {
  test('a 3 GB CA file: refused by its size, with the size and the limit', () => {
    writeFiles(dir, { 'values.yaml': TLS_VALUES });
    sparse('ca.pem', 3 * 1024 ** 3);
    const r = run({ 'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'), 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      `falco-audit.yaml:3: audit.auditSink.certificateAuthority: certificate authority file ca.pem is ${3 * 1024 ** 3} bytes, more than the 1048576 bytes any CA bundle needs; refusing to read it`,
    );
  });

  test('a 3 GB manifest and a 3 GB config: refused by their size', () => {
    sparse('kube-apiserver.yaml', 3 * 1024 ** 3);
    const r1 = runApp({ cwd: dir, outdir: path.join(dir, 'out'), config: writeConfig() });
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain(
      `kube-apiserver.yaml: kube-apiserver manifest is ${3 * 1024 ** 3} bytes, more than the 1048576 bytes any real one needs`,
    );
    sparse('big.yaml', 3 * 1024 ** 3);
    const r2 = runApp({ cwd: dir, outdir: path.join(dir, 'out'), config: 'big.yaml' });
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain(`big.yaml: config file is ${3 * 1024 ** 3} bytes, more than the 1048576 bytes any real one needs`);
    expect(r1.stderr + r2.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  test('an 840 KB CA file of BEGIN lines is refused at its second line (PEM is parsed line by line, not by backtracking)', () => {
    const begins = '-----BEGIN CERTIFICATE-----\n'.repeat(30_000);
    expect(begins.length).toBeGreaterThan(800_000);
    const r = run({ 'falco-audit.yaml': SINK_CONFIG.replace('falco.pem', 'ca.pem'), 'ca.pem': begins, 'values.yaml': TLS_VALUES });
    expectRefused(
      r,
      'certificate authority file ca.pem is not valid PEM: line 2: the "CERTIFICATE" block begun at line 1 has no END line before this BEGIN line',
    );
  });

  test('a fleet of more than 5,000 clusters is refused at its clusters line, before any is built', () => {
    const clusters = Array.from({ length: 5001 }, (_, i) => `- {name: c${i}, apiServer: {manifest: kube-apiserver.yaml}}`);
    const r = run({ 'falco-audit.yaml': `# a generated fleet\nclusters:\n${clusters.join('\n')}\n` });
    expectRefused(r, 'falco-audit.yaml:2: clusters: lists 5001 clusters, more than the 5000 one run builds');
    expect(r.stderr).toContain('split the fleet into several config files');
  });
});

function writeConfig(): string {
  writeFiles(dir, { 'falco-audit.yaml': PLAIN_CONFIG, 'values.yaml': DEFAULT_VALUES });
  return 'falco-audit.yaml';
}

describe('literal credentials in the values are refused, with the way that keeps them out of Git', () => {
  const values = (integrations: string) => `${DEFAULT_VALUES}integrations:\n${integrations}`;
  const at = (text: string, needle: string) => `values.yaml:${lineOf(text, needle)}:`;

  test('integrations.snsOutput AWS keys', () => {
    const text = values(
      '  snsOutput:\n    enabled: true\n    topic: arn:aws:sns:eu-west-1:123456789012:alerts\n    aws_access_key_id: AKIAIOSFODNN7EXAMPLE\n    aws_secret_access_key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n',
    );
    const r = run({ 'values.yaml': text });
    expectRefused(
      r,
      `${at(text, 'aws_access_key_id')} integrations.snsOutput.aws_access_key_id: refused: a literal AWS access key id here would be written into the output, ` +
        "which is meant for Git. Remove it, create a Secret in Falco's namespace with the key aws_access_key_id (kubectl create secret generic, " +
        'or a SealedSecret or ExternalSecret you manage) and name it in integrations.snsOutput.existingSecret',
      ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY'],
    );
  });

  test('integrations.gcscc.webhookAuthenticationToken (the chart writes it into a program: line of the ConfigMap)', () => {
    const text = values('  gcscc:\n    enabled: true\n    webhookAuthenticationToken: 7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e\n');
    const r = run({ 'values.yaml': text });
    expectRefused(
      r,
      `${at(text, 'webhookAuthenticationToken')} integrations.gcscc.webhookAuthenticationToken: refused: a literal webhook authentication token`,
      ['7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e'],
    );
    expect(r.stderr).toContain('with the key webhook-authentication-token');
    expect(r.stderr).toContain('name it in integrations.gcscc.existingSecret');
  });

  test("integrations.pubsubOutput.credentialsData and projectID (both in the chart's Secret)", () => {
    const credentials = '{"type": "service_account", "private_key_id": "0123abcd"}';
    const text = values(`  pubsubOutput:\n    enabled: true\n    topic: alerts\n    credentialsData: '${credentials}'\n`);
    expectRefused(
      run({ 'values.yaml': text }),
      `${at(text, 'credentialsData')} integrations.pubsubOutput.credentialsData: refused: a literal Google Cloud credentials file`,
      ['0123abcd'],
    );
    const project = values('  pubsubOutput:\n    projectID: my-project-42\n');
    expectRefused(
      run({ 'values.yaml': project }),
      `${at(project, 'projectID')} integrations.pubsubOutput.projectID: refused: a literal Google Cloud project id`,
    );
  });

  test('a secret of the wrong type is described by its kind, not its value', () => {
    const text = values('  snsOutput:\n    aws_secret_access_key: 12345678901234567890\n');
    expectRefused(
      run({ 'values.yaml': text }),
      `${at(text, 'aws_secret_access_key')} integrations.snsOutput.aws_secret_access_key: expected a string, got a number`,
      ['1234567890'],
    );
  });

  test('an integration enabled without its existingSecret is refused at its enabled line', () => {
    const text = values('  snsOutput:\n    enabled: true\n    topic: alerts\n');
    expectRefused(
      run({ 'values.yaml': text }),
      `values.yaml:${lineOf(text, 'snsOutput') + 1}: integrations.snsOutput.enabled: is true, but the sidecar's credentials must come from a Secret you create`,
    );
  });

  test('an existingSecret that is no Secret name is refused at its line', () => {
    const text = values('  snsOutput:\n    existingSecret: AWS_Keys\n');
    expectRefused(run({ 'values.yaml': text }), `${at(text, 'existingSecret')} integrations.snsOutput.existingSecret: secret name "AWS_Keys"`);
  });
});

describe('credentials in URLs and in falcoctl.yaml are refused, never shown, with the way out', () => {
  const CHART = fs.readFileSync(path.join(__dirname, '..', 'falco', 'fixtures', 'chart-9.1.0', 'values-k8saudit.yaml'), 'utf8');
  const at = (text: string, needle: string) => `values.yaml:${lineOf(text, needle)}:`;

  test('stable/falco values: falco.httpOutput.url, integrations.natsOutput.natsUrl, proxy.httpProxy and httpsProxy', () => {
    const http = DEFAULT_VALUES.replace(
      'url: http://falcosidekick.falco.svc.cluster.local:2801/',
      'url: "https://alice:Pa55word@hooks.example.com/falco"',
    );
    expectRefused(
      run({ 'values.yaml': http }),
      `${at(http, 'Pa55word')} falco.httpOutput.url: refused: this URL carries a password before its '@', which would be ` +
        'written into falco.yaml in the ConfigMap in the output, which is meant for Git; point it at a receiver in the cluster that needs no credentials in the URL, ' +
        'such as falcosidekick',
      ['Pa55word', 'alice'],
    );
    const nats = `${DEFAULT_VALUES}integrations:\n  natsOutput: {enabled: true, natsUrl: "nats://s3cr3tt0ken@nats.example.com:4222"}\n`;
    expectRefused(
      run({ 'values.yaml': nats }),
      `${at(nats, 's3cr3tt0ken')} integrations.natsOutput.natsUrl: refused: this URL carries credentials (a user or token) ` +
        "before its '@', which would be written into the falco-nats sidecar's arguments in the DaemonSet",
      ['s3cr3tt0ken'],
    );
    for (const key of ['httpProxy', 'httpsProxy']) {
      const proxy = `${DEFAULT_VALUES}proxy:\n  ${key}: http://proxyuser:Pr0xyPass@proxy.example.com:3128\n`;
      expectRefused(run({ 'values.yaml': proxy }), `${at(proxy, 'Pr0xyPass')} proxy.${key}: refused: this URL carries a password`, ['Pr0xyPass']);
    }
  });

  test('stable/falco values: a user without a password, or a ${VAR} password, is no literal secret', () => {
    const r = run({
      'values.yaml': `${DEFAULT_VALUES}proxy:\n  httpProxy: http://falco@proxy.example.com:3128\n  httpsProxy: "http://falco:\${PROXY_PASSWORD}@proxy.example.com:3128"\n`,
    });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
  });

  test('falcosecurity/falco values: registry passwords and client secrets, an index URL and http_output.url with a password', () => {
    const text =
      CHART.replace(
        '  config:\n    artifact:',
        '  config:\n    registry:\n      auth:\n' +
          '        basic: [{registry: ghcr.io, user: bob, password: hunt3r2}]\n' +
          '        oauth: [{registry: registry.example.com, clientID: falco, clientsecret: t0ps3cret, tokenURL: "https://auth.example.com/token"}]\n' +
          '    indexes: [{name: corp, url: "https://corp:1ndexpw@index.example.com/index.yaml"}]\n    artifact:',
      ) + '  http_output: {enabled: true, url: "https://alice:Pa55word@hooks.example.com/falco"}\n';
    const r = run({ 'values.yaml': text });
    expectRefused(r, /^error: values\.yaml: 4 problems in the falcosecurity\/falco 9\.1\.0 values:\n/, [
      'hunt3r2',
      't0ps3cret',
      '1ndexpw',
      'Pa55word',
    ]);
    const lines = r.stderr.split('\n').slice(1, 5);
    expect(lines.map((l) => l.replace(/^ {2}- ([^ ]+ [^ ]+) .*$/, '$1'))).toEqual([
      `${at(text, 'hunt3r2')} falcoctl.config.registry.auth.basic[0].password:`,
      `${at(text, 't0ps3cret')} falcoctl.config.registry.auth.oauth[0].clientsecret:`,
      `${at(text, '1ndexpw')} falcoctl.config.indexes[0].url:`,
      `${at(text, 'Pa55word')} falco.http_output.url:`,
    ]);
    expect(lines[0]).toContain(
      'falcoctl also reads it from the environment variable FALCOCTL_REGISTRY_AUTH_BASIC, as "<registry>,<username>,<password>"; ' +
        "create a Secret in Falco's namespace with that key and give it to falcoctl with falcoctl.artifact.install.envFrom: [{secretRef: {name: <secret>}}]",
    );
    expect(lines[1]).toContain('FALCOCTL_REGISTRY_AUTH_OAUTH, as "<registry>,<client-id>,<client-secret>,<token-url>"');
    expect(lines[2]).toContain('FALCOCTL_INDEXES');
    expect(lines[3]).toContain('write the URL as url: ${FALCO_HTTP_OUTPUT_URL} and set it from a Secret');
  });

  test('falcosecurity/falco values: the ways out synthesize, and the output names the Secrets only', () => {
    const text =
      CHART.replace('      enabled: true\n    follow:', '      enabled: true\n      envFrom: [{secretRef: {name: falcoctl-registry}}]\n    follow:') +
      '  http_output: {enabled: true, url: "${FALCO_HTTP_OUTPUT_URL}"}\n' +
      'extra:\n  env: [{name: FALCO_HTTP_OUTPUT_URL, valueFrom: {secretKeyRef: {name: falco-http-output, key: url}}}]\n';
    const r = run({ 'values.yaml': text });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const pod = readDoc(r.outdir, 'cluster/deployment-falco.yaml').spec.template.spec;
    expect(pod.initContainers.find((c: any) => c.name === 'falcoctl-artifact-install').envFrom).toEqual([
      { secretRef: { name: 'falcoctl-registry' } },
    ]);
    expect(pod.containers[0].env).toContainEqual({
      name: 'FALCO_HTTP_OUTPUT_URL',
      valueFrom: { secretKeyRef: { name: 'falco-http-output', key: 'url' } },
    });
  });

  test('falcosecurity/falco values: a literal FALCOCTL_REGISTRY_AUTH_BASIC in the falcoctl env', () => {
    const text = CHART.replace(
      '      enabled: true\n    follow:',
      '      enabled: true\n      env: [{name: FALCOCTL_REGISTRY_AUTH_BASIC, value: "ghcr.io,bob,hunt3r2"}]\n    follow:',
    );
    expectRefused(
      run({ 'values.yaml': text }),
      `${at(text, 'hunt3r2')} falcoctl.artifact.install.env[0].value: refused: FALCOCTL_REGISTRY_AUTH_BASIC holds registry ` +
        'credentials, and a literal value here would be written into the Deployment in the output, which is meant for Git; set it with valueFrom: ' +
        '{secretKeyRef: {name: <secret>, key: FALCOCTL_REGISTRY_AUTH_BASIC}}',
      ['hunt3r2'],
    );
  });
});

describe('credentials by reference: the output names the Secret and holds no credential', () => {
  test('SNS, Pub/Sub and gcscc from existing Secrets: secretKeyRef env, no Secret object, no token in the ConfigMap', () => {
    const r = run({
      'values.yaml':
        `${DEFAULT_VALUES}integrations:\n` +
        '  snsOutput: {enabled: true, topic: alerts, aws_default_region: eu-west-1, existingSecret: falco-sns}\n' +
        '  pubsubOutput: {enabled: true, topic: alerts, existingSecret: falco-pubsub}\n' +
        '  gcscc: {enabled: true, existingSecret: falco-gcscc}\n',
    });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const files = listFiles(r.outdir);
    expect(files.filter((f) => f.startsWith('cluster/secret-'))).toEqual([]);
    const pod = readDoc(r.outdir, 'cluster/daemonset-falco.yaml').spec.template.spec;
    const env = (name: string) => pod.containers.find((c: any) => c.name === name).env;
    expect(env('falco-sns')).toContainEqual({
      name: 'AWS_SECRET_ACCESS_KEY',
      valueFrom: { secretKeyRef: { name: 'falco-sns', key: 'aws_secret_access_key' } },
    });
    expect(env('falco-pubsub')).toContainEqual({
      name: 'GOOGLE_CREDENTIALS_DATA',
      valueFrom: { secretKeyRef: { name: 'falco-pubsub', key: 'gcp-credentials-data' } },
    });
    expect(env('falco')).toContainEqual({
      name: 'GCSCC_WEBHOOK_AUTHENTICATION_TOKEN',
      valueFrom: { secretKeyRef: { name: 'falco-gcscc', key: 'webhook-authentication-token' } },
    });
    const config = fs.readFileSync(path.join(r.outdir, 'cluster/configmap-falco.yaml'), 'utf8');
    expect(config).toContain('$GCSCC_WEBHOOK_AUTHENTICATION_TOKEN');
    expect(config).not.toContain('b27511f86e911f20b9e0f9c8104b4ec4');
  });
});

describe('a manifest or values file pointed at a secret: the message says what the file is, never what it says', () => {
  const OPENSSH_KEY = [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACBrZXltYXRlcmlhbGtleW1hdGVyaWFsa2V5bWF0ZXJpYWwAAAAAAAAAAAAA',
    '-----END OPENSSH PRIVATE KEY-----',
    '',
  ].join('\n');
  const TOKEN = `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.${'eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZS1zeXN0ZW06ZGVmYXVsdCJ9'}.c2lnbmF0dXJlc2lnbmF0dXJl`;

  test('an SSH private key as the manifest', () => {
    expectRefused(
      run({ 'kube-apiserver.yaml': OPENSSH_KEY }),
      /^error: kube-apiserver\.yaml: kube-apiserver manifest must be a Pod object, got a string of \d+ characters \(is it the right file\?/,
      ['b3BlbnNzaC1rZXkt', 'OPENSSH'],
    );
  });

  test('a service account token as the manifest', () => {
    expectRefused(
      run({ 'kube-apiserver.yaml': `${TOKEN}\n` }),
      `kube-apiserver.yaml: kube-apiserver manifest must be a Pod object, got a string of ${TOKEN.length} characters`,
      ['eyJhbGci'],
    );
  });

  test('a token as the values file', () => {
    expectRefused(
      run({ 'values.yaml': `${TOKEN}\n` }),
      `values.yaml: values must be a mapping of chart keys, got a string of ${TOKEN.length} characters`,
      ['eyJhbGci'],
    );
  });

  test('a long value in a manifest field is cut in the message', () => {
    const long = `Deployment${'x'.repeat(5000)}`;
    const r = run({ 'kube-apiserver.yaml': DEFAULT_MANIFEST.replace('kind: Pod', `kind: ${long}`) });
    expectRefused(r, `kind: kube-apiserver manifest must be a Pod (kind: Pod), got kind "Deployment${'x'.repeat(87)}..."`);
    expect(r.stderr.length).toBeLessThan(400);
  });
});

/** falcosecurity/falco 9.1.0's values-k8saudit.yaml, which synthesizes as it is. */
const CHART_VALUES = fs.readFileSync(path.join(__dirname, '..', 'falco', 'fixtures', 'chart-9.1.0', 'values-k8saudit.yaml'), 'utf8');
/** The lines of the refusals of a run that reports several problems, one per line. */
const problemLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('  - '));
/** `text` indented by `n` spaces, every line (a block scalar's content). */
const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, ' '.repeat(n));

describe('a private key in any value or key of the values is refused, by its content, at its line (issue 23)', () => {
  const KEY_LINES = KEY.split('\n').filter((l) => l && !l.startsWith('-----'));
  const RSA = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const RSA_LINES = RSA.split('\n').filter((l) => l && !l.startsWith('-----'));

  test('falcosecurity/falco: ssl_certificate, http_output.client_key, a rules file, an annotation, an env value, an annotation key', () => {
    const text =
      CHART_VALUES.replace('  load_plugins: [k8saudit, json]\n', '') +
      '  load_plugins: [k8saudit, json]\n' +
      `  webserver:\n    ssl_certificate: |\n${indent(KEY, 6)}` +
      // a plain scalar over several lines: YAML folds it onto one line
      `  http_output:\n    client_key: ${RSA.trim().split('\n').join('\n      ')}\n` +
      `customRules:\n  rules-extra.yaml: |\n    - list: hosts\n      items: [a]\n    # the key:\n${indent(KEY, 4)}` +
      `podAnnotations:\n  note: "${KEY.trim().replace(/\n/g, '\\r\\n')}"\n` +
      `extra:\n  env: [{name: CLIENT_KEY_DATA, value: ${Buffer.from(KEY).toString('base64')}}]\n` +
      `podLabels:\n  ${JSON.stringify(RSA)}: x\n`;
    const r = run({ 'values.yaml': text });
    expectRefused(r, /^error: values\.yaml: 6 problems in the falcosecurity\/falco 9\.1\.0 values:\n/, [...KEY_LINES, ...RSA_LINES]);
    const at = (needle: string) => `values.yaml:${lineOf(text, needle)}:`;
    expect(problemLines(r.stderr).map((l) => l.replace(/: the values are rendered into the output.*$/, ''))).toEqual([
      `  - ${at('ssl_certificate')} falco.webserver.ssl_certificate: refused: this value holds a private key (a PEM "PRIVATE KEY" block)`,
      `  - ${at('client_key')} falco.http_output.client_key: refused: this value holds a private key (a PEM "RSA PRIVATE KEY" block)`,
      `  - ${at('rules-extra.yaml')} customRules.rules-extra.yaml: refused: this value holds a private key (a PEM "PRIVATE KEY" block, at its line 4)`,
      `  - ${at('note:')} podAnnotations.note: refused: this value holds a private key (a PEM "PRIVATE KEY" block)`,
      `  - ${at('CLIENT_KEY_DATA')} extra.env[0].value: refused: this value holds a private key (base64 of a PEM "PRIVATE KEY" block)`,
      `  - ${at('podLabels')} podLabels: refused: key number 1 of this mapping holds a private key (a PEM "RSA PRIVATE KEY" block)`,
    ]);
    expect(problemLines(r.stderr)[0]).toContain(
      "a private key must never be there; keep the key in a Secret in Falco's namespace (kubectl create secret generic, or a SealedSecret or " +
        "ExternalSecret you manage) and refer to it: Falco's server certificate and key in a Secret named in certs.existingSecret",
    );
  });

  test('stable/falco: sslCertificate, an indented rules file, a daemonset.env value and a nodeSelector key', () => {
    const text =
      DEFAULT_VALUES.replace('falco:\n', `falco:\n  webserver:\n    sslCertificate: |\n${indent(KEY, 6)}`) +
      `customRules:\n  rules.yaml: |-\n    - macro: m\n      condition: (always_true)\n${indent(RSA, 4)}` +
      `daemonset:\n  env:\n    TLS_KEY: "${RSA.trim().replace(/\n/g, '\\n')}"\n` +
      `nodeSelector:\n  ${JSON.stringify(KEY)}: "true"\n`;
    const r = run({ 'values.yaml': text });
    expectRefused(r, /^error: values\.yaml: the values have 4 problems:\n/, [...KEY_LINES, ...RSA_LINES]);
    const at = (needle: string) => `values.yaml:${lineOf(text, needle)}:`;
    expect(problemLines(r.stderr).map((l) => l.replace(/: the values are rendered into the output.*$/, ''))).toEqual([
      `  - ${at('sslCertificate')} falco.webserver.sslCertificate: refused: this value holds a private key (a PEM "PRIVATE KEY" block)`,
      `  - ${at('rules.yaml')} customRules.rules.yaml: refused: this value holds a private key (a PEM "RSA PRIVATE KEY" block, at its line 3)`,
      `  - ${at('TLS_KEY')} daemonset.env.TLS_KEY: refused: this value holds a private key (a PEM "RSA PRIVATE KEY" block)`,
      `  - ${at('nodeSelector')} nodeSelector: refused: key number 1 of this mapping holds a private key (a PEM "PRIVATE KEY" block)`,
    ]);
    expect(problemLines(r.stderr)[0]).toContain(
      "the webserver's certificate and key go in a Secret with the key falco.pem named in the config's falco.tlsSecret",
    );
  });

  test("the config file: a key anywhere is refused first, at its line, before the schema's complaint could echo it", () => {
    const config = `${PLAIN_CONFIG}  namespace: |\n${indent(KEY, 4)}`;
    const r = run({ 'falco-audit.yaml': config });
    expectRefused(
      r,
      `error: falco-audit.yaml:${lineOf(config, 'namespace')}: falco.namespace: refused: this value holds a private key (a PEM "PRIVATE KEY" block): ` +
        'no setting of the config takes a private key',
      KEY_LINES,
    );
    expect(r.stderr).not.toMatch(/must match|DNS/);
  });

  test('the key material never shows, though the value would be echoed by other checks', () => {
    // a private key where a boolean belongs: the type error would quote the value
    const r = run({ 'values.yaml': `${CHART_VALUES}tty: "${KEY.trim().replace(/\n/g, '\\n')}"\n` });
    expectRefused(r, 'tty: refused: this value holds a private key', KEY_LINES);
    expect(r.stderr).not.toContain('MIG');
  });
});

describe('a password in any field used as a URL, with or without a scheme, is refused (issue 23)', () => {
  test('stable/falco: gcscc.webhookUrl, scheme-less httpOutput.url and proxy, a daemonset.env proxy, a program_output command', () => {
    const text =
      DEFAULT_VALUES.replace('url: http://falcosidekick.falco.svc.cluster.local:2801/', 'url: alice:Pa55word@hooks.example.com/falco').replace(
        'falco:\n',
        'falco:\n  programOutput:\n    enabled: true\n    program: "jq \'{text: .output}\' | curl -d @- -X POST https://bot:Pr0gramPw@hooks.example.com/x"\n',
      ) +
      'proxy:\n  httpProxy: proxyuser:Pr0xyPass@proxy.example.com:3128\n' +
      'daemonset:\n  env:\n    HTTPS_PROXY: http://envuser:EnvPr0xy@proxy.example.com:3128\n' +
      'integrations:\n  gcscc:\n    enabled: true\n    existingSecret: falco-gcscc\n    webhookUrl: https://gcscc:W3bhookPw@gcscc.example.com/events\n';
    const r = run({ 'values.yaml': text });
    expectRefused(r, /^error: values\.yaml: the values have 5 problems:\n/, ['Pa55word', 'alice', 'Pr0gramPw', 'Pr0xyPass', 'EnvPr0xy', 'W3bhookPw']);
    const at = (needle: string) => `values.yaml:${lineOf(text, needle)}:`;
    expect(problemLines(r.stderr).map((l) => l.replace(/, which would be written into.*$/, ''))).toEqual([
      `  - ${at('program:')} falco.programOutput.program: refused: this command holds a URL that carries a password before its '@'`,
      `  - ${at('hooks.example.com/falco')} falco.httpOutput.url: refused: this URL carries a password before its '@'`,
      `  - ${at('httpProxy')} proxy.httpProxy: refused: this URL carries a password before its '@'`,
      `  - ${at('HTTPS_PROXY')} daemonset.env.HTTPS_PROXY: refused: this URL carries a password before its '@'`,
      `  - ${at('webhookUrl')} integrations.gcscc.webhookUrl: refused: this URL carries a password before its '@'`,
    ]);
    expect(problemLines(r.stderr)[4]).toContain("which would be written into the gcscc program's curl command in falco.yaml in the ConfigMap");
  });

  test('falcosecurity/falco: scheme-less http_output.url, env proxies and falcoctl URL variables, falcoctl.yaml URLs, the program command', () => {
    const text =
      CHART_VALUES.replace(
        '  config:\n    artifact:',
        '  config:\n    driver: {repos: ["https://drv:Dr1verPw@download.example.com/driver"]}\n' +
          '    registry:\n      auth:\n        oauth: [{registry: r.example.com, clientID: falco, tokenURL: "auth:T0kenUrlPw@auth.example.com/token"}]\n' +
          '    artifact:',
      )
        .replace(
          '        refs: [k8saudit-rules:0.16]\n',
          '        refs: [k8saudit-rules:0.16]\n        falcoversions: http://fv:Fv3rsPw@localhost:8765/versions\n',
        )
        .replace(
          '      enabled: true\n    follow:',
          '      enabled: true\n      env: [{name: FALCOCTL_INDEXES, value: "corp,corp:Ind3xPw@index.example.com/index.yaml"}]\n    follow:',
        ) +
      '  http_output: {enabled: true, url: "alice:Pa55word@hooks.example.com/falco"}\n' +
      '  program_output: {enabled: true, program: "curl -d @- https://bot:Pr0gramPw@hooks.example.com/x"}\n' +
      'extra:\n  env: [{name: https_proxy, value: "envuser:EnvPr0xy@proxy.example.com:3128"}]\n';
    const r = run({ 'values.yaml': text });
    const secrets = ['Dr1verPw', 'T0kenUrlPw', 'Fv3rsPw', 'Ind3xPw', 'Pa55word', 'Pr0gramPw', 'EnvPr0xy'];
    expectRefused(r, /^error: values\.yaml: 7 problems in the falcosecurity\/falco 9\.1\.0 values:\n/, secrets);
    const at = (needle: string) => `values.yaml:${lineOf(text, needle)}:`;
    expect(problemLines(r.stderr).map((l) => l.replace(/ before its '@'.*$/, ''))).toEqual([
      `  - ${at('Ind3xPw')} falcoctl.artifact.install.env[0].value: refused: this URL carries a password`,
      `  - ${at('Dr1verPw')} falcoctl.config.driver.repos[0]: refused: this URL carries a password`,
      `  - ${at('T0kenUrlPw')} falcoctl.config.registry.auth.oauth[0].tokenURL: refused: this URL carries a password`,
      `  - ${at('Fv3rsPw')} falcoctl.config.artifact.follow.falcoversions: refused: this URL carries a password`,
      `  - ${at('Pa55word')} falco.http_output.url: refused: this URL carries a password`,
      `  - ${at('Pr0gramPw')} falco.program_output.program: refused: this command holds a URL that carries a password`,
      `  - ${at('EnvPr0xy')} extra.env[0].value: refused: this URL carries a password`,
    ]);
    const lines = problemLines(r.stderr);
    expect(lines[0]).toContain('written into the FALCOCTL_INDEXES variable of a container in the Deployment');
    expect(lines[0]).toContain('set the variable with valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} instead of value');
    expect(lines[1]).toContain('FALCOCTL_DRIVER_REPOS');
    expect(lines[3]).toContain('FALCOCTL_ARTIFACT_FOLLOW_FALCOVERSIONS');
  });

  test('no false positives: x@y outside URL fields (digests, service account emails, rules), users without a password, $(VAR)', () => {
    const text =
      CHART_VALUES +
      '  http_output: {enabled: true, url: "http://falco@falcosidekick.falco.svc:2801/"}\n' +
      'serviceAccount:\n  annotations: {iam.gke.io/gcp-service-account: falco@my-project.iam.gserviceaccount.com}\n' +
      `podAnnotations: {owner: ops@example.com, note: "user:pass@host is how a URL carries a password", digest: "docker.io/falcosecurity/falco@sha256:${'ab'.repeat(32)}"}\n` +
      'extra:\n  env:\n    - {name: PROXY_PASSWORD, valueFrom: {secretKeyRef: {name: proxy, key: password}}}\n' +
      '    - {name: https_proxy, value: "http://falco:$(PROXY_PASSWORD)@proxy.example.com:3128"}\n' +
      '    - {name: NOTIFY, value: "alice:team@example.com"}\n' +
      'customRules:\n  rules.yaml: |\n    - rule: Key in an event\n      desc: a key was written (user:pass@host too)\n' +
      '      condition: evt.buffer contains "-----BEGIN RSA PRIVATE KEY-----"\n      output: key by %user.name@%container.id\n      priority: WARNING\n      source: k8s_audit\n';
    const r = run({ 'values.yaml': text });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const stable =
      DEFAULT_VALUES +
      `daemonset:\n  env:\n    OWNER: ops@example.com\n    IMAGE: "falcosecurity/falco@sha256:${'cd'.repeat(32)}"\n    NOTE: "a:b@c"\n`;
    const r2 = run({ 'values.yaml': stable });
    expect(r2.stderr).not.toMatch(/^error/m);
    expect(r2.status).toBe(0);
  });
});

describe("falcoctl's registry credentials in the string form and in any key case are refused (issue 23)", () => {
  test('registry.auth.basic and .oauth as strings, Auth/Basic in other cases, a dotted key, one mapping for a list', () => {
    const withRegistry = (registry: string) => CHART_VALUES.replace('  config:\n    artifact:', `  config:\n    registry:\n${registry}    artifact:`);
    const text = withRegistry(
      '      auth:\n        basic: "ghcr.io,bob,hunt3r2"\n        oauth: "r.example.com,falco,t0ps3cret,https://auth.example.com/token"\n',
    );
    const r = run({ 'values.yaml': text });
    expectRefused(r, /^error: values\.yaml: 2 problems in the falcosecurity\/falco 9\.1\.0 values:\n/, ['hunt3r2', 't0ps3cret']);
    const lines = problemLines(r.stderr);
    expect(lines[0]).toBe(
      `  - values.yaml:${lineOf(text, 'hunt3r2')}: falcoctl.config.registry.auth.basic: refused: falcoctl reads a string here as ` +
        '"<registry>,<username>,<password>", registry credentials, which would be written into the falcoctl ConfigMap (falcoctl.yaml) in the output, ' +
        'which is meant for Git. Remove registry.auth.basic from the values: falcoctl also reads it from the environment variable ' +
        'FALCOCTL_REGISTRY_AUTH_BASIC, as "<registry>,<username>,<password>"; create a Secret in Falco\'s namespace with that key and give it to ' +
        'falcoctl with falcoctl.artifact.install.envFrom: [{secretRef: {name: <secret>}}] (and falcoctl.artifact.follow.envFrom when the follower is on)',
    );
    expect(lines[1]).toContain(
      'falcoctl.config.registry.auth.oauth: refused: falcoctl reads a string here as "<registry>,<client-id>,<client-secret>,<token-url>"',
    );

    const cased = withRegistry(
      '      Auth:\n        Basic: [{registry: ghcr.io, user: bob, Password: hunt3r2}]\n' +
        '      auth.oauth: {registry: r.example.com, clientID: falco, ClientSecret: t0ps3cret, tokenURL: "https://auth.example.com/token"}\n',
    );
    const r2 = run({ 'values.yaml': cased });
    expectRefused(r2, /^error: values\.yaml: 2 problems/, ['hunt3r2', 't0ps3cret']);
    expect(problemLines(r2.stderr).map((l) => l.replace(/ here would be .*$/, ''))).toEqual([
      `  - values.yaml:${lineOf(cased, 'hunt3r2')}: falcoctl.config.registry.Auth.Basic[0].Password: refused: a literal registry password`,
      `  - values.yaml:${lineOf(cased, 't0ps3cret')}: falcoctl.config.registry.auth.oauth.ClientSecret: refused: a literal registry client secret`,
    ]);
  });
});

describe('the kube-apiserver manifest is written back into the output: a private key in it is refused (issue 23)', () => {
  test('a key in an environment variable of the API server container, at its line, never shown', () => {
    const KEY_LINES = KEY.split('\n').filter((l) => l && !l.startsWith('-----'));
    const manifest = DEFAULT_MANIFEST.replace(/^(\s+)image: /m, `$1env: [{name: TLS_KEY, value: "${KEY.trim().replace(/\n/g, '\\n')}"}]\n$1image: `);
    expect(manifest).toContain('TLS_KEY');
    const r = run({ 'kube-apiserver.yaml': manifest });
    expectRefused(
      r,
      new RegExp(
        `^error: kube-apiserver\\.yaml:${lineOf(manifest, 'TLS_KEY')}: spec\\.containers\\[0\\]\\.env\\[0\\]\\.value: refused: this value holds a private key ` +
          '\\(a PEM "PRIVATE KEY" block\\): the patched manifest is written into the output, which is meant for Git',
      ),
      KEY_LINES,
    );
  });
});
