import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { EXAMPLES, ROOT, flagsOf, listFiles, readDoc, runApp, scratch, writeFiles } from './run';

const DEFAULT_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8');
const MODERN_MANIFEST = fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Falco's config as Falco reads it: falco.yaml from the ConfigMap. */
function falcoYaml(out: string, configMap = 'cluster/configmap-falco.yaml'): any {
  return yaml.load(readDoc(out, configMap).data['falco.yaml']);
}

describe('the default example (Kubernetes 1.18, dynamic auditing, legacy Falco)', () => {
  test('writes exactly the layout Argo CD and the nodes expect', () => {
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(listFiles(out)).toEqual([
      '.cdk8s-falco-audit',
      'cluster/auditsink-falco.yaml',
      'cluster/clusterrole-falco.yaml',
      'cluster/clusterrolebinding-falco.yaml',
      'cluster/configmap-falco.yaml',
      'cluster/daemonset-falco.yaml',
      'cluster/service-falco.yaml',
      'cluster/serviceaccount-falco.yaml',
      'node/kube-apiserver.yaml',
    ]);
    for (const f of listFiles(path.join(out, 'node'))) {
      expect(fs.readFileSync(path.join(out, 'node', f), 'utf8').startsWith('# +argocd:skip-file-rendering\n')).toBe(true);
    }
    for (const f of listFiles(path.join(out, 'cluster'))) {
      expect(fs.readFileSync(path.join(out, 'cluster', f), 'utf8')).not.toMatch(/skip-file-rendering/);
    }
  });

  test('the AuditSink URL, the Service and Falco agree on address, port and path', () => {
    const out = path.join(dir, 'dist');
    expect(runApp({ outdir: out }).status).toBe(0);
    const sink = readDoc(out, 'cluster/auditsink-falco.yaml');
    const service = readDoc(out, 'cluster/service-falco.yaml');
    const falco = falcoYaml(out);
    expect(sink.metadata.namespace).toBeUndefined();
    expect(sink.spec.webhook.clientConfig).toEqual({ url: 'http://10.96.0.100:8765/k8s-audit' });
    expect(sink.spec.policy).toEqual({ level: 'RequestResponse', stages: ['ResponseComplete', 'ResponseStarted'] });
    expect(sink.spec.webhook.throttle).toEqual({ burst: 15, qps: 10 });
    expect(service.spec.clusterIP).toBe('10.96.0.100');
    const port = service.spec.ports.find((p: any) => p.port === 8765);
    expect(port.targetPort ?? port.port).toBe(falco.webserver.listen_port);
    expect(falco.webserver.k8s_audit_endpoint).toBe('/k8s-audit');
    expect(falco.webserver.enabled).toBe(true);
    expect(falco.json_output).toBe(true);
    expect(falco.http_output.enabled).toBe(true);
  });

  test('the API server gets the three dynamic auditing flags and keeps every other flag in order', () => {
    const out = path.join(dir, 'dist');
    expect(runApp({ outdir: out }).status).toBe(0);
    const pod = readDoc(out, 'node/kube-apiserver.yaml');
    const input: any = yaml.load(DEFAULT_MANIFEST);
    const before: string[] = input.spec.containers[0].command;
    const after: string[] = pod.spec.containers[0].command;
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).sort()).toEqual([
      '--audit-dynamic-configuration',
      '--feature-gates=DynamicAuditing=true',
      '--runtime-config=auditregistration.k8s.io/v1alpha1=true',
    ]);
    expect(pod.metadata).toEqual(input.metadata);
    expect(pod.spec.volumes).toEqual(input.spec.volumes);
  });

  test('prints the plan and is byte-identical across runs', () => {
    const a = runApp({ outdir: path.join(dir, 'a') });
    const b = runApp({ outdir: path.join(dir, 'b') });
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stderr).toMatch(/Kubernetes 1\.18\.20, dynamic audit backend/);
    expect(a.stderr).toMatch(/--audit-dynamic-configuration/);
    expect(a.stderr).toMatch(/cluster\/auditsink-falco\.yaml/);
    for (const f of listFiles(path.join(dir, 'a'))) {
      expect(fs.readFileSync(path.join(dir, 'b', f), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'a', f), 'utf8'));
    }
    expect(listFiles(path.join(dir, 'b'))).toEqual(listFiles(path.join(dir, 'a')));
  });

  test('the committed dist/ is what a fresh synth writes', () => {
    const out = path.join(dir, 'fresh');
    expect(runApp({ outdir: out }).status).toBe(0);
    const committed = path.join(ROOT, 'dist');
    expect(listFiles(committed)).toEqual(listFiles(out));
    for (const f of listFiles(out)) {
      expect({ file: f, text: fs.readFileSync(path.join(committed, f), 'utf8') }).toEqual({
        file: f,
        text: fs.readFileSync(path.join(out, f), 'utf8'),
      });
    }
  });
});

