import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuditEndpoint } from '../audit/audit-endpoint';
import { Problems, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { falcoSchemaKnows, falcoSchemaRelease, falcoSchemaReleases, validateFalcoConfig } from '../validation/falco-config-validation';
import { dns1035LabelProblems } from '../validation/names';
import { closest, isObject } from '../core/util';
import { dumpYaml } from '../core/yaml';
import { PlanMessage, PlanMessageCode, planMessage } from '../core/plan-message';
import { CHART_9_APP_VERSION, CHART_9_DEFAULTS, CHART_9_VERSION } from './chart-9.1.0-values';
import { chartFullname, chartName, checkDnsLabel } from './chart-names';
import {
  AUDIT_ONLY_WHY,
  CHART_VALUES_NAME,
  ChartValuesLocator,
  chartValuesLocator,
  ChartValuesProblem,
  fieldPath,
  FalcosecurityChartValues,
  resolveChartValues,
  ResolvedChartValues,
  throwChartProblems,
} from './chart-values';
import { HostRootHandling } from './falco-releases';
import { FalcoVersion } from './falco-version';
import { checkRefsLoadable, parseFalcoctlRef } from './falcoctl-refs';
import { K8sAuditOpenParams, parseK8sAuditOpenParams } from './k8saudit-open-params';
import {
  checksum,
  customRulesMount,
  customRulesVolume,
  falcoYamlMount,
  falcoYamlVolume,
  imageReference,
  RESTRICTED_CONTAINER,
  ShapeResult,
} from './shape-context';

type Obj = Record<string, any>;

/** The oldest Falco chart 9.1.0's values make sense for: falcoctl installs the plugins from 0.37 (falco CHANGELOG 0.37.0). */
export const CHART_VALUES_OLDEST_FALCO_MINOR = 37;

/** Drop everything: an audit-only Falco opens no driver and reads no host state (as the plugin shape). */

/** The k8saudit plugin's init_config keys (plugins/k8saudit/pkg/k8saudit/config.go:22-27 @ plugins/k8saudit/v0.16.1, the same in v0.11.0-v0.18.0). */
const K8SAUDIT_INIT_CONFIG: Readonly<Record<string, 'string' | 'boolean' | 'integer'>> = {
  sslCertificate: 'string',
  useAsync: 'boolean',
  maxEventSize: 'integer',
  webhookMaxBatchSize: 'integer',
};
/** Where the plugin reads its certificate and key by default (config.go:31 @ plugins/k8saudit/v0.16.1). */
const K8SAUDIT_DEFAULT_CERTIFICATE = '/etc/falco/falco.pem';

/**
 * Why Falco's container cannot listen on `port`, when it is below 1024: binding such a port takes CAP_NET_BIND_SERVICE
 * (capabilities(7)), which a container without it (capabilities.drop ALL, as this tool renders Falco) or running as a
 * user other than root lacks, wherever the runtime keeps net.ipv4.ip_unprivileged_port_start at 1024 (CRI-O and
 * containerd before 2.0; containerd 2.0 lowers it to 0: containerd/containerd#9348). Undefined when it can. @internal
 */
export function privilegedPortProblem(port: number, containerContext: unknown, podContext?: unknown): string | undefined {
  if (port >= 1024) return undefined;
  const sc: Obj = isObject(containerContext) ? containerContext : {};
  const drop: unknown[] = isObject(sc.capabilities) && Array.isArray(sc.capabilities.drop) ? sc.capabilities.drop : [];
  const dropped = drop.some((c) => typeof c === 'string' && ['ALL', 'NET_BIND_SERVICE', 'CAP_NET_BIND_SERVICE'].includes(c.toUpperCase()));
  const user =
    typeof sc.runAsUser === 'number' ? sc.runAsUser : isObject(podContext) && typeof podContext.runAsUser === 'number' ? podContext.runAsUser : 0;
  if (!dropped && user === 0) return undefined;
  return (
    `is ${port}, below 1024, but Falco's container ${dropped ? 'drops every capability (capabilities.drop: [ALL])' : `runs as user ${user}`} and so lacks ` +
    'NET_BIND_SERVICE: binding the port fails wherever the container runtime keeps net.ipv4.ip_unprivileged_port_start at 1024 (CRI-O, containerd ' +
    'before 2.0); use a port of 1024 or above, such as 9765'
  );
}

/** What the k8saudit plugin entry of `falco.plugins` says. @internal */
export interface ChartK8sAudit {
  /** Its index in `falco.plugins`. */
  readonly index: number;
  readonly listener: K8sAuditOpenParams;
  /** init_config as data (a mapping, or a JSON string parsed). */
  readonly initConfig: Obj;
}

/** The Service of `services[]` that forwards to the k8saudit listener. */
export interface ChartAuditService {
  readonly index: number;
  readonly portIndex: number;
  /** The Service port (what the API server calls at the ClusterIP). */
  readonly port: number;
  readonly nodePort?: number;
  readonly clusterIP?: string;
  readonly type: string;
}

/**
 * The k8saudit plugin of the values' `falco.plugins`: exactly one entry named k8saudit, loaded (named in
 * `load_plugins`, when that is set: Falco then loads only the plugins it names, and exits on a name with no entry,
 * userspace/falco/configuration.cpp:659-697 @ 0.44.1), and its listener from `open_params`. @internal
 */
export function chartK8sAudit(v: ResolvedChartValues): ChartK8sAudit {
  const f: Obj = isObject(v.falco) ? v.falco : {};
  const plugins: unknown[] = Array.isArray(f.plugins) ? f.plugins : [];
  const problems: ChartValuesProblem[] = [];
  const names: string[] = [];
  checkPluginEntries(plugins, names, problems);
  const found = k8sauditEntries(plugins, problems);
  const load = f.load_plugins;
  checkLoadPlugins(load, names, found, problems);
  checkJsonPlugin(v, names, load, found, problems);
  const locate = chartValuesLocator(v);
  throwChartProblems(problems, locate);
  const index = found[0];
  const entry = plugins[index] as Obj;
  const listener = parseK8sAuditOpenParams(entry.open_params, `falco.plugins[${index}].open_params`);
  return { index, listener, initConfig: k8sauditInitConfig(entry.init_config, index, locate) };
}

/** Each plugin entry has a name and a library_path, and none is a syscall enricher; collects the names. */
function checkPluginEntries(plugins: unknown[], names: string[], problems: ChartValuesProblem[]): void {
  plugins.forEach((p, i) => {
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.library_path !== 'string') {
      problems.push({ path: ['falco', 'plugins', i], message: 'expected a plugin entry with a name and a library_path (strings)' });
      return;
    }
    names.push(p.name);
    if (['container', 'k8smeta'].includes(p.name)) {
      problems.push({
        path: ['falco', 'plugins', i, 'name'],
        message: `"${p.name}" enriches syscall events (the chart adds it with the collectors), and ${AUDIT_ONLY_WHY}; remove it`,
      });
    }
  });
}

