import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubernetesVersion } from '../../core/kubernetes-version';
import { FalcoVersion } from '../releases/falco-version';
import { ResolvedFalcoValues } from '../values/values';

/** What a shape builder needs; built once by `Falco`. @internal */
export interface ShapeContext {
  readonly scope: Construct;
  readonly releaseName: string;
  readonly namespace: string;
  readonly name: string;
  readonly fullname: string;
  readonly serviceAccountName: string;
  readonly values: ResolvedFalcoValues;
  readonly falcoVersion: FalcoVersion;
  readonly kubernetesVersion: KubernetesVersion;
  readonly clusterIP?: string;
  readonly nodePort?: number;
  /** Secret with falco.pem for the legacy webserver's TLS. */
  readonly webserverTlsSecret?: string;
}

/** What a shape builder hands back to `Falco`. @internal */
export interface ShapeResult {
  readonly workload: ApiObject;
  readonly serviceObject: ApiObject;
  readonly serviceName: string;
  readonly servicePort: number;
  readonly podSelector: Record<string, string>;
  readonly configMap: ApiObject;
  /** falco.yaml as data (what the ConfigMap holds as YAML), for validation against Falco's own schema. */
  readonly falcoConfig: Record<string, unknown>;
}

/** sha256 of the canonical JSON of `data` (keys sorted at every depth). @internal */
export function checksum(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The image reference the chart's `falco.image` helper builds. @internal */
export function falcoImage(v: ResolvedFalcoValues): string {
  return imageReference(`${v.image.registry}/${v.image.repository}`, v.image.tag);
}

/**
 * `<repository>:<tag>`, or `<repository>@sha256:...` for a tag that is only a digest (`repo:@sha256:...` is no image
 * reference: distribution/reference grammar, `name [":" tag] ["@" digest]`). @internal
 */
export function imageReference(repository: string, tag: string): string {
  return tag.startsWith('@') ? `${repository}${tag}` : `${repository}:${tag}`;
}

/**
 * The Falco container's environment from the values, in the chart's order: proxy, TZ, then
 * `daemonset.env` sorted by name (Go templates range over maps in key order), values as strings.
 * @internal
 */
export function valuesEnv(v: ResolvedFalcoValues): { name: string; value: string }[] {
  const env: { name: string; value: string }[] = [];
  if (v.proxy.httpProxy) env.push({ name: 'http_proxy', value: v.proxy.httpProxy });
  if (v.proxy.httpsProxy) env.push({ name: 'https_proxy', value: v.proxy.httpsProxy });
  if (v.proxy.noProxy) env.push({ name: 'no_proxy', value: v.proxy.noProxy });
  if (v.timezone) env.push({ name: 'TZ', value: v.timezone });
  for (const key of Object.keys(v.daemonset.env).sort()) env.push({ name: key, value: String(v.daemonset.env[key]) });
  return env;
}

/** A mapping, or undefined when it is empty (the chart's `with` leaves empty ones out). @internal */
export function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

/** A Service spec for the audit endpoint: optional pinned ClusterIP and NodePort. @internal */
export function serviceSpec(ctx: ShapeContext, selector: Record<string, string>, port: Record<string, unknown>): Record<string, unknown> {
  return {
    ...(ctx.nodePort !== undefined ? { type: 'NodePort' } : {}),
    ...(ctx.clusterIP !== undefined ? { clusterIP: ctx.clusterIP } : {}),
    selector,
    ports: [{ ...port, ...(ctx.nodePort !== undefined ? { nodePort: ctx.nodePort } : {}) }],
  };
}

/**
 * The user's customRules as ConfigMap data (one key per file, in name order, trailing newlines trimmed as the
 * chart does) and, when there are any, the `<fullname>-rules` ConfigMap mounted at /etc/falco/rules.d.
 * Returns the data, which `checksum/rules` hashes. @internal
 */
export function customRulesConfigMap(
  ctx: ShapeContext,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
): Record<string, string> {
  const rules = ctx.values.customRules;
  const data: Record<string, string> = {};
  for (const file of Object.keys(rules).sort()) data[file] = rules[file].replace(/\n+$/, '');
  if (Object.keys(data).length > 0) {
    new ApiObject(ctx.scope, 'RulesConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data });
  }
  return data;
}

/** The `<fullname>-rules` ConfigMap ({@link customRulesConfigMap}) as the pod's volume. @internal */
export function customRulesVolume(fullname: string): Record<string, unknown> {
  return { name: 'rules-volume', configMap: { name: `${fullname}-rules` } };
}

/** The custom rules' mount: /etc/falco/rules.d, the folder every shape's falco.yaml lists. @internal */
export function customRulesMount(): Record<string, unknown> {
  return { mountPath: '/etc/falco/rules.d', name: 'rules-volume' };
}

/** The ConfigMap holding falco.yaml as the pod's volume, named as the shape's chart names it. @internal */
export function falcoYamlVolume(name: string, fullname: string): Record<string, unknown> {
  return { name, configMap: { name: fullname, items: [{ key: 'falco.yaml', path: 'falco.yaml' }] } };
}

/** falco.yaml mounted over the image's /etc/falco/falco.yaml (one file: the rest of /etc/falco stays the image's). @internal */
export function falcoYamlMount(name: string): Record<string, unknown> {
  return { mountPath: '/etc/falco/falco.yaml', name, subPath: 'falco.yaml' };
}

/**
 * The audit-only Falco's container context: no privilege escalation, every capability dropped (it opens no driver
 * and reads no host state). The plugin shape's, and the chart shape's unless the values set one. @internal
 */
export const RESTRICTED_CONTAINER = Object.freeze({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
