/**
 * The falcosecurity/falco chart 9.1.0 as the oracle: every values file of the matrix (test/falco/fixtures/chart-9.1.0/)
 * is rendered by a real helm (`helm template <release> ../shared/reference/charts/falco-9.1.0 -n <namespace> -f <file>`)
 * and synthesized by Falco with the same values; the objects must be equal, whole (names, labels, selectors, Service
 * specs, containers with args, env, ports, probes, resources and mounts, volumes, falco.yaml and falcoctl.yaml as data),
 * except for CHART_VALUES_DIFFERENCES, each removed by its named normalization below, which must apply to at least one
 * file. The syscall preset must be refused, naming every key and why.
 *
 * Needs ../shared (the chart) and helm (scripts/get-helm.js). Without ../shared the suite is skipped with a warning;
 * with ../shared present, no helm is a failure, not a skip.
 */
import * as path from 'path';
import * as yaml from 'js-yaml';
import { CHART_VALUES_DIFFERENCES, FalcoVersion, loadFalcosecurityValues } from '../../lib/falco';
import { validateFalcoConfig } from '../../lib/validation/falco-config-validation';
import { cleanupChartCopy, helmTemplate, SHARED_PRESENT, CHART_DIR } from './chart-render';
import { synthFalco } from './helpers';
import { objectDiff } from './object-diff';

const { getHelm } = require('../../scripts/get-helm.js');

const FIXTURES = path.join(__dirname, 'fixtures', 'chart-9.1.0');

type Obj = Record<string, any>;

interface Case {
  readonly file: string;
  readonly release?: string;
  readonly namespace?: string;
  /** The config's falco.clusterIP / falco.nodePort. */
  readonly service?: { clusterIP?: string; nodePort?: number };
}

/** The matrix: realistic values files, each with the config a team would pair it with. */
const CASES: readonly Case[] = [
  { file: 'values-k8saudit.yaml' },
  { file: 'nodeport.yaml', release: 'audit', namespace: 'security', service: { nodePort: 30765 } },
  { file: 'tls.yaml', service: { clusterIP: '10.96.0.100' } },
  { file: 'custom-rules.yaml' },
  { file: 'http-output.yaml' },
  { file: 'extra-env.yaml', service: { clusterIP: '10.96.0.100' } },
  { file: 'replicas-2.yaml', release: 'falco-audit', service: { clusterIP: '10.96.0.101' } },
  { file: 'private-registry.yaml' },
  { file: 'older-falco.yaml' },
];

interface Pair {
  ours: Obj[];
  ref: Obj[];
  falco: FalcoVersion;
  case: Case;
}

const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const find = (list: Obj[], kind: string) => list.filter((o) => o.kind === kind);
const deployment = (list: Obj[]) => find(list, 'Deployment')[0];
const podSpec = (list: Obj[]) => deployment(list).spec.template.spec;
const container = (list: Obj[], name = 'falco') =>
  [...podSpec(list).containers, ...(podSpec(list).initContainers ?? [])].find((c: Obj) => c.name === name);