/** The indexes of the k8saudit entries: exactly one is wanted. */
function k8sauditEntries(plugins: unknown[], problems: ChartValuesProblem[]): number[] {
  const found = plugins.map((p, i) => (isObject(p) && p.name === 'k8saudit' ? i : -1)).filter((i) => i >= 0);
  if (found.length === 0 && problems.length === 0) {
    problems.push({
      path: ['falco', 'plugins'],
      message:
        `has no k8saudit plugin, which is what receives the API server's audit events; add it as values-k8saudit.yaml does ` +
        '({name: k8saudit, library_path: libk8saudit.so, init_config: "", open_params: "http://:9765/k8s-audit"}, and json)',
    });
  }
  if (found.length > 1)
    problems.push({
      path: ['falco', 'plugins', found[1]],
      message: `is a second k8saudit plugin (the first is falco.plugins[${found[0]}]); keep one`,
    });
  return found;
}

/** load_plugins, when set, names only plugins with an entry, and names k8saudit. */
function checkLoadPlugins(load: unknown, names: string[], found: number[], problems: ChartValuesProblem[]): void {
  if (Array.isArray(load)) {
    load.forEach((name: unknown, i: number) => {
      if (typeof name !== 'string')
        problems.push({ path: ['falco', 'load_plugins', i], message: `expected a plugin name, got ${JSON.stringify(name)}` });
      else if (!names.includes(name)) {
        problems.push({
          path: ['falco', 'load_plugins', i],
          message: `"${name}" has no entry in falco.plugins, and Falco exits at start ("plugin config not found for given name")`,
        });
      }
    });
    if (found.length === 1 && !load.includes('k8saudit')) {
      problems.push({
        path: ['falco', 'load_plugins'],
        message: `does not name k8saudit, and with load_plugins set Falco loads only the plugins it names; add k8saudit (and json) as values-k8saudit.yaml does`,
      });
    }
  } else if (load !== undefined) {
    problems.push({ path: ['falco', 'load_plugins'], message: `expected a list of plugin names, got ${JSON.stringify(load)}` });
  }
}

/** The k8saudit rules require the json plugin: an entry, and loaded. */
function checkJsonPlugin(v: ResolvedChartValues, names: string[], load: unknown, found: number[], problems: ChartValuesProblem[]): void {
  // every k8saudit rules release (0.7-0.18) requires the json plugin (required_plugin_versions in
  // plugins/k8saudit/rules/k8s_audit_rules.yaml), and Falco exits when no loaded plugin meets it ("Plugin requirement
  // not satisfied, must load one of: json (>= 0.7.0)": userspace/falco/app/actions/load_rules_files.cpp:123 and
  // userspace/engine/falco_engine.cpp check_plugin_requirements @ 0.44.1, the same from 0.37)
  if (problems.length === 0 && found.length === 1 && installsK8sAuditRules(v)) {
    const why =
      'the k8saudit rules require the json plugin, and Falco exits at start without it ("Plugin requirement not satisfied, must load one of: json")';
    if (!names.includes('json')) {
      problems.push({
        path: ['falco', 'plugins'],
        message: `has no json plugin entry; ${why}; add {name: json, library_path: libjson.so, init_config: ""} as values-k8saudit.yaml does`,
      });
    } else if (Array.isArray(load) && !load.includes('json')) {
      problems.push({
        path: ['falco', 'load_plugins'],
        message: `does not name json, and with load_plugins set Falco loads only the plugins it names; ${why}; add json`,
      });
    }
  }
}

/** The falcoctl refs of the values' install container. */
function installRefs(v: ResolvedChartValues): string[] {
  const refs = v.falcoctl?.config?.artifact?.install?.refs;
  return Array.isArray(refs) ? refs.filter((r: unknown): r is string => typeof r === 'string') : [];
}

/** Whether falcoctl installs a k8saudit rules artifact (`k8saudit-rules`, or an OCI `.../ruleset/k8saudit`). */
function installsK8sAuditRules(v: ResolvedChartValues): boolean {
  return installRefs(v).some((r) => parseFalcoctlRef(r).name === 'k8saudit-rules');
}

/** init_config as the plugin reads it: a mapping (Falco turns it into JSON, configuration.h:436-449 @ 0.44.1) or a JSON string. */
function k8sauditInitConfig(raw: unknown, index: number, locate: ChartValuesLocator): Obj {
  const field = `falco.plugins[${index}].init_config`;
  let cfg: unknown = raw ?? {};
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {};
    try {
      cfg = JSON.parse(raw);
    } catch {
      throw new UserError(
        `"${raw}" is not JSON, and the k8saudit plugin reads a string init_config as JSON (its Init: json.Unmarshal); write it as a mapping`,
        { field },
      );
    }
  }
  if (!isObject(cfg)) throw new UserError(`expected a mapping (or ""), got ${JSON.stringify(raw)}`, { field });
  const problems: ChartValuesProblem[] = [];
  for (const [k, val] of Object.entries(cfg)) {
    const type = K8SAUDIT_INIT_CONFIG[k];
    const path = ['falco', 'plugins', index, 'init_config', k];
    if (type === undefined) {
      const hint = closest(k, Object.keys(K8SAUDIT_INIT_CONFIG));
      problems.push({
        path,
        message: `unknown k8saudit init_config key "${k}" (the plugin ignores it)${hint ? `; did you mean "${hint}"?` : ''}; known keys: ${Object.keys(K8SAUDIT_INIT_CONFIG).join(', ')}`,
      });
    } else if (type === 'integer' ? !(typeof val === 'number' && Number.isInteger(val) && val > 0) : typeof val !== type) {
      problems.push({ path, message: `expected ${type === 'integer' ? 'a positive integer (bytes)' : `a ${type}`}, got ${JSON.stringify(val)}` });
    }
  }
  throwChartProblems(problems, locate);
  return cfg;
}

/**
 * The Service of `services[]` whose port forwards to the k8saudit listener, with its port, nodePort and clusterIP:
 * the API server's address comes from it unless the config pins one. Exactly one such port. @internal
 */
export function chartAuditService(v: ResolvedChartValues, listenerPort: number): ChartAuditService {
  const services: unknown[] = Array.isArray(v.services) ? v.services : [];
  const hits: ChartAuditService[] = [];
  const problems: ChartValuesProblem[] = [];
  services.forEach((s, i) => {
    if (!isObject(s) || typeof s.name !== 'string' || s.name === '') {
      problems.push({ path: ['services', i], message: 'expected a Service entry with a name (the chart names it <fullname>-<name>)' });
      return;
    }
    const ports: unknown[] = Array.isArray(s.ports) ? s.ports : [];
    ports.forEach((p, j) => {
      if (!isObject(p)) return;
      const target = p.targetPort ?? p.port;
      if (typeof target === 'string') {
        problems.push({
          path: ['services', i, 'ports', j, 'targetPort'],
          message: `is the named port "${target}"; give the k8saudit listener's port number (${listenerPort})`,
        });
        return;
      }
      if (target !== listenerPort) return;
      if (typeof p.port !== 'number') return;
      hits.push({
        index: i,
        portIndex: j,
        port: p.port,
        nodePort: typeof p.nodePort === 'number' ? p.nodePort : undefined,
        clusterIP: typeof s.clusterIP === 'string' && s.clusterIP !== '' ? s.clusterIP : undefined,
        type: typeof s.type === 'string' ? s.type : 'ClusterIP',
      });
    });
  });
  throwChartProblems(problems, chartValuesLocator(v));
  if (hits.length === 0) {
    throw new UserError(
      `no Service here forwards to the k8saudit listener's port ${listenerPort} (from falco.plugins[].open_params), so the API server could not reach Falco; ` +
        `add one as values-k8saudit.yaml does ({name: k8saudit-webhook, type: NodePort, ports: [{port: ${listenerPort}, nodePort: 30007, protocol: TCP}]})`,
      { field: 'services' },
    );
  }
  if (hits.length > 1) {
    throw new UserError(
      `services[${hits[0].index}] and services[${hits[1].index}] both forward to the k8saudit port ${listenerPort}; keep one, which the API server calls`,
      {
        field: `services[${hits[1].index}]`,
      },
    );
  }
  const hit = hits[0];
  if (hit.type === 'ExternalName' || hit.clusterIP === 'None') {
    throw new UserError(
      `the k8saudit Service has no cluster address (${hit.type === 'ExternalName' ? 'type ExternalName' : 'clusterIP: None'}), so the API server cannot call it`,
      {
        field: `services[${hit.index}]`,
      },
    );
  }
  return hit;
}

