/**
 * No silent pass-through (issue 23): every field a values file reaches is checked with the API server's rule or refused,
 * at the values file's line, before anything is written. Each defect the issue lists is a row here: it reached the output
 * before (the API server refuses it), and is now refused at its line; the one false refusal (a volume with no source,
 * which the API server makes an emptyDir) is accepted and synthesizes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { loadFalcosecurityValues, loadFalcoValues } from '../../lib/falco';
import { formatViolation, validateAll } from '../../lib/validation';
import { errorOf } from '../errors';
import { synthFalco } from './helpers';

const PRESET = fs.readFileSync(path.join(__dirname, 'fixtures', 'chart-9.1.0', 'values-k8saudit.yaml'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'values-reach-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(text: string): string {
  const file = path.join(dir, `values-${n++}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** The 1-based line of the first line of `text` holding `token`. */
function lineOf(text: string, token: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(token));
  if (i < 0) throw new Error(`no line with ${token}`);
  return i + 1;
}

/** The chart's values-k8saudit.yaml with `extra` appended (top-level keys the preset does not set), or edited. */
const chart = (extra: string | ((preset: string) => string)) => (typeof extra === 'string' ? `${PRESET}${extra}` : extra(PRESET));
const SERVICES = /services:\n(?: {2}.*\n| {4}.*\n| {6}.*\n| {8}.*\n)*/;
/** The preset with its services[] replaced. */
const services = (text: string) => (preset: string) => preset.replace(SERVICES, text);
/** The preset with keys added to falcoctl.artifact.install (indented under it). */
const install = (text: string) => (preset: string) => preset.replace('      enabled: true\n    follow:', `      enabled: true\n${text}    follow:`);

