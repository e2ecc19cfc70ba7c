import { UserError } from '../errors';

/** The oldest Falco the legacy shape renders for: stable/falco 1.1.0 shipped Falco 0.18.0. */
export const OLDEST_FALCO_MINOR = 18;

/** Which set of objects Falco needs. */
export enum FalcoShape {
  /** Falco <= 0.31: privileged DaemonSet, embedded webserver serves `/k8s-audit` (stable/falco 1.1.x). */
  LEGACY = 'legacy',
  /** Falco >= 0.32: audit-only Deployment with the k8saudit and json plugins. */
  PLUGIN = 'plugin',
}

/**
 * A Falco release read from an image tag, and every Falco version rule the constructs use, so the
 * rest of the code asks a question instead of comparing numbers.
 */
export class FalcoVersion {
  /**
   * Parses an image tag such as `0.19.0`, `0.37.1`, `0.38.0-debian` or `v0.31.1`; a digest after
   * `@` is ignored. Anything else (`latest`, `master`) is a `UserError` saying what to set.
   * @param field the values key the tag came from, for the message
   */
  public static fromTag(tag: string, field = 'image.tag'): FalcoVersion {
    const text = String(tag).split('@')[0].trim();
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+._][0-9A-Za-z._+-]*)?$/.exec(text);
    if (!m) {
      throw new UserError(
        `cannot tell the Falco version from the image tag "${text}"; set image.tag to a Falco release, ` +
          'e.g. "0.19.0" (stable/falco 1.1.x shape) or "0.37.1" (k8saudit plugin shape)',
        { field },
      );
    }
    const v = new FalcoVersion(Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3]));
    if (v.major === 0 && v.minor < OLDEST_FALCO_MINOR) {
      throw new UserError(
        `Falco ${v} (image tag "${text}") is older than 0.${OLDEST_FALCO_MINOR}.0, the oldest release the ` +
          `stable/falco 1.1.x chart shipped; set image.tag to "0.19.0" or newer`,
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

  /** `outputs.rate` / `outputs.max_burst` in falco.yaml exist up to 0.36 (removed in 0.37, falcosecurity/falco#2841). */
  public get hasOutputsRateLimit(): boolean {
    return !this.isAtLeast(37);
  }

  /** True for `0.minor` or newer (any major above 0 counts as newer). */
  public isAtLeast(minor: number): boolean {
    return this.major > 0 || this.minor >= minor;
  }

  /** Legacy (<= 0.31, embedded audit webserver) or plugin (>= 0.32, k8saudit plugin). */
  public get shape(): FalcoShape {
    return this.isAtLeast(32) ? FalcoShape.PLUGIN : FalcoShape.LEGACY;
  }

  /** `--disable-source` exists from 0.33 (0.32 ran one source only: a plugin source replaced syscalls). */
  public get supportsDisableSource(): boolean {
    return this.isAtLeast(33);
  }

  /** From 0.37 the image bundles no plugins: falcoctl must install k8saudit, json and the audit rules. */
  public get needsFalcoctl(): boolean {
    return this.isAtLeast(37);
  }

  /** falco.yaml names its rules list `rules_files` from 0.36 (`rules_file` before). */
  public get rulesFilesKey(): 'rules_file' | 'rules_files' {
    return this.isAtLeast(36) ? 'rules_files' : 'rules_file';
  }

  /** `0.19.0`. */
  public toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }
}