describe('the modern example (Kubernetes 1.30, static webhook, Falco 0.44 k8saudit plugin)', () => {
  test('the kubeconfig server, the NodePort Service and the k8saudit listener agree', () => {
    const out = path.join(dir, 'dist');
    const run = runApp({ outdir: out, config: path.join(EXAMPLES, 'modern', 'falco-audit.yaml') });
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    const files = listFiles(out);
    expect(files.filter((f) => f.startsWith('node/'))).toEqual([
      'node/audit-policy.yaml',
      'node/audit-webhook-kubeconfig.yaml',
      'node/kube-apiserver+json.yaml',
      'node/kube-apiserver.yaml',
    ]);
    expect(files.some((f) => f.startsWith('cluster/auditsink'))).toBe(false);

    const kubeconfig = readDoc(out, 'node/audit-webhook-kubeconfig.yaml');
    const serviceFile = files.find((f) => f.startsWith('cluster/service-'))!;
    const service = readDoc(out, serviceFile);
    expect(service.spec.clusterIP).toBe('10.96.0.100');
    const port = service.spec.ports[0];
    expect(kubeconfig.clusters[0].cluster.server).toBe(`http://10.96.0.100:${port.port}/k8s-audit`);
    const configMap = files.find((f) => f.startsWith('cluster/configmap-') && readDoc(out, f).data?.['falco.yaml'])!;
    const falco = falcoYaml(out, configMap);
    const k8saudit = falco.plugins.find((p: any) => p.name === 'k8saudit');
    expect(k8saudit.open_params).toBe(`http://:${port.targetPort ?? port.port}/k8s-audit`);
    expect(falco.load_plugins).toEqual(expect.arrayContaining(['k8saudit', 'json']));

    const pod = readDoc(out, 'node/kube-apiserver.yaml');
    const flags = flagsOf(pod);
    const policyFile = flags.get('audit-policy-file')!;
    const kubeconfigFile = flags.get('audit-webhook-config-file')!;
    expect(path.posix.basename(policyFile)).toBe('audit-policy.yaml');
    expect(path.posix.basename(kubeconfigFile)).toBe('audit-webhook-kubeconfig.yaml');
    expect(flags.get('audit-webhook-mode')).toBe('batch');
    expect(flags.has('audit-dynamic-configuration')).toBe(false);
    expect(flags.has('feature-gates')).toBe(false);
    // Both files are inside a read-only hostPath mount of the API server container.
    const container = pod.spec.containers.find((c: any) => c.name === 'kube-apiserver');
    for (const file of [policyFile, kubeconfigFile]) {
      const mount = container.volumeMounts.find((m: any) => file === m.mountPath || file.startsWith(m.mountPath + '/'));
      expect(mount).toBeDefined();
      expect(mount.readOnly).toBe(true);
      const volume = pod.spec.volumes.find((v: any) => v.name === mount.name);
      expect(volume.hostPath).toBeDefined();
    }
    const policy = readDoc(out, 'node/audit-policy.yaml');
    expect(policy.apiVersion).toBe('audit.k8s.io/v1');
    expect(policy.kind).toBe('Policy');
  });
});

/** A config in `dir` pointing at a manifest written beside it. */
function config(lines: string[], manifest = DEFAULT_MANIFEST, extra: Record<string, string> = {}): string {
  writeFiles(dir, { 'kube-apiserver.yaml': manifest, 'falco-audit.yaml': lines.join('\n') + '\n', ...extra });
  return path.join(dir, 'falco-audit.yaml');
}

