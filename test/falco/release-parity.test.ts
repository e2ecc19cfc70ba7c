/**
 * The maintainers' chart as the oracle, release by release: for each Falco minor 0.36-0.44, the k8saudit preset of the
 * last falcosecurity/falco chart release that shipped it, rendered by a real helm (../shared/reference/k8saudit-by-falco),
 * against our plugin shape for the same Falco. Compared: the objects, falco.yaml (plugins, load_plugins, rules key and
 * files, webserver, plugins_hostinfo, outputs), the Falco and falcoctl containers (image, args, env, mounts, ports,
 * probes, resources, securityContext), the volumes and falcoctl.yaml. Every difference must be one of
 * PLUGIN_SHAPE_DIFFERENCES, removed by its named normalization below, which must apply to at least one release.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { FalcoVersion, PLUGIN_SHAPE_DIFFERENCES } from '../../lib/falco';
import { synthFalco } from './helpers';
import { objectDiff } from './object-diff';

const DIR = path.resolve(__dirname, '../../../shared/reference/k8saudit-by-falco');
const renders = fs.existsSync(DIR)
  ? fs
      .readdirSync(DIR)
      .filter((f) => /^falco-.*-chart-.*\.yaml$/.test(f))
      .sort()
  : [];
if (renders.length === 0) {
  console.warn(`SKIPPED release parity tests: no renders in ${DIR} (../shared is missing)`);
}

type Obj = Record<string, any>;

/** The parts compared, from a list of rendered objects (ours or the chart's). */
interface Parts {
  objects: string[];
  falcoYaml: Obj;
  falcoctlYaml?: Obj;
  containers: Record<string, Obj>;
  podSecurityContext?: Obj;
  volumes: Obj[];
}

const CONTAINER_FIELDS = [
  'image',
  'imagePullPolicy',
  'args',
  'env',
  'ports',
  'startupProbe',
  'livenessProbe',
  'readinessProbe',
  'resources',
  'securityContext',
  'volumeMounts',
];

function parts(objects: Obj[]): Parts {
  const find = (kind: string, key?: string) => objects.find((o) => o.kind === kind && (!key || o.data?.[key] !== undefined));
  const spec = find('Deployment')!.spec.template.spec;
  const containers: Record<string, Obj> = {};
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const picked: Obj = {};
    for (const f of CONTAINER_FIELDS)
      if (c[f] !== undefined && c[f] !== null && !(f === 'securityContext' && Object.keys(c[f]).length === 0)) picked[f] = c[f];
    containers[c.name] = picked;
  }
  const ctl = find('ConfigMap', 'falcoctl.yaml');
  return {
    objects: objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    falcoYaml: yaml.load(find('ConfigMap', 'falco.yaml')!.data['falco.yaml']) as Obj,
    falcoctlYaml: ctl ? (yaml.load(ctl.data['falcoctl.yaml']) as Obj) : undefined,
    containers,
    podSecurityContext: spec.securityContext,
    volumes: spec.volumes,
  };
}

/** The falco.yaml keys the comparison covers (the rest is output settings from each chart's own values format). */
function falcoYamlCompared(f: Obj): Obj {
  const out: Obj = {};
  for (const k of ['plugins', 'load_plugins', 'rules_file', 'rules_files', 'webserver', 'plugins_hostinfo', 'outputs']) if (k in f) out[k] = f[k];
  return out;
}

const diff = (a: any, b: any): string[] => objectDiff(a, b, 'chart');

interface Pair {
  ours: Parts;
  ref: Parts;
  falco: FalcoVersion;
}

const removeWhere = <T>(list: T[] | undefined, pred: (x: T) => boolean): boolean => {
  if (!list) return false;
  let hit = false;
  for (let i = list.length - 1; i >= 0; i--)
    if (pred(list[i])) {
      list.splice(i, 1);
      hit = true;
    }
  return hit;
};
const falcoC = (p: Parts) => p.containers.falco;

