import { HostRootHandling } from '../releases/falco-releases';
import { FalcoVersion } from '../releases/falco-version';
import { ResolvedFalcoValues } from '../values/values';

/** Where the output integrations' sidecars read Falco's alerts from (a named pipe). */
export const INTEGRATION_PIPE_DIR = '/var/run/falco/';
/** The named pipe the chart's integrations use (its name is `nats` for all of them). */
export const INTEGRATION_PIPE = '/var/run/falco/nats';

/** True when a sidecar integration (NATS, SNS, Pub/Sub) reads the output pipe. */
export function pipeIntegrationEnabled(v: ResolvedFalcoValues): boolean {
  const i = v.integrations;
  return i.natsOutput.enabled || i.snsOutput.enabled || i.pubsubOutput.enabled;
}

/** A program text as the chart writes it (a `|` block): exactly one trailing newline. */
function programBlock(program: string): string {
  return `${program.replace(/\n+$/, '')}\n`;
}

/**
 * falco.yaml for the legacy shape, key for key what stable/falco 1.1.1 renders for the same
 * values (the chart's comments left out): integrations force JSON output, the pipe file output
 * (NATS/SNS/Pub/Sub) or the program output (gcscc).
 */
export function legacyFalcoConfig(v: ResolvedFalcoValues): Record<string, unknown> {
  const f = v.falco;
  const gcscc = v.integrations.gcscc;
  const pipe = pipeIntegrationEnabled(v);
  return {
    rules_file: [...f.rulesFile],
    time_format_iso_8601: f.timeFormatISO8601,
    json_output: gcscc.enabled || pipe ? true : f.jsonOutput,
    json_include_output_property: pipe ? true : f.jsonIncludeOutputProperty,
    log_stderr: f.logStderr,
    log_syslog: f.logSyslog,
    log_level: f.logLevel,
    priority: f.priority,
    buffered_outputs: f.bufferedOutputs,
    syscall_event_drops: {
      actions: [...f.syscallEventDrops.actions],
      rate: f.syscallEventDrops.rate,
      max_burst: f.syscallEventDrops.maxBurst,
    },
    outputs: { rate: f.outputs.rate, max_burst: f.outputs.maxBurst },
    syslog_output: { enabled: f.syslogOutput.enabled },
    file_output: pipe
      ? { enabled: true, keep_alive: true, filename: INTEGRATION_PIPE }
      : { enabled: f.fileOutput.enabled, keep_alive: f.fileOutput.keepAlive, filename: f.fileOutput.filename },
    stdout_output: { enabled: f.stdoutOutput.enabled },
    webserver: {
      enabled: f.webserver.enabled,
      listen_port: f.webserver.listenPort,
      k8s_audit_endpoint: f.webserver.k8sAuditEndpoint,
      ssl_enabled: f.webserver.sslEnabled,
      ssl_certificate: f.webserver.sslCertificate,
    },
    program_output: gcscc.enabled
      ? {
          enabled: true,
          keep_alive: false,
          // the chart's YAML double quotes delimit the string; they are not part of the command (configmap.yaml:173 @ 1.1.1)
          program:
            "curl -d @- -X POST --header 'Content-Type: application/json' " +
            `--header 'Authorization: ${gcscc.webhookAuthenticationToken}' ${gcscc.webhookUrl}`,
        }
      : { enabled: f.programOutput.enabled, keep_alive: f.programOutput.keepAlive, program: programBlock(f.programOutput.program) },
    http_output: { enabled: f.httpOutput.enabled, url: f.httpOutput.url },
  };
}

/** The k8saudit listener of the plugin shape. */
export interface K8sAuditListener {
  /** Port the k8saudit plugin listens on. */
  readonly port: number;
  /** URL path of the audit endpoint. */
  readonly path: string;
}

/** The rules the plugin shape loads unless the values list others: the audit rules and the user's rules.d. */
export const PLUGIN_RULES_FILES: readonly string[] = Object.freeze(['/etc/falco/k8s_audit_rules.yaml', '/etc/falco/rules.d']);

