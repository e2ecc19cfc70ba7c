import { UserError } from '../../core/errors';
import { FALCO_RELEASES, FalcoRelease, HostRootHandling, NEWEST_FALCO_RELEASE } from './falco-releases';

/** The oldest Falco the legacy shape renders for: stable/falco 1.1.0 shipped Falco 0.18.0. */
export const OLDEST_FALCO_MINOR = 18;

/** Which set of objects Falco needs. */
export enum FalcoShape {
  /** Falco <= 0.31: privileged DaemonSet, embedded webserver serves `/k8s-audit` (stable/falco 1.1.x). */
  LEGACY = 'legacy',
  /** Falco >= 0.32: audit-only Deployment with the k8saudit and json plugins. */
  PLUGIN = 'plugin',
}

const HOW_TO_STATE = 'set falco.version (library: falcoVersion) to the Falco release the image runs, e.g. "0.44.1"';

/**
 * A Falco release, read from an image tag or stated, and every Falco version rule the constructs use, so the
 * rest of the code asks a question instead of comparing numbers. What a plugin-shape release needs to start
 * is its {@link FalcoVersion.release} entry.
 */
export class FalcoVersion {
  /**
   * Parses an image tag such as `0.19.0`, `0.37.1`, `0.38.0-debian` or `v0.31.1`; a digest after
   * `@` is ignored. Anything else (`latest`, `master`, a digest alone) is a `UserError` saying to state the
   * version with `falco.version`.
   * @param field the values key the tag came from, for the message
   */
  public static fromTag(tag: string, field = 'image.tag'): FalcoVersion {
    const text = String(tag).split('@')[0].trim();
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+._][0-9A-Za-z._+-]*)?$/.exec(text);
    if (!m) {
      const what = text === '' ? `the image reference "${tag}" has no tag` : `the image tag "${text}" is not a Falco release`;
      throw new UserError(`cannot tell the Falco version: ${what}; ${HOW_TO_STATE}, or set image.tag to a release`, { field });
    }
    return FalcoVersion.checked(Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3]), `image tag "${text}"`, field);
  }

  /**
   * A stated Falco release, `0.41.3` (or `0.41`, meaning 0.41.0), for images whose tag says nothing
   * (`master`, a digest, an internal tag such as `0.41.3-corp2`).
   * @param field the setting it came from, for the message
   */
  public static of(version: string, field = 'falcoVersion'): FalcoVersion {
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(String(version).trim());
    if (!m) throw new UserError(`must be a Falco release such as "0.44.1", got "${version}"`, { field });
    return FalcoVersion.checked(Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3]), `version "${version}"`, field);
  }

  /**
   * The Falco release an image runs: the stated one when given, else the tag's. A stated release must agree with a
   * tag that names a release of another minor (image.tag 0.37.1 with falco.version 0.44.1 would pick 0.44's plugins,
   * which 0.37's plugin loader refuses); a patch difference is the user's statement of an internal build.
   * @param tag the image tag as written (`master`, `@sha256:...`, `0.41.3-corp2`)
   * @param stated the release given as falco.version (library: falcoVersion)
   */
  public static forImage(tag: string, stated: FalcoVersion | undefined, field = 'image.tag'): FalcoVersion {
    if (stated === undefined) return FalcoVersion.fromTag(tag, field);
    let fromTag: FalcoVersion | undefined;
    try {
      fromTag = FalcoVersion.fromTag(tag, field);
    } catch {
      return stated; // the tag says no release: that is what falco.version is for
    }
    if (fromTag.major !== stated.major || fromTag.minor !== stated.minor) {
      throw new UserError(
        `the image tag "${String(tag).split('@')[0]}" is Falco ${fromTag}, but falco.version (library: falcoVersion) says ${stated}; every ` +
          'version decision (rules key, plugins, plugin API) follows falco.version, so the two must name the same minor: fix one, or remove falco.version',
        { field: 'falcoVersion' },
      );
    }
    return stated;
  }

  /** The newest release this library knows how to start: what it deploys when nothing names a Falco. */
  public static newest(): FalcoVersion {
    return FalcoVersion.of(NEWEST_FALCO_RELEASE.latest);
  }

  private static checked(major: number, minor: number, patch: number, what: string, field: string): FalcoVersion {
    const v = new FalcoVersion(major, minor, patch);
    if (major === 0 && minor < OLDEST_FALCO_MINOR) {
      throw new UserError(
        `Falco ${v} (${what}) is older than 0.${OLDEST_FALCO_MINOR}.0, the oldest release the stable/falco 1.1.x chart shipped; ` +
          'use Falco 0.19.0 or newer',
        { field },
      );
    }
    if (major > 0 || minor > NEWEST_FALCO_RELEASE.minor) {
      // a release this table has not read: its start-up needs (rules key, host root, plugin API) are unknown
      throw new UserError(
        `Falco ${v} (${what}) is newer than ${NEWEST_FALCO_RELEASE.latest}, the newest release whose start-up needs this version of ` +
          `cdk8s-falco-audit knows; use Falco 0.${NEWEST_FALCO_RELEASE.minor}.x or upgrade cdk8s-falco-audit`,
        { field },
      );
    }
    return v;
  }

  private constructor(
    /** Major version (0 for every Falco release so far). */
    public readonly major: number,
    /** Minor version, e.g. 19 for 0.19.0. */
    public readonly minor: number,
    /** Patch version. */
    public readonly patch: number,
  ) {}

  /** True for `0.minor` or newer (any major above 0 counts as newer). */
  public isAtLeast(minor: number): boolean {
    return this.major > 0 || this.minor >= minor;
  }

  /** Legacy (<= 0.31, embedded audit webserver) or plugin (>= 0.32, k8saudit plugin). */
  public get shape(): FalcoShape {
    return this.isAtLeast(32) ? FalcoShape.PLUGIN : FalcoShape.LEGACY;
  }

  /**
   * The start-up contract of this release's minor (plugin shape only).
   * @throws for a legacy-shape release, which has none
   */
  public get release(): FalcoRelease {
    const found = FALCO_RELEASES.find((r) => r.minor === this.minor);
    if (!found) throw new Error(`no plugin-shape release entry for Falco ${this}`);
    return found;
  }

  /** `outputs.rate` / `outputs.max_burst` in falco.yaml exist up to 0.36 (removed in 0.37, falcosecurity/falco#2841). */
  public get hasOutputsRateLimit(): boolean {
    return !this.isAtLeast(37);
  }

  /**
   * `--disable-source syscall` works from 0.33. 0.32 has the flag, but there a plugin source replaces syscalls, so
   * `syscall` is no enabled source and disabling it is fatal ("Attempted disabling unknown event source",
   * userspace/falco/app_actions/init_falco_engine.cpp:76 @ 0.32.0).
   */
  public get supportsDisableSource(): boolean {
    return this.isAtLeast(33);
  }

  /** `FALCO_HOSTNAME` names the host in alerts from 0.33 (userspace/falco/app_actions/init_outputs.cpp @ 0.33.0). */
  public get readsFalcoHostname(): boolean {
    return this.isAtLeast(33);
  }

  /** From 0.37 the image bundles no plugins: falcoctl must install k8saudit, json and the audit rules. */
  public get needsFalcoctl(): boolean {
    return this.isAtLeast(37);
  }

  /** The falco.yaml key of the rules list (`rules_files` from 0.38; see {@link FalcoRelease.rulesKey}). */
  public get rulesFilesKey(): 'rules_file' | 'rules_files' {
    return this.shape === FalcoShape.PLUGIN ? this.release.rulesKey : 'rules_file';
  }

  /** How this release starts without a /proc hostPath (plugin shape). */
  public get hostRoot(): HostRootHandling {
    return this.release.hostRoot;
  }

  /** `0.19.0`. */
  public toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }
}
