export { ControlPlane } from './control-plane';
export { Distribution } from './target-spec';
export type { IControlPlaneTarget } from './target-spec';
export type { ControlPlaneSettings } from './registry';
export { DEFAULT_SERVICE_CLUSTER_IP_RANGE } from './kubeadm';
export type { KubeadmControlPlaneOptions } from './kubeadm';
export type { KindControlPlaneOptions } from './kind';
export { checkReachable } from './reachability';
export type { ApiServerRuntime, FalcoAddressChoice } from './reachability';
