import { arr, child, cut, kindOf, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { dns1123SubdomainProblems } from '../names';
import { reporter } from './support';

const ROLE_KINDS = ['ClusterRole', 'Role'];
const READ_VERBS = ['get', 'list', 'watch'];

/**
 * Falco's roles are read-only: resource rules use only get, list and watch; nonResourceURLs rules
 * only get. `*` and write verbs are violations (least privilege; FACTS.md section 8).
 */
export function checkRbacReadOnly(item: ValidationItem, _context?: RuleContext): Violation[] {
  if (!ROLE_KINDS.includes(kindOf(item.object))) return [];
  const r = reporter(item, 'rbac-read-only');
  arr(obj(item.object).rules).forEach((ru, i) => {
    const rule = obj(ru);
    const nonResource = arr(rule.nonResourceURLs).length > 0;
    // `use` of named PodSecurityPolicies admits the pods; it reads and changes nothing in the API.
    const pspUse =
      JSON.stringify(rule.apiGroups) === '["policy"]' &&
      JSON.stringify(rule.resources) === '["podsecuritypolicies"]' &&
      arr(rule.resourceNames).length > 0;
    const allowed = nonResource ? ['get'] : pspUse ? ['use'] : READ_VERBS;
    arr(rule.verbs).forEach((verb, j) => {
      if (!allowed.includes(verb as string)) {
        r.add(
          child(child(child('rules', i), 'verbs'), j),
          `verb ${show(verb)} is not read-only: Falco's ${nonResource ? 'nonResourceURLs rules may only use get' : pspUse ? 'PodSecurityPolicy rule may only use use' : 'rules may only use get, list and watch (or use of named PodSecurityPolicies)'}`,
          verb,
        );
      }
    });
  });
  return r.found;
}

/**
 * The API server's shape of a policy rule: verbs required; a rule covers resources (apiGroups and
 * resources both set) or nonResourceURLs, never both; nonResourceURLs only in a ClusterRole.
 */
export function checkRbacRuleShape(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  if (!ROLE_KINDS.includes(kind)) return [];
  const r = reporter(item, 'rbac-rule-shape');
  arr(obj(item.object).rules).forEach((ru, i) => {
    const rule = obj(ru);
    const path = child('rules', i);
    if (arr(rule.verbs).length === 0) r.add(child(path, 'verbs'), 'verbs must not be empty');
    const nonResource = arr(rule.nonResourceURLs).length > 0;
    if (nonResource) {
      if (kind === 'Role')
        r.add(child(path, 'nonResourceURLs'), 'a namespaced Role cannot have nonResourceURLs; use a ClusterRole', rule.nonResourceURLs);
      if (arr(rule.apiGroups).length > 0 || arr(rule.resources).length > 0) {
        r.add(path, 'a rule cannot apply to both resources and nonResourceURLs; split it in two');
      }
    } else {
      if (rule.apiGroups === undefined || !Array.isArray(rule.apiGroups) || rule.apiGroups.length === 0) {
        r.add(child(path, 'apiGroups'), 'resource rules need apiGroups (use "" for the core group)');
      }
      if (arr(rule.resources).length === 0) r.add(child(path, 'resources'), 'resource rules need resources');
    }
  });
  return r.found;
}

/**
 * Bindings reference a role of the right kind in rbac.authorization.k8s.io (a ClusterRoleBinding
 * only a ClusterRole), and ServiceAccount subjects carry a namespace when the binding has none and a name that is
 * a DNS-1123 subdomain.
 */
export function checkRbacBinding(item: ValidationItem, _context?: RuleContext): Violation[] {
  const kind = kindOf(item.object);
  if (kind !== 'ClusterRoleBinding' && kind !== 'RoleBinding') return [];
  const r = reporter(item, 'rbac-binding');
  const o = obj(item.object);
  const ref = obj(o.roleRef);
  const allowedKinds = kind === 'ClusterRoleBinding' ? ['ClusterRole'] : ['ClusterRole', 'Role'];
  if (!allowedKinds.includes(ref.kind as string))
    r.add('roleRef.kind', `a ${kind} can only reference ${allowedKinds.join(' or ')}, not ${show(ref.kind)}`, ref.kind);
  if (ref.apiGroup !== 'rbac.authorization.k8s.io')
    r.add('roleRef.apiGroup', `roleRef apiGroup must be rbac.authorization.k8s.io, not ${show(ref.apiGroup)}`, ref.apiGroup);
  if (!str(ref.name)) r.add('roleRef.name', 'roleRef name is required');
  arr(o.subjects).forEach((s, i) => {
    const subject = obj(s);
    if (subject.kind === 'ServiceAccount' && !str(subject.namespace) && kind === 'ClusterRoleBinding') {
      r.add(child(child('subjects', i), 'namespace'), `ServiceAccount subject "${cut(str(subject.name) ?? '?')}" needs a namespace`);
    }
    // ValidateRoleBindingSubject (pkg/apis/rbac/validation/validation.go): a ServiceAccount subject names a service account
    const name = str(subject.name);
    if (subject.kind === 'ServiceAccount' && name) {
      for (const p of dns1123SubdomainProblems(name))
        r.add(child(child('subjects', i), 'name'), `ServiceAccount subject name ${show(name)} ${p}`, name);
    }
  });
  return r.found;
}