/** The API server's view of the values: the listener and the Service it calls. */
export interface ChartAuditTarget {
  readonly listener: K8sAuditOpenParams;
  readonly service: ChartAuditService;
}

/** Reads, from falcosecurity/falco values, the k8saudit listener and its Service (for FalcoAudit's address). */
export function chartAuditTarget(values: FalcosecurityChartValues | undefined): ChartAuditTarget {
  const v = resolveChartValues(values ?? {});
  const k8saudit = chartK8sAudit(v);
  return { listener: k8saudit.listener, service: chartAuditService(v, k8saudit.listener.port) };
}

/** What the chart builder needs. @internal */
export interface ChartShapeProps {
  readonly scope: Construct;
  readonly releaseName: string;
  readonly namespace: string;
  readonly kubernetesVersion: KubernetesVersion;
  readonly values?: FalcosecurityChartValues;
  readonly falcoVersion?: FalcoVersion;
  readonly clusterIP?: string;
  readonly nodePort?: number;
  /** Where falco.yaml's problems go (its keys then left out) instead of being thrown. @default - thrown */
  readonly problems?: Problems;
}

/** What the chart builder hands back. @internal */
export interface ChartShapeResult extends ShapeResult {
  readonly values: ResolvedChartValues;
  readonly falcoVersion: FalcoVersion;
  readonly fullname: string;
  readonly auditEndpoint: AuditEndpoint;
  /** Valid, but worth a line in the plan. */
  readonly warnings: PlanMessage[];
}

/**
 * The audit-only Falco the falcosecurity/falco chart 9.1.0 renders for the same values (its values-k8saudit.yaml
 * preset and variations): the chart's names, labels, selectors, containers, mounts, falco.yaml and falcoctl.yaml, with
 * the differences listed in CHART_VALUES_DIFFERENCES (lib/falco/differences.ts). @internal
 */
export function buildChartShape(props: ChartShapeProps): ChartShapeResult {
  if (props.values === undefined) {
    throw new UserError(
      `the chart is falcosecurity/falco ${CHART_9_VERSION}, but no values were given, and the chart's defaults deploy a syscall DaemonSet with a kernel driver; ` +
        "give values for an audit-only Falco, such as the chart's values-k8saudit.yaml",
      { field: 'values' },
    );
  }
  const v = resolveChartValues(props.values);
  const warnings: PlanMessage[] = [];
  const { scope, releaseName, namespace } = props;

  const { tag, version } = checkVersion(v, props.falcoVersion);
  checkNamespace(v, namespace);

  const { fullname, selector, labels, meta } = chartNames(v, releaseName, namespace);
  const ctx: ChartContext = { scope, props, v, fullname, selector, meta };

  // the k8saudit listener decides the audit endpoint: one source of truth
  const k8saudit = chartK8sAudit(v);
  const listener = k8saudit.listener;
  const falcoYamlIn: Obj = isObject(v.falco) ? v.falco : {};
  const { webPort, healthzPath } = checkWebserver(v, falcoYamlIn, k8saudit);

  const service = chartAuditService(v, listener.port);
  checkServiceAddress(service, props);

  // falcoctl: the image bundles no plugins from 0.37, so the init container must install k8saudit
  const fc: Obj = v.falcoctl ?? {};
  const install: Obj = fc.artifact?.install ?? {};
  const follow: Obj = fc.artifact?.follow ?? {};
  const { ctlConfig, artifact, allowed, refs } = checkFalcoctl(v, falcoYamlIn, version, warnings);

  const replicas = v.controller?.deployment?.replicas ?? 1;
  replicaWarnings(replicas, warnings);

  checkNoHelmTemplates(v, install, follow);

  // falco.yaml: the values' falco.* as the chart writes them, with what the release needs to start audit-only
  const config = chartFalcoYaml(falcoYamlIn, props.values, version, warnings, props.problems);
  const { falcoConfig, configMap, configData, falcoctlData, rulesData, hasRules } = chartConfigMaps(ctx, config, ctlConfig, refs, allowed);

  const { serviceObject, serviceName } = chartServices(ctx, service);

  const serviceAccountName = chartServiceAccount(ctx);

  const { falcoContainer, certs } = chartFalcoContainer(ctx, {
    version,
    tag,
    k8saudit,
    webPort,
    healthzPath,
    installsRules: allowed.includes('rulesfile'),
    hasRules,
  });

  const volumes = chartVolumes(v, fullname, hasRules, certs);

  const workload = chartDeployment(ctx, { labels, replicas, serviceAccountName, falcoContainer, volumes, configData, rulesData, falcoctlData }, () =>
    chartFalcoctlContainers(fc, artifact, install, follow),
  );

  return {
    workload,
    serviceObject: serviceObject!,
    serviceName,
    servicePort: service.port,
    podSelector: selector,
    configMap,
    falcoConfig,
    values: v,
    falcoVersion: version,
    fullname,
    auditEndpoint: { scheme: listener.scheme, containerPort: listener.port, path: listener.path },
    warnings,
  };
}