describe('address and range', () => {
  test('a nodePort: the API server calls 127.0.0.1, the Service is a NodePort, and the plan warns', () => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'audit: {backend: webhook}', 'falco: {nodePort: 30765}'], MODERN_MANIFEST);
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.status).toBe(0);
    expect(readDoc(out, 'node/audit-webhook-kubeconfig.yaml').clusters[0].cluster.server).toBe('http://127.0.0.1:30765/k8s-audit');
    // no values file on 1.19+: the newest Falco, whose k8saudit plugin listens on 9765
    const service = readDoc(out, 'cluster/service-falco-k8saudit-webhook.yaml');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'k8saudit', nodePort: 30765, port: 9765, protocol: 'TCP', targetPort: 9765 }]);
    expect(run.stderr).toMatch(/note: Falco 0\.44\.1 \(the newest release this version of cdk8s-falco-audit knows, with the k8saudit plugin\)/);
    expect(run.stderr).toMatch(/warning: the API server calls Falco at 127\.0\.0\.1:30765: kube-proxy in IPVS or nftables mode/);
  });

  test("kube-apiserver's min+offset form of --service-node-port-range is understood", () => {
    const manifest = MODERN_MANIFEST.replace(
      '    - --service-cluster-ip-range=10.96.0.0/12\n',
      '    - --service-cluster-ip-range=10.96.0.0/12\n    - --service-node-port-range=30000+2767\n',
    );
    const ok = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {nodePort: 32767}'], manifest);
    expect(runApp({ outdir: path.join(dir, 'ok'), config: ok }).status).toBe(0);
    const bad = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {nodePort: 32768}'], manifest);
    expect(runApp({ outdir: path.join(dir, 'bad'), config: bad }).stderr).toMatch(
      /falco\.nodePort: must be inside the service node port range 30000\+2767/,
    );
  });

  test('the cluster DNS address is accepted with a warning', () => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.10}']);
    const run = runApp({ outdir: path.join(dir, 'out'), config: file });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning: falco\.clusterIP 10\.96\.0\.10 is the address kubeadm gives the cluster DNS Service/);
  });

  test('a non-default service range, read from the manifest', () => {
    const manifest = DEFAULT_MANIFEST.replace('--service-cluster-ip-range=10.96.0.0/12', '--service-cluster-ip-range=172.20.0.0/16');
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 172.20.5.5}'], manifest);
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.status).toBe(0);
    expect(readDoc(out, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig.url).toBe('http://172.20.5.5:8765/k8s-audit');
    expect(readDoc(out, 'cluster/service-falco.yaml').spec.clusterIP).toBe('172.20.5.5');
  });

  test('IPv6: the URL brackets the address', () => {
    const manifest = DEFAULT_MANIFEST.replace('--service-cluster-ip-range=10.96.0.0/12', '--service-cluster-ip-range=fd00:10:96::/112');
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: "fd00:10:96::100"}'], manifest);
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.stderr).toBe(run.status === 0 ? run.stderr : '');
    expect(run.status).toBe(0);
    expect(readDoc(out, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig.url).toBe('http://[fd00:10:96::100]:8765/k8s-audit');
  });

  test('the legacy Falco behind the webhook backend on 1.18 uses its own port and path', () => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'audit: {backend: webhook}', 'falco: {clusterIP: 10.96.0.100}']);
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.status).toBe(0);
    expect(readDoc(out, 'node/audit-webhook-kubeconfig.yaml').clusters[0].cluster.server).toBe('http://10.96.0.100:8765/k8s-audit');
    expect(listFiles(out).some((f) => f.includes('auditsink'))).toBe(false);
  });
});

