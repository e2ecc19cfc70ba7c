import { Problems, UserError } from '../../core/errors';
import { echo } from '../../core/util';
import { ClusterApiControlPlaneOptions } from './cluster-api';
import { K0sControlPlaneOptions } from './k0s';
import { K3sControlPlaneOptions } from './k3s';
import { KindControlPlaneOptions } from './kind';
import { KubeadmControlPlaneOptions } from './kubeadm';
import { ControlPlaneSettings, REGISTRY, RegistryEntry } from './registry';
import { TalosControlPlaneOptions } from './talos';
import { Distribution, DistributionSpec } from './target-spec';

const CONTROL_PLANE = Symbol.for('cdk8s-falco-audit.ControlPlane');

/** The settings `ControlPlane.of` takes, each with the distributions that take it, for messages. */
function takenBy(key: keyof ControlPlaneSettings): string {
  return REGISTRY.filter((e) => e.takes.includes(key))
    .map((e) => e.distribution)
    .join(' and ');
}

/** A distribution's settings: each needed one given, none of another distribution's. */
function checkSettings(entry: RegistryEntry, settings: ControlPlaneSettings): void {
  const problems = new Problems();
  for (const [key, value] of Object.entries(settings ?? {}) as [keyof ControlPlaneSettings, unknown][]) {
    if (value !== undefined && !entry.takes.includes(key)) {
      problems.add(
        new UserError(`${key} is a setting of ${takenBy(key) || 'no distribution'}, not of ${entry.distribution}; remove it`, {
          field: `controlPlane.${key}`,
        }),
      );
    }
  }
  for (const key of entry.needs) {
    if (settings?.[key] === undefined) problems.add(new UserError(`${entry.distribution} needs ${key}`, { field: `controlPlane.${key}` }));
  }
  problems.throwIfAny((n) => `${n} problems in the ${entry.distribution} settings:`);
}

/**
 * The control plane to write the audit wiring for: FalcoAudit's `controlPlane`. Each distribution has its static
 * factory (`ControlPlane.k3s()`, `ControlPlane.talos({ version: '1.13' })`); its options are checked when it is made.
 * The audit content (flags, policy, kubeconfig) is computed once by the backend; the control plane writes it in its
 * own format, says how to apply it, and knows where Falco is reachable from.
 */
export class ControlPlane {
  /** True for a `ControlPlane` from any copy of this library (a registered symbol, not `instanceof`). */
  public static isControlPlane(x: unknown): x is ControlPlane {
    return typeof x === 'object' && x !== null && CONTROL_PLANE in x;
  }

  /** A kubeadm-style static pod manifest (kubeadm, kops, Kubespray), patched in place. */
  public static kubeadm(options: KubeadmControlPlaneOptions): ControlPlane {
    return ControlPlane.of(Distribution.KUBEADM, { manifest: options?.manifest });
  }

  /** kind v0.32.0: a `kind create cluster` config. */
  public static kind(options: KindControlPlaneOptions = {}): ControlPlane {
    return ControlPlane.of(Distribution.KIND, { hostFolder: options?.hostFolder });
  }

  /** k3s: a `config.yaml.d` drop-in and the node files. */
  public static k3s(options: K3sControlPlaneOptions = {}): ControlPlane {
    return ControlPlane.of(Distribution.K3S, { controllersRunWorkloads: options?.controllersRunWorkloads });
  }

  /** RKE2: a `config.yaml.d` drop-in and the node files. */
  public static rke2(): ControlPlane {
    return ControlPlane.of(Distribution.RKE2, {});
  }

  /** Talos 1.12 or 1.13: a machine config patch. */
  public static talos(options: TalosControlPlaneOptions): ControlPlane {
    return ControlPlane.of(Distribution.TALOS, { version: options?.version });
  }

  /** Cluster API: a kustomize patch of the user's KubeadmControlPlane. */
  public static clusterApi(options: ClusterApiControlPlaneOptions): ControlPlane {
    return ControlPlane.of(Distribution.CLUSTER_API, { kubeadmControlPlane: options?.kubeadmControlPlane, version: options?.version });
  }

  /** k0s: a ClusterConfig `spec.api` fragment and the node files. */
  public static k0s(options: K0sControlPlaneOptions = {}): ControlPlane {
    return ControlPlane.of(Distribution.K0S, { controllersRunWorkloads: options?.controllersRunWorkloads });
  }

  /** minikube: the `minikube start` line and files for its file sync. */
  public static minikube(): ControlPlane {
    return ControlPlane.of(Distribution.MINIKUBE, {});
  }

  /** MicroK8s: the args-file lines and, from 1.27, a launch configuration. */
  public static microk8s(): ControlPlane {
    return ControlPlane.of(Distribution.MICROK8S, {});
  }

  /** OpenShift: always refused, with what to do instead (its API server takes audit profiles only). */
  public static openshift(): ControlPlane {
    return ControlPlane.of(Distribution.OPENSHIFT, {});
  }

  /**
   * A control plane by its distribution's name (a config file's `apiServer.distribution`) and settings; a setting of
   * another distribution, or a name this library does not know, is refused.
   */
  public static of(distribution: string, settings: ControlPlaneSettings = {}): ControlPlane {
    const entry = REGISTRY.find((e) => e.distribution === distribution);
    if (!entry) {
      throw new UserError(`unknown distribution ${echo(distribution)}; one of ${REGISTRY.map((e) => e.distribution).join(', ')}`, {
        field: 'controlPlane',
      });
    }
    checkSettings(entry, settings);
    return new ControlPlane(entry.make(settings));
  }

  /** The distribution. */
  public readonly distribution: Distribution;
  /** The distribution's target. @internal */
  public readonly _spec: DistributionSpec;

  private constructor(spec: DistributionSpec) {
    Object.defineProperty(this, CONTROL_PLANE, { value: true });
    this.distribution = spec.distribution;
    this._spec = spec;
  }
}
