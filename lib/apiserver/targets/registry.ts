import { KubeadmControlPlaneFile } from '../kubeadm-control-plane-file';
import { StaticPodManifest } from '../static-pod-manifest';
import { clusterApiSpec } from './cluster-api';
import { k0sSpec } from './k0s';
import { k3sSpec } from './k3s';
import { kindSpec } from './kind';
import { kubeadmSpec } from './kubeadm';
import { microk8sSpec } from './microk8s';
import { minikubeSpec } from './minikube';
import { openshiftRefusal } from './openshift';
import { rke2Spec } from './rke2';
import { talosSpec } from './talos';
import { Distribution, DistributionSpec } from './target-spec';

/** Every option of every distribution, for `ControlPlane.of` (a config file's `apiServer` section): each takes its own. */
export interface ControlPlaneSettings {
  /** kubeadm: the kube-apiserver static pod manifest. @default - none */
  readonly manifest?: StaticPodManifest;
  /** cluster-api: the KubeadmControlPlane file. @default - none */
  readonly kubeadmControlPlane?: KubeadmControlPlaneFile;
  /** talos: the Talos minor (`1.12`, `1.13`); cluster-api: the Cluster API release (`1.10`, `1.11`). @default - none */
  readonly version?: string;
  /** k3s, k0s: the controllers run kube-proxy (see `K3sControlPlaneOptions`, `K0sControlPlaneOptions`). @default - the distribution's default */
  readonly controllersRunWorkloads?: boolean;
  /** kind: where the node files are for `kind create cluster` (see `KindControlPlaneOptions`). @default 'node' */
  readonly hostFolder?: string;
}

/** One distribution: the settings it takes, and how its target is made from them. @internal */
export interface RegistryEntry {
  readonly distribution: Distribution;
  /** The lib/apiserver/targets/ file that defines it. */
  readonly file: string;
  /** The settings it takes (others are refused as another distribution's). */
  readonly takes: readonly (keyof ControlPlaneSettings)[];
  /** The settings it needs. */
  readonly needs: readonly (keyof ControlPlaneSettings)[];
  readonly make: (settings: ControlPlaneSettings) => DistributionSpec;
}

/**
 * The distributions, in the order the docs list them. A new distribution is one entry here, pointing at its file
 * (CONTRIBUTING.md, "Add a distribution").
 * @internal
 */
export const REGISTRY: readonly RegistryEntry[] = Object.freeze([
  {
    distribution: Distribution.KUBEADM,
    file: 'kubeadm.ts',
    takes: ['manifest'],
    needs: ['manifest'],
    make: (s) => kubeadmSpec({ manifest: s.manifest! }),
  },
  { distribution: Distribution.KIND, file: 'kind.ts', takes: ['hostFolder'], needs: [], make: (s) => kindSpec({ hostFolder: s.hostFolder }) },
  {
    distribution: Distribution.K3S,
    file: 'k3s.ts',
    takes: ['controllersRunWorkloads'],
    needs: [],
    make: (s) => k3sSpec({ controllersRunWorkloads: s.controllersRunWorkloads }),
  },
  { distribution: Distribution.RKE2, file: 'rke2.ts', takes: [], needs: [], make: () => rke2Spec() },
  { distribution: Distribution.TALOS, file: 'talos.ts', takes: ['version'], needs: ['version'], make: (s) => talosSpec({ version: s.version! }) },
  {
    distribution: Distribution.CLUSTER_API,
    file: 'cluster-api.ts',
    takes: ['kubeadmControlPlane', 'version'],
    needs: ['kubeadmControlPlane'],
    make: (s) => clusterApiSpec({ kubeadmControlPlane: s.kubeadmControlPlane!, version: s.version }),
  },
  {
    distribution: Distribution.K0S,
    file: 'k0s.ts',
    takes: ['controllersRunWorkloads'],
    needs: [],
    make: (s) => k0sSpec({ controllersRunWorkloads: s.controllersRunWorkloads }),
  },
  { distribution: Distribution.MINIKUBE, file: 'minikube.ts', takes: [], needs: [], make: () => minikubeSpec() },
  { distribution: Distribution.MICROK8S, file: 'microk8s.ts', takes: [], needs: [], make: () => microk8sSpec() },
  {
    distribution: Distribution.OPENSHIFT,
    file: 'openshift.ts',
    takes: [],
    needs: [],
    make: () => {
      throw openshiftRefusal();
    },
  },
] as RegistryEntry[]);
