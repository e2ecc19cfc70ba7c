/**
 * Every plugin-shape release 0.32-0.44 renders a Falco that would start: the rules under the key that release reads,
 * a way past the host-info platform without /host/proc, and plugins its plugin API can load. The expectations are an
 * independent table of the facts (FACTS.md 5b, each read from that release's source), not the library's own table.
 */
import * as yaml from 'js-yaml';
import { FalcoVersion } from '../../lib/falco';
import { container, synthFalco } from './helpers';

/** Framework plugin API by Falco minor (libs plugin_api.h at the libs version each Falco pins). */
const FRAMEWORK_API: Record<number, number> = { 37: 3.2, 38: 3.6, 39: 3.7, 40: 3.1, 41: 3.11, 42: 3.12, 43: 3.12, 44: 3.12 };
/** Plugin API minor a ref needs: k8saudit 0.16+ and json 0.7.4+ need 3.11, older 0.x ones 3.0. */
function needs(ref: string): number {
  const [name, tag] = ref.split(':');
  const [, minor, patch] = tag.split('.').map(Number);
  if (name === 'k8saudit') return minor >= 16 ? 3.11 : 3.0;
  if (name === 'json') return minor > 7 || (minor === 7 && patch >= 4) ? 3.11 : 3.0;
  if (name === 'k8saudit-rules') return minor >= 18 ? 3.11 : 0;
  throw new Error(`no fact for ${ref}`);
}
const apiMinor = (v: number) => Math.round((v % 1) * 100);

const falcoYaml = (objects: any[]) => yaml.load(objects.find((o) => o.kind === 'ConfigMap' && o.data['falco.yaml']).data['falco.yaml']) as any;
const MINORS = Array.from({ length: 13 }, (_, i) => 32 + i);

describe.each(MINORS)('Falco 0.%i', (minor) => {
  const tag = `0.${minor}.0`;
  const s = () => synthFalco({ values: { image: { tag } }, k8s: '1.30', service: { clusterIP: '10.96.0.100' } });

  test('rules under the key the release reads (rules_files from 0.38.0, rules_file before)', () => {
    const f = falcoYaml(s().objects);
    const key = minor >= 38 ? 'rules_files' : 'rules_file';
    expect(f[key]).toEqual(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);
    expect(f[key === 'rules_files' ? 'rules_file' : 'rules_files']).toBeUndefined();
  });

  test('starts without /host/proc: plugins_hostinfo false from 0.40, an empty HOST_ROOT on 0.39, nothing needed before', () => {
    const objects = s().objects;
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(JSON.stringify(deployment)).not.toContain('hostPath');
    const env = container(deployment, 'falco').env;
    const hostRoot = env.find((e: any) => e.name === 'HOST_ROOT');
    const f = falcoYaml(objects);
    if (minor >= 40) {
      expect(f.plugins_hostinfo).toBe(false);
    } else {
      expect(f.plugins_hostinfo).toBeUndefined();
      if (minor === 39) expect(hostRoot).toEqual({ name: 'HOST_ROOT', value: '' });
    }
  });

  test('plugins it can load: from the image up to 0.36, pinned falcoctl refs within its plugin API from 0.37', () => {
    const objects = s().objects;
    const spec = objects.find((o) => o.kind === 'Deployment').spec.template.spec;
    const ctl = objects.find((o) => o.kind === 'ConfigMap' && o.data['falcoctl.yaml']);
    if (minor <= 36) {
      expect(spec.initContainers).toBeUndefined();
      expect(ctl).toBeUndefined();
      return;
    }
    const refs: string[] = (yaml.load(ctl.data['falcoctl.yaml']) as any).artifact.install.refs;
    for (const ref of refs) {
      expect(ref).toMatch(/^[a-z0-9-]+:\d+\.\d+\.\d+$/); // pinned to a full version
      expect(apiMinor(needs(ref))).toBeLessThanOrEqual(apiMinor(FRAMEWORK_API[minor]));
    }
    // resolveDeps installs json at exactly the version the rules require (0.7.0: API 3.0)
    expect((yaml.load(ctl.data['falcoctl.yaml']) as any).artifact.install.resolveDeps).toBe(true);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['falcoctl-artifact-install']);
  });

  test('alerts name the node (FALCO_HOSTNAME from spec.nodeName, read from 0.33)', () => {
    const env = container(
      s().objects.find((o) => o.kind === 'Deployment'),
      'falco',
    ).env;
    const hostname = env.find((e: any) => e.name === 'FALCO_HOSTNAME');
    expect(hostname).toEqual(minor >= 33 ? { name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } } : undefined);
  });
});

