// A cdk8s app of a platform team that composes FalcoAudit with cdk8s-plus-25: Falco's objects and the node files,
// and a NetworkPolicy that lets only the control-plane nodes reach Falco's audit port. Run from this folder:
// `npx ts-node main.ts` in an app that installed cdk8s-falco-audit (test/consumer/consumer.test.ts runs exactly this).
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