describe('both Falco shapes with both backends', () => {
  test('the k8saudit plugin (Falco 0.35) behind an AuditSink on 1.18', () => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml}'], DEFAULT_MANIFEST, {
      'values.yaml': 'image:\n  tag: 0.35.1\n',
    });
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    const files = listFiles(out);
    const sink = readDoc(out, 'cluster/auditsink-falco.yaml');
    const service = readDoc(
      out,
      files.find((f) => f.startsWith('cluster/service-'))!,
    );
    const falco = falcoYaml(
      out,
      files.find((f) => f.startsWith('cluster/configmap-') && readDoc(out, f).data?.['falco.yaml'])!,
    );
    const port = service.spec.ports[0];
    expect(sink.spec.webhook.clientConfig.url).toBe(`http://10.96.0.100:${port.port}/k8s-audit`);
    expect(service.spec.clusterIP).toBe('10.96.0.100');
    expect(falco.plugins.find((p: any) => p.name === 'k8saudit').open_params).toBe(`http://:${port.targetPort ?? port.port}/k8s-audit`);
    expect(files.some((f) => f.startsWith('cluster/deployment-'))).toBe(true);
    expect(files.some((f) => f.startsWith('cluster/daemonset-'))).toBe(false);
  });
});

describe('falco.version: the Falco release when image.tag is not one', () => {
  test('image.tag master with falco.version 0.41.3: the 0.41 contract, the tag as written', () => {
    const file = config(
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml, version: "0.41.3"}'],
      MODERN_MANIFEST,
      {
        'values.yaml': 'image:\n  tag: master\n',
      },
    );
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.stderr).not.toContain('error:');
    expect(run.status).toBe(0);
    const deployment = readDoc(out, 'cluster/deployment-falco.yaml');
    const falco = deployment.spec.template.spec.containers.find((c: any) => c.name === 'falco');
    expect(falco.image).toBe('docker.io/falcosecurity/falco:master');
    const ctl = readDoc(out, 'cluster/configmap-falco-falcoctl.yaml');
    expect(ctl.data['falcoctl.yaml']).toContain('k8saudit:0.11.0');
  });

  test('without falco.version, image.tag master is an error at its line that says how to state the release', () => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml}'], MODERN_MANIFEST, {
      'values.yaml': '# a build from master\nimage:\n  tag: master\n',
    });
    const run = runApp({ outdir: path.join(dir, 'out'), config: file });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'values.yaml:3: image.tag: cannot tell the Falco version: the image tag "master" is not a Falco release; set falco.version',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    ['version: 0.41', 'falco.version: must be a string, got 0.41 (quote it: unquoted YAML 0.41 is a number, and 0.40 would read as 0.4)'],
    ['version: "latest"', 'falco.version: must be a Falco release such as "0.44.1", got "latest"'],
    ['version: "0.45.0"', 'falco.version: Falco 0.45.0 (version "0.45.0") is newer than 0.44.1'],
  ])('%s is refused at its line', (setting, message) => {
    const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco:', '  clusterIP: 10.96.0.100', `  ${setting}`], MODERN_MANIFEST);
    const run = runApp({ outdir: path.join(dir, 'out'), config: file });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`falco-audit.yaml:4: ${message}`);
  });

  test('a falcoctl ref the release cannot load is refused at its config line', () => {
    const file = config(
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'falco:',
        '  clusterIP: 10.96.0.100',
        '  values: values.yaml',
        '  falcoctl:',
        '    refs:',
        '      - k8saudit-rules:0.11.0',
        '      - k8saudit:0.16.1',
      ],
      MODERN_MANIFEST,
      { 'values.yaml': 'image:\n  tag: 0.40.0\n' },
    );
    const run = runApp({ outdir: path.join(dir, 'out'), config: file });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'falco-audit.yaml:8: falco.falcoctl.refs[1]: "k8saudit:0.16.1" needs plugin API 3.11.0, but Falco 0.40.0 provides 3.10.0',
    );
  });
});