/** The falco.yaml, falcoctl.yaml and custom rules ConfigMaps. */
function chartConfigMaps(ctx: ChartContext, config: Obj, ctlConfig: Obj, refs: string[], allowed: string[]) {
  const { scope, v, fullname, meta } = ctx;
  const falcoConfig = sortKeys(config) as Obj;
  const configData = { 'falco.yaml': dumpYaml(falcoConfig) };
  const configMap = new ApiObject(scope, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(fullname), data: configData });

  const falcoctlData = { 'falcoctl.yaml': dumpYaml(sortKeys(ctlConfig)) };
  new ApiObject(scope, 'FalcoctlConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${fullname}-falcoctl`), data: falcoctlData });

  const customRules: Obj = isObject(v.customRules) ? v.customRules : {};
  const rulesData: Record<string, string> = {};
  for (const file of Object.keys(customRules).sort()) rulesData[file] = String(customRules[file]).replace(/\n+$/, '');
  const hasRules = Object.keys(rulesData).length > 0;
  checkRulesSource(v, refs, allowed.includes('rulesfile'), hasRules, config);
  if (hasRules) new ApiObject(scope, 'RulesConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${fullname}-rules`), data: rulesData });
  return { falcoConfig, configMap, configData, falcoctlData, rulesData, hasRules };
}

/** The Falco container's env: the chart's, unless the values set the same name, then the values'. */
function chartEnv(v: ResolvedChartValues, version: FalcoVersion): Obj[] {
  const userEnv: Obj[] = v.extra?.env ?? [];
  const userEnvNames = new Set(userEnv.map((e) => e.name));
  if (version.hostRoot === HostRootHandling.EMPTY_HOST_ROOT && userEnvNames.has('HOST_ROOT')) {
    throw new UserError(`sets HOST_ROOT, but Falco ${version} needs it empty to start without the host's /proc; remove it`, { field: 'extra.env' });
  }
  const env: Obj[] = [];
  if (!userEnvNames.has('HOST_ROOT')) env.push({ name: 'HOST_ROOT', value: version.hostRoot === HostRootHandling.EMPTY_HOST_ROOT ? '' : '/host' });
  if (v.falcoHostnameEnv !== false && !userEnvNames.has('FALCO_HOSTNAME'))
    env.push({ name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  if (!userEnvNames.has('SKIP_DRIVER_LOADER')) env.push({ name: 'SKIP_DRIVER_LOADER', value: 'true' });
  env.push(...userEnv);
  return env;
}

/** The Falco container's mounts, with the https listener's certificate among them. */
function chartMounts(v: ResolvedChartValues, k8saudit: ChartK8sAudit, installsRules: boolean, hasRules: boolean): { mounts: Obj[]; certs: Obj } {
  const listener = k8saudit.listener;
  const mounts: Obj[] = [];
  if (installsRules) mounts.push({ mountPath: '/etc/falco', name: 'rulesfiles-install-dir' });
  mounts.push({ mountPath: '/usr/share/falco/plugins', name: 'plugins-install-dir' });
  mounts.push(falcoYamlMount('falco-yaml'));
  if (hasRules) mounts.push(customRulesMount());
  const certs: Obj = v.certs ?? {};
  if (certs.existingSecret) mounts.push({ mountPath: '/etc/falco/certs', name: 'certs-volume', readOnly: true });
  if (certs.existingClientSecret) mounts.push({ mountPath: '/etc/falco/certs/client', name: 'client-certs-volume', readOnly: true });
  const userMounts: Obj[] = v.mounts?.volumeMounts ?? [];
  mounts.push(...userMounts);

  if (listener.scheme === 'https') {
    const cert = typeof k8saudit.initConfig.sslCertificate === 'string' ? k8saudit.initConfig.sslCertificate : K8SAUDIT_DEFAULT_CERTIFICATE;
    const covered = mounts.some(
      (m) =>
        !['rulesfiles-install-dir', 'plugins-install-dir', 'falco-yaml', 'rules-volume'].includes(m.name) &&
        typeof m.mountPath === 'string' &&
        (m.subPath ? cert === m.mountPath : cert.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)),
    );
    if (!covered) {
      throw new UserError(
        `is https, so the k8saudit plugin reads its certificate and key from ${cert} (init_config.sslCertificate), but nothing mounts a file there` +
          `${cert.startsWith('/etc/falco/') && !cert.startsWith('/etc/falco/certs/') ? " (/etc/falco is falcoctl's rules folder)" : ''}; create a Secret with falco.pem ` +
          '(certificate and key), name it in certs.existingSecret and set init_config.sslCertificate: /etc/falco/certs/falco.pem',
        { field: `falco.plugins[${k8saudit.index}].open_params` },
      );
    }
  }
  return { mounts, certs };
}

/** The falcoctl containers: the follow sidecar when enabled, then the install init container (its folders checked in that order). */
function chartFalcoctlContainers(fc: Obj, artifact: Obj, install: Obj, follow: Obj): { follow: Obj[]; install: Obj } {
  const falcoctlImage = `${fc.image?.registry ?? ''}/${fc.image?.repository ?? ''}:${fc.image?.tag ?? ''}`;
  const ctlMounts = (c: Obj, dirs: Obj) => [
    { mountPath: dirs.pluginsDir, name: 'plugins-install-dir' },
    { mountPath: dirs.rulesfilesDir, name: 'rulesfiles-install-dir' },
    { mountPath: '/etc/falcoctl', name: 'falcoctl-config-volume' },
    { mountPath: dirs.stateDir, name: 'artifact-state-dir' },
    ...(c.mounts?.volumeMounts ?? []),
  ];
  const ctlContainer = (containerName: string, verb: string, c: Obj, dirs: Obj) => ({
    name: containerName,
    image: falcoctlImage,
    imagePullPolicy: fc.image?.pullPolicy,
    args: ['artifact', verb, ...(c.args ?? [])],
    ...(nonEmptyMap(c.resources) ? { resources: c.resources } : {}),
    securityContext: nonEmptyMap(c.securityContext) ? c.securityContext : RESTRICTED_CONTAINER,
    volumeMounts: ctlMounts(c, dirs),
    ...(nonEmptyList(c.env) ? { env: c.env } : {}),
    ...(nonEmptyList(c.envFrom) ? { envFrom: c.envFrom } : {}),
  });
  const dirsOf = (d: Obj | undefined) => {
    const out = { pluginsDir: d?.pluginsDir, rulesfilesDir: d?.rulesfilesDir, stateDir: d?.stateDir };
    for (const [k, dir] of Object.entries(out)) {
      if (typeof dir !== 'string' || !dir.startsWith('/')) {
        throw new UserError(`expected an absolute folder path (the chart mounts it in the falcoctl container), got ${JSON.stringify(dir)}`, {
          field: `falcoctl.config.artifact.${d === artifact.follow ? 'follow' : 'install'}.${k}`,
        });
      }
    }
    return out;
  };
  const followContainers = follow.enabled === true ? [ctlContainer('falcoctl-artifact-follow', 'follow', follow, dirsOf(artifact.follow))] : [];
  return { follow: followContainers, install: ctlContainer('falcoctl-artifact-install', 'install', install, dirsOf(artifact.install)) };
}

/** The health probes on the webserver's /healthz. */
function chartProbes(v: ResolvedChartValues, kubernetesVersion: KubernetesVersion, healthzPath: string, webPort: any): Obj {
  const hc: Obj = v.healthChecks ?? {};
  const probe = (p: Obj | undefined, minDelay = 0) => ({
    initialDelaySeconds: Math.max(p?.initialDelaySeconds ?? 0, minDelay),
    timeoutSeconds: p?.timeoutSeconds,
    periodSeconds: p?.periodSeconds,
    failureThreshold: p?.failureThreshold,
    httpGet: { path: healthzPath, port: webPort },
  });
  // a startup probe needs Kubernetes 1.18+; before, delayed probes give Falco the same minute to load its plugins
  const probes = kubernetesVersion.supportsStartupProbe
    ? { startupProbe: probe(hc.startupProbe), livenessProbe: probe(hc.livenessProbe), readinessProbe: probe(hc.readinessProbe) }
    : { livenessProbe: probe(hc.livenessProbe, 60), readinessProbe: probe(hc.readinessProbe, 30) };
  return probes;
}

/** The pod's volumes, in the chart's order. */
function chartVolumes(v: ResolvedChartValues, fullname: string, hasRules: boolean, certs: Obj): Obj[] {
  const volumes: Obj[] = [
    { name: 'plugins-install-dir', emptyDir: {} },
    { name: 'rulesfiles-install-dir', emptyDir: {} },
    { name: 'artifact-state-dir', emptyDir: {} },
    { name: 'falcoctl-config-volume', configMap: { name: `${fullname}-falcoctl`, items: [{ key: 'falcoctl.yaml', path: 'falcoctl.yaml' }] } },
    falcoYamlVolume('falco-yaml', fullname),
  ];
  if (hasRules) volumes.push(customRulesVolume(fullname));
  if (certs.existingSecret) volumes.push({ name: 'certs-volume', secret: { secretName: certs.existingSecret } });
  if (certs.existingClientSecret) volumes.push({ name: 'client-certs-volume', secret: { secretName: certs.existingClientSecret } });
  volumes.push(...(v.mounts?.volumes ?? []));
  return volumes;
}

/** What the Deployment step takes beside the context. */
interface ChartPod {
  readonly labels: Record<string, string>;
  readonly replicas: number;
  readonly serviceAccountName: string;
  readonly falcoContainer: Obj;
  readonly volumes: Obj[];
  readonly configData: Record<string, string>;
  readonly rulesData: Record<string, string>;
  readonly falcoctlData: Record<string, string>;
}

/** The Deployment, its pod annotated with the checksums of its ConfigMaps; falcoctl's containers built last, as before. */
function chartDeployment(ctx: ChartContext, pod: ChartPod, falcoctl: () => { follow: Obj[]; install: Obj }): ApiObject {
  const { scope, props, v, fullname, selector, meta } = ctx;
  const { labels, replicas, serviceAccountName, falcoContainer, volumes, configData, rulesData, falcoctlData } = pod;
  const annotations: Record<string, string> = {
    'checksum/config': checksum(configData),
    'checksum/rules': checksum(rulesData),
    'checksum/falcoctl': checksum(falcoctlData),
    ...(v.podAnnotations ?? {}),
  };
  const controller: Obj = v.controller ?? {};
  const podSecurityContext = nonEmptyMap(v.podSecurityContext)
    ? v.podSecurityContext
    : props.kubernetesVersion.supportsSeccompProfileField
      ? { seccompProfile: { type: 'RuntimeDefault' } }
      : undefined;
  const ctl = falcoctl();
  return new ApiObject(scope, 'Deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...meta(fullname),
      labels: { ...labels, ...(controller.labels ?? {}) },
      ...(nonEmptyMap(controller.annotations) ? { annotations: controller.annotations } : {}),
    },
    spec: {
      replicas,
      ...(controller.deployment?.revisionHistoryLimit ? { revisionHistoryLimit: controller.deployment.revisionHistoryLimit } : {}),
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { name: fullname, labels: { ...selector, ...(v.podLabels ?? {}) }, annotations },
        spec: {
          serviceAccountName,
          // an audit-only Falco calls no API: no token in the pod
          automountServiceAccountToken: false,
          ...(podSecurityContext ? { securityContext: podSecurityContext } : {}),
          ...(v.podPriorityClassName ? { priorityClassName: v.podPriorityClassName } : {}),
          ...(nonEmptyMap(v.nodeSelector) ? { nodeSelector: v.nodeSelector } : {}),
          ...(nonEmptyMap(v.affinity) ? { affinity: v.affinity } : {}),
          ...(nonEmptyList(v.tolerations) ? { tolerations: v.tolerations } : {}),
          ...(nonEmptyList(v.imagePullSecrets) ? { imagePullSecrets: v.imagePullSecrets } : {}),
          containers: [falcoContainer, ...ctl.follow],
          initContainers: [...(v.extra?.initContainers ?? []), ctl.install],
          volumes,
        },
      },
    },
  });
}

