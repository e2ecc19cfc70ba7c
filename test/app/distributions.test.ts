/**
 * The app with a distribution's control plane (`apiServer.distribution`): each example synthesizes, the JSON plan
 * names every file of the control plane with its role and where it goes, the runbook applies it the distribution's
 * way, and a wrong setting is refused at its line together with the others, nothing written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_SKIP_MARKER } from '../../lib/core/node-file';
import { EXAMPLES, listFiles, MAIN, runApp, scratch, writeFiles } from './run';

let out: string;
beforeEach(() => {
  out = scratch();
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

/** Runs an example; returns what it printed and where it wrote. */
function example(name: string): { stdout: string; dist: string } {
  const dist = path.join(out, 'dist');
  const r = runApp({ cwd: path.join(EXAMPLES, name), config: 'falco-audit.yaml', outdir: dist });
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.status).toBe(0);
  // the plan for people (on stdout or stderr, as the app prints it)
  return { stdout: `${r.stdout}${r.stderr}`, dist };
}

/** The JSON plan of an example (written beside the output). */
function planOf(name: string): any {
  const dist = path.join(out, 'dist');
  const planFile = path.join(out, 'plan.json');
  const r = spawnSync(process.execPath, [MAIN, '--config', 'falco-audit.yaml', '--output', dist, '--plan-json', planFile], {
    cwd: path.join(EXAMPLES, name),
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.status).toBe(0);
  return JSON.parse(fs.readFileSync(planFile, 'utf8')).clusters[0];
}

describe.each([
  ['k3s', [['config-drop-in', '/etc/rancher/k3s/config.yaml.d/99-falco-audit.yaml']], 'systemctl restart k3s'],
  ['rke2', [['config-drop-in', '/etc/rancher/rke2/config.yaml.d/99-falco-audit.yaml']], 'systemctl restart rke2-server'],
  ['talos', [['machine-config-patch', 'talosctl patch mc --mode=reboot, each control-plane node']], 'talosctl patch mc --mode=reboot --patch @'],
  ['kind', [['kind-config', 'kind create cluster --config']], 'kind create cluster --config node/kind-cluster.yaml'],
  ['cluster-api', [['kustomization', "the management cluster's repository, beside kubeadm-control-plane.yaml"]], 'kubectl apply -k'],
  ['k0s', [['cluster-config-fragment', 'merged into /etc/k0s/k0s.yaml on every controller']], 'systemctl restart k0scontroller'],
  ['minikube', [['start-command', 'the machine that runs minikube (sh minikube-start.sh)']], 'minikube stop'],
  ['microk8s', [['args-lines', 'appended to /var/snap/microk8s/current/args/kube-apiserver']], 'microk8s stop && microk8s start'],
])('examples/%s', (name, roles, command) => {
  test('synthesizes: every node file with the Argo CD skip marker, nothing but Kubernetes objects in cluster/', () => {
    const { dist, stdout } = example(name);
    const files = listFiles(dist);
    const node = files.filter((f) => f.startsWith('node/'));
    expect(node.length).toBeGreaterThan(0);
    for (const f of node) expect({ f, first: fs.readFileSync(path.join(dist, f), 'utf8').split('\n')[0] }).toEqual({ f, first: ARGOCD_SKIP_MARKER });
    expect(files.filter((f) => !f.startsWith('node/') && !f.startsWith('cluster/'))).toEqual(['.cdk8s-falco-audit']);
    expect(stdout).toContain(command);
  });

  test('the JSON plan names each file of the control plane with its role and where it goes', () => {
    const plan = planOf(name);
    expect(plan.controlPlane.distribution).toBe(name);
    for (const [role, goesTo] of roles) expect(plan.controlPlane.files).toContainEqual(expect.objectContaining({ role, goesTo }));
    for (const f of plan.controlPlane.files) expect(f.file).toMatch(/\/node\/[^/]+$/);
    expect(plan.steps.join('\n')).toContain(command);
  });
});

test('kubeadm keeps its plan, and its control plane is named in the JSON plan', () => {
  const plan = planOf('modern');
  expect(plan.controlPlane.distribution).toBe('kubeadm');
  expect(plan.controlPlane.files.map((f: any) => f.role)).toEqual(['static-pod-manifest', 'audit-policy', 'webhook-kubeconfig', 'kubeadm-patch']);
  expect(plan.steps.join('\n')).toContain('crictl ps --name kube-apiserver');
});

test.each([
  ['kind', 'kind create cluster'],
  ['minikube', 'sh '],
])('%s creates the cluster first, then Falco is applied', (name, create) => {
  const steps = planOf(name).steps as string[];
  const created = steps.findIndex((l) => l.includes(create));
  const applied = steps.findIndex((l) => /^\d+\. apply .*cluster\//.test(l));
  expect(created).toBeGreaterThan(-1);
  expect(applied).toBeGreaterThan(created);
});

describe('bad settings, every one at its line in one run, nothing written', () => {
  const config = (text: string) => {
    writeFiles(out, {
      'falco-audit.yaml': text,
      'kube-apiserver.yaml': fs.readFileSync(path.join(EXAMPLES, 'modern', 'kube-apiserver.yaml'), 'utf8'),
    });
    return runApp({ cwd: out, config: 'falco-audit.yaml', outdir: path.join(out, 'dist') });
  };

  test("another distribution's settings and a manifest k3s does not read, with a ClusterIP outside k3s's range", () => {
    const r = config(
      [
        'kubernetesVersion: "1.33"',
        'apiServer:',
        '  distribution: k3s',
        '  manifest: kube-apiserver.yaml',
        '  version: "1.13"',
        '  hostFolder: node',
        'falco:',
        '  clusterIP: 10.96.0.100',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("falco-audit.yaml:4: apiServer.manifest: k3s reads no manifest (it names kubeadm's static pod manifest");
    expect(r.stderr).toContain('falco-audit.yaml:5: apiServer.version: version is a setting of talos and cluster-api, not of k3s; remove it');
    expect(r.stderr).toContain('falco-audit.yaml:6: apiServer.hostFolder: hostFolder is a setting of kind, not of k3s; remove it');
    expect(r.stderr).toContain('falco-audit.yaml:8: falco.clusterIP: cluster IP 10.96.0.100 is outside the service cluster IP range 10.43.0.0/16');
    expect(fs.existsSync(path.join(out, 'dist'))).toBe(false);
  });

  test('an unknown distribution, at its line, naming the known ones', () => {
    const r = config('kubernetesVersion: "1.33"\napiServer:\n  distribution: gardener\nfalco:\n  nodePort: 30765\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /falco-audit\.yaml:3: apiServer\.distribution: must be one of kubeadm, kind, k3s, rke2, talos, cluster-api, k0s, minikube, microk8s, openshift, got "gardener"/,
    );
  });

  test('OpenShift is refused with what to do instead', () => {
    const r = config('kubernetesVersion: "1.33"\napiServer:\n  distribution: openshift\nfalco:\n  nodePort: 30765\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/falco-audit\.yaml:3: apiServer\.distribution: OpenShift is not supported: its API server takes audit profiles only/);
  });

  test('a distribution without what it needs: Talos its version, cluster-api its KubeadmControlPlane, k3s the Kubernetes version', () => {
    expect(
      config('kubernetesVersion: "1.33"\napiServer:\n  distribution: talos\n  serviceClusterIPRange: 10.96.0.0/12\nfalco:\n  nodePort: 30765\n')
        .stderr,
    ).toMatch(/falco-audit\.yaml:2: apiServer\.version: talos needs version/);
    expect(config('apiServer:\n  distribution: cluster-api\nfalco:\n  nodePort: 30765\n').stderr).toMatch(
      /apiServer\.manifest: is required for cluster-api: the cluster's KubeadmControlPlane file/,
    );
    expect(config('apiServer:\n  distribution: k3s\nfalco:\n  nodePort: 30765\n').stderr).toMatch(/kubernetesVersion: is required for k3s/);
  });

  test('an address the API server cannot reach, and a Talos folder outside /var, at their lines', () => {
    const k0s = config('kubernetesVersion: "1.33"\napiServer:\n  distribution: k0s\nfalco:\n  clusterIP: 10.96.0.100\n');
    expect(k0s.stderr).toMatch(/falco-audit\.yaml:5: falco\.clusterIP: k0s runs kube-apiserver as a process k0s supervises on the controller/);
    const talos = config(
      'kubernetesVersion: "1.33"\napiServer:\n  distribution: talos\n  version: "1.13"\n  serviceClusterIPRange: 10.96.0.0/12\n' +
        'audit:\n  webhook:\n    directory: /etc/kubernetes/falco\nfalco:\n  clusterIP: 10.96.0.100\n',
    );
    expect(talos.stderr).toMatch(/falco-audit\.yaml:8: audit\.webhook\.directory: Talos writes files with op: create only under \/var/);
  });
});

test('a fleet of distributions in one run, each in its folder', () => {
  writeFiles(out, {
    'falco-audit.yaml': [
      'clusters:',
      '  - name: edge',
      '    kubernetesVersion: "1.33.5+k3s1"',
      '    apiServer: {distribution: k3s}',
      '    falco: {clusterIP: 10.43.0.100}',
      '  - name: core',
      '    kubernetesVersion: "1.33"',
      '    apiServer: {distribution: talos, version: "1.13", serviceClusterIPRange: 10.96.0.0/12}',
      '    falco: {clusterIP: 10.96.0.100}',
      '',
    ].join('\n'),
  });
  const r = runApp({ cwd: out, config: 'falco-audit.yaml', outdir: path.join(out, 'dist') });
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.status).toBe(0);
  const files = listFiles(path.join(out, 'dist'));
  expect(files).toContain('edge/node/99-falco-audit.yaml');
  expect(files).toContain('core/node/talos-falco-audit-patch.yaml');
});
