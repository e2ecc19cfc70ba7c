import { AuditPolicy, AuditPolicyRule } from '../../lib/audit/audit-policy';
import { UserError } from '../../lib/errors';

/** A request as the policy checker sees it. */
interface Req { user: string; groups?: string[]; verb: string; group?: string; resource?: string; namespace?: string; path?: string }

/** The API server's rule matching (apiserver pkg/audit/policy/checker.go), enough to check the presets' order. */
function levelFor(policy: AuditPolicy, r: Req): string {
  const doc = policy.toDocument() as { rules: AuditPolicyRule[] };
  const has = (list: string[] | undefined, v: string | undefined) => !list || list.length === 0 || (v !== undefined && list.includes(v));
  for (const rule of doc.rules) {
    if (!has(rule.users, r.user)) continue;
    if (rule.userGroups && rule.userGroups.length > 0 && !(r.groups ?? []).some((g) => rule.userGroups!.includes(g))) continue;
    if (!has(rule.verbs, r.verb)) continue;
    if (r.path !== undefined) {
      if ((rule.resources && rule.resources.length > 0) || (rule.namespaces && rule.namespaces.length > 0)) continue;
      if (rule.nonResourceURLs && !rule.nonResourceURLs.some((u) => u === '*' || u === r.path || (u.endsWith('*') && r.path!.startsWith(u.slice(0, -1))))) continue;
    } else {
      if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) continue;
      if (!has(rule.namespaces, r.namespace ?? '')) continue;
      if (rule.resources && rule.resources.length > 0 && !rule.resources.some((gr) => (gr.group ?? '') === (r.group ?? '') && has(gr.resources, r.resource))) continue;
    }
    return rule.level;
  }
  return 'None';
}

describe('AuditPolicy.hardened()', () => {
  const p = AuditPolicy.hardened();

  test('is an audit.k8s.io/v1 Policy omitting RequestReceived', () => {
    const doc = p.toDocument();
    expect(doc.apiVersion).toBe('audit.k8s.io/v1');
    expect(doc.kind).toBe('Policy');
    expect(doc.omitStages).toEqual(['RequestReceived']);
    expect(doc).toMatchSnapshot();
  });

  test('the first rule keeps Secrets, ConfigMaps, TokenReviews and token requests at Metadata', () => {
    expect((p.toDocument() as any).rules[0]).toEqual({
      level: 'Metadata',
      resources: [
        { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
        { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
      ],
    });
  });

  test.each<[Req, string]>([
    [{ user: 'alice', verb: 'create', resource: 'secrets', namespace: 'prod' }, 'Metadata'],
    [{ user: 'alice', verb: 'get', resource: 'secrets', namespace: 'prod' }, 'Metadata'],
    [{ user: 'system:kube-controller-manager', verb: 'update', resource: 'configmaps', namespace: 'kube-system' }, 'Metadata'],
    [{ user: 'system:serviceaccount:x:y', verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' }, 'Metadata'],
    [{ user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' }, 'None'],
    [{ user: 'system:kube-proxy', verb: 'watch', group: 'discovery.k8s.io', resource: 'endpointslices' }, 'None'],
    [{ user: 'system:node:cp-1', groups: ['system:nodes'], verb: 'get', resource: 'nodes' }, 'None'],
    [{ user: 'system:node:cp-1', groups: ['system:nodes'], verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'None'],
    [{ user: 'alice', verb: 'delete', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'RequestResponse'],
    [{ user: 'kubelet', verb: 'get', path: '/healthz/etcd' }, 'None'],
    [{ user: 'alice', verb: 'get', path: '/version' }, 'None'],
    [{ user: 'alice', verb: 'create', resource: 'events', namespace: 'default' }, 'None'],
    [{ user: 'alice', verb: 'list', resource: 'pods', namespace: 'default' }, 'Request'],
    [{ user: 'alice', verb: 'create', resource: 'pods', namespace: 'default' }, 'RequestResponse'],
    [{ user: 'alice', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }, 'RequestResponse'],
    [{ user: 'alice', verb: 'get', path: '/apis' }, 'Request'],
  ])('%j -> %s', (req, level) => {
    expect(levelFor(p, req)).toBe(level);
  });

  test('no rule before the Metadata rule can record a Secret body', () => {
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) {
      for (const user of ['system:kube-proxy', 'kubelet', 'system:apiserver', 'alice']) {
        expect(levelFor(p, { user, groups: ['system:nodes'], verb, resource: 'secrets', namespace: 'kube-system' })).toBe('Metadata');
      }
    }
  });
});

describe('AuditPolicy.metadataOnly() and custom()', () => {
  test('metadataOnly is one Metadata rule', () => {
    expect(AuditPolicy.metadataOnly().toDocument()).toEqual({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [{ level: 'Metadata' }] });
  });

  test('custom rules are written as given, in order, with omitStages chosen', () => {
    const rules: AuditPolicyRule[] = [
      { level: 'None', nonResourceURLs: ['/healthz*', '*'] },
      { level: 'Request', verbs: ['get'], resources: [{ group: 'apps', resources: ['deployments'], resourceNames: ['web'] }], omitStages: ['Panic'] },
      { level: 'RequestResponse' },
    ];
    expect(AuditPolicy.custom(rules, { omitStages: [] }).toDocument()).toEqual({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules });
  });

  test.each<[unknown, string]>([
    [[], 'audit policy needs at least one rule'],
    [[{ level: 'Everything' }], 'rules[0].level: unknown audit level "Everything"; use one of None, Metadata, Request, RequestResponse'],
    [[{ level: 'Metadata', omitStages: ['Started'] }], 'rules[0].omitStages[0]: unknown audit stage "Started"; use one of RequestReceived, ResponseStarted, ResponseComplete, Panic'],
    [[{ level: 'Metadata', resource: [] }], 'rules[0].resource: unknown audit policy rule field "resource"'],
    [[{ level: 'None', nonResourceURLs: ['/a'], resources: [{ group: '' }] }], 'rules[0]: a rule cannot match both resources and nonResourceURLs; split it into two rules'],
    [[{ level: 'None', nonResourceURLs: ['/a*b'] }], 'rules[0].nonResourceURLs[0]: non-resource URL "/a*b" must be "*" or start with "/", with "*" only as its last character'],
    [[{ level: 'None', resources: [{ group: '', resourceNames: ['x'] }] }], 'rules[0].resources[0].resourceNames: resourceNames need resources to name'],
    [[{ level: 'None', users: 'alice' }], 'rules[0].users: must be a list of strings, got "alice"'],
  ])('custom(%j) is refused', (rules, message) => {
    expect(() => AuditPolicy.custom(rules as AuditPolicyRule[])).toThrow(UserError);
    expect(() => AuditPolicy.custom(rules as AuditPolicyRule[])).toThrow(message);
  });

  test('bad omitStages are refused', () => {
    expect(() => AuditPolicy.hardened({ omitStages: ['Done' as any] })).toThrow('omitStages[0]: unknown audit stage "Done"');
  });

  test('the policy does not share state with the caller', () => {
    const rules: AuditPolicyRule[] = [{ level: 'Metadata', verbs: ['get'] }];
    const p = AuditPolicy.custom(rules);
    rules[0].verbs!.push('list');
    expect((p.toDocument() as any).rules[0].verbs).toEqual(['get']);
  });
});
