import { apiVersionOf, arr, child, cut, kindOf, obj } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { reporter } from './support';

/**
 * The audit Policy's rules as the API server validates them (apiserver pkg/apis/audit/validation):
 * a rule matches resources or nonResourceURLs, not both; a `*` in a non-resource URL only at the end;
 * `resourceNames` only with `resources`.
 */
export function checkAuditPolicyRules(item: ValidationItem, _context?: RuleContext): Violation[] {
  if (kindOf(item.object) !== 'Policy' || !apiVersionOf(item.object).startsWith('audit.k8s.io/')) return [];
  const r = reporter(item, 'audit-policy-rules');
  arr(obj(item.object).rules).forEach((ru, i) => {
    const rule = obj(ru);
    const path = child('rules', i);
    const urls = arr(rule.nonResourceURLs);
    if (urls.length > 0 && (arr(rule.resources).length > 0 || arr(rule.namespaces).length > 0)) {
      r.add(path, 'a rule cannot apply to both regular resources and nonResourceURLs');
    }
    urls.forEach((u, j) => {
      if (typeof u === 'string' && u.includes('*') && u.indexOf('*') !== u.length - 1) {
        r.add(child(child(path, 'nonResourceURLs'), j), `non-resource URL "${cut(u)}" may only use '*' as its final character`, u);
      }
      if (typeof u === 'string' && !u.startsWith('/'))
        r.add(child(child(path, 'nonResourceURLs'), j), `non-resource URL "${cut(u)}" must start with '/'`, u);
    });
    arr(rule.resources).forEach((g, j) => {
      const group = obj(g);
      if (arr(group.resourceNames).length > 0 && arr(group.resources).length === 0) {
        r.add(child(child(path, 'resources'), j), 'resourceNames require resources');
      }
    });
  });
  return r.found;
}
