/**
 * The library as another team installs it, following the docs word for word: `npm pack` in the repository, the
 * tarball installed into a fresh cdk8s app (npm adds cdk8s and constructs, the peer dependencies), the command run
 * with npx, the README's snippet compiled and synthesized, the app's own chart composed with the constructs, and
 * examples/library run with ts-node and TypeScript 5 exactly as docs/library.md says. npm runs with the network
 * allowed and the cache preferred. `npm pack` builds only when build/ is stale (prepack: scripts/build.js
 * --if-needed), so it never rebuilds under the tests running beside it after `npm test` built.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { blocksOf, commandsOf, documentedCommands } from '../doc-blocks';

const ROOT = path.resolve(__dirname, '..', '..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const TARBALL = `cdk8s-falco-audit-${VERSION}.tgz`;

/** docs/library.md's install block, and the commands that run examples/library (the README has the first two). */
const INSTALL = ['npm pack', 'npm install ./cdk8s-falco-audit-0.1.0.tgz', 'npx cdk8s-falco-audit --help'];
const RUN_EXAMPLE = [
  'npm install ./cdk8s-falco-audit-0.1.0.tgz cdk8s-plus-25',
  'npm install --save-dev typescript@5 ts-node @types/node@20',
  'npx ts-node main.ts',
];

jest.setTimeout(300_000);

let work: string;
let app: string;
let tarball: string;

/** Runs a documented command as a user would type it, in `cwd`; fails with its output when it fails. */
function sh(command: string, cwd: string): string {
  const env = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_prefer_offline: 'true',
  };
  const r = spawnSync('/bin/sh', ['-c', command], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} (in ${cwd}) exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('the documented commands are these, for this version', () => {
  expect(documentedCommands(path.join('docs', 'library.md'), 'npm pack')).toEqual(INSTALL);
  expect(documentedCommands(path.join('docs', 'library.md'), RUN_EXAMPLE[0])).toEqual(RUN_EXAMPLE);
  expect(commandsOf(blocksOf('README.md').find((b) => b.lang === 'sh' && b.text.startsWith('npm pack'))!)).toEqual(INSTALL.slice(0, 2));
  expect(INSTALL[1]).toBe(`npm install ./${TARBALL}`);
  // examples/library/main.ts names the same commands in its header
  const header = fs.readFileSync(path.join(ROOT, 'examples', 'library', 'main.ts'), 'utf8');
  for (const c of RUN_EXAMPLE) expect(header).toContain(`//   ${c}\n`);
});

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-audit-consumer-'));
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  // in the clone: npm pack writes the tarball beside package.json
  sh(INSTALL[0], ROOT);
  tarball = path.join(work, TARBALL);
  fs.renameSync(path.join(ROOT, TARBALL), tarball);
  // in the app: the tarball beside its package.json, installed
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'platform-app', version: '1.0.0', private: true }, null, 2));
  fs.copyFileSync(tarball, path.join(app, TARBALL));
  sh(INSTALL[1], app);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('npx cdk8s-falco-audit --help in the app', () => {
  expect(sh(INSTALL[2], app)).toContain('Usage: cdk8s-falco-audit synth');
});

test("the README's snippet compiles and synthesizes in the app", () => {
  const dir = path.join(work, 'snippet');
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(app, 'node_modules'), path.join(dir, 'node_modules'));
  fs.copyFileSync(path.join(ROOT, 'examples', 'default', 'kube-apiserver.yaml'), path.join(dir, 'kube-apiserver.yaml'));
  fs.writeFileSync(path.join(dir, 'main.ts'), blocksOf('README.md').find((b) => b.lang === 'ts')!.text);
  compile(dir);
  const stdout = execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' });
  expect(stdout).toBe('/etc/kubernetes/manifests/kube-apiserver.yaml\n');
  const docs = yaml.loadAll(fs.readFileSync(path.join(dir, 'dist', 'platform.k8s.yaml'), 'utf8')) as any[];
  expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['AuditSink', 'DaemonSet', 'Service', 'ConfigMap']));
});

/** Compiles `dir/main.ts` with the project's TypeScript and the app's strict settings. */
function compile(dir: string): void {
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
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
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
}

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
    path.join(app, 'main.ts'),
    `import * as fs from 'fs';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { FalcoAudit, KubernetesVersion, StaticPodManifest } from 'cdk8s-falco-audit';

class PlatformChart extends Chart {
  public readonly audit: FalcoAudit;
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'platform' });
    new ApiObject(this, 'Settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-settings' }, data: { owner: 'platform' } });
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
  compile(app);
  const stdout = execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
  expect(stdout.trim()).toBe('http://10.96.0.100:8765/k8s-audit');

  const docs = yaml.loadAll(fs.readFileSync(path.join(app, 'dist', 'platform.k8s.yaml'), 'utf8')) as any[];
  const byKind = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  expect(byKind('ConfigMap', 'team-settings').metadata.namespace).toBe('platform');
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

test('examples/library: run with ts-node and TypeScript 5 as docs/library.md says, a NetworkPolicy aimed at Falco', () => {
  const dir = path.join(work, 'library');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'platform-library', version: '1.0.0', private: true }, null, 2));
  for (const f of ['main.ts', 'tsconfig.json', 'kube-apiserver.yaml']) fs.copyFileSync(path.join(ROOT, 'examples', 'library', f), path.join(dir, f));
  fs.copyFileSync(tarball, path.join(dir, TARBALL));
  sh(RUN_EXAMPLE[0], dir);
  sh(RUN_EXAMPLE[1], dir);
  expect(require(path.join(dir, 'node_modules', 'typescript', 'package.json')).version).toMatch(/^5\./);
  const stdout = sh(RUN_EXAMPLE[2], dir);
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