describe('a ref the release cannot load is refused, naming both versions', () => {
  test.each([
    ['0.39.2', 'k8saudit:0.16.1', 'falcoctl.refs[1]: "k8saudit:0.16.1" needs plugin API 3.11.0, but Falco 0.39.2 provides 3.7.0'],
    [
      '0.40.0',
      'k8saudit:0.16',
      'falcoctl.refs[1]: "k8saudit:0.16" floats to the newest 0.16.x, which needs plugin API 3.11.0, but Falco 0.40.0 provides 3.10.0',
    ],
    [
      '0.37.1',
      'k8saudit',
      'falcoctl.refs[1]: "k8saudit" floats to the newest k8saudit, which needs plugin API 3.11.0, but Falco 0.37.1 provides 3.2.0',
    ],
    ['0.38.2', 'json:0.7', '"json:0.7" floats to the newest 0.7.x, which needs plugin API 3.11.0, but Falco 0.38.2 provides 3.6.0'],
    ['0.40.0', 'k8saudit-rules:0.18.0', '"k8saudit-rules:0.18.0" needs plugin API 3.11.0, but Falco 0.40.0 provides 3.10.0'],
    ['0.44.1', 'json:0.6.2', '"json:0.6.2" needs plugin API 2.0.0, but Falco 0.44.1 provides 3.12.0'],
  ])('Falco %s with %s', (tag, ref, message) => {
    const act = () => synthFalco({ values: { image: { tag } }, falcoctl: { refs: ['k8saudit-rules:0.11.0', ref] } });
    expect(act).toThrow(message);
    expect(act).toThrow('use the refs chart');
  });

  test.each([
    ['0.41.3', 'k8saudit:0.16.1'],
    ['0.39.2', 'k8saudit:0.15.0'],
    ['0.37.1', 'ghcr.io/falcosecurity/plugins/plugin/k8saudit:0.11.0'],
    ['0.37.1', 'json:0.7.3'],
    // falcoctl's full OCI form of the rules artifact is the rules, not the plugin
    ['0.40.0', 'ghcr.io/falcosecurity/plugins/ruleset/k8saudit:0.16.1'],
  ])('Falco %s with %s loads', (tag, ref) => {
    expect(() => synthFalco({ values: { image: { tag } }, falcoctl: { refs: ['k8saudit-rules:0.11.0', ref] } })).not.toThrow();
  });
});

describe('falcoVersion: tags that are not releases', () => {
  test.each([
    ['master', '0.41.3'],
    ['@sha256:3c2b0a5e8b7d7e3c6d5bd9a8f1f4b1f8b2cf1a4b6f0e4f8c2a1b9d3e7f6a5c4b', '0.44.1'],
    ['0.41.3-corp2', '0.41.3'],
  ])('image.tag %s with falcoVersion %s', (tag, version) => {
    const s = synthFalco({ values: { image: { tag } }, falcoVersion: FalcoVersion.of(version), k8s: '1.30' });
    expect(s.falco.falcoVersion.toString()).toBe(version);
    const falco = container(s.find('Deployment'), 'falco');
    // the tag as written; a digest alone joins with '@' (repo:@sha256 is no image reference)
    expect(falco.image).toBe(tag.startsWith('@') ? `docker.io/falcosecurity/falco${tag}` : `docker.io/falcosecurity/falco:${tag}`);
    // labels carry the release: a label value has no '@' and at most 63 characters
    expect(s.find('Deployment').metadata.labels['app.kubernetes.io/version']).toBe(version);
    expect(falcoYaml(s.objects).plugins_hostinfo).toBe(false);
  });

  test('a digest-pinned release tag renders and validates (labels carry the release)', () => {
    const tag = `0.44.1@sha256:${'a'.repeat(64)}`;
    const s = synthFalco({ values: { image: { tag } }, k8s: '1.30', service: { clusterIP: '10.96.0.100' } });
    expect(container(s.find('Deployment'), 'falco').image).toBe(`docker.io/falcosecurity/falco:${tag}`);
    expect(s.find('Deployment').metadata.labels['app.kubernetes.io/version']).toBe('0.44.1');
  });

  test('falcoVersion without an image.tag runs that release, not the chart default 0.19.0', () => {
    const s = synthFalco({ falcoVersion: FalcoVersion.of('0.41.3'), k8s: '1.30', service: { clusterIP: '10.96.0.100' } });
    expect(container(s.find('Deployment'), 'falco').image).toBe('docker.io/falcosecurity/falco:0.41.3');
  });

  test('falcoVersion of another minor than a release tag is refused; a patch difference is accepted', () => {
    expect(() => synthFalco({ values: { image: { tag: '0.37.1' } }, falcoVersion: FalcoVersion.of('0.44.1') })).toThrow(
      'falcoVersion: the image tag "0.37.1" is Falco 0.37.1, but falco.version (library: falcoVersion) says 0.44.1',
    );
    expect(
      synthFalco({ values: { image: { tag: '0.41.3-corp2' } }, falcoVersion: FalcoVersion.of('0.41.2'), k8s: '1.30' }).falco.falcoVersion.toString(),
    ).toBe('0.41.2');
  });

  test('an image.tag that is no release, without falcoVersion, says how to state it', () => {
    expect(() => synthFalco({ values: { image: { tag: 'master' } } })).toThrow(
      'set falco.version (library: falcoVersion) to the Falco release the image runs',
    );
  });

  test.each(['latest', '0.44', 'v1', '0.44.1-rc1'])('FalcoVersion.of(%s)', (text) => {
    if (text === '0.44') expect(FalcoVersion.of(text).toString()).toBe('0.44.0');
    else expect(() => FalcoVersion.of(text)).toThrow(`must be a Falco release such as "0.44.1", got "${text}"`);
  });
});
