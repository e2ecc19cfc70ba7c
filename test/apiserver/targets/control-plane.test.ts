/**
 * FalcoAudit's `controlPlane` prop and the ControlPlane factories: kubeadm through `controlPlane` is today's
 * `apiServerManifest` path byte for byte, and the choice of a control plane is checked.
 */
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ControlPlane, StaticPodManifest } from '../../../lib/apiserver';
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
    ...audit.warnings,
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
    expect(() => ControlPlane.of('gardener')).toThrow(/^controlPlane: unknown distribution "gardener"; one of kubeadm/);
  });

  test("kubeadm needs its manifest, and refuses another distribution's setting", () => {
    expect(() => ControlPlane.of('kubeadm', {})).toThrow('controlPlane.manifest: kubeadm needs manifest');
    expect(() => ControlPlane.of('kubeadm', { manifest: manifest130(), hostFolder: '/tmp' })).toThrow(
      /^controlPlane\.hostFolder: hostFolder is a setting of .*, not of kubeadm; remove it/,
    );
  });
});