/**
 * falco.yaml for the plugin shape: the k8saudit and json plugins, the audit rules (from the image
 * up to 0.36, from falcoctl from 0.37) and the user's rules.d under the release's rules key, the webserver
 * for `/healthz` only, `plugins_hostinfo: false` where that is how the release starts without /host/proc,
 * and the chart's output settings.
 * @param rulesFiles the rules list (the values' falco.rulesFile when set)
 */
export function pluginFalcoConfig(
  v: ResolvedFalcoValues,
  version: FalcoVersion,
  listener: K8sAuditListener,
  rulesFiles: readonly string[] = PLUGIN_RULES_FILES,
): Record<string, unknown> {
  const f = v.falco;
  return {
    [version.rulesFilesKey]: [...rulesFiles],
    plugins: [
      { name: 'k8saudit', library_path: 'libk8saudit.so', init_config: '', open_params: `http://:${listener.port}${listener.path}` },
      { name: 'json', library_path: 'libjson.so', init_config: '' },
    ],
    load_plugins: ['k8saudit', 'json'],
    ...(version.hostRoot === HostRootHandling.PLUGINS_HOSTINFO_OFF ? { plugins_hostinfo: false } : {}),
    time_format_iso_8601: f.timeFormatISO8601,
    json_output: f.jsonOutput,
    json_include_output_property: f.jsonIncludeOutputProperty,
    log_stderr: f.logStderr,
    log_syslog: f.logSyslog,
    log_level: f.logLevel,
    priority: f.priority,
    buffered_outputs: f.bufferedOutputs,
    // newer Falco reports the removed key as unknown
    ...(version.hasOutputsRateLimit ? { outputs: { rate: f.outputs.rate, max_burst: f.outputs.maxBurst } } : {}),
    syslog_output: { enabled: f.syslogOutput.enabled },
    file_output: { enabled: f.fileOutput.enabled, keep_alive: f.fileOutput.keepAlive, filename: f.fileOutput.filename },
    stdout_output: { enabled: f.stdoutOutput.enabled },
    webserver: {
      enabled: true,
      listen_port: f.webserver.listenPort,
      k8s_healthz_endpoint: '/healthz',
      ssl_enabled: false,
      ssl_certificate: f.webserver.sslCertificate,
    },
    program_output: { enabled: f.programOutput.enabled, keep_alive: f.programOutput.keepAlive, program: programBlock(f.programOutput.program) },
    http_output: { enabled: f.httpOutput.enabled, url: f.httpOutput.url },
  };
}

/** Artifacts falcoctl installs before Falco starts (Falco >= 0.37). */
/** A falcoctl artifact index: where falcoctl looks artifact names up. */
export interface FalcoctlIndex {
  /** The index's name, e.g. `falcosecurity`. */
  readonly name: string;
  /** The index file's URL, e.g. `https://falcosecurity.github.io/falcoctl/index.yaml`. */
  readonly url: string;
}

export interface FalcoctlArtifacts {
  /** Artifact references, e.g. `k8saudit-rules:0.16.1`. */
  readonly refs: readonly string[];
  /** Artifact indexes. */
  readonly indexes: readonly FalcoctlIndex[];
  /** Whether falcoctl keeps its state in /artifactstate (falcoctl 0.12+, chart 7.2+). @default true */
  readonly stateDir?: boolean;
}

/** falcoctl.yaml for the install-only init container. */
export function falcoctlConfig(a: FalcoctlArtifacts): Record<string, unknown> {
  return {
    artifact: {
      allowedTypes: ['rulesfile', 'plugin'],
      install: {
        refs: [...a.refs],
        // installs the json plugin the audit rules require
        resolveDeps: true,
        pluginsDir: '/plugins',
        rulesfilesDir: '/rulesfiles',
        ...(a.stateDir === false ? {} : { stateDir: '/artifactstate' }),
      },
    },
    indexes: a.indexes.map((i) => ({ name: i.name, url: i.url })),
  };
}