/** The Falco container, in the chart's order (templates/pod-template.tpl @ chart 9.1.0); the certs its mounts read. */
function chartFalcoContainer(
  ctx: ChartContext,
  f: { version: FalcoVersion; tag: string; k8saudit: ChartK8sAudit; webPort: any; healthzPath: string; installsRules: boolean; hasRules: boolean },
): { falcoContainer: Obj; certs: Obj } {
  const { props, v } = ctx;
  const { version, tag, k8saudit, webPort, healthzPath, installsRules, hasRules } = f;
  const listener = k8saudit.listener;
  // the Falco container, in the chart's order (templates/pod-template.tpl @ chart 9.1.0)
  const extraArgs: string[] = v.extra?.args ?? [];
  const args = ['/usr/bin/falco', '--disable-source', 'syscall', ...extraArgs];
  const env = chartEnv(v, version);

  const { mounts, certs } = chartMounts(v, k8saudit, installsRules, hasRules);

  const probes = chartProbes(v, props.kubernetesVersion, healthzPath, webPort);

  const image = imageReference(`${v.image?.registry ? `${v.image.registry}/` : ''}${v.image?.repository ?? ''}`, tag);
  const falcoContainer = {
    name: 'falco',
    image,
    imagePullPolicy: v.image?.pullPolicy,
    resources: v.resources ?? {},
    securityContext: nonEmptyMap(v.containerSecurityContext) ? v.containerSecurityContext : RESTRICTED_CONTAINER,
    args,
    env,
    tty: v.tty === true,
    ports: [
      { containerPort: webPort, name: 'web', protocol: 'TCP' },
      { containerPort: listener.port, name: 'k8saudit', protocol: 'TCP' },
    ],
    ...probes,
    volumeMounts: mounts,
  };
  return { falcoContainer, certs };
}

/** The chart's names and labels (templates/_helpers.tpl @ chart 9.1.0), the object name checked. */
function chartNames(v: ResolvedChartValues, releaseName: string, namespace: string) {
  const name = chartName(v.nameOverride);
  const fullname = chartFullname(releaseName, v.nameOverride, v.fullnameOverride);
  checkDnsLabel(fullname, v.fullnameOverride ? 'fullnameOverride' : 'nameOverride', 'object name');
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': releaseName };
  // templates/_helpers.tpl `falco.labels` @ chart 9.1.0: the chart's appVersion, whatever the image tag
  const labels = {
    'helm.sh/chart': `falco-${CHART_9_VERSION}`,
    ...selector,
    'app.kubernetes.io/version': CHART_9_APP_VERSION,
    'app.kubernetes.io/managed-by': 'Helm',
  };
  const meta = (objectName: string) => ({ name: objectName, namespace, labels: { ...labels } });
  return { fullname, selector, labels, meta };
}

/** What the object-writing steps of buildChartShape share. */
interface ChartContext {
  readonly scope: ChartShapeProps['scope'];
  readonly props: ChartShapeProps;
  readonly v: ResolvedChartValues;
  readonly fullname: string;
  readonly selector: Record<string, string>;
  readonly meta: (objectName: string) => Obj;
}

