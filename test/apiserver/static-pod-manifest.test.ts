import * as path from 'path';
import { StaticPodManifest } from '../../lib/apiserver';
import { UserError } from '../../lib/core/errors';

const FIXTURES = path.join(__dirname, 'fixtures');

describe('StaticPodManifest', () => {
  test('reads a kubeadm manifest: container, flags, version, service range', () => {
    const m = StaticPodManifest.fromFile(path.join(FIXTURES, '19-kubeadm-v1.25.3-featuregates-sallyom.yaml'), 'kube-apiserver.yaml');
    expect(m.file).toBe('kube-apiserver.yaml');
    expect(m.containerIndex).toBe(0);
    expect(m.container.name).toBe('kube-apiserver');
    expect(m.namespace).toBe('kube-system');
    expect(m.commandLine.form).toBe('binary');
    expect([...m.commandLine.mapValue('feature-gates')]).toEqual([
      ['APIServerTracing', 'true'],
      ['KubeletTracing', 'true'],
    ]);
    expect(m.imageVersion().toString()).toBe('1.25.3');
    expect(m.serviceClusterIPRange).toBe('10.96.0.0/12');
    expect(m.cleanups).toEqual([]);
  });

  test('a missing file is a UserError naming it', () => {
    expect(() => StaticPodManifest.fromFile('/nonexistent/kube-apiserver.yaml')).toThrow(
      new UserError('kube-apiserver manifest not found', { file: '/nonexistent/kube-apiserver.yaml' }),
    );
  });

  test('a command that is not a list of strings names the field and line', () => {
    expect(() =>
      StaticPodManifest.fromString(
        'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: kube-apiserver --a=1\n',
        'm.yaml',
      ),
    ).toThrow('m.yaml:5: spec.containers[0].command: must be a list of strings, got "kube-apiserver --a=1"');
  });

  test('the loaded document is not changed by the cleanup of a mirror pod (a copy is)', () => {
    const m = StaticPodManifest.fromFile(path.join(FIXTURES, 'mirror-pod-kubectl-get-v1.22.4.yaml'));
    expect((m.document.metadata as any).uid).toBeUndefined();
    expect(m.imageVersion().toString()).toBe('1.22.4');
  });

  test('an image pinned by digest alone asks for kubernetesVersion', () => {
    const m = StaticPodManifest.fromString(
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver@sha256:0123\n    command: [kube-apiserver]\n',
    );
    expect(() => m.imageVersion()).toThrow(/\(it has no tag\); set kubernetesVersion explicitly/);
  });
});
