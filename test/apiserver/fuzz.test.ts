/**
 * Property test of the patcher on manifests never seen before: random but plausible kube-apiserver static pods
 * (the sample fixtures, mutated) must either be refused with a `UserError` (never another error) or patched into
 * output that validates for its version and that patching again leaves byte-identical, keeping everything of the
 * input that the change does not touch.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { ApiServerAuditBackend, KubeApiServerManifest, StaticPodManifest } from '../../lib/apiserver';
import { UserError } from '../../lib/core/errors';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { NodeFile } from '../../lib/core/node-file';
import { formatViolation, validateAll } from '../../lib/validation';

const FIXTURES = path.join(__dirname, 'fixtures');
const SAMPLES: any[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => yaml.load(fs.readFileSync(path.join(FIXTURES, f), 'utf8')));
const SERVER = 'http://10.96.0.50:8765/k8s-audit';

// ---- flags
const boolText = fc.constantFrom('true', 'false', 'True', 'FALSE', '1', '0', 't', '');
const featureGates = fc
  .array(fc.tuple(fc.constantFrom('DynamicAuditing', 'APIServerTracing', 'Foo', 'dynamicauditing'), boolText, fc.constantFrom('', ' ')), {
    maxLength: 4,
  })
  .map((items) => items.map(([k, v, sp]) => `${sp}${k}=${v}`).join(','))
  .chain((v) => fc.constantFrom(v, `${v},`, ` ${v}`));
const runtimeConfig = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom('auditregistration.k8s.io/v1alpha1', 'api/all', 'batch/v2alpha1'), boolText).map(([k, v]) => `${k}=${v}`),
      fc.constantFrom('auditregistration.k8s.io/v1alpha1', 'api/beta'),
    ),
    { maxLength: 3 },
  )
  .map((items) => items.join(','));
const path_ = fc.constantFrom(
  '/etc/kubernetes/audit/policy.yaml',
  '/var/log/audit.log',
  '/etc/kubernetes/audit',
  '-',
  'relative.yaml',
  '/etc/kubernetes/pki/x',
);
const flag = fc.oneof(
  fc.tuple(fc.constant('feature-gates'), featureGates),
  fc.tuple(fc.constant('runtime-config'), runtimeConfig),
  fc.tuple(
    fc.constantFrom('audit-policy-file', 'audit-log-path', 'audit-webhook-config-file', 'audit_log_path', 'audit-log-maxage'),
    fc.oneof(path_, fc.constantFrom('7', 'x')),
  ),
  fc.tuple(
    fc.constantFrom('audit-dynamic-configuration', 'v', 'audit-webhook-mode', 'profiling'),
    fc.constantFrom('true', 'false', '2', 'batch', 'blocking'),
  ),
  fc.tuple(fc.constantFrom('service-cluster-ip-range'), fc.constantFrom('10.96.0.0/12', '100.64.0.0/13', '10.0.0.0/16,fd00::/108', 'banana')),
  fc.tuple(fc.constantFrom('service-node-port-range'), fc.constantFrom('30000-32767', '80-32767', 'x')),
);
/** One flag as command-line items: `--name=value`, `--name value` or a bare `--name`. */
const flagItems = fc
  .tuple(flag, fc.constantFrom('equals', 'equals', 'separate', 'bare'))
  .map(([[name, value], form]): string[] =>
    form === 'equals' || value === '' ? [`--${name}=${value}`] : form === 'separate' ? [`--${name}`, value] : [`--${name}`],
  );