/** falco.yaml: the values' falco.* as the chart writes them, with the rules key this release reads. */
function chartFalcoYaml(falcoYamlIn: Obj, user: Obj, version: FalcoVersion, warnings: PlanMessage[], problems?: Problems): Obj {
  const config: Obj = clone(falcoYamlIn);
  if (version.hostRoot === HostRootHandling.PLUGINS_HOSTINFO_OFF) config.plugins_hostinfo = false;
  else delete config.plugins_hostinfo;
  // Falco 0.38+ reads rules_files and the deprecated rules_file, and exits when both are set ("both 'rules_files' and
  // 'rules_file' keys set": userspace/falco/configuration.cpp load_yaml @ 0.38.0, the same to 0.44.1); 0.37 reads only
  // rules_file. The chart's defaults set rules_files, so a user's rules_file alone replaces them.
  const userFalco: Obj = isObject(user.falco) ? user.falco : {};
  const userSets = (key: string) => userFalco[key] !== undefined && userFalco[key] !== null;
  if (userSets('rules_file') && userSets('rules_files')) {
    throw new UserError(
      `is set beside falco.rules_files, ${
        version.rulesFilesKey === 'rules_files'
          ? `and Falco ${version} exits at start with both keys ("both 'rules_files' and ` + "'rules_file' keys set\")"
          : `and Falco ${version} reads only rules_file, ignoring rules_files`
      }; keep one (rules_files, which this tool writes as each release reads it)`,
      { field: 'falco.rules_file' },
    );
  }
  if (version.rulesFilesKey === 'rules_files' && userSets('rules_file')) {
    config.rules_files = config.rules_file;
    delete config.rules_file;
    warnings.push(
      planMessage(
        PlanMessageCode.RULES_FILE_RENAMED,
        `falco.rules_file is the key Falco 0.38 deprecated: written as rules_files in place of the chart's default (Falco ${version} exits with both)`,
      ),
    );
  }
  if (version.rulesFilesKey === 'rules_file' && 'rules_files' in config && !('rules_file' in config)) {
    config.rules_file = config.rules_files;
    delete config.rules_files;
  }
  checkFalcoYaml(config, user, version, problems);
  return config;
}