describe('TLS between the API server and Falco', () => {
  const PEM = fs.readFileSync(path.join(EXAMPLES, 'reference-dynamic', 'falco-ca.pem'), 'utf8');
  const tlsValues = 'falco:\n  webserver:\n    sslEnabled: true\n';

  test('an AuditSink url over https carries the CA, and Falco mounts its certificate from the Secret', () => {
    const file = config(
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'audit:',
        '  auditSink: {certificateAuthority: ca.pem}',
        'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
      ],
      DEFAULT_MANIFEST,
      { 'ca.pem': PEM, 'values.yaml': tlsValues },
    );
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    expect(readDoc(out, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig).toEqual({
      url: 'https://10.96.0.100:8765/k8s-audit',
      caBundle: Buffer.from(PEM).toString('base64'),
    });
    const pod = readDoc(out, 'cluster/daemonset-falco.yaml').spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({
      mountPath: '/etc/falco/falco.pem',
      name: 'webserver-tls',
      readOnly: true,
      subPath: 'falco.pem',
    });
    expect(pod.volumes).toContainEqual({
      name: 'webserver-tls',
      secret: { items: [{ key: 'falco.pem', path: 'falco.pem' }], secretName: 'falco-tls' },
    });
    expect(falcoYaml(out).webserver.ssl_enabled).toBe(true);
  });

  test('a service reference, allowed with TLS: namespace, name, port and path from Falco', () => {
    const file = config(
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'audit:',
        '  auditSink: {certificateAuthority: ca.pem, serviceReference: true}',
        'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
      ],
      DEFAULT_MANIFEST,
      { 'ca.pem': PEM, 'values.yaml': tlsValues },
    );
    const out = path.join(dir, 'out');
    expect(runApp({ outdir: out, config: file }).status).toBe(0);
    expect(readDoc(out, 'cluster/auditsink-falco.yaml').spec.webhook.clientConfig).toEqual({
      service: { name: 'falco', namespace: 'falco', path: '/k8s-audit', port: 8765 },
      caBundle: Buffer.from(PEM).toString('base64'),
    });
  });

  test('with a service reference, the certificate must name the Service, and an error points at serviceReference', () => {
    const noCa = config(
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'audit:',
        '  auditSink:',
        '    serviceReference: true',
        'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
      ],
      DEFAULT_MANIFEST,
      { 'values.yaml': tlsValues },
    );
    expect(runApp({ outdir: path.join(dir, 'a'), config: noCa }).stderr).toMatch(
      /audit\.auditSink\.certificateAuthority: .*the certificate must name falco\.falco\.svc/,
    );
    const noTls = config([
      'apiServer: {manifest: kube-apiserver.yaml}',
      'audit:',
      '  auditSink:',
      '    serviceReference: true',
      'falco: {clusterIP: 10.96.0.100}',
    ]);
    expect(runApp({ outdir: path.join(dir, 'b'), config: noTls }).stderr).toMatch(
      /falco-audit\.yaml:4: audit\.auditSink\.serviceReference: .*needs TLS/,
    );
  });

  test('the webhook kubeconfig over https carries the CA', () => {
    const file = config(
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'audit:',
        '  backend: webhook',
        '  webhook: {certificateAuthority: ca.pem}',
        'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}',
      ],
      DEFAULT_MANIFEST,
      { 'ca.pem': PEM, 'values.yaml': tlsValues },
    );
    const out = path.join(dir, 'out');
    expect(runApp({ outdir: out, config: file }).status).toBe(0);
    const cluster = readDoc(out, 'node/audit-webhook-kubeconfig.yaml').clusters[0].cluster;
    expect(cluster).toEqual({ server: 'https://10.96.0.100:8765/k8s-audit', 'certificate-authority-data': Buffer.from(PEM).toString('base64') });
  });

  test.each<[string, string[], Record<string, string>, RegExp]>([
    [
      'https without a CA',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml, tlsSecret: falco-tls}'],
      { 'values.yaml': tlsValues },
      /falco-audit\.yaml: audit\.auditSink\.certificateAuthority: Falco serves audit events over https .* no CA was given/,
    ],
    [
      'a CA for plain http',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'audit:', '  auditSink: {certificateAuthority: ca.pem}', 'falco: {clusterIP: 10.96.0.100}'],
      { 'ca.pem': PEM },
      /falco-audit\.yaml:3: audit\.auditSink\.certificateAuthority: a CA is set, but Falco serves audit events over plain http/,
    ],
    [
      'TLS without the certificate Secret',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml}'],
      { 'values.yaml': tlsValues },
      /sslEnabled:? is true, but Falco's webserver needs its certificate and key/,
    ],
    [
      'a service reference without TLS',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'audit:', '  auditSink: {serviceReference: true}', 'falco: {clusterIP: 10.96.0.100}'],
      {},
      /needs TLS: the API server always calls a service over HTTPS/,
    ],
    [
      'a CA file that is no certificate',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'audit:', '  auditSink: {certificateAuthority: ca.pem}', 'falco: {clusterIP: 10.96.0.100}'],
      { 'ca.pem': 'hello' },
      /falco-audit\.yaml:3: audit\.auditSink\.certificateAuthority: certificate authority file .*ca\.pem holds no PEM certificate/,
    ],
  ])('refuses %s', (_what, lines, extra, message) => {
    const file = config(lines, DEFAULT_MANIFEST, extra);
    const run = runApp({ outdir: path.join(dir, 'out'), config: file });
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(1);
  });
});

