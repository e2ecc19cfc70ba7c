import { child, kindOf, obj, show } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { percentProblems } from '../names';
import { reporter } from './support';

/*
 * DaemonSet update strategies as the API server checks them (kubernetes pkg/apis/apps/validation/validation.go,
 * `ValidateDaemonSetUpdateStrategy`, `ValidateRollingUpdateDaemonSet`; apps/v1 defaults: type RollingUpdate,
 * maxUnavailable 1, maxSurge 0). maxSurge came with the DaemonSetUpdateSurge gate: alpha (off) in 1.21, on by default
 * from 1.22 (pkg/features/kube_features.go); before that, maxUnavailable alone may not be 0.
 */

const DAEMONSET_STRATEGIES = ['RollingUpdate', 'OnDelete'];

/** The number an int-or-percent stands for (`getIntOrPercentValue`); the problems with its form. */
function intOrPercent(value: unknown): { value: number; problems: string[] } {
  if (typeof value === 'string') {
    const problems = percentProblems(value);
    if (problems.length > 0) return { value: NaN, problems };
    const n = Number(value.slice(0, -1));
    return { value: n, problems: n > 100 ? ['must not be greater than 100%'] : [] };
  }
  if (typeof value === 'number' && Number.isInteger(value)) return { value, problems: value < 0 ? ['must be greater than or equal to 0'] : [] };
  return { value: NaN, problems: ["must be a whole number or a percent such as '25%'"] };
}

/**
 * A DaemonSet's `spec.updateStrategy`: type RollingUpdate (the default) or OnDelete; with RollingUpdate,
 * `maxUnavailable` and `maxSurge` are whole numbers or percents up to 100%, and exactly one of them is non-zero
 * (before 1.22: `maxUnavailable` is not 0).
 */
export function checkDaemonSetUpdateStrategy(item: ValidationItem, context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'DaemonSet') return [];
  const strategy = obj(obj(obj(item.object).spec).updateStrategy);
  const r = reporter(item, 'update-strategy');
  const path = 'spec.updateStrategy';
  const type = strategy.type ?? 'RollingUpdate';
  if (!DAEMONSET_STRATEGIES.includes(type as string)) {
    r.add(
      `${path}.type`,
      `DaemonSet updateStrategy type ${show(type)} must be RollingUpdate or OnDelete${type === 'Recreate' ? ' (Recreate is a Deployment strategy)' : ''}`,
      type,
    );
    return r.found;
  }
  if (type !== 'RollingUpdate') return r.found;
  const rolling = obj(strategy.rollingUpdate);
  const surgeSupported = context?.version.isAtLeast(22) ?? true;
  const fields: [string, unknown][] = [['maxUnavailable', rolling.maxUnavailable ?? 1]];
  if (surgeSupported) fields.push(['maxSurge', rolling.maxSurge ?? 0]);
  const values: Record<string, number> = {};
  for (const [field, raw] of fields) {
    const { value, problems } = intOrPercent(raw);
    for (const p of problems) r.add(`${path}.rollingUpdate.${field}`, `${field} ${show(raw)} ${p}`, raw);
    values[field] = value;
  }
  if (r.found.length > 0) return r.found;
  if (!surgeSupported) {
    if (values.maxUnavailable === 0)
      r.add(
        `${path}.rollingUpdate.maxUnavailable`,
        `maxUnavailable cannot be 0 (Kubernetes ${context?.version}): no pod could ever be replaced`,
        rolling.maxUnavailable,
      );
  } else if (values.maxUnavailable === 0 && values.maxSurge === 0) {
    r.add(
      `${path}.rollingUpdate.maxUnavailable`,
      'maxUnavailable cannot be 0 when maxSurge is 0: no pod could ever be replaced',
      rolling.maxUnavailable,
    );
  } else if (values.maxUnavailable !== 0 && values.maxSurge !== 0) {
    r.add(
      `${path}.rollingUpdate.maxSurge`,
      `maxSurge ${show(rolling.maxSurge)} may not be set when maxUnavailable is non-zero (${show(rolling.maxUnavailable ?? 1)}${rolling.maxUnavailable === undefined ? ', the default' : ''}); set maxUnavailable: 0 to surge`,
      rolling.maxSurge,
    );
  }
  return r.found;
}

/**
 * A Deployment's or DaemonSet's counts are not negative: `replicas` and `revisionHistoryLimit` (`ValidateDeploymentSpec`,
 * `ValidateDaemonSetSpec`: `ValidateNonnegativeField`, kubernetes pkg/apis/apps/validation/validation.go; the file is
 * not vendored in ../shared, so no line is given). The schema bounds them to int32.
 */
export function checkWorkloadCounts(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  if (kind !== 'Deployment' && kind !== 'DaemonSet') return [];
  const r = reporter(item, 'workload-counts');
  const spec = obj(obj(item.object).spec);
  for (const field of ['replicas', 'revisionHistoryLimit', 'minReadySeconds']) {
    const v = spec[field];
    if (typeof v === 'number' && v < 0) r.add(child('spec', field), `${field} ${show(v)} must be greater than or equal to 0`, v);
  }
  return r.found;
}
