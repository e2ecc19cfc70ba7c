export { validateTalosPatch, validateTalosPatchYaml, talosSchemaMinors, TALOS_API_SERVER_UID } from './talos';
export {
  validateKubeadmControlPlane,
  validateKubeadmControlPlanePatch,
  minimalKubeadmControlPlane,
  kubeadmControlPlaneApiVersion,
  mergeAppending,
} from './cluster-api';
export { validateK0sClusterConfig } from './k0s';
export { validateKindCluster, validateKindKubeadmPatch, kindClusterWarnings, kindKubeadmApiVersion } from './kind';
export { validateK3sConfig, k3sApiServerArgs } from './k3s';
export { validateRke2Config, RKE2_AUDIT_FLAGS } from './rke2';
export { validateMicroK8sLaunchConfig, validateMicroK8sLaunchConfigYaml } from './microk8s';
export { validateMinikubeExtraConfig, validateMinikubeFilePaths, MINIKUBE_EXTRA_CONFIG_COMPONENTS, MINIKUBE_API_SERVER_FILES_DIR } from './minikube';