describe('bad configs fail cleanly: a message, exit 1, no stack trace, nothing written', () => {
  const cases: [string, string[], string | undefined, RegExp][] = [
    [
      'an unknown key',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, clusterIp: 1}'],
      undefined,
      /falco-audit\.yaml:2: falco\.clusterIp: unknown key "clusterIp"/,
    ],
    [
      'an IP outside the range',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 192.168.0.10}'],
      undefined,
      /192\.168\.0\.10.*10\.96\.0\.0\/12/,
    ],
    [
      'an AuditSink on 1.25',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'audit: {backend: dynamic}', 'falco: {clusterIP: 10.96.0.100}'],
      DEFAULT_MANIFEST.replace('v1.18.20', 'v1.25.3'),
      /dynamic audit backend \(AuditSink\) does not exist on Kubernetes 1\.25\.3.*webhook/,
    ],
    ['a missing manifest', ['apiServer: {manifest: nope.yaml}', 'falco: {clusterIP: 10.96.0.100}'], undefined, /nope\.yaml.*not found/],
    [
      "a configured range that differs from the manifest's",
      ['apiServer: {manifest: kube-apiserver.yaml, serviceClusterIPRange: "fd00::/108"}', 'falco: {clusterIP: "fd00::10"}'],
      undefined,
      /serviceClusterIPRange fd00::\/108 differs from the manifest's --service-cluster-ip-range=10\.96\.0\.0\/12/,
    ],
    [
      'a bad namespace, at its line',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco:', '  clusterIP: 10.96.0.100', '  namespace: Bad_NS'],
      undefined,
      /falco-audit\.yaml:4: falco\.namespace: namespace "Bad_NS" is not a valid DNS-1123 label/,
    ],
    [
      'a bad release name, at its line',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'falco:', '  releaseName: Falco', '  clusterIP: 10.96.0.100'],
      undefined,
      /falco-audit\.yaml:3: falco\.releaseName: release name "Falco" is not a valid Helm release name/,
    ],
    [
      'a zero throttle, at its line',
      ['apiServer: {manifest: kube-apiserver.yaml}', 'audit:', '  auditSink:', '    throttle: {qps: 0}', 'falco: {clusterIP: 10.96.0.100}'],
      undefined,
      /falco-audit\.yaml:4: audit\.auditSink\.throttle\.qps: auditsink throttle qps must be a whole number greater than 0, got 0/,
    ],
    [
      'a relative webhook directory, at its line',
      [
        'apiServer: {manifest: kube-apiserver.yaml}',
        'audit:',
        '  backend: webhook',
        '  webhook:',
        '    directory: audit',
        'falco: {clusterIP: 10.96.0.100}',
      ],
      undefined,
      /falco-audit\.yaml:5: audit\.webhook\.directory: .*"audit"/,
    ],
    [
      'neither clusterIP nor nodePort',
      ['apiServer: {manifest: kube-apiserver.yaml}'],
      undefined,
      /neither falco\.clusterIP nor falco\.nodePort.*host network/,
    ],
    [
      'an unquoted version',
      ['kubernetesVersion: 1.20', 'apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100}'],
      undefined,
      /kubernetesVersion: must be a string, got 1\.2/,
    ],
  ];
  test.each(cases)('%s', (_what, lines, manifest, message) => {
    const file = config(lines, manifest);
    const out = path.join(dir, 'out');
    writeFiles(out, { 'keep.txt': 'from an earlier run' });
    const run = runApp({ outdir: out, config: file });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(1);
    expect(listFiles(out)).toEqual(['keep.txt']);
  });
});

