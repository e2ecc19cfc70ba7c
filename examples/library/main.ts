// A cdk8s app of a platform team that composes FalcoAudit with cdk8s-plus-25: Falco's objects and the node files,
// and a NetworkPolicy that lets only the control-plane nodes reach Falco's audit port. It runs with ts-node, which
// needs TypeScript 5.x (TypeScript 7 has no compiler API, and ts-node fails with it) and a tsconfig.json (without one,
// ts-node 10.9 on Node 20 stops at "Unknown file extension .ts"). In a folder holding this file, tsconfig.json,
// kube-apiserver.yaml and the packed cdk8s-falco-audit tarball (docs/library.md; test/consumer/consumer.test.ts runs
// exactly these commands):
//   npm install ./cdk8s-falco-audit-0.1.0.tgz cdk8s-plus-25
//   npm install --save-dev typescript@5 ts-node @types/node@20
//   npx ts-node main.ts
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { AuditBackend, FalcoAudit, KubernetesVersion, StaticPodManifest } from 'cdk8s-falco-audit';

/** The control-plane nodes' addresses: kube-apiserver runs on the host network, so its calls come from these. */
const CONTROL_PLANE_CIDR = '10.0.0.0/28';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'platform');
const audit = new FalcoAudit(chart, 'FalcoAudit', {
  apiServerManifest: StaticPodManifest.fromFile('kube-apiserver.yaml'),
  kubernetesVersion: KubernetesVersion.of('1.30.6'),
  backend: AuditBackend.WEBHOOK,
  falco: { releaseName: 'falco', namespace: 'falco', clusterIP: '10.96.0.100', values: { image: { tag: '0.44.1' } } },
});

// Falco's pods, selected by the same labels its Deployment selects them by
const falcoPods = kplus.Pods.select(chart, 'FalcoPods', { labels: { ...audit.falco.podSelector } });
new kplus.NetworkPolicy(chart, 'FalcoAuditIngress', {
  metadata: { name: 'falco-audit-ingress', namespace: audit.falco.namespace },
  selector: falcoPods,
  ingress: {
    default: kplus.NetworkPolicyTrafficDefault.DENY,
    rules: [
      {
        peer: kplus.NetworkPolicyIpBlock.ipv4(chart, 'ControlPlane', CONTROL_PLANE_CIDR),
        ports: [kplus.NetworkPolicyPort.tcp(audit.auditEndpoint.containerPort)],
      },
    ],
  },
});

app.synth(); // Falco's objects and the policy; validation of every object runs here too
for (const file of audit.nodeFiles) {
  // the kubeadm patch has no place on the node: it goes to the patches folder kubeadm reads (see the plan)
  console.log(file.nodePath ?? `${file.fileName} (${file.description})`, `${file.toYaml().length} bytes`);
}
