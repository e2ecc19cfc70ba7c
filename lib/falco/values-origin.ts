import { isDeepStrictEqual } from 'util';
import { ErrorLocation } from '../core/errors';
import { isObject } from '../core/util';
import { YamlPath } from '../core/yaml';
import { Violation } from '../validation';
import { chartValuesLocator, FalcoChart } from './chart-values';
import type { Falco } from './falco';
import { parseRulePath } from './values-api-checks';
import { _valuesLocator } from './values';

/**
 * Where a problem the output checks found in Falco's workload came from in the values file, so that it is reported at
 * the line the user wrote (a typo in `tolerations` at its line, not as the DaemonSet's). Internal (FalcoAudit's).
 */

/** Where the charts put values keys in the workload: a path in the workload (its pod template) -> a values path. */
const WORKLOAD_ORIGINS: Readonly<Record<FalcoChart, readonly (readonly [string, string])[]>> = {
  [FalcoChart.STABLE_FALCO_1_1_1]: [
    ['spec.template.spec.tolerations', 'tolerations'],
    ['spec.template.spec.nodeSelector', 'nodeSelector'],
    ['spec.template.spec.affinity', 'affinity'],
    ['spec.template.spec.containers[0].resources', 'resources'],
  ],
  [FalcoChart.FALCOSECURITY_FALCO_9_1_0]: [
    ['spec.template.spec.tolerations', 'tolerations'],
    ['spec.template.spec.nodeSelector', 'nodeSelector'],
    ['spec.template.spec.affinity', 'affinity'],
    ['spec.template.spec.containers[0].resources', 'resources'],
    ['spec.template.metadata.labels', 'podLabels'],
    ['spec.template.metadata.annotations', 'podAnnotations'],
    ['spec.template.spec.securityContext', 'podSecurityContext'],
    ['spec.template.spec.containers[0].securityContext', 'containerSecurityContext'],
    ['spec.template.spec.containers[0].env', 'extra.env'],
    ['spec.template.spec.containers[0].volumeMounts', 'mounts.volumeMounts'],
    ['spec.template.spec.volumes', 'mounts.volumes'],
    ['spec.template.spec.initContainers', 'extra.initContainers'],
  ],
};

function valueAt(value: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((cur, k) => (isObject(cur) || Array.isArray(cur) ? (cur as any)[k] : undefined), value);
}

/**
 * The values path of workload field `at`, when the user's values hold the same value there: the field itself, or
 * the entry it is in (a list item, a map key). Chart templates add their own entries (the chart's env, labels,
 * volumes), so an entry is the user's only when it is the same.
 */
function sameValueAt(rendered: unknown, user: unknown, at: YamlPath, prefix: YamlPath, valuesPrefix: YamlPath): YamlPath | undefined {
  const rest = at.slice(prefix.length);
  for (const n of [rest.length, 1]) {
    if (n > rest.length || n === 0) continue;
    const mine = valueAt(user, [...valuesPrefix, ...rest.slice(0, n)]);
    if (mine !== undefined && isDeepStrictEqual(valueAt(rendered, [...prefix, ...rest.slice(0, n)]), mine)) return [...valuesPrefix, ...rest];
  }
  return undefined;
}

/**
 * The values file's location of a violation in Falco's workload, when the user's values set that field; undefined
 * for anything else (the tool's own fields, other objects, values not read from a file).
 * @param userValues the values as read (FalcoAudit's `falco.values` prop)
 * @internal
 */
export function _workloadViolationOrigin(falco: Falco, userValues: unknown, violation: Violation): ErrorLocation | undefined {
  if (!isObject(userValues) || violation.source !== `${falco.workload.kind} ${falco.workload.name}`) return undefined;
  const locator = falco.chart === FalcoChart.FALCOSECURITY_FALCO_9_1_0 ? chartValuesLocator(userValues) : _valuesLocator(userValues);
  if (locator === undefined || locator([]).file === undefined) return undefined;
  const at = parseRulePath(violation.path);
  const rendered = falco.workload.toJson();
  for (const [prefix, from] of WORKLOAD_ORIGINS[falco.chart]) {
    const p = parseRulePath(prefix);
    if (p.length > at.length || !p.every((k, i) => k === at[i])) continue;
    const path = sameValueAt(rendered, userValues, at, p, from.split('.'));
    if (path) return locator(path);
  }
  return undefined;
}