// [defect, values text appended to the preset (or an edit of it), the token on the offending line, the values path, the message]
const refused: [string, string | ((preset: string) => string), string, string, RegExp][] = [
  [
    'env with both value and valueFrom',
    'extra:\n  env:\n    - name: A\n      value: x\n      valueFrom: {fieldRef: {fieldPath: metadata.name}}\n',
    'valueFrom',
    'extra.env[0].valueFrom',
    /environment variable "A" sets both value and valueFrom; keep one/,
  ],
  [
    'two valueFrom sources',
    'extra:\n  env:\n    - name: A\n      valueFrom: {fieldRef: {fieldPath: metadata.name}, secretKeyRef: {name: s, key: k}}\n',
    'valueFrom',
    'extra.env[0].valueFrom',
    /names fieldRef and secretKeyRef; it takes one source/,
  ],
  [
    'a bad fieldPath',
    'extra:\n  env:\n    - name: A\n      valueFrom:\n        fieldRef: {fieldPath: spec.nodename}\n',
    'fieldPath',
    'extra.env[0].valueFrom.fieldRef.fieldPath',
    /fieldPath "spec\.nodename" is not supported here: use one of metadata\.name,/,
  ],
  [
    'envFrom without a source',
    install('      envFrom:\n        - prefix: X_\n'),
    'prefix',
    'falcoctl.artifact.install.envFrom[0]',
    /envFrom must name a configMapRef or a secretRef/,
  ],
  [
    'envFrom with an invalid name',
    install('      envFrom:\n        - secretRef: {name: Registry_Creds}\n'),
    'Registry_Creds',
    'falcoctl.artifact.install.envFrom[0].secretRef.name',
    /secretRef name "Registry_Creds" must be a DNS-1123 subdomain/,
  ],
  [
    'an init container with a liveness probe',
    'extra:\n  initContainers:\n    - name: wait\n      image: busybox\n      livenessProbe: {exec: {command: ["true"]}}\n',
    'livenessProbe',
    'extra.initContainers[0].livenessProbe',
    /init container "wait": livenessProbe may not be set for init containers without restartPolicy: Always/,
  ],
  [
    'an init container with a startup probe',
    'extra:\n  initContainers:\n    - name: wait\n      image: busybox\n      startupProbe: {exec: {command: ["true"]}}\n',
    'startupProbe',
    'extra.initContainers[0].startupProbe',
    /startupProbe may not be set for init containers without restartPolicy: Always/,
  ],
  [
    'an init container with restartPolicy: Never',
    'extra:\n  initContainers:\n    - name: wait\n      image: busybox\n      restartPolicy: Never\n',
    'restartPolicy',
    'extra.initContainers[0].restartPolicy',
    /restartPolicy "Never" is not supported: the only value is Always/,
  ],
  [
    'a volume item at a ../ path',
    'mounts:\n  volumes:\n    - name: certs\n      secret:\n        secretName: falco-certs\n        items: [{key: tls.crt, path: ../escape.crt}]\n',
    'escape.crt',
    'mounts.volumes[0].secret.items[0].path',
    /path "\.\.\/escape\.crt" must not contain '\.\.'/,
  ],
  [
    'defaultMode: 4096',
    'mounts:\n  volumes:\n    - name: certs\n      secret:\n        secretName: falco-certs\n        defaultMode: 4096\n',
    'defaultMode',
    'mounts.volumes[0].secret.defaultMode',
    /4096 must be a file mode between 0 and 0777/,
  ],
  [
    'a sizeLimit that is no quantity',
    'mounts:\n  volumes:\n    - name: scratch\n      emptyDir: {sizeLimit: lots}\n',
    'sizeLimit',
    'mounts.volumes[0].emptyDir.sizeLimit',
    /sizeLimit "lots" must be a quantity of zero or more/,
  ],
  [
    'a secret without secretName',
    'mounts:\n  volumes:\n    - name: certs\n      secret: {optional: true}\n',
    'optional',
    'mounts.volumes[0].secret.secretName',
    /a secret volume needs secretName/,
  ],
  [
    'two sources in one projection',
    'mounts:\n  volumes:\n    - name: both\n      projected:\n        sources:\n          - {secret: {name: a}, configMap: {name: b}}\n',
    'configMap: {name: b}',
    'mounts.volumes[0].projected.sources[0]',
    /a projected source names secret and configMap; each source takes one/,
  ],
  [
    'a relative NFS path',
    'mounts:\n  volumes:\n    - name: nas\n      nfs: {server: nas.example, path: exports/falco}\n',
    'exports/falco',
    'mounts.volumes[0].nfs.path',
    /nfs path "exports\/falco" must be an absolute path/,
  ],
  [
    'a bad CSI driver name',
    'mounts:\n  volumes:\n    - name: store\n      csi: {driver: "Secrets Store"}\n',
    'Secrets Store',
    'mounts.volumes[0].csi.driver',
    /csi driver "Secrets Store" must be a DNS-1123 subdomain/,
  ],
  [
    'services[] with type: Bogus',
    services('services:\n  - name: k8saudit-webhook\n    type: Bogus\n    ports: [{port: 9765, protocol: TCP}]\n'),
    'Bogus',
    'services[0].type',
    /Service type "Bogus" must be one of ClusterIP, NodePort, LoadBalancer, ExternalName/,
  ],
  [
    'a Service port named Web',
    services('services:\n  - name: k8saudit-webhook\n    type: NodePort\n    ports: [{name: Web, port: 9765, nodePort: 30007, protocol: TCP}]\n'),
    'Web',
    'services[0].ports[0].name',
    /Service port name "Web" must be a DNS-1123 label/,
  ],
  [
    'externalTrafficPolicy on a ClusterIP Service',
    services('services:\n  - name: k8saudit-webhook\n    externalTrafficPolicy: Local\n    ports: [{port: 9765, protocol: TCP}]\n'),
    'externalTrafficPolicy',
    'services[0].externalTrafficPolicy',
    /externalTrafficPolicy may only be set for Services reachable from outside/,
  ],
  [
    'a session affinity timeout of 90000',
    services(
      'services:\n  - name: k8saudit-webhook\n    sessionAffinity: ClientIP\n    sessionAffinityConfig: {clientIP: {timeoutSeconds: 90000}}\n    ports: [{port: 9765, protocol: TCP}]\n',
    ),
    'timeoutSeconds',
    'services[0].sessionAffinityConfig.clientIP.timeoutSeconds',
    /timeoutSeconds 90000 must be greater than 0 and at most 86400/,
  ],
  [
    'externalIPs: [not-an-ip]',
    services('services:\n  - name: k8saudit-webhook\n    externalIPs: [not-an-ip]\n    ports: [{port: 9765, protocol: TCP}]\n'),
    'not-an-ip',
    'services[0].externalIPs[0]',
    /external IP "not-an-ip" must be a valid IP address/,
  ],
  [
    'a bad sysctl name',
    'podSecurityContext:\n  sysctls: [{name: Net.Core.Somaxconn, value: "1024"}]\n',
    'Somaxconn',
    'podSecurityContext.sysctls[0].name',
    /sysctl name "Net\.Core\.Somaxconn" must have at most 253 characters/,
  ],
  [
    'Localhost seccomp without a profile',
    'podSecurityContext:\n  seccompProfile: {type: Localhost}\n',
    'Localhost',
    'podSecurityContext.seccompProfile.localhostProfile',
    /a Localhost seccompProfile needs a localhostProfile/,
  ],
  [
    'Bidirectional propagation in an unprivileged container',
    'mounts:\n  volumes: [{name: shared, emptyDir: {}}]\n  volumeMounts: [{name: shared, mountPath: /shared, mountPropagation: Bidirectional}]\n',
    'Bidirectional',
    'mounts.volumeMounts[0].mountPropagation',
    /Bidirectional mount propagation is available only to privileged containers/,
  ],
  [
    'tolerationSeconds beyond int64',
    'tolerations:\n  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 99999999999999999999}\n',
    'tolerationSeconds',
    'tolerations[0].tolerationSeconds',
    /100000000000000000000 is out of range: must be <= 9223372036854775807 \(a 64-bit integer\)/,
  ],
  [
    'an in-tree volume type the tool does not check',
    'mounts:\n  volumes:\n    - name: disk\n      iscsi: {targetPortal: "10.0.0.1:3260", iqn: iqn.2001-04.com.example:storage, lun: 0}\n',
    'iscsi',
    'mounts.volumes[0].iscsi',
    /is not accepted: this tool does not check iscsi volumes: use one of configMap, secret, emptyDir, projected, downwardAPI, csi, nfs and persistentVolumeClaim; remove it/,
  ],
  [
    'Windows options',
    'containerSecurityContext:\n  windowsOptions: {runAsUserName: falco}\n',
    'windowsOptions',
    'containerSecurityContext.windowsOptions',
    /is not accepted: this tool does not check Windows options/,
  ],
  [
    'an unknown field of a container',
    'extra:\n  initContainers:\n    - name: wait\n      image: busybox\n      imagePullPolicyy: Always\n',
    'imagePullPolicyy',
    'extra.initContainers[0].imagePullPolicyy',
    /unknown field "imagePullPolicyy": not in the Kubernetes 1\.\d+ v1 Pod schema|unknown field "imagePullPolicyy"/,
  ],
];

