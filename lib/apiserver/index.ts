export * from './flags';
export * from './static-pod-manifest';
export * from './api-server-plan';
export * from './kube-apiserver-manifest';
export * from './kubeadm-control-plane-file';
export * from './targets';
