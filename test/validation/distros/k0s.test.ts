/**
 * The k0s oracle: a ClusterConfig against k0s v1.36.3+k0s.2's ClusterConfig CRD (spec.api in full, made strict) and
 * k0s's own way of writing extraArgs (`--<key>=<value>`).
 */
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { validateK0sClusterConfig } from '../../../lib/validation/distros';

type Obj = Record<string, any>;

const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

/** What the k0s target emits for /etc/k0s/k0s.yaml. */
function targetConfig(): Obj {
  return {
    apiVersion: 'k0s.k0sproject.io/v1beta1',
    kind: 'ClusterConfig',
    metadata: { name: 'k0s' },
    spec: {
      api: {
        extraArgs: {
          'audit-policy-file': '/etc/k0s/falco-audit/policy.yaml',
          'audit-webhook-config-file': '/etc/k0s/falco-audit/webhook.kubeconfig',
          'audit-webhook-batch-max-wait': '5s',
        },
      },
    },
  };
}

test("the target's ClusterConfig passes, and so does one with the user's other settings", () => {
  expect(validateK0sClusterConfig(targetConfig())).toEqual([]);
  const full = targetConfig();
  Object.assign(full.spec.api, { address: '10.0.0.5', port: 6443, sans: ['10.0.0.5', 'k0s.example.com'], rawArgs: ['--v=2'] });
  full.spec.network = { provider: 'kuberouter' };
  expect(validateK0sClusterConfig(full)).toEqual([]);
});

describe('mutations', () => {
  test('extraArgs as a list, or with a number value, is refused (a string map)', () => {
    const list = targetConfig();
    list.spec.api.extraArgs = ['audit-policy-file=/x'];
    expect(rules(validateK0sClusterConfig(list))).toEqual(['spec.api.extraArgs k0s-schema.type']);
    const number = targetConfig();
    number.spec.api.extraArgs['audit-log-maxage'] = 30;
    expect(rules(validateK0sClusterConfig(number))).toEqual(['spec.api.extraArgs.audit-log-maxage k0s-schema.type']);
  });

  test('a key with its dashes would become ----audit-policy-file: refused, citing apiserver.go', () => {
    const config = targetConfig();
    config.spec.api.extraArgs['--audit-log-path'] = '-';
    expect(validateK0sClusterConfig(config).map(formatViolation)).toEqual([
      'k0s ClusterConfig: spec.api.extraArgs["--audit-log-path"]: k0s writes each extraArgs entry as "--<key>=<value>" ' +
        '(pkg/component/controller/apiserver.go L220 @ v1.36.3+k0s.2): write "audit-log-path" (k0s.arg-dashes)',
    ]);
  });

  test('a misspelled field, which the open CRD would let through, is refused with the right name offered', () => {
    const config = targetConfig();
    config.spec.api.extraArg = config.spec.api.extraArgs;
    delete config.spec.api.extraArgs;
    config.spec.apis = {};
    expect(validateK0sClusterConfig(config).map((v) => `${v.path}: ${v.message}`)).toEqual([
      'spec.apis: unknown field "apis": not in the k0s v1.36.3+k0s.2 ClusterConfig schema (did you mean "api"?)',
      'spec.api.extraArg: unknown field "extraArg": not in the k0s v1.36.3+k0s.2 ClusterConfig schema (did you mean "extraArgs"?)',
    ]);
  });

  test('a duplicate SAN breaks the set list type; a port out of range and another kind are refused', () => {
    const config = targetConfig();
    config.kind = 'Cluster';
    config.spec.api.sans = ['a', 'a'];
    config.spec.api.port = 70000;
    expect(rules(validateK0sClusterConfig(config)).sort()).toEqual([
      'apiVersion k0s.api-version',
      'spec.api.port k0s-schema.range',
      'spec.api.sans crd.list-set',
    ]);
  });
});
