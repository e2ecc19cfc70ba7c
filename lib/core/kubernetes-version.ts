import { UserError } from './errors';
import * as SUPPORTED from './supported-kubernetes.json';
import { cut } from './util';

/**
 * The supported minors come from one data file, which scripts/gen-schemas.js reads too: the oldest (dynamic auditing
 * first shipped in 1.13) and the newest with a schema document to validate against.
 */
const OLDEST_MINOR: number = SUPPORTED.oldestMinor;
const NEWEST_MINOR: number = SUPPORTED.newestMinor;

const VERSION_PATTERN = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-_+.][0-9A-Za-z._+-]*)?$/;

/** How a kubeadm version takes patch files for the static pods it writes (`KubernetesVersion.kubeadmPatches`). */
export interface KubeadmPatchSupport {
  /** The command-line flag naming the patches folder: `--experimental-patches` (1.19-1.21) or `--patches`. */
  readonly flag: string;
  /** The configuration field naming it, from 1.22. @default - none */
  readonly configField?: string;
  /** True from 1.23: `kubeadm init|join` refuse `--patches` beside `--config`, so the field is the way there. */
  readonly initJoinNeedConfigField: boolean;
}

/**
 * A Kubernetes version and everything the project decides by it. Every version rule lives here,
 * so the rest of the code asks a question (`supportsDynamicAuditing`) instead of comparing numbers.
 */
export class KubernetesVersion {
  /** Every minor this project supports, oldest first (read-only: a plain array type for jsii, frozen). */
  public static readonly SUPPORTED_MINORS: number[] = Object.freeze(
    Array.from({ length: NEWEST_MINOR - OLDEST_MINOR + 1 }, (_, i) => OLDEST_MINOR + i),
  ) as number[];

  /**
   * Parses `1.18.2`, `v1.18.2`, `1.18`, or a tag such as `v1.18.6-rancher1` / `v1.10.4_coreos.0`.
   * @param where names the setting the value came from, for the error message
   */
  public static of(version: string, where = 'kubernetesVersion'): KubernetesVersion {
    const text = String(version).trim();
    const m = VERSION_PATTERN.exec(text);
    if (!m || m[1] !== '1') {
      throw new UserError(`"${cut(text)}" is not a Kubernetes version; write it as 1.MINOR or 1.MINOR.PATCH, e.g. "1.18.2"`, { field: where });
    }
    return KubernetesVersion.checked(Number(m[2]), m[3] === undefined ? 0 : Number(m[3]), text, where);
  }

  /**
   * Reads the version from an API server image reference: `registry.k8s.io/kube-apiserver:v1.28.2`,
   * `k8s.gcr.io/kube-apiserver-amd64:v1.13.4`, mirrors, tags without `v`, `hyperkube`, and
   * references pinned with a digest (`...:v1.28.2@sha256:...`). A reference without a version tag
   * is an error that says to set the version explicitly.
   */
  public static fromImage(image: string, where = 'image'): KubernetesVersion {
    const ref = String(image).trim();
    const withoutDigest = ref.split('@')[0];
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
    const colon = lastSegment.lastIndexOf(':');
    const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
    const m = VERSION_PATTERN.exec(tag);
    if (!tag || !m || m[1] !== '1') {
      throw new UserError(
        `cannot tell the Kubernetes version from the image "${cut(ref)}" (${tag ? `its tag "${cut(tag)}" is not a version` : 'it has no tag'}); ` +
          'set kubernetesVersion explicitly, e.g. kubernetesVersion: "1.18.2"',
        { field: where },
      );
    }
    return KubernetesVersion.checked(Number(m[2]), m[3] === undefined ? 0 : Number(m[3]), ref, where);
  }

  private static checked(minor: number, patch: number, text: string, where: string): KubernetesVersion {
    if (minor < OLDEST_MINOR) {
      throw new UserError(
        `Kubernetes 1.${minor} (from "${cut(text)}") is not supported: the oldest supported version is 1.${OLDEST_MINOR}, ` +
          'the first with dynamic audit configuration; upgrade the cluster or set kubernetesVersion to the version it really runs',
        { field: where },
      );
    }
    if (minor > NEWEST_MINOR) {
      throw new UserError(
        `Kubernetes 1.${minor} (from "${cut(text)}") is newer than the newest supported version, 1.${NEWEST_MINOR}, ` +
          'so its objects cannot be validated; use a release of cdk8s-falco-audit that supports it',
        { field: where },
      );
    }
    return new KubernetesVersion(minor, patch);
  }

  /** Always 1. */
  public readonly major = 1;

  private constructor(
    /** The minor version, e.g. 18 for 1.18.2. */
    public readonly minor: number,
    /** The patch version, 0 when not given. */
    public readonly patch: number,
  ) {}

  /** True when this version is `1.minor` or newer. */
  public isAtLeast(minor: number): boolean {
    return this.minor >= minor;
  }

  /** Dynamic audit configuration (AuditSink, the DynamicAuditing gate) exists on 1.13-1.18 only. */
  public get supportsDynamicAuditing(): boolean {
    return this.minor >= 13 && this.minor <= 18;
  }

  /** `spec.webhook.clientConfig.service.port` on AuditSink exists from 1.15; 1.13/1.14 reject it. */
  public get supportsAuditSinkServicePort(): boolean {
    return this.minor >= 15;
  }

  /** `policy/v1beta1` PodSecurityPolicy is served up to 1.24. */
  public get servesPodSecurityPolicy(): boolean {
    return this.minor <= 24;
  }

  /** Pod `securityContext.seccompProfile` exists from 1.19 (before, only an annotation). */
  public get supportsSeccompProfileField(): boolean {
    return this.minor >= 19;
  }

  /**
   * Pods' `startupProbe` is on by default from 1.18 (feature gate StartupProbe: alpha, off, in 1.16-1.17; beta in
   * 1.18, kubernetes/kubernetes pkg/features/kube_features.go @ v1.18.0); an off gate drops the field silently.
   */
  public get supportsStartupProbe(): boolean {
    return this.minor >= 18;
  }

  /** kubeadm taints control-plane nodes `node-role.kubernetes.io/control-plane` from 1.24 (and only with it from 1.25). */
  public get kubeadmTaintsControlPlaneKey(): boolean {
    return this.minor >= 24;
  }

  /**
   * How kubeadm of this version applies patch files (`kube-apiserver+json.yaml`) when it writes the static pods:
   * none before 1.19 (kubernetes/kubernetes#92017), `--experimental-patches` in 1.19-1.21, `--patches` or
   * `{Init|Join}Configuration.patches.directory` from 1.22 (#103063); from 1.23 init/join refuse `--patches` beside
   * `--config`, so the configuration field is the way there, and `kubeadm upgrade` takes `--patches` (#104065).
   */
  public get kubeadmPatches(): KubeadmPatchSupport | undefined {
    if (this.minor < 19) return undefined;
    if (this.minor < 22) return { flag: '--experimental-patches', initJoinNeedConfigField: false };
    return { flag: '--patches', configField: '{Init|Join}Configuration.patches.directory', initJoinNeedConfigField: this.minor >= 23 };
  }

  /** The minor whose schema document validates this version's objects (1.13 has none: 1.14 is nearest). */
  public get schemaMinor(): number {
    return Math.max(this.minor, 14);
  }

  /** `1.18.2`. */
  public toString(): string {
    return `1.${this.minor}.${this.patch}`;
  }
}
