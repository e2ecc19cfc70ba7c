/**
 * The library as another team uses it: `npm pack`, install the tarball into a fresh cdk8s app next to its own
 * cdk8s, cdk8s-plus-25 and constructs (peer dependencies: one copy each), compose the constructs in the app's
 * own chart beside its own resources, compile with the app's strict tsconfig, synthesize, check the output.
 * Installs come from the npm cache `npm ci` filled (`--prefer-offline`). The pack skips `prepack` (a rebuild):
 * `npm test` built already, and a rebuild would delete build/ under the end-to-end tests running beside this one.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const version = (pkg: string) => require(path.join(ROOT, 'node_modules', pkg, 'package.json')).version as string;

jest.setTimeout(180_000);

let work: string;
let app: string;
let tarball: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-consumer-'));
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  tarball = path.join(work, packed.trim().split('\n').pop()!);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'platform-app', version: '1.0.0', private: true }, null, 2));
  execFileSync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
      `cdk8s@${version('cdk8s')}`,
      `cdk8s-plus-25@${version('cdk8s-plus-25')}`,
      `constructs@${version('constructs')}`,
    ],
    { cwd: app, encoding: 'utf8' },
  );
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball ships only what a consumer needs', () => {
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  expect(listing).toContain('package/build/lib/index.js');
  expect(listing).toContain('package/build/lib/index.d.ts');
  expect(listing.some((f) => f.startsWith('package/test/'))).toBe(false);
  expect(listing.some((f) => f.startsWith('package/dist/'))).toBe(false);
  expect(listing.some((f) => f.startsWith('package/examples/'))).toBe(false);
  expect(listing.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
  // peer dependencies: the app's own copy of constructs is the only one
  expect(fs.existsSync(path.join(app, 'node_modules', 'cdk8s-falco-audit', 'node_modules', 'constructs'))).toBe(false);
  expect(fs.existsSync(path.join(app, 'node_modules', 'cdk8s-falco-audit', 'node_modules', 'cdk8s'))).toBe(false);
});

test('a cdk8s app composes FalcoAudit in its own chart and synthesizes', () => {
  const manifest = fs.readFileSync(path.join(ROOT, 'examples', 'default', 'kube-apiserver.yaml'), 'utf8');
  fs.writeFileSync(path.join(app, 'kube-apiserver.yaml'), manifest);
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2020',
        module: 'commonjs',
        strict: true,
        esModuleInterop: true,
        skipLibCheck: false,
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['main.ts'],
    }),
  );
  fs.writeFileSync(
    path.join(app, 'main.ts'),
    `import * as fs from 'fs';
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { FalcoAudit, KubernetesVersion, StaticPodManifest } from 'cdk8s-falco-audit';

class PlatformChart extends Chart {
  public readonly audit: FalcoAudit;
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'platform' });
    new ApiObject(this, 'Settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-settings' }, data: { owner: 'platform' } });
    new kplus.ConfigMap(this, 'Plus', { metadata: { name: 'plus-settings' }, data: { a: 'b' } });
    this.audit = new FalcoAudit(this, 'FalcoAudit', {
      apiServerManifest: StaticPodManifest.fromFile('kube-apiserver.yaml'),
      kubernetesVersion: KubernetesVersion.of('1.18.20'),
      falco: { releaseName: 'falco', namespace: 'falco', clusterIP: '10.96.0.100' },
    });
  }
}

const app = new App({ outdir: 'dist' });
const chart = new PlatformChart(app, 'platform');
app.synth();
fs.mkdirSync('node', { recursive: true });
for (const file of chart.audit.nodeFiles) fs.writeFileSync('node/' + file.fileName, file.toYaml());
console.log(chart.audit.url);
`,
  );
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
  const stdout = execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
  expect(stdout.trim()).toBe('http://10.96.0.100:8765/k8s-audit');

  const docs = yaml.loadAll(fs.readFileSync(path.join(app, 'dist', 'platform.k8s.yaml'), 'utf8')) as any[];
  const byKind = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  expect(byKind('ConfigMap', 'team-settings').metadata.namespace).toBe('platform');
  expect(byKind('ConfigMap', 'plus-settings')).toBeDefined();
  expect(byKind('DaemonSet', 'falco').metadata.namespace).toBe('falco');
  expect(byKind('ClusterRole', 'falco').metadata.namespace).toBeUndefined();
  const sink = byKind('AuditSink', 'falco');
  expect(sink.metadata.namespace).toBeUndefined();
  expect(sink.spec.webhook.clientConfig.url).toBe('http://10.96.0.100:8765/k8s-audit');
  // the host files are not among the objects applied to the cluster
  expect(docs.some((d) => d.kind === 'Pod')).toBe(false);
  const pod = fs.readFileSync(path.join(app, 'node', 'kube-apiserver.yaml'), 'utf8');
  expect(pod.startsWith('# +argocd:skip-file-rendering\n')).toBe(true);
  expect(pod).toContain('--audit-dynamic-configuration');
  // the library edits the input's text (its yaml dependency installed with it): the input's comments stay
  expect(pod).toContain(manifest.split('\n')[0]);
});

test('examples/library: FalcoAudit beside a cdk8s-plus-25 NetworkPolicy aimed at its pods and audit port', () => {
  const dir = path.join(work, 'library');
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(app, 'node_modules'), path.join(dir, 'node_modules'));
  for (const f of ['main.ts', 'kube-apiserver.yaml']) fs.copyFileSync(path.join(ROOT, 'examples', 'library', f), path.join(dir, f));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2020',
        module: 'commonjs',
        strict: true,
        esModuleInterop: true,
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['main.ts'],
    }),
  );
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
  const stdout = execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' });
  // every node file has a place or says what it is: no "undefined"
  expect(stdout).not.toContain('undefined');
  expect(stdout).toContain('/etc/kubernetes/manifests/kube-apiserver.yaml');
  const docs = yaml.loadAll(fs.readFileSync(path.join(dir, 'dist', 'platform.k8s.yaml'), 'utf8')) as any[];
  const policy = docs.find((d) => d.kind === 'NetworkPolicy');
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'falco');
  expect(policy.metadata).toMatchObject({ name: 'falco-audit-ingress', namespace: 'falco' });
  expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  expect(policy.spec.policyTypes).toContain('Ingress');
  expect(policy.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.0.0.0/28' } }], ports: [{ port: 9765, protocol: 'TCP' }] }]);
  const falco = deployment.spec.template.spec.containers.find((c: any) => c.name === 'falco');
  expect(falco.ports).toContainEqual({ name: 'k8saudit', containerPort: 9765, protocol: 'TCP' });
});

test('npx cdk8s-falco-audit from the package: --help, and a synth in a fresh folder', () => {
  const dir = path.join(work, 'npx');
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(app, 'node_modules'), path.join(dir, 'node_modules'));
  const npx = (args: string[]) => execFileSync('npx', ['--no-install', 'cdk8s-falco-audit', ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  expect(npx(['--help'])).toContain('Usage: cdk8s-falco-audit synth');
  for (const f of ['kube-apiserver.yaml', 'values.yaml']) fs.copyFileSync(path.join(ROOT, 'examples', 'default', f), path.join(dir, f));
  fs.writeFileSync(
    path.join(dir, 'falco-audit.yaml'),
    'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100}\n',
  );
  npx(['synth', '--output', 'out']);
  // the same bytes as the committed dist/ of the default example
  for (const f of ['cluster/auditsink-falco.yaml', 'cluster/daemonset-falco.yaml', 'node/kube-apiserver.yaml']) {
    expect({ f, same: fs.readFileSync(path.join(dir, 'out', f), 'utf8') === fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8') }).toEqual({
      f,
      same: true,
    });
  }
});
