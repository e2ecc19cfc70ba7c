/**
 * Every object Falco emits is valid for the target Kubernetes version: the project's own validation (the vendored
 * strict schema of that minor plus the API server's semantic rules), so it runs on a fresh clone too.
 */
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { formatViolation, validateAll } from '../../lib/validation';
import { synthFalco } from './helpers';

const RANGE = '10.96.0.0/12';

function violations(objects: any[], minor: number): string[] {
  const items = objects.map((o) => ({ source: `${o.kind}/${o.metadata?.name}`, object: o }));
  return validateAll(items, KubernetesVersion.of(`1.${minor}`), { serviceClusterIPRange: RANGE }).map(formatViolation);
}

const CASES: [string, any][] = [
  ['chart defaults', {}],
  ['ebpf.yaml', { valuesFile: 'ebpf.yaml' }],
  ['custom-rules.yaml', { valuesFile: 'custom-rules.yaml' }],
  ['json-http-output.yaml', { valuesFile: 'json-http-output.yaml', service: { nodePort: 30765, clusterIP: '10.96.0.20' } }],
  ['integrations.yaml', { valuesFile: 'integrations.yaml' }],
  ['renamed-release.yaml with a PodSecurityPolicy', { valuesFile: 'renamed-release.yaml', releaseName: 'security', namespace: 'runtime-security' }],
  ['plugin 0.35.1', { values: { image: { tag: '0.35.1' } } }],
  ['plugin.yaml (0.37.1)', { valuesFile: 'plugin.yaml', service: { nodePort: 30007 } }],
];
const MINORS = [13, 16, 18, 19, 22, 25, 30, 35];

describe('every emitted object is valid for the target version (schema and API server rules)', () => {
  test.each(CASES.flatMap(([name, props]) => MINORS.map((m) => [name, m, props] as [string, number, any])))('%s on 1.%d', (name, minor, props) => {
    let s;
    try {
      s = synthFalco({ ...props, k8s: `1.${minor}.0` });
    } catch (e) {
      // The PSP fixture is refused on 1.25+; that refusal is tested in falco.test.ts.
      expect(String(e)).toMatch(/PodSecurityPolicy/);
      expect(minor).toBeGreaterThanOrEqual(25);
      return;
    }
    expect(violations(s.objects, minor)).toEqual([]);
  });

  test('the check catches an unknown field and a removed API version', () => {
    const s = synthFalco({ values: { podSecurityPolicy: { create: true } }, k8s: '1.18' });
    const ds = s.find('DaemonSet');
    ds.spec.template.spec.setHostnameAsFQDN = false;
    expect(violations(s.objects, 18)).toEqual([expect.stringMatching(/^DaemonSet\/falco: spec\.template\.spec\.setHostnameAsFQDN: .*unknown field/)]);
    expect(violations([s.find('PodSecurityPolicy')], 25)).toEqual([
      expect.stringMatching(/^PodSecurityPolicy\/falco: .*policy\/v1beta1 PodSecurityPolicy is not served by Kubernetes 1\.25\.0/),
    ]);
  });
});
