/**
 * What the distribution targets' tests share: building FalcoAudit for a control plane from a few settings, reading
 * the files as a user gets them (the text under node/), and where the Falco Service really listens.
 */
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ControlPlane } from '../../../lib/apiserver';
import { KubernetesVersion } from '../../../lib/core/kubernetes-version';
import { NodeFile } from '../../../lib/core/node-file';
import { FalcoAudit, FalcoAuditProps } from '../../../lib/falco-audit';

/** The settings a test varies; the rest is a Falco 0.44.1 with the k8saudit plugin. */
export interface Settings extends Omit<Partial<FalcoAuditProps>, 'kubernetesVersion' | 'controlPlane'> {
  readonly kubernetesVersion?: string;
}

/** FalcoAudit for `controlPlane`, from a few settings (a nodePort by default). */
export function build(controlPlane: ControlPlane, settings: Settings = {}): FalcoAudit {
  const chart = new Chart(Testing.app(), 'test');
  const { kubernetesVersion, falco, ...rest } = settings;
  return new FalcoAudit(chart, 'FalcoAudit', {
    controlPlane,
    kubernetesVersion: kubernetesVersion === undefined ? undefined : KubernetesVersion.of(kubernetesVersion),
    falco: { values: { image: { tag: '0.44.1' } }, ...(falco ?? { nodePort: 30765 }) },
    ...rest,
  });
}

/** A file of the control plane by name. */
export function file(audit: FalcoAudit, name: string): NodeFile {
  const f = audit.controlPlane.files.find((x) => x.fileName === name);
  if (!f) throw new Error(`no file ${name}: ${audit.controlPlane.files.map((x) => x.fileName).join(', ')}`);
  return f;
}

/** A file's text as written under node/ (the skip marker first), parsed as YAML 1.2 (as Talos and kubectl read it). */
export function parsed(audit: FalcoAudit, name: string): any {
  return parse(file(audit, name).toYaml());
}

/** The `server` of a webhook kubeconfig's text. */
export function serverOf(kubeconfig: string | object): string {
  const doc: any = typeof kubeconfig === 'string' ? parse(kubeconfig) : kubeconfig;
  return doc.clusters[0].cluster.server;
}

/**
 * Where the Falco Service listens for the API server, read from the Service object: its ClusterIP and port, or
 * `host` (127.0.0.1 unless an address names another) and its nodePort; Falco's scheme and path.
 */
export function serviceListensAt(audit: FalcoAudit, host = '127.0.0.1'): string {
  const service: any = audit.falco.serviceObject.toJson();
  const port = service.spec.ports.find((p: any) => p.targetPort === audit.auditEndpoint.containerPort || p.port === audit.falco.servicePort);
  const { scheme, path } = audit.auditEndpoint;
  return service.spec.clusterIP && service.spec.clusterIP !== 'None' && service.spec.type !== 'NodePort'
    ? `${scheme}://${service.spec.clusterIP}:${port.port}${path}`
    : `${scheme}://${host}:${port.nodePort}${path}`;
}

/** The control plane's apply steps as lines (`nodeDir` as the runbook gives it). */
export function steps(audit: FalcoAudit, nodeDir = 'dist/node'): string[] {
  return audit.controlPlane._applySteps(nodeDir).flat();
}
