import { KubernetesVersion } from '../../core/kubernetes-version';
import { detectFalcoChart, FalcoChart, LoadedFalcoValues, loadFalcoValuesFile } from './chart-values';

/** Options of {@link FalcoValues.fromFile}. */
export interface FalcoValuesFileOptions {
  /** The file as messages name it (a path relative to the config, say). @default - the file as given */
  readonly shownAs?: string;
  /** The chart the file is written for. @default - read from its keys ({@link FalcoValues.detectChart}) */
  readonly chart?: FalcoChart;
  /**
   * The target's version, for the API server's checks that differ by version (environment variable names,
   * update strategies). @default - what every supported version refuses
   */
  readonly kubernetesVersion?: KubernetesVersion;
}

/**
 * Falco values files, read and checked: an unknown or mistyped key, or a setting this tool refuses, is a `UserError`
 * naming the file, its line and the key. The static form of `loadFalcoValuesFile` and `detectFalcoChart`, which other
 * languages than TypeScript call (jsii has no free functions).
 */
export class FalcoValues {
  /**
   * Reads a values file (YAML or JSON) written for stable/falco 1.1.x or falcosecurity/falco 9.1.0; pass what it
   * returns as `FalcoAudit`'s (or `Falco`'s) `chart` and `values`.
   */
  public static fromFile(file: string, options: FalcoValuesFileOptions = {}): LoadedFalcoValues {
    return loadFalcoValuesFile(file, options.shownAs ?? file, options.chart, { kubernetesVersion: options.kubernetesVersion });
  }

  /** The chart values are written for: falcosecurity/falco 9.1.0 when they have its keys (`driver`, `controller`, ...). */
  public static detectChart(values: any): FalcoChart {
    return detectFalcoChart(values);
  }

  private constructor() {}
}
