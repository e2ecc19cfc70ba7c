/**
 * What each Falco minor of the plugin shape needs to start, in one table. Every entry is read from that
 * release's source (falcosecurity/falco at the tag, libs, plugins) or from the falcosecurity/falco chart release
 * that shipped it (../shared/reference/k8saudit-by-falco/, the authority for pins); FACTS.md 5b summarises them.
 * `FalcoVersion.release` looks an entry up; nothing else in lib/ compares Falco version numbers for these rules.
 */

/** How Falco finds the host's /proc, which libs' host-info plugin platform reads at start-up. */
export enum HostRootHandling {
  /**
   * Nothing to do: the release opens plugin sources with the generic platform, which reads no host state
   * (userspace/falco/app/actions/helpers_inspector.cpp @ 0.37.1, 0.38.2).
   */
  NONE = 'none',
  /**
   * 0.39 always opens plugins with the host-info platform (helpers_inspector.cpp:66 @ 0.39.2), which fails when
   * `$HOST_ROOT/proc/` is missing (libs scap_machine_info.c). The image sets HOST_ROOT=/host; an empty HOST_ROOT
   * makes libs read the container's own /proc, so no hostPath is needed.
   */
  EMPTY_HOST_ROOT = 'empty-host-root',
  /**
   * From 0.40 the platform is host-info only while `plugins_hostinfo` is true (helpers_inspector.cpp:66-68 and
   * configuration.cpp:623 @ 0.40.0); `plugins_hostinfo: false` drops the /host/proc need (falcosecurity/charts#754).
   */
  PLUGINS_HOSTINFO_OFF = 'plugins-hostinfo-off',
}

/** How the chart probes Falco's `/healthz`. */
export enum ProbeStyle {
  /** Liveness after 60 s and readiness after 30 s, every 15 s (charts 3.x-7.0). */
  DELAYED = 'delayed',
  /** A startup probe (3 s, then every 5 s, 20 tries), then liveness and readiness every 15 s (charts 7.2+). */
  STARTUP = 'startup',
}

/** Where the k8saudit and json plugins and the audit rules come from. */
export enum ArtifactSource {
  /** The image bundles them (cmake/modules/plugins.cmake installs libk8saudit.so, libjson.so, k8s_audit_rules.yaml, 0.32-0.36). */
  IMAGE = 'image',
  /** From 0.37 the image bundles no plugins (falco CHANGELOG 0.37.0): a falcoctl init container installs them. */
  FALCOCTL = 'falcoctl',
}

/** One Falco minor's start-up contract. */
export interface FalcoRelease {
  /** The minor, e.g. 44 for 0.44.x. */
  readonly minor: number;
  /** The newest patch of the minor this table was read from, e.g. `0.44.1`. */
  readonly latest: string;
  /**
   * The falco.yaml key for the rules list: `rules_files` exists from 0.38.0 (configuration.cpp:262 @ 0.38.0);
   * 0.36-0.37 read only `rules_file` (configuration.cpp:193 @ 0.37.0) and exit with no rules.
   */
  readonly rulesKey: 'rules_file' | 'rules_files';
  /** How the release gets by without a /proc hostPath. */
  readonly hostRoot: HostRootHandling;
  /** Where the plugins and audit rules come from. */
  readonly artifacts: ArtifactSource;
  /** The plugin API version the release's libs provide (plugin_loader.c refuses a plugin needing a higher minor). */
  readonly pluginApi?: string;
  /** The falcoctl image the chart pinned for this Falco (falcoctl releases only). */
  readonly falcoctlImage?: string;
  /** The artifacts falcoctl installs by default, pinned to full versions (falcoctl releases only). */
  readonly defaultRefs?: string[];
  /** The falcosecurity/falco chart release whose k8saudit preset the pins follow (0.36+; older ones have no render). */
  readonly chart?: string;
  /** falcoctl keeps its state in `stateDir` (an emptyDir at /artifactstate) from falcoctl 0.12 (chart 7.2+). */
  readonly falcoctlStateDir: boolean;
  /** The chart's probes for this release. */
  readonly probes: ProbeStyle;
}

/**
 * k8saudit-rules and k8saudit of one generation, pinned to the newest patch of the minor the chart named (0.7,
 * 0.11, 0.16; falcosecurity/plugins tags plugins/k8saudit/v0.11.0, v0.16.1, k8saudit-0.7.0; the rules artifact
 * carries the plugin's version). falcoctl installs the json plugin the rules require at exactly the version they
 * name, 0.7.0 (falcoctl cmd/artifact/install/deps.go @ v0.7.2-v0.13.0), which needs plugin API 3.0.0. On 0.37-0.38 the
 * chart listed only the rules, which pull k8saudit 0.7.0 the same way: naming it makes the pin visible.
 */