test('a PodSecurityPolicy on 1.18: the policy, and use of it (and nothing more) for Falco', () => {
  const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml}'], DEFAULT_MANIFEST, {
    'values.yaml': 'podSecurityPolicy:\n  create: true\n',
  });
  const out = path.join(dir, 'out');
  const run = runApp({ outdir: out, config: file });
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.status).toBe(0);
  expect(readDoc(out, 'cluster/podsecuritypolicy-falco.yaml').apiVersion).toBe('policy/v1beta1');
  expect(readDoc(out, 'cluster/clusterrole-falco.yaml').rules).toContainEqual({
    apiGroups: ['policy'],
    resourceNames: ['falco'],
    resources: ['podsecuritypolicies'],
    verbs: ['use'],
  });
});

test('values the API server would refuse (a bad quantity, a bad toleration) stop the run before anything is written', () => {
  const file = config(['apiServer: {manifest: kube-apiserver.yaml}', 'falco: {clusterIP: 10.96.0.100, values: values.yaml}'], DEFAULT_MANIFEST, {
    'values.yaml': 'resources:\n  requests:\n    cpu: lots\ntolerations:\n- key: x\n  effect: Sometimes\n',
  });
  const out = path.join(dir, 'out');
  const run = runApp({ outdir: out, config: file });
  expect(run.status).toBe(1);
  // the values loader finds it first, at its line (the first in the file; the toleration follows)
  expect(run.stderr).toMatch(/values\.yaml:3: resources\.requests\.cpu: requests\.cpu "lots" is not a quantity/);
  expect(fs.existsSync(out)).toBe(false);
});

test('an error about a Falco option points at its line in the config', () => {
  const file = config(
    ['apiServer: {manifest: kube-apiserver.yaml}', 'falco:', '  clusterIP: 10.96.0.100', '  values: values.yaml', '  k8sAudit:', '    port: 70000'],
    MODERN_MANIFEST,
    {
      'values.yaml': 'image: {tag: 0.44.1}\n',
    },
  );
  const run = runApp({ outdir: path.join(dir, 'out'), config: file });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/falco-audit\.yaml:6: falco\.k8sAudit\.port: must be a port number \(an integer from 1 to 65535\), got 70000/);
});

describe('a fleet', () => {
  test('writes <name>/cluster and <name>/node per cluster', () => {
    const file = config(
      [
        'clusters:',
        '- name: prod',
        '  apiServer: {manifest: kube-apiserver.yaml}',
        '  falco: {clusterIP: 10.96.0.100}',
        '- name: lab',
        '  apiServer: {manifest: modern.yaml}',
        '  falco: {nodePort: 30765}',
      ],
      DEFAULT_MANIFEST,
      { 'modern.yaml': MODERN_MANIFEST },
    );
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.status).toBe(0);
    const files = listFiles(out);
    expect(files).toContain('prod/cluster/auditsink-falco.yaml');
    expect(files).toContain('prod/node/kube-apiserver.yaml');
    expect(files).toContain('lab/node/audit-webhook-kubeconfig.yaml');
    expect(files.every((f) => f.startsWith('prod/') || f.startsWith('lab/') || f === '.cdk8s-falco-audit')).toBe(true);
    expect(run.stderr).toMatch(/cluster prod: Kubernetes 1\.18\.20/);
    expect(run.stderr).toMatch(/cluster lab: Kubernetes 1\.30\.6, webhook/);
  });

  test('one bad cluster fails the run with its name, and nothing is written', () => {
    const file = config([
      'clusters:',
      '- name: prod',
      '  apiServer: {manifest: kube-apiserver.yaml}',
      '  falco: {clusterIP: 10.96.0.100}',
      '- name: broken',
      '  apiServer: {manifest: kube-apiserver.yaml}',
      '  falco: {clusterIP: 10.0.0.1}',
    ]);
    const out = path.join(dir, 'out');
    const run = runApp({ outdir: out, config: file });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cluster "broken": .*10\.0\.0\.1/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