const falcoYaml = (list: Obj[]) => find(list, 'ConfigMap').find((c) => c.data?.['falco.yaml'] !== undefined)!.data;
const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v as object).length === 0);
const RESTRICTED = JSON.stringify({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

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

/** One normalization per deliberate difference; each returns true when it found (and removed) its difference. */
const NORMALIZE: Record<string, (pair: Pair) => boolean> = {
  'no-role': ({ ref }) => removeWhere(ref, (o) => o.kind === 'Role' || o.kind === 'RoleBinding'),
  'pinned-service-address': ({ ours, ref, case: c }) => {
    let hit = false;
    for (const s of find(ours, 'Service')) {
      const theirs = ref.find((o) => key(o) === key(s));
      if (!theirs) continue;
      if (c.service?.clusterIP && s.spec.clusterIP === c.service.clusterIP && theirs.spec.clusterIP === undefined) {
        delete s.spec.clusterIP;
        hit = true;
      }
      if (c.service?.nodePort) {
        s.spec.ports.forEach((p: Obj, i: number) => {
          if (p.nodePort === c.service!.nodePort && theirs.spec.ports[i]?.nodePort === undefined) {
            delete p.nodePort;
            if (s.spec.type === 'NodePort' && (theirs.spec.type ?? 'ClusterIP') !== 'NodePort') s.spec.type = theirs.spec.type;
            hit = true;
          }
        });
      }
    }
    return hit;
  },
  'no-host-proc': ({ ours, ref, falco }) => {
    const hadMount = removeWhere(container(ref).volumeMounts, (m: Obj) => m.name === 'proc-fs');
    removeWhere(podSpec(ref).volumes, (v: Obj) => v.name === 'proc-fs');
    if (!hadMount) return false;
    const mine = parsed(ours);
    const theirs = parsed(ref);
    if (falco.minor === 39) {
      const host = container(ours).env.find((e: Obj) => e.name === 'HOST_ROOT');
      if (host?.value !== '') return false;
      host.value = '/host';
      delete theirs.plugins_hostinfo;
    } else {
      if (mine.plugins_hostinfo !== false || theirs.plugins_hostinfo !== true) return false;
      delete mine.plugins_hostinfo;
      delete theirs.plugins_hostinfo;
    }
    return true;
  },
  'no-root-falco': ({ ref }) =>
    removeWhere(container(ref).volumeMounts, (m: Obj) => m.name === 'root-falco-fs') &&
    removeWhere(podSpec(ref).volumes, (v: Obj) => v.name === 'root-falco-fs'),
  'skip-driver-loader': ({ ours }) => removeWhere(container(ours).env, (e: Obj) => e.name === 'SKIP_DRIVER_LOADER' && e.value === 'true'),
  'no-k8s-node-name': ({ ref }) => removeWhere(container(ref).env, (e: Obj) => e.name === 'FALCO_K8S_NODE_NAME'),
  'restricted-security-context': ({ ours, ref }) => {
    let hit = false;
    for (const c of [...podSpec(ours).containers, ...(podSpec(ours).initContainers ?? [])]) {
      const theirs = container(ref, c.name);
      if (JSON.stringify(c.securityContext) === RESTRICTED && theirs && empty(theirs.securityContext)) {
        delete c.securityContext;
        delete theirs.securityContext;
        hit = true;
      }
    }
    const pod = podSpec(ours);
    if (
      JSON.stringify(pod.securityContext) === JSON.stringify({ seccompProfile: { type: 'RuntimeDefault' } }) &&
      empty(podSpec(ref).securityContext)
    ) {
      delete pod.securityContext;
    }
    return hit;
  },
  'no-token': ({ ours }) => {
    const pod = podSpec(ours);
    if (pod.automountServiceAccountToken !== false) return false;
    delete pod.automountServiceAccountToken;
    return true;
  },
  'declared-ports': ({ ours }) => removeWhere(container(ours).ports, (p: Obj) => p.name === 'k8saudit'),
  checksums: ({ ours, ref }) => {
    const mine = deployment(ours).spec.template.metadata.annotations;
    const theirs = deployment(ref).spec.template.metadata.annotations;
    for (const k of ['checksum/config', 'checksum/rules']) {
      if (!/^[0-9a-f]{64}$/.test(mine[k]) || !/^[0-9a-f]{64}$/.test(theirs[k])) return false;
      mine[k] = theirs[k];
    }
    if (!/^[0-9a-f]{64}$/.test(mine['checksum/falcoctl'])) return false;
    delete mine['checksum/falcoctl'];
    delete theirs['checksum/certs'];
    return true;
  },
  'older-falco-yaml': ({ ours, ref, falco }) => {
    if (falco.minor >= 44) return false;
    const mine = parsed(ours);
    const theirs = parsed(ref);
    let hit = false;
    // what the release's schema does not know and ours left out
    for (const v of validateFalcoConfig(theirs, falco, 'chart')) {
      if (v.rule !== 'falco-schema.unknown-field') continue;
      const p = v.path.split(/\.|(?=\[)/).map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
      if (get(mine, p) !== undefined) continue;
      const parent = get(theirs, p.slice(0, -1));
      delete parent[p[p.length - 1]];
      hit = true;
    }
    if (falco.minor === 37 && mine.rules_file && theirs.rules_files) {
      theirs.rules_file = theirs.rules_files;
      delete theirs.rules_files;
      hit = true;
    }
    return hit;
  },
};
/** Differences that exist but cannot show in this matrix (every file renders for Kubernetes 1.30): tested in chart-values.test.ts. */
const NOT_COMPARED_HERE = ['no-startup-probe-before-1.18'];

function get(o: any, p: (string | number)[]): any {
  return p.reduce((cur, k) => (cur === undefined || cur === null ? undefined : cur[k]), o);
}

/** falco.yaml as data (parsed in place once, so normalizations can edit it). */
function parsed(list: Obj[]): Obj {
  const data = falcoYaml(list);
  if (typeof data['falco.yaml'] === 'string') data['falco.yaml'] = yaml.load(data['falco.yaml']);
  return data['falco.yaml'];
}

/** ConfigMap YAML payloads as data, on both sides, so formatting is not compared (the chart writes Go's toYaml). */
function parseConfigMaps(list: Obj[]): void {
  for (const cm of find(list, 'ConfigMap')) {
    for (const k of ['falco.yaml', 'falcoctl.yaml']) if (typeof cm.data?.[k] === 'string') cm.data[k] = yaml.load(cm.data[k]);
  }
}

const applied = new Set<string>();
let helm: string | undefined;
let helmError: string | undefined;

if (!SHARED_PRESENT) {
  console.warn(`SKIPPED chart 9.1.0 parity tests: ${CHART_DIR} is missing (../shared is not beside the project)`);
}

(SHARED_PRESENT ? describe : describe.skip)('falcosecurity/falco 9.1.0 values against helm template of the chart', () => {
  beforeAll(() => {
    try {
      helm = getHelm();
    } catch (err) {
      helmError = (err as Error).message;
    }
  }, 600_000);
  afterAll(() => cleanupChartCopy());

  const needHelm = (): string => {
    if (!helm) throw new Error(`../shared is present but there is no helm to render the chart with: ${helmError} (run node scripts/get-helm.js)`);
    return helm;
  };

  test.each(CASES.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const file = path.join(FIXTURES, c.file);
    const ref = helmTemplate(needHelm(), file, c.release, c.namespace);
    const synthed = synthFalco({
      values: loadFalcosecurityValues(file),
      releaseName: c.release,
      namespace: c.namespace,
      service: c.service,
      k8s: '1.30',
    });
    const ours = synthed.objects;
    const pair: Pair = { ours, ref, falco: synthed.falco.falcoVersion, case: c };
    parseConfigMaps(ours);
    parseConfigMaps(ref);
    for (const [id, normalize] of Object.entries(NORMALIZE)) if (normalize(pair)) applied.add(id);
    expect(ours.map(key).sort()).toEqual(ref.map(key).sort());
    const problems: string[] = [];
    for (const o of ours)
      problems.push(
        ...objectDiff(
          o,
          ref.find((r) => key(r) === key(o)),
          'chart',
          key(o),
        ),
      );
    expect(problems).toEqual([]);
  });

  test('the syscall preset (values-syscall-k8saudit.yaml) renders with helm, and is refused here, naming each key and why', () => {
    const file = path.join(FIXTURES, 'values-syscall-k8saudit.yaml');
    expect(helmTemplate(needHelm(), file).some((o) => o.kind === 'DaemonSet')).toBe(true);
    let message = '';
    try {
      synthFalco({ values: loadFalcosecurityValues(file), k8s: '1.30' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/values-syscall-k8saudit\.yaml:4: driver\.enabled: is true, but a kernel driver reads system calls/);
    expect(message).toMatch(/values-syscall-k8saudit\.yaml:10: collectors\.enabled: collectors\.containerEngine is on/);
    expect(message).toMatch(/values-syscall-k8saudit\.yaml:19: controller\.kind: is "daemonset", but a DaemonSet runs one Falco per node/);
    expect(message.match(/this tool renders an audit-only Falco/g)).toHaveLength(3);
  });

  test('every listed difference is normalized by this test (or tested elsewhere), and nothing else is', () => {
    const ids = CHART_VALUES_DIFFERENCES.map((d) => d.id);
    expect([...applied].sort()).toEqual(ids.filter((id) => !NOT_COMPARED_HERE.includes(id)).sort());
    expect(Object.keys(NORMALIZE).every((id) => ids.includes(id))).toBe(true);
  });
});
