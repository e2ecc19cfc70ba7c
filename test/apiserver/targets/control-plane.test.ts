/**
 * FalcoAudit's `controlPlane` prop and the ControlPlane factories: kubeadm through `controlPlane` is today's
 * `apiServerManifest` path byte for byte, and the choice of a control plane is checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ControlPlane, Distribution, StaticPodManifest } from '../../../lib/apiserver';
import { REGISTRY } from '../../../lib/apiserver/targets/registry';
import { FalcoAudit, FalcoAuditProps } from '../../../lib/falco-audit';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');
const manifest130 = () => StaticPodManifest.fromFile(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'kube-apiserver.yaml');

function build(props: FalcoAuditProps) {
  const chart = new Chart(Testing.app(), 'test');
  const audit = new FalcoAudit(chart, 'FalcoAudit', props);
  return { chart, audit };
}

/** Everything the user gets for a cluster: the objects, the node files, the plan, the warnings. */
function everything({ chart, audit }: ReturnType<typeof build>): string {
  return [
    audit.url,
    ...audit.warnings.map((w) => `${w.code}: ${w.message}`),
    audit.controlPlane.plan.toText(),
    JSON.stringify(Testing.synth(chart)),
    ...audit.nodeFiles.map((f) => `${f.node.path} ${f.fileName} ${f.nodePath} ${f.toYaml()}`),
    ...audit.validateOutput(),
  ].join('\n');
}

describe('kubeadm', () => {
  test('controlPlane: ControlPlane.kubeadm({ manifest }) gives exactly what apiServerManifest gives', () => {
    const falco = { clusterIP: '10.96.0.100', values: { image: { tag: '0.44.1' } } };
    const old = build({ apiServerManifest: manifest130(), falco });
    const viaControlPlane = build({ controlPlane: ControlPlane.kubeadm({ manifest: manifest130() }), falco });
    expect(everything(viaControlPlane)).toBe(everything(old));
    expect(old.audit.apiServer).toBe(old.audit.controlPlane.kubeApiServerManifest);
    expect(old.audit.controlPlane.distribution).toBe('kubeadm');
    expect(old.audit.controlPlane.files.map((f) => f.fileName)).toEqual([
      'kube-apiserver.yaml',
      'audit-policy.yaml',
      'audit-webhook-kubeconfig.yaml',
      'kube-apiserver+json.yaml',
    ]);
  });

  test('its apply steps place the files the manifest names, then the manifest, then the kubeadm patch', () => {
    const { audit } = build({ apiServerManifest: manifest130(), falco: { clusterIP: '10.96.0.100' } });
    expect(audit.controlPlane._applySteps('dist/node').map((s) => s[0])).toEqual([
      'on every control-plane node, place the files the manifest names (root:root, 0600):',
      expect.stringMatching(/^on every control-plane node, replace the manifest last/),
      'kubeadm clusters: also put dist/node/kube-apiserver+json.yaml in the patches folder kubeadm reads, so upgrades keep the change',
    ]);
  });
});

describe('choosing the control plane', () => {
  test('neither, or both, of apiServerManifest and controlPlane is refused', () => {
    expect(() => build({ falco: { clusterIP: '10.96.0.100' } })).toThrow(
      'controlPlane: neither apiServerManifest nor controlPlane is set: give the kube-apiserver manifest (kubeadm) or the control plane to write for',
    );
    expect(() =>
      build({ apiServerManifest: manifest130(), controlPlane: ControlPlane.kubeadm({ manifest: manifest130() }), falco: { nodePort: 30765 } }),
    ).toThrow('controlPlane: apiServerManifest and controlPlane are both set');
  });

  test('a controlPlane not made by ControlPlane is refused', () => {
    expect(() => build({ controlPlane: { distribution: 'k3s' } as any, falco: { nodePort: 30765 } })).toThrow(
      'controlPlane: controlPlane must be made by ControlPlane',
    );
  });

  test('an unknown distribution names the known ones', () => {
    expect(() => ControlPlane.of('gardener')).toThrow(
      /^controlPlane: unknown distribution "gardener"; one of kubeadm, kind, k3s, rke2, talos, cluster-api, k0s, minikube, microk8s, openshift$/,
    );
  });

  test("kubeadm needs its manifest, and refuses another distribution's setting", () => {
    expect(() => ControlPlane.of('kubeadm', {})).toThrow('controlPlane.manifest: kubeadm needs manifest');
    expect(() => ControlPlane.of('kubeadm', { manifest: manifest130(), hostFolder: '/tmp' })).toThrow(
      /^controlPlane\.hostFolder: hostFolder is a setting of .*, not of kubeadm; remove it/,
    );
  });
});

describe('the registry: a distribution is one file, its entry and its factory', () => {
  const TARGETS = path.resolve(__dirname, '..', '..', '..', 'lib', 'apiserver', 'targets');
  const DOCS = path.resolve(__dirname, '..', '..', '..', 'docs', 'distributions');
  const factoryName = (d: string) => d.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

  test('every Distribution has one entry, in a file of its own, a factory on ControlPlane and a docs page', () => {
    expect(REGISTRY.map((e) => e.distribution)).toEqual(Object.values(Distribution));
    for (const e of REGISTRY) {
      expect({ d: e.distribution, file: fs.existsSync(path.join(TARGETS, e.file)) }).toEqual({ d: e.distribution, file: true });
      expect({ d: e.distribution, factory: typeof (ControlPlane as any)[factoryName(e.distribution)] }).toEqual({
        d: e.distribution,
        factory: 'function',
      });
      expect({ d: e.distribution, docs: fs.existsSync(path.join(DOCS, `${e.distribution}.md`)) }).toEqual({ d: e.distribution, docs: true });
    }
  });

  test('each factory makes its own distribution', () => {
    expect(ControlPlane.kind().distribution).toBe('kind');
    expect(ControlPlane.k3s().distribution).toBe('k3s');
    expect(ControlPlane.rke2().distribution).toBe('rke2');
    expect(ControlPlane.talos({ version: '1.12' }).distribution).toBe('talos');
    expect(ControlPlane.k0s().distribution).toBe('k0s');
    expect(ControlPlane.minikube().distribution).toBe('minikube');
    expect(ControlPlane.microk8s().distribution).toBe('microk8s');
    expect(ControlPlane.isControlPlane(ControlPlane.k3s())).toBe(true);
    expect(ControlPlane.isControlPlane({ distribution: 'k3s' })).toBe(false);
  });

  test('a setting of another distribution is refused with the ones that take it, every problem at once', () => {
    expect(() => ControlPlane.of('k3s', { version: '1.13', hostFolder: 'x' })).toThrow(
      /^2 problems in the k3s settings:\n {2}- controlPlane\.version: version is a setting of talos and cluster-api, not of k3s; remove it\n {2}- controlPlane\.hostFolder: hostFolder is a setting of kind, not of k3s; remove it$/,
    );
    expect(() => ControlPlane.of('talos', {})).toThrow('controlPlane.version: talos needs version');
  });
});