const REFS_0_7 = Object.freeze(['k8saudit-rules:0.7.0', 'k8saudit:0.7.0']);
const REFS_0_11 = Object.freeze(['k8saudit-rules:0.11.0', 'k8saudit:0.11.0']);
const REFS_0_16 = Object.freeze(['k8saudit-rules:0.16.1', 'k8saudit:0.16.1']);

const bundled = (minor: number, latest: string, chart?: string): FalcoRelease => ({
  minor,
  latest,
  rulesKey: 'rules_file',
  hostRoot: HostRootHandling.NONE,
  artifacts: ArtifactSource.IMAGE,
  ...(chart ? { chart } : {}),
  falcoctlStateDir: false,
  probes: ProbeStyle.DELAYED,
});

/**
 * A release whose plugins falcoctl installs (0.37+), with the pins of the chart release that shipped it. Unless said
 * otherwise: `rules_files` (0.38+), `plugins_hostinfo: false` (0.40+); charts 7.2+ (`chart72`) give falcoctl a
 * state folder and probe with a startup probe.
 */
const installed = (
  minor: number,
  latest: string,
  o: {
    pluginApi: string;
    falcoctl: string;
    refs: readonly string[];
    chart: string;
    rulesKey?: 'rules_file';
    hostRoot?: HostRootHandling;
    chart72?: boolean;
  },
): FalcoRelease => ({
  minor,
  latest,
  rulesKey: o.rulesKey ?? 'rules_files',
  hostRoot: o.hostRoot ?? (minor >= 40 ? HostRootHandling.PLUGINS_HOSTINFO_OFF : HostRootHandling.NONE),
  artifacts: ArtifactSource.FALCOCTL,
  pluginApi: o.pluginApi,
  falcoctlImage: `docker.io/falcosecurity/falcoctl:${o.falcoctl}`,
  // frozen like the table: the type is a plain array for jsii, the value stays read-only
  defaultRefs: Object.freeze([...o.refs]) as string[],
  chart: `falco ${o.chart}`,
  falcoctlStateDir: o.chart72 === true,
  probes: o.chart72 ? ProbeStyle.STARTUP : ProbeStyle.DELAYED,
});

/** Every Falco minor of the plugin shape, oldest first. */
export const FALCO_RELEASES: readonly FalcoRelease[] = Object.freeze([
  bundled(32, '0.32.2'),
  bundled(33, '0.33.1'),
  bundled(34, '0.34.1'),
  bundled(35, '0.35.1'),
  bundled(36, '0.36.2', 'falco 3.8.7'),
  installed(37, '0.37.1', { pluginApi: '3.2.0', falcoctl: '0.7.2', refs: REFS_0_7, chart: '4.3.1', rulesKey: 'rules_file' }),
  installed(38, '0.38.2', { pluginApi: '3.6.0', falcoctl: '0.9.0', refs: REFS_0_7, chart: '4.8.3' }),
  installed(39, '0.39.2', { pluginApi: '3.7.0', falcoctl: '0.11.0', refs: REFS_0_11, chart: '4.21.2', hostRoot: HostRootHandling.EMPTY_HOST_ROOT }),
  installed(40, '0.40.0', { pluginApi: '3.10.0', falcoctl: '0.11.0', refs: REFS_0_11, chart: '4.21.3' }),
  installed(41, '0.41.3', { pluginApi: '3.11.0', falcoctl: '0.11.2', refs: REFS_0_11, chart: '7.0.0' }),
  installed(42, '0.42.1', { pluginApi: '3.12.0', falcoctl: '0.12.1', refs: REFS_0_16, chart: '7.2.1', chart72: true }),
  installed(43, '0.43.1', { pluginApi: '3.12.0', falcoctl: '0.12.2', refs: REFS_0_16, chart: '8.0.5', chart72: true }),
  installed(44, '0.44.1', { pluginApi: '3.12.0', falcoctl: '0.13.0', refs: REFS_0_16, chart: '9.1.0', chart72: true }),
]);

/** The newest Falco release the table knows: what the tool deploys when nothing says otherwise. */
export const NEWEST_FALCO_RELEASE: FalcoRelease = FALCO_RELEASES[FALCO_RELEASES.length - 1];
