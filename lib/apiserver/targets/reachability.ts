import { UserError } from '../../core/errors';

/**
 * Where kube-apiserver runs on a control-plane node, and so which Falco addresses it can call (research §0.1 in
 * reference/distros-managed-research.md): it runs on the node's network in every distribution here and cannot
 * resolve `*.svc` names; a Service's ClusterIP, or `127.0.0.1:<nodePort>`, answer there only when kube-proxy runs on
 * that node.
 */
export interface ApiServerRuntime {
  /** How the API server runs, for messages: `a static pod on the host network`. */
  readonly description: string;
  /** True when kube-proxy runs beside the API server, so a ClusterIP and 127.0.0.1:<nodePort> answer. */
  readonly kubeProxy: boolean;
  /** Why kube-proxy does not run there, and how the user says it does (when `kubeProxy` is false). */
  readonly noKubeProxy?: string;
}

/** A static pod with `hostNetwork: true` beside a kubelet and kube-proxy (kubeadm, kind, minikube, RKE2, Talos, Cluster API). */
export const STATIC_POD: ApiServerRuntime = { description: 'a static pod on the host network', kubeProxy: true };

/** What the API server is given to call Falco at: exactly one of them. */
export interface FalcoAddressChoice {
  readonly clusterIP?: string;
  readonly nodePort?: number;
  /** A routable URL (`falco.address`), which implies a nodePort. */
  readonly address?: string;
}

/**
 * Refuses a Falco address the API server cannot reach from where it runs: a ClusterIP or 127.0.0.1:<nodePort> where
 * no kube-proxy runs beside it. A routable `falco.address` works everywhere.
 */
export function checkReachable(name: string, runtime: ApiServerRuntime, choice: FalcoAddressChoice): void {
  if (runtime.kubeProxy || choice.address !== undefined) return;
  const what =
    choice.clusterIP !== undefined ? `the ClusterIP ${choice.clusterIP}` : choice.nodePort !== undefined ? `127.0.0.1:${choice.nodePort}` : undefined;
  if (what === undefined) return;
  throw new UserError(
    `${name} runs kube-apiserver as ${runtime.description}, and ${runtime.noKubeProxy ?? 'no kube-proxy runs there'}: ${what} ` +
      'does not answer there. Give falco.address, an address the controllers can route to a node port of the Falco Service ' +
      '(e.g. http://10.0.0.5:30765, a worker node and the nodePort)',
    { field: choice.clusterIP !== undefined ? 'falco.clusterIP' : 'falco.nodePort' },
  );
}