// ---- manifest mutations
/** The list at `obj[key]`, created when absent; undefined when something else is there. */
function listAt(obj: any, key: string): any[] | undefined {
  obj[key] ??= [];
  return Array.isArray(obj[key]) ? obj[key] : undefined;
}
type Mutation = (pod: any, c: any) => void;
const wrongValue = fc.constantFrom<unknown>('x', 7, true, {}, { name: 'v' }, [], [7], null);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.array(flagItems, { minLength: 1, maxLength: 5 }), fc.nat()).map(([items, at]): Mutation => (_pod, c) => {
    const list: unknown =
      Array.isArray(c.args) && !(Array.isArray(c.command) && c.command.includes('kube-apiserver'))
        ? c.args
        : (c.command ?? (c.command = ['kube-apiserver']));
    if (!Array.isArray(list)) return;
    const pos = 1 + (at % Math.max(1, list.length));
    list.splice(Math.min(pos, list.length), 0, ...items.flat());
  }),
  // duplicate a random existing item
  fc.nat().map((n): Mutation => (_pod, c) => {
    const list: string[] | undefined = Array.isArray(c.command) && c.command.length > 1 ? c.command : c.args;
    if (Array.isArray(list) && list.length > 1) list.push(list[1 + (n % (list.length - 1))]);
  }),
  fc.constantFrom<Mutation>(
    (_pod, c) => {
      // flags in args, binary in command
      if (!Array.isArray(c.command) || c.args) return;
      c.args = c.command.slice(1);
      c.command = c.command.slice(0, 1);
    },
    (_pod, c) => {
      // kops go-runner
      if (!Array.isArray(c.command) || c.args) return;
      c.args = ['--log-file=/var/log/kube-apiserver.log', '--also-stdout', '/usr/local/bin/kube-apiserver', ...c.command.slice(1)];
      c.command = ['/go-runner'];
    },
    (_pod, c) => {
      // the image's entrypoint, flags only
      if (!Array.isArray(c.command) || c.args) return;
      c.args = c.command.slice(1);
      delete c.command;
    },
    (_pod, c) => {
      // /bin/sh -c "<the command line>"
      if (!Array.isArray(c.command) || c.args) return;
      c.command = ['/bin/sh', '-c', c.command.join(' ')];
    },
    (_pod, c) => {
      if (Array.isArray(c.command)) c.command[0] = '/usr/local/bin/kube-apiserver';
    },
    (pod) => delete pod.spec.volumes,
    (_pod, c) => delete c.volumeMounts,
    (pod) => {
      if (Array.isArray(pod.spec.volumes) && pod.spec.volumes.length) delete pod.spec.volumes[0].name;
    },
    (pod) => {
      if (Array.isArray(pod.spec.volumes) && pod.spec.volumes.length) pod.spec.volumes.push({ ...pod.spec.volumes[0] });
    },
    (pod, c) => {
      // an existing mount of the audit directory that is not a hostPath
      listAt(pod.spec, 'volumes')?.push({ name: 'audit-cm', configMap: { name: 'audit' } });
      listAt(c, 'volumeMounts')?.push({ mountPath: '/etc/kubernetes/audit', name: 'audit-cm' });
    },
    (pod, c) => {
      listAt(pod.spec, 'volumes')?.push({ name: 'audit', hostPath: { path: '/etc/kubernetes/audit', type: 'DirectoryOrCreate' } });
      listAt(c, 'volumeMounts')?.push({ mountPath: '/etc/kubernetes/audit', name: 'audit', readOnly: true });
    },
    (_pod, c) => delete c.command,
    (_pod, c) => delete c.image,
  ),
  fc.tuple(fc.constantFrom('volumes', 'volumeMounts', 'command', 'args', 'image'), wrongValue).map(([field, value]): Mutation => (pod, c) => {
    if (field === 'volumes') pod.spec.volumes = value;
    else c[field] = value;
  }),
);

const version = fc.tuple(fc.integer({ min: 10, max: 40 }), fc.integer({ min: 0, max: 12 }));
const manifestCase = fc.record({
  sample: fc.nat({ max: SAMPLES.length - 1 }),
  image: fc.option(version, { nil: undefined }),
  mutations: fc.array(mutation, { maxLength: 4 }),
  json: fc.boolean(),
});
const backendCase = fc.oneof(
  fc.constant({ kind: 'dynamic' as const }),
  fc.record({
    kind: fc.constant('webhook' as const),
    mode: fc.constantFrom(undefined, 'batch', 'blocking', 'blocking-strict'),
    auditLog: fc.constantFrom<any>(undefined, false, { path: '/var/log/kubernetes/audit.log' }, { path: '-' }, { maxAge: 3 }),
    directory: fc.constantFrom(undefined, '/etc/kubernetes/audit', '/etc/kubernetes/pki', '/etc/falco-audit/'),
  }),
);

function backendOf(b: any): ApiServerAuditBackend {
  return b.kind === 'dynamic'
    ? ApiServerAuditBackend.dynamic()
    : ApiServerAuditBackend.webhook({ server: SERVER, mode: b.mode, auditLog: b.auditLog, directory: b.directory });
}

function manifestText(c: { sample: number; image?: [number, number]; mutations: Mutation[]; json: boolean }): string {
  const pod = JSON.parse(JSON.stringify(SAMPLES[c.sample]));
  const container = pod.spec.containers.find((x: any) => x.name === 'kube-apiserver') ?? pod.spec.containers[0];
  if (c.image) container.image = `registry.k8s.io/kube-apiserver:v1.${c.image[0]}.${c.image[1]}`;
  for (const m of c.mutations) m(pod, container);
  return c.json ? JSON.stringify(pod, null, 2) : yaml.dump(pod);
}

function patch(text: string, backend: ApiServerAuditBackend, kubernetesVersion?: KubernetesVersion) {
  const manifest = StaticPodManifest.fromString(text, 'fuzz.yaml');
  const chart = Testing.chart();
  const k = new KubeApiServerManifest(chart, 'ApiServer', { manifest, backend, kubernetesVersion });
  return { manifest, k, files: NodeFile.all(chart) };
}

/** The command line as words (a `sh -c` string split at whitespace). */
function words(c: any): string[] {
  const all: string[] = [...(c.command ?? []), ...(c.args ?? [])];
  return all[0] !== undefined && /(^|\/)(ba|da|a)?sh$/.test(all[0]) ? all.slice(2).join(' ').split(/\s+/).filter(Boolean) : all;
}

/** The items of `sub` left over when matching it in order (not necessarily adjacent) against `all`. */
function notFoundInOrder(sub: string[], all: string[]): string[] {
  let i = 0;
  for (const x of all) if (i < sub.length && x === sub[i]) i++;
  return sub.slice(i);
}

