import { child, isObject, kindOf, obj, show } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { configMapKeyProblems } from '../names';
import { reporter } from './support';

/** What a ConfigMap or Secret may hold in total (`MaxSecretSize`, 1 MiB; kubernetes pkg/apis/core/types.go). */
export const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

/**
 * ConfigMap and Secret keys are config keys (`IsConfigMapKey`: alphanumerics, '-', '_' and '.', at most 253, not
 * `.`, `..` or `..x`: each key becomes a file name in the mounted folder), no key is in both `data` and
 * `binaryData`, and all values together stay within 1 MiB (kubernetes pkg/apis/core/validation/validation.go,
 * `ValidateConfigMap`, `ValidateSecret`).
 */
export function checkConfigData(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  if (kind !== 'ConfigMap' && kind !== 'Secret') return [];
  const r = reporter(item, 'config-data');
  const o = obj(item.object);
  const fields = kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData'];
  let size = 0;
  for (const field of fields) {
    const data = o[field];
    if (!isObject(data)) continue;
    for (const [key, value] of Object.entries(data)) {
      for (const p of configMapKeyProblems(key)) r.add(child(field, key), `${kind} key ${show(key)} ${p}`, key);
      if (field !== 'data' && kind === 'ConfigMap' && isObject(o.data) && Object.prototype.hasOwnProperty.call(o.data, key)) {
        r.add(child(field, key), `key ${show(key)} is in both data and binaryData`, key);
      }
      if (typeof value === 'string')
        size += Buffer.byteLength(value, field === 'binaryData' || (kind === 'Secret' && field === 'data') ? 'base64' : 'utf8');
    }
  }
  if (size > MAX_CONFIG_DATA_BYTES) {
    r.add(fields[0], `${kind} data totals ${size} bytes, more than the ${MAX_CONFIG_DATA_BYTES} (1 MiB) the API server stores`);
  }
  return r.found;
}