describe('falcosecurity/falco 9.1.0 values: refused at the values line', () => {
  test.each(refused)('%s', (_name, extra, token, field, message) => {
    const text = chart(extra);
    const e = errorOf(() => loadFalcosecurityValues(write(text), 'values.yaml'));
    const escaped = field.replace(/[.[\]]/g, (c) => `\\${c}`);
    expect(e.message).toMatch(new RegExp(`^values\\.yaml:${lineOf(text, token)}: ${escaped}: `));
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n/);
  });
});

describe('stable/falco 1.1.1 values: refused at the values line', () => {
  test('tolerationSeconds beyond int64', () => {
    const text = 'tolerations:\n  - key: node.kubernetes.io/unreachable\n    operator: Exists\n    effect: NoExecute\n    tolerationSeconds: 1e20\n';
    const e = errorOf(() => loadFalcoValues(write(text), 'values.yaml'));
    expect(e.message).toBe(
      'values.yaml:5: tolerations[0].tolerationSeconds: 100000000000000000000 is out of range: must be <= 9223372036854775807 (a 64-bit integer) ' +
        '(a number beyond 2^53 is read rounded: what is written out is this value)',
    );
  });
  test('the largest int64 a number can hold exactly passes', () => {
    const text = 'tolerations:\n  - {key: k, operator: Exists, effect: NoExecute, tolerationSeconds: 9007199254740991}\n';
    expect(() => loadFalcoValues(write(text), 'values.yaml')).not.toThrow();
  });
});

describe('what the API server defaults is accepted', () => {
  test('a volume with no source is an emptyDir to the API server: accepted, written as it was given, and the output valid', () => {
    const values = loadFalcosecurityValues(
      write(chart('mounts:\n  volumes: [{name: scratch}]\n  volumeMounts: [{name: scratch, mountPath: /scratch}]\n')),
      'values.yaml',
    );
    const { find, objects } = synthFalco({ values, service: { nodePort: 30007 }, k8s: '1.30' } as any);
    const spec = find('Deployment').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'scratch' });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'scratch', mountPath: '/scratch' });
    const items = objects.map((object: any) => ({ source: `${object.kind} ${object.metadata.name}`, object }));
    expect(validateAll(items, KubernetesVersion.of('1.30.0')).map(formatViolation)).toEqual([]);
  });
});
