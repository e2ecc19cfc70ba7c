import { KubernetesVersion } from '../lib/core/kubernetes-version';

describe('KubernetesVersion.fromImage', () => {
  test.each([
    ['registry.k8s.io/kube-apiserver:v1.28.2', '1.28.2'],
    ['k8s.gcr.io/kube-apiserver-amd64:v1.13.4', '1.13.4'],
    ['registry.aliyuncs.com/google_containers/kube-apiserver:v1.18.2', '1.18.2'],
    ['myregistry.example.com:5000/k8s/kube-apiserver:1.20.11', '1.20.11'],
    ['k8s.gcr.io/hyperkube:v1.18.3', '1.18.3'],
    ['rancher/hyperkube:v1.18.6-rancher1', '1.18.6'],
    ['registry.k8s.io/kube-apiserver:v1.28.2@sha256:' + 'a'.repeat(64), '1.28.2'],
    ['kube-apiserver:v1.30.0-rc.1', '1.30.0'],
  ])('%s is %s', (image, version) => {
    expect(KubernetesVersion.fromImage(image).toString()).toBe(version);
  });

  test.each([
    ['registry.k8s.io/kube-apiserver@sha256:' + 'a'.repeat(64), /\(it has no tag\); set kubernetesVersion/],
    ['registry.k8s.io/kube-apiserver:latest', /tag "latest" is not a version.*set kubernetesVersion/],
    ['registry.k8s.io/kube-apiserver', /\(it has no tag\)/],
    ['myregistry:5000/kube-apiserver', /\(it has no tag\)/],
    ['quay.io/coreos/hyperkube:v1.10.4_coreos.0', /Kubernetes 1\.10 .* is not supported: the oldest supported version is 1\.13/],
    ['registry.k8s.io/kube-apiserver:v2.0.0', /not a version/],
  ])('%s is refused', (image, message) => {
    expect(() => KubernetesVersion.fromImage(image)).toThrow(message);
  });
});

describe('KubernetesVersion.of', () => {
  test('accepts 1.MINOR, 1.MINOR.PATCH and a leading v', () => {
    expect(KubernetesVersion.of('1.18').toString()).toBe('1.18.0');
    expect(KubernetesVersion.of('v1.35.1').minor).toBe(35);
  });
  test.each(['1.12.0', '1.36.0', 'abc', '', '1', '2.1'])('refuses %j', (v) => {
    expect(() => KubernetesVersion.of(v)).toThrow(/kubernetesVersion/);
  });
});

describe('capabilities', () => {
  const v = (s: string) => KubernetesVersion.of(s);
  test('dynamic auditing exists on 1.13-1.18 only', () => {
    expect(KubernetesVersion.SUPPORTED_MINORS.filter((m) => v(`1.${m}`).supportsDynamicAuditing)).toEqual([13, 14, 15, 16, 17, 18]);
  });
  test('AuditSink service port from 1.15', () => {
    expect(v('1.14').supportsAuditSinkServicePort).toBe(false);
    expect(v('1.15').supportsAuditSinkServicePort).toBe(true);
  });
  test('PodSecurityPolicy until 1.24; the seccompProfile field from 1.19; the control-plane taint from 1.24', () => {
    expect([v('1.24').servesPodSecurityPolicy, v('1.25').servesPodSecurityPolicy]).toEqual([true, false]);
    expect([v('1.18').supportsSeccompProfileField, v('1.19').supportsSeccompProfileField]).toEqual([false, true]);
    expect([v('1.23').kubeadmTaintsControlPlaneKey, v('1.24').kubeadmTaintsControlPlaneKey]).toEqual([false, true]);
  });
  test('kubeadm patches: none before 1.19, --experimental-patches to 1.21, --patches and the config field from 1.22', () => {
    expect(v('1.18').kubeadmPatches).toBeUndefined();
    expect(v('1.21').kubeadmPatches).toEqual({ flag: '--experimental-patches', initJoinNeedConfigField: false });
    expect(v('1.22').kubeadmPatches).toEqual({
      flag: '--patches',
      configField: '{Init|Join}Configuration.patches.directory',
      initJoinNeedConfigField: false,
    });
    expect(v('1.23').kubeadmPatches?.initJoinNeedConfigField).toBe(true);
  });
  test('1.13 validates against the 1.14 schema document, the nearest one', () => {
    expect(v('1.13').schemaMinor).toBe(14);
    expect(v('1.30').schemaMinor).toBe(30);
  });
});