/** services[]: the chart's Services, the k8saudit one with the address the config pins. */
function chartServices(ctx: ChartContext, service: ChartAuditService): { serviceObject: ApiObject | undefined; serviceName: string } {
  let serviceObject: ApiObject | undefined;
  let serviceName = '';
  const { scope, props, v, fullname, selector, meta } = ctx;
  (v.services as Obj[]).forEach((s, i) => {
    const objectName = `${fullname}-${s.name}`;
    const problems = dns1035LabelProblems(objectName);
    if (problems.length > 0) {
      throw new UserError(`the Service name "${objectName}" (<fullname>-<name>) ${problems.join('; ')}`, { field: `services[${i}].name` });
    }
    const spec: Obj = sortKeys(omit(s, ['name', 'selector']));
    if (i === service.index) {
      if (props.clusterIP !== undefined) spec.clusterIP = props.clusterIP;
      if (props.nodePort !== undefined && service.nodePort === undefined) {
        spec.ports[service.portIndex] = sortKeys({ ...spec.ports[service.portIndex], nodePort: props.nodePort });
        if (spec.type === undefined || spec.type === 'ClusterIP') spec.type = 'NodePort';
      }
    }
    const obj = new ApiObject(scope, i === service.index ? 'Service' : `Service-${s.name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(objectName),
      spec: { ...sortKeys(spec), selector: { ...selector } },
    });
    if (i === service.index) {
      serviceObject = obj;
      serviceName = objectName;
    }
  });
  return { serviceObject, serviceName };
}

/** The chart's ServiceAccount when it creates one; the name the pod runs as. */
function chartServiceAccount(ctx: ChartContext): string {
  const { scope, v, fullname, meta } = ctx;
  const sa: Obj = v.serviceAccount ?? {};
  const serviceAccountName = sa.create ? sa.name || fullname : sa.name || 'default';
  if (sa.create) {
    new ApiObject(scope, 'ServiceAccount', {
      apiVersion: 'v1',
      ...(nonEmptyList(sa.imagePullSecrets) ? { imagePullSecrets: sa.imagePullSecrets } : {}),
      kind: 'ServiceAccount',
      metadata: { ...meta(serviceAccountName), ...(nonEmptyMap(sa.annotations) ? { annotations: sa.annotations } : {}) },
    });
  }
  return serviceAccountName;
}

/** Falco's webserver serves the health probes, plain, on a port of its own that the pod may bind. */
function checkWebserver(v: ResolvedChartValues, falcoYamlIn: Obj, k8saudit: ChartK8sAudit): { webPort: any; healthzPath: string } {
  const listener = k8saudit.listener;
  const web: Obj = isObject(falcoYamlIn.webserver) ? falcoYamlIn.webserver : {};
  if (web.enabled !== true) {
    throw new UserError("is false, but the health probes need Falco's webserver (it serves /healthz); set falco.webserver.enabled: true", {
      field: 'falco.webserver.enabled',
    });
  }
  if (web.ssl_enabled === true) {
    throw new UserError(
      "is true, but the webserver serves only /healthz here (the audit endpoint is the k8saudit listener, whose TLS is its open_params' https); set it to false",
      { field: 'falco.webserver.ssl_enabled' },
    );
  }
  const webPort = web.listen_port ?? 8765;
  if (webPort === listener.port) {
    throw new UserError(
      `port ${webPort} is both the webserver's and the k8saudit listener's (falco.plugins[${k8saudit.index}].open_params); they need different ports`,
      {
        field: 'falco.webserver.listen_port',
      },
    );
  }
  const healthzPath = typeof web.k8s_healthz_endpoint === 'string' ? web.k8s_healthz_endpoint : '/healthz';
  const falcoContext = nonEmptyMap(v.containerSecurityContext) ? v.containerSecurityContext : RESTRICTED_CONTAINER;
  for (const [port, field] of [
    [listener.port, `falco.plugins[${k8saudit.index}].open_params`],
    [webPort, 'falco.webserver.listen_port'],
  ] as const) {
    const problem = typeof port === 'number' ? privilegedPortProblem(port, falcoContext, v.podSecurityContext) : undefined;
    if (problem) throw new UserError(problem, { field });
  }

  return { webPort, healthzPath };
}

/** The Service's pinned address agrees with the config's falco.nodePort and falco.clusterIP. */
function checkServiceAddress(service: ChartAuditService, props: ChartShapeProps): void {
  if (props.nodePort !== undefined && service.nodePort !== undefined && service.nodePort !== props.nodePort) {
    throw new UserError(
      `is ${service.nodePort}, but the config's falco.nodePort is ${props.nodePort}; the API server would call one and the Service open the other: make them agree or remove one`,
      { field: `services[${service.index}].ports[${service.portIndex}].nodePort` },
    );
  }
  if (props.clusterIP !== undefined && service.clusterIP !== undefined && service.clusterIP !== props.clusterIP) {
    throw new UserError(`is ${service.clusterIP}, but the config's falco.clusterIP is ${props.clusterIP}; make them agree or remove one`, {
      field: `services[${service.index}].clusterIP`,
    });
  }
}

/** falcoctl installs k8saudit (and json when needed) from refs this Falco loads; warns on following and floating refs. */
function checkFalcoctl(v: ResolvedChartValues, falcoYamlIn: Obj, version: FalcoVersion, warnings: PlanMessage[]) {
  const fc: Obj = v.falcoctl ?? {};
  const install: Obj = fc.artifact?.install ?? {};
  const follow: Obj = fc.artifact?.follow ?? {};
  if (install.enabled !== true) {
    throw new UserError(
      `is ${JSON.stringify(install.enabled ?? false)}, but from Falco 0.37 the image bundles no plugins: the falcoctl-artifact-install init container installs k8saudit and its rules; set it to true`,
      { field: 'falcoctl.artifact.install.enabled' },
    );
  }
  const ctlConfig: Obj = isObject(fc.config) ? fc.config : {};
  const artifact: Obj = ctlConfig.artifact ?? {};
  const allowed: string[] = artifact.allowedTypes ?? [];
  if (!allowed.includes('plugin')) {
    throw new UserError(
      'does not allow "plugin", so falcoctl would not install the k8saudit plugin (and the chart would not mount the plugins folder); add plugin',
      {
        field: 'falcoctl.config.artifact.allowedTypes',
      },
    );
  }
  const refs: string[] = artifact.install?.refs ?? [];
  const refsField = 'falcoctl.config.artifact.install.refs';
  const names = refs.map((r) => parseFalcoctlRef(r).name);
  const resolveDeps = artifact.install?.resolveDeps !== false;
  if (!names.includes('k8saudit') && !(resolveDeps && names.includes('k8saudit-rules'))) {
    throw new UserError(
      `${refs.length ? `[${refs.join(', ')}] installs` : 'is empty, so falcoctl installs'} no k8saudit plugin${names.includes('k8saudit-rules') ? ' (resolveDeps is false)' : ''}; ` +
        `add k8saudit and k8saudit-rules, e.g. k8saudit-rules:0.16.1, k8saudit:0.16.1`,
      { field: refsField },
    );
  }
  // without resolveDeps falcoctl installs only the refs, and the image bundles no plugin from 0.37: libjson.so, which
  // the json entry loads and the k8saudit rules require, must be a ref of its own
  if (!resolveDeps && !names.includes('json') && (installsK8sAuditRules(v) || loadsPlugin(falcoYamlIn, 'json'))) {
    throw new UserError(
      `is false and [${refs.join(', ')}] has no json ref, so falcoctl does not install libjson.so, which falco.plugins loads and the k8saudit rules ` +
        'require, and Falco exits at start; add json:0.7.0 (what the rules require) to falcoctl.config.artifact.install.refs, or remove resolveDeps: false',
      { field: 'falcoctl.config.artifact.install.resolveDeps' },
    );
  }
  // unsetting the chart's refs gives its default [falco-rules:5], which installs no k8saudit plugin
  checkRefsLoadable(refs, version, refsField, false);
  if (follow.enabled === true) {
    checkRefsLoadable(artifact.follow?.refs ?? [], version, 'falcoctl.config.artifact.follow.refs', false);
    warnings.push(
      planMessage(
        PlanMessageCode.FALCOCTL_FOLLOW,
        `falcoctl.artifact.follow.enabled is true: the falcoctl-artifact-follow sidecar replaces rules in the running pod from ${indexNames(ctlConfig)} every ` +
          `${artifact.follow?.every ?? '168h'}, so what runs can change without a change in Git; set it to false to run only what the refs install at start`,
      ),
    );
  }
  floatingRefsWarning(refs, refsField, warnings);
  return { ctlConfig, artifact, allowed, refs };
}

/** Refs without a full version float to the newest release of their line. */
function floatingRefsWarning(refs: readonly string[], refsField: string, warnings: PlanMessage[]): void {
  const floating = refs.filter((r) => parseFalcoctlRef(r).version?.patch === undefined);
  if (floating.length > 0) {
    warnings.push(
      planMessage(
        PlanMessageCode.FLOATING_FALCOCTL_REFS,
        `${refsField} [${floating.join(', ')}] float to the newest release of ${floating.length > 1 ? 'their' : 'its'} line at every pod start; pin full versions (e.g. k8saudit-rules:0.16.1) so Git says what runs`,
      ),
    );
  }
}

/** More than one replica splits the audit events, none drops them. */
function replicaWarnings(replicas: number, warnings: PlanMessage[]): void {
  if (replicas > 1) {
    warnings.push(
      planMessage(
        PlanMessageCode.REPLICAS_SPLIT_EVENTS,
        `controller.deployment.replicas is ${replicas}: each replica receives a share of the API server's batches (the Service spreads the connections), ` +
          'so every Falco sees only part of the audit events; one replica is what the chart recommends',
      ),
    );
  } else if (replicas === 0) {
    warnings.push(
      planMessage(PlanMessageCode.REPLICAS_ZERO, "controller.deployment.replicas is 0: no Falco runs, and the API server's audit events are dropped"),
    );
  }
}

/** The chart renders these values with tpl, this tool does not: refuse a Helm template in them. */
function checkNoHelmTemplates(v: ResolvedChartValues, install: Obj, follow: Obj): void {
  for (const [path, list] of [
    ['extra.env', v.extra?.env],
    ['falcoctl.artifact.install.env', install.env],
    ['falcoctl.artifact.install.envFrom', install.envFrom],
    ['falcoctl.artifact.follow.env', follow.env],
    ['falcoctl.artifact.follow.envFrom', follow.envFrom],
  ] as const) {
    if (list !== undefined && JSON.stringify(list).includes('{{')) {
      throw new UserError('holds a Helm template ("{{ ... }}"), which the chart renders with tpl and this tool does not; write the value out', {
        field: path,
      });
    }
  }
}

/** The Falco release the values run, refused before 0.37 (the chart's falcoctl install needs it). */
function checkVersion(v: ResolvedChartValues, falcoVersion: FalcoVersion | undefined): { tag: string; version: FalcoVersion } {
  // falco.version without an image.tag: the image of that release, not the chart's appVersion
  const tag = v.image?.tag || falcoVersion?.toString() || CHART_9_APP_VERSION;
  const version = FalcoVersion.forImage(tag, falcoVersion);
  if (!version.isAtLeast(CHART_VALUES_OLDEST_FALCO_MINOR)) {
    throw new UserError(
      `Falco ${version} is older than 0.${CHART_VALUES_OLDEST_FALCO_MINOR}: the ${CHART_VALUES_NAME} install the plugins with falcoctl, which Falco ` +
        `0.${CHART_VALUES_OLDEST_FALCO_MINOR}+ needs and older images do not use; run Falco 0.${CHART_VALUES_OLDEST_FALCO_MINOR} or newer, or write stable/falco-style ` +
        'values (falco.chart: stable/falco@1.1.1) with image.tag for this Falco',
      { field: falcoVersion ? 'falcoVersion' : 'image.tag' },
    );
  }
  return { tag, version };
}

/** The objects go to the config's namespace: a different namespaceOverride would split the release. */
function checkNamespace(v: ResolvedChartValues, namespace: string): void {
  if (v.namespaceOverride && v.namespaceOverride !== namespace) {
    throw new UserError(
      `is "${v.namespaceOverride}", but the objects go to the namespace the config names ("${namespace}"); set falco.namespace (library: namespace) instead`,
      {
        field: 'namespaceOverride',
      },
    );
  }
}

/** Whether falco.yaml loads a plugin: named in load_plugins when that is set, else any entry of that name. */
function loadsPlugin(falcoYaml: Obj, name: string): boolean {
  const plugins: unknown[] = Array.isArray(falcoYaml.plugins) ? falcoYaml.plugins : [];
  const hasEntry = plugins.some((p) => isObject(p) && p.name === name);
  return hasEntry && (!Array.isArray(falcoYaml.load_plugins) || falcoYaml.load_plugins.includes(name));
}

/**
 * Falco needs at least one rules file that exists, else it exits ("You must specify at least one rules file/directory
 * via -r or a rules_file entry in falco.yaml": it keeps only the configured paths that exist, userspace/falco/
 * configuration.cpp load_yaml, and stops in userspace/falco/app/actions/load_rules_files.cpp @ 0.44.1, the same from
 * 0.37). With falcoctl installing rules, /etc/falco is its empty folder: the rules come from a rules ref (`*-rules`,
 * or an OCI `.../ruleset/...`), customRules (rules.d) or a mount of the user's own at a configured path.
 */
function checkRulesSource(v: ResolvedChartValues, refs: readonly string[], installsRules: boolean, customRules: boolean, config: Obj): void {
  if (!installsRules || customRules) return;
  if (refs.some((r) => parseFalcoctlRef(r).name.endsWith('-rules'))) return;
  const key = Array.isArray(config.rules_files) ? config.rules_files : Array.isArray(config.rules_file) ? config.rules_file : [];
  const userMounts: unknown[] = Array.isArray(v.mounts?.volumeMounts) ? v.mounts.volumeMounts : [];
  const mounted = userMounts.some(
    (m) =>
      isObject(m) &&
      typeof m.mountPath === 'string' &&
      key.some((p: unknown) => typeof p === 'string' && (p === m.mountPath || p.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`))),
  );
  if (mounted) return;
  throw new UserError(
    `[${refs.join(', ')}] installs no rules (no *-rules ref) and customRules is empty, so /etc/falco (falcoctl's rules folder) holds no rules file ` +
      'and Falco exits at start ("You must specify at least one rules file"); add a rules ref such as k8saudit-rules:0.16.1, or your rules in customRules',
    { field: 'falcoctl.config.artifact.install.refs' },
  );
}

/**
 * falco.yaml against the release's own schema (0.39.2+). A key the user wrote that the release does not know, or a
 * wrong type, is an error at its line; a key only the chart's defaults carry that an older release does not know
 * (chart 9.1.0 writes 0.44's keys) is left out, as that Falco would ignore it.
 */
function checkFalcoYaml(config: Obj, user: Obj, version: FalcoVersion, collected?: Problems): void {
  const userFalco = isObject(user.falco) ? user.falco : {};
  for (let round = 0; round < 10; round++) {
    const violations = validateFalcoConfig(config, version, 'falco.yaml');
    const fromDefaults = violations.filter((x) => x.rule === 'falco-schema.unknown-field' && !hasPath(userFalco, fieldPath(x.path)));
    if (fromDefaults.length === 0) {
      const problems: ChartValuesProblem[] = violations.map((x) => {
        const path = fieldPath(x.path);
        let message = x.message;
        if (x.rule === 'falco-schema.unknown-field') message += unknownFalcoKeyHint(path, getPath(config, path), version);
        return { path: ['falco', ...path], message };
      });
      if (!collected) throwChartProblems(problems, chartValuesLocator(user));
      // collected: the rest of falco.yaml goes on without the keys (nothing is written while there are problems)
      collected?.attempt(() => throwChartProblems(problems, chartValuesLocator(user)));
      for (const x of collected ? violations : []) deletePath(config, fieldPath(x.path));
      return;
    }
    for (const x of fromDefaults) deletePath(config, fieldPath(x.path));
  }
}

/**
 * What to say about a falco.yaml key the release's schema does not know: the nearest other key this release knows
 * there (from chart 9.1.0's falco.yaml, never the key itself), with its `falco.` prefix, and the newer release whose
 * schema has the key, when one does (chart 9.1.0 writes Falco 0.44's keys; an older release lacks some).
 */
function unknownFalcoKeyHint(path: readonly (string | number)[], value: unknown, version: FalcoVersion): string {
  const release = falcoSchemaRelease(version);
  if (release === undefined) return '';
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  const defaults = getPath(CHART_9_DEFAULTS.falco, parent);
  const siblings = Object.keys(isObject(defaults) ? defaults : {}).filter(
    (k) => k !== key && falcoSchemaKnows(release, [...parent, k], (defaults as Obj)[k]),
  );
  const hint = closest(key, siblings);
  const [major, minor, patch] = release.split('.').map(Number);
  const newer = falcoSchemaReleases().find((r) => {
    const [rMajor, rMinor, rPatch] = r.split('.').map(Number);
    const isNewer = rMajor - major || rMinor - minor || rPatch - patch;
    return isNewer > 0 && falcoSchemaKnows(r, path, value);
  });
  const dotted = (p: readonly (string | number)[]) =>
    `falco.${p
      .map((x) => (typeof x === 'number' ? `[${x}]` : x))
      .join('.')
      .replace(/\.\[/g, '[')}`;
  return (
    (hint ? `; did you mean "${dotted([...parent, hint])}"?` : '') +
    (newer
      ? `; "${dotted(path)}" is a key of a newer Falco (in the falco.yaml schema of ${newer}): run that release or newer (image.tag), or remove it`
      : '')
  );
}

function indexNames(config: Obj): string {
  const names = (config.indexes ?? []).map((i: Obj) => i.name).filter(Boolean);
  return names.length ? `the ${names.join(', ')} index${names.length > 1 ? 'es' : ''}` : 'its indexes';
}

function hasPath(obj: unknown, path: readonly (string | number)[]): boolean {
  let cur: any = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !(p in cur)) return false;
    cur = cur[p];
  }
  return true;
}

function getPath(obj: unknown, path: readonly (string | number)[]): any {
  let cur: any = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Deletes a key; an array item left empty goes too. */
function deletePath(obj: Obj, path: readonly (string | number)[]): void {
  const parent = getPath(obj, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  delete parent[path[path.length - 1]];
  const grand = getPath(obj, path.slice(0, -2));
  const idx = path[path.length - 2];
  if (Array.isArray(grand) && typeof idx === 'number' && isObject(parent) && Object.keys(parent).length === 0) grand.splice(idx, 1);
}

/** Mapping keys sorted at every depth, as Helm's toYaml writes them. */
function sortKeys(v: unknown): any {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

function omit(o: Obj, keys: string[]): Obj {
  const out: Obj = {};
  for (const [k, val] of Object.entries(o)) if (!keys.includes(k)) out[k] = clone(val);
  return out;
}

function nonEmptyMap(o: unknown): boolean {
  return isObject(o) && Object.keys(o).length > 0;
}

function nonEmptyList(o: unknown): boolean {
  return Array.isArray(o) && o.length > 0;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}