/** One normalization per deliberate difference; each returns true when it found (and removed) its difference. */
const NORMALIZE: Record<string, (pair: Pair) => boolean> = {
  'no-role': ({ ref }) => removeWhere(ref.objects, (k) => /^(Cluster)?Role(Binding)?\//.test(k)),
  'own-service-account': ({ ours, ref }) =>
    !ref.objects.includes('ServiceAccount/falco') && removeWhere(ours.objects, (k) => k === 'ServiceAccount/falco'),
  'no-follow-sidecar': ({ ref }) => {
    const had = 'falcoctl-artifact-follow' in ref.containers;
    delete ref.containers['falcoctl-artifact-follow'];
    if (ref.falcoctlYaml?.artifact?.follow) delete ref.falcoctlYaml.artifact.follow;
    return had;
  },
  'pinned-refs': ({ ours, ref, falco }) => {
    const mine = ours.falcoctlYaml?.artifact?.install?.refs;
    const theirs = ref.falcoctlYaml?.artifact?.install?.refs;
    if (!mine || !theirs || JSON.stringify(mine) === JSON.stringify(theirs)) return false;
    // every chart ref is ours with the patch dropped; on 0.37-0.38 ours also names the plugin the rules pull in
    const floating = (r: string) => r.replace(/^([^:]+:\d+\.\d+)\.\d+$/, '$1');
    const expected = mine.map(floating).filter((r: string) => theirs.includes(r) || !(falco.minor <= 38 && r.startsWith('k8saudit:')));
    if (JSON.stringify(expected) !== JSON.stringify(theirs)) return false;
    ours.falcoctlYaml!.artifact.install.refs = theirs;
    return true;
  },
  'plugins-from-image': ({ ours, ref, falco }) => {
    if (falco.minor !== 36 || ours.falcoctlYaml || !ref.falcoctlYaml) return false;
    removeWhere(ref.objects, (k) => k === 'ConfigMap/falco-falcoctl');
    ref.falcoctlYaml = undefined;
    delete ref.containers['falcoctl-artifact-install'];
    removeWhere(falcoC(ref).volumeMounts, (m) => m.name === 'rulesfiles-install-dir');
    removeWhere(ref.volumes, (v) => ['plugins-install-dir', 'rulesfiles-install-dir', 'falcoctl-config-volume'].includes(v.name));
    return true;
  },
  'no-host-proc': ({ ours, ref, falco }) => {
    const hadMount = removeWhere(falcoC(ref).volumeMounts, (m) => m.name === 'proc-fs');
    removeWhere(ref.volumes, (v) => v.name === 'proc-fs');
    if (!hadMount) return false;
    if (falco.minor === 39) {
      const host = falcoC(ours).env.find((e: Obj) => e.name === 'HOST_ROOT');
      if (host?.value !== '') return false;
      host.value = '/host';
    } else {
      if (ours.falcoYaml.plugins_hostinfo !== false || ref.falcoYaml.plugins_hostinfo === false) return false;
      delete ours.falcoYaml.plugins_hostinfo;
      delete ref.falcoYaml.plugins_hostinfo;
    }
    return true;
  },
  'no-root-falco': ({ ref }) =>
    removeWhere(falcoC(ref).volumeMounts, (m) => m.name === 'root-falco-fs') && removeWhere(ref.volumes, (v) => v.name === 'root-falco-fs'),
  'skip-driver-loader': ({ ours }) => removeWhere(falcoC(ours).env, (e: Obj) => e.name === 'SKIP_DRIVER_LOADER' && e.value === 'true'),
  'no-k8s-node-name': ({ ref }) => removeWhere(falcoC(ref).env, (e: Obj) => e.name === 'FALCO_K8S_NODE_NAME'),
  'falco-hostname': ({ ours, ref, falco }) =>
    falco.minor === 36 &&
    !falcoC(ref).env.some((e: Obj) => e.name === 'FALCO_HOSTNAME') &&
    removeWhere(falcoC(ours).env, (e: Obj) => e.name === 'FALCO_HOSTNAME'),
  'falco-yaml-defaults': ({ ref }) => {
    const w = ref.falcoYaml.webserver ?? {};
    const defaults: Obj = { threadiness: 0, listen_address: '0.0.0.0', prometheus_metrics_enabled: false };
    let hit = false;
    for (const [k, v] of Object.entries(defaults))
      if (k in w && w[k] === v) {
        delete w[k];
        hit = true;
      }
    return hit;
  },
  'no-outputs-rate': ({ ours, ref, falco }) => {
    if (falco.minor < 37 || !ref.falcoYaml.outputs || ours.falcoYaml.outputs) return false;
    delete ref.falcoYaml.outputs;
    return true;
  },
  'restricted-security-context': ({ ours, ref }) => {
    let hit = false;
    for (const [name, c] of Object.entries(ours.containers)) {
      if (
        JSON.stringify(c.securityContext) === JSON.stringify({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }) &&
        ref.containers[name]?.securityContext === undefined
      ) {
        delete c.securityContext;
        hit = true;
      }
    }
    if (
      JSON.stringify(ours.podSecurityContext) === JSON.stringify({ seccompProfile: { type: 'RuntimeDefault' } }) &&
      ref.podSecurityContext === undefined
    ) {
      ours.podSecurityContext = undefined;
    }
    return hit;
  },
  'declared-ports': ({ ours, ref }) => {
    const hit = removeWhere(falcoC(ours).ports, (p: Obj) => p.name === 'k8saudit');
    const theirs = falcoC(ref).ports;
    if (theirs === undefined && falcoC(ours).ports?.every((p: Obj) => p.name === 'web')) delete falcoC(ours).ports;
    return hit;
  },
};
/** Differences that exist, but not in what this test compares (labels, Service type: see plugin.test.ts). */
const NOT_COMPARED_HERE = ['selector-labels', 'cluster-ip-service'];

/** The preset's values in the stable/falco format our construct reads: the chart's image, and its outputs limiter. */
function presetValues(ref: Obj[]): Obj {
  const image = ref.find((o) => o.kind === 'Deployment').spec.template.spec.containers.find((c: Obj) => c.name === 'falco').image as string;
  const [, registry, repository, tag] = /^([^/]+)\/(.+):([^:]+)$/.exec(image)!;
  return { image: { registry, repository, tag }, falco: { outputs: { rate: 0, maxBurst: 1000 } } };
}

const applied = new Set<string>();

(renders.length ? describe : describe.skip)('plugin shape against the chart release of each Falco minor', () => {
  test.each(renders)('%s', (file) => {
    const ref = (yaml.loadAll(fs.readFileSync(path.join(DIR, file), 'utf8')) as Obj[]).filter((o) => o);
    const values = presetValues(ref);
    const falco = FalcoVersion.fromTag(values.image.tag);
    const ours = synthFalco({ values, service: { nodePort: 30007 }, k8s: '1.30' }).objects;
    const pair: Pair = { ours: parts(ours), ref: parts(ref), falco };
    pair.ours.falcoYaml = falcoYamlCompared(pair.ours.falcoYaml);
    pair.ref.falcoYaml = falcoYamlCompared(pair.ref.falcoYaml);
    for (const [id, normalize] of Object.entries(NORMALIZE)) if (normalize(pair)) applied.add(id);
    expect(diff(pair.ours, pair.ref)).toEqual([]);
  });

  test('every listed difference is normalized by this test (or compared elsewhere), and nothing else is', () => {
    const ids = PLUGIN_SHAPE_DIFFERENCES.map((d) => d.id);
    expect([...applied].sort()).toEqual(ids.filter((id) => !NOT_COMPARED_HERE.includes(id)).sort());
    expect(Object.keys(NORMALIZE).every((id) => ids.includes(id))).toBe(true);
  });
});
