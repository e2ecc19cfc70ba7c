/**
 * The distribution validators from a packed install: `npm pack` (package.json "files" must ship schemas/distros/), the
 * tarball unpacked with only the runtime dependencies beside it (no ajv, no devDependencies), and every validator run
 * from the compiled build/ inside it. Needs `npm run build` first (npm test does).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUILT = path.join(ROOT, 'build', 'lib', 'validation', 'distros', 'index.js');

jest.setTimeout(120_000);

let work: string;
let pkg: string;

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` (npm test does) first`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'distros-packed-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  execFileSync('tar', ['xzf', path.join(work, packed.trim().split('\n').pop()!)], { cwd: work });
  pkg = path.join(work, 'package');
  // only the runtime dependencies, so a validator that needed ajv (a devDependency) would fail here
  const dependencies = Object.keys(require(path.join(ROOT, 'package.json')).dependencies as Record<string, string>);
  fs.mkdirSync(path.join(pkg, 'node_modules'));
  for (const dep of dependencies) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(pkg, 'node_modules', dep), 'dir');
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball ships every file of schemas/distros/', () => {
  const shipped = fs.readdirSync(path.join(pkg, 'schemas', 'distros')).sort();
  expect(shipped).toEqual(fs.readdirSync(path.join(ROOT, 'schemas', 'distros')).sort());
});

test('every validator runs from the packed install without ajv, and still catches a mutation', () => {
  const script = `
    const d = require('./build/lib/validation/distros');
    const rules = (vs) => vs.map((v) => v.rule);
    const kcp = d.mergeAppending(d.minimalKubeadmControlPlane('1.11'), { spec: { kubeadmConfigSpec: { files: [{ path: '/a', content: 'x'.repeat(10241) }] } } });
    console.log(JSON.stringify({
      talos: rules(d.validateTalosPatch({ cluster: { apiServer: { extraVolumes: [{ hostPath: '/var/a', mountPath: '/a', readOnly: true }] } } }, 13)),
      capi: rules(d.validateKubeadmControlPlane(kcp, '1.11')),
      k0s: rules(d.validateK0sClusterConfig({ apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig', spec: { api: { extraArgs: [] } } })),
      kind: rules(d.validateKindCluster({ apiVersion: 'kind.x-k8s.io/v1alpha4', kind: 'Cluster', nodes: [{ role: 'control-plane', extraMounts: [{ readonly: true }] }] })),
      kindPatch: rules(d.validateKindKubeadmPatch('kind: ClusterConfiguration\\napiVersion: kubeadm.k8s.io/v1beta3\\n')),
      k3s: rules(d.validateK3sConfig({ 'kube-apiserver-arg': ['a=b'] })),
      rke2: rules(d.validateRke2Config({ 'kube-apiserver-arg+': ['audit-policy-file=/p'] })),
      microk8s: rules(d.validateMicroK8sLaunchConfig({ version: '0.3.0' })),
      minikube: rules(d.validateMinikubeExtraConfig(['apiserver-audit'])),
    }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8' }));
  expect(out).toEqual({
    talos: ['talos-schema.unknown-field'],
    capi: ['cluster-api-schema.too-long'],
    k0s: ['k0s-schema.type'],
    kind: ['kind-schema.unknown-field'],
    kindPatch: ['kind.patch-api-version'],
    k3s: ['k3s.replaces-list'],
    rke2: ['rke2.audit-policy-arg'],
    microk8s: ['microk8s.version'],
    minikube: ['minikube.extra-config'],
  });
});
