import {
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  ianaSvcNameProblems,
  labelValueProblems,
  pathSegmentNameProblems,
  qualifiedNameProblems,
} from '../../lib/validation';

const ok = (fn: (s: string) => string[], values: string[]) => values.forEach((v) => expect({ v, p: fn(v) }).toEqual({ v, p: [] }));
const bad = (fn: (s: string) => string[], values: string[]) => values.forEach((v) => expect({ v, n: fn(v).length > 0 }).toEqual({ v, n: true }));

test('DNS-1123 label', () => {
  ok(dns1123LabelProblems, ['falco', 'k8s-audit', '0x', 'a'.repeat(63)]);
  bad(dns1123LabelProblems, ['', 'Falco', 'falco.audit', '-falco', 'falco-', 'k8s_audit', 'a'.repeat(64)]);
});

test('DNS-1123 subdomain', () => {
  ok(dns1123SubdomainProblems, ['falco', 'falco.audit', 'k8s-audit', 'a'.repeat(253)]);
  bad(dns1123SubdomainProblems, ['', 'k8s_audit', 'falco..audit', '.falco', 'Falco', 'a'.repeat(254)]);
});

test('DNS-1035 label (Service names)', () => {
  ok(dns1035LabelProblems, ['falco', 'falco-k8saudit-webhook']);
  bad(dns1035LabelProblems, ['1falco', 'falco.svc', 'Falco', '']);
});

test('qualified names (label and annotation keys)', () => {
  ok(qualifiedNameProblems, ['app', 'app.kubernetes.io/name', 'checksum/config', 'node-role.kubernetes.io/control-plane', 'A_b.c']);
  bad(qualifiedNameProblems, ['', '/app', 'app/', 'a/b/c', 'Example.com/x', '-app', 'app_', 'a'.repeat(64), `${'a'.repeat(254)}/x`]);
});

test('label values', () => {
  ok(labelValueProblems, ['', 'falco', '0.19.0', 'v1_2-3', 'a'.repeat(63)]);
  bad(labelValueProblems, ['0.19.0+build', '-x', 'x-', 'a b', 'a'.repeat(64)]);
});

test('IANA service names (port names)', () => {
  ok(ianaSvcNameProblems, ['http', 'k8s-audit', 'web', 'a1']);
  bad(ianaSvcNameProblems, ['', '8765', 'k8s--audit', '-web', 'web-', 'Web', 'k8s-audit-webserver']);
});

test('path segment names (RBAC)', () => {
  ok(pathSegmentNameProblems, ['falco', 'system:falco', 'Falco_Reader']);
  bad(pathSegmentNameProblems, ['.', '..', 'a/b', 'a%2f']);
});