/** The words the patch may change: audit flags and the map flags, with the value word of `--name value`. */
function untouched(ws: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    if (TOUCHED.test(ws[i])) {
      if (!ws[i].includes('=') && i + 1 < ws.length && !ws[i + 1].startsWith('-')) i++;
      continue;
    }
    out.push(ws[i]);
  }
  return out;
}

const TOUCHED = /^--(audit[-_]|feature[-_]gates|runtime[-_]config)/;

const stats = { refused: 0, patched: 0, errors: new Map<string, number>() };

describe('the patcher on random manifests and flag lists', () => {
  test('refuses with a UserError, or writes valid, minimal and idempotent output', () => {
    fc.assert(
      fc.property(manifestCase, backendCase, fc.option(version, { nil: undefined }), (mc, bc, explicit) => {
        const text = manifestText(mc);
        let result: ReturnType<typeof patch>;
        let kubernetesVersion: KubernetesVersion | undefined;
        try {
          kubernetesVersion = explicit ? KubernetesVersion.of(`1.${explicit[0]}.${explicit[1]}`) : undefined;
          result = patch(text, backendOf(bc), kubernetesVersion);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          expect(err.message).not.toMatch(/undefined|\[object Object\]|NaN/);
          stats.refused++;
          const kind = err.message
            .replace(/^[^:]*(:\d+)*: /, '')
            .replace(/[\d"].*$/, '')
            .slice(0, 50);
          stats.errors.set(kind, (stats.errors.get(kind) ?? 0) + 1);
          return;
        }
        stats.patched++;
        const { manifest, k, files } = result;

        // valid for its version (the schema of its minor and the semantic rules), apart from what the input
        // itself already breaks (a 1.22 field in a manifest said to run 1.17): the app reports those too
        const inputViolations = new Set(
          validateAll([{ source: 'node/kube-apiserver.yaml', object: manifest.document }], k.version).map(formatViolation),
        );
        const violations = validateAll(
          files.map((f) => ({ source: `node/${f.fileName}`, object: f.document })),
          k.version,
        )
          .map(formatViolation)
          .filter((v) => !inputViolations.has(v));
        expect(violations).toEqual([]);

        // idempotent, byte for byte
        const first = k.manifestFile.toYaml();
        const again = patch(first, backendOf(bc), kubernetesVersion);
        expect(again.k.manifestFile.toYaml()).toBe(first);
        expect(again.k.plan.flagsAdded).toEqual([]);
        expect(again.k.plan.flagsChanged).toEqual([]);

        // minimal: only the container's command line and mounts and the pod's volumes change, by additions
        const input: any = manifest.document;
        const output: any = k.pod;
        const strip = (pod: any) => {
          const copy = JSON.parse(JSON.stringify(pod));
          delete copy.spec.volumes;
          const c = copy.spec.containers[manifest.containerIndex];
          for (const f of ['command', 'args', 'volumeMounts']) delete c[f];
          return copy;
        };
        expect(strip(output)).toEqual(strip(input));
        const inC = input.spec.containers[manifest.containerIndex];
        const outC = output.spec.containers[manifest.containerIndex];
        expect(output.spec.volumes?.slice(0, input.spec.volumes?.length ?? 0) ?? []).toEqual(input.spec.volumes ?? []);
        expect(outC.volumeMounts?.slice(0, inC.volumeMounts?.length ?? 0) ?? []).toEqual(inC.volumeMounts ?? []);
        expect(notFoundInOrder(untouched(words(inC)), words(outC))).toEqual([]);
      }),
      { numRuns: 200, seed: 20240611, endOnFailure: false },
    );
    // the generator must reach both outcomes, or the property says little
    expect(stats.patched).toBeGreaterThan(40);
    expect(stats.refused).toBeGreaterThan(20);
  });
});

describe('what the property found, kept as examples', () => {
  const kubeadm118 = () => JSON.parse(JSON.stringify(SAMPLES.find((s) => String(s.spec.containers[0].image).endsWith(':v1.18.2'))));

  test('a path under a read-only mount is refused, not given a parent mount the deeper one would hide', () => {
    const pod = kubeadm118();
    // the operator's audit log is the audit directory itself: our read-only mount of it would hide a writable /etc/kubernetes
    pod.spec.containers[0].command.push('--audit-log-path=/etc/kubernetes/audit');
    expect(() => patch(yaml.dump(pod), backendOf({ kind: 'webhook' }))).toThrow(
      /cannot make \/etc\/kubernetes\/audit writable for kube-apiserver: it lies under the mount of volume "falco-audit" at \/etc\/kubernetes\/audit, which is read-only/,
    );
  });

  test('volumes given as a mapping are refused at their line instead of being replaced by a list', () => {
    const pod = kubeadm118();
    pod.spec.volumes = { name: 'k8s-certs' };
    const text = yaml.dump(pod);
    const line = text.split('\n').findIndex((l) => l.startsWith('  volumes:')) + 1;
    expect(() => patch(text, backendOf({ kind: 'webhook' }))).toThrow(`fuzz.yaml:${line}: spec.volumes: must be a list of volumes, got a mapping`);
  });
});
