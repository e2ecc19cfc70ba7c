/**
 * The k3s and RKE2 oracles: a config.yaml.d drop-in's keys against the distributions' option tables (k3s
 * pkg/cli/cmds/server.go; RKE2's server_config.md and cli flags), the `+` append rule of the docs, k3s's GetArgs merge
 * (pkg/util/args.go) and RKE2's own audit flags (staticpod.go).
 */
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { k3sApiServerArgs, RKE2_AUDIT_FLAGS, validateK3sConfig, validateRke2Config } from '../../../lib/validation/distros';

const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

/** What the k3s target emits as /etc/rancher/k3s/config.yaml.d/99-falco-audit.yaml. */
const K3S_DROP_IN = {
  'kube-apiserver-arg+': [
    'audit-policy-file=/var/lib/rancher/k3s/server/falco-audit/policy.yaml',
    'audit-webhook-config-file=/var/lib/rancher/k3s/server/falco-audit/webhook.kubeconfig',
    'audit-webhook-batch-max-wait=5s',
  ],
};

/** What the RKE2 target emits as /etc/rancher/rke2/config.yaml.d/99-falco-audit.yaml. */
const RKE2_DROP_IN = {
  'audit-policy-file': '/etc/rancher/rke2/falco-audit/policy.yaml',
  'kube-apiserver-arg+': ['audit-webhook-config-file=/etc/rancher/rke2/falco-audit/webhook.kubeconfig', 'audit-webhook-batch-max-wait=5s'],
};

describe('k3s', () => {
  test("the target's drop-in passes, and a user's config.yaml with other options too", () => {
    expect(validateK3sConfig(K3S_DROP_IN)).toEqual([]);
    const userConfig = { 'write-kubeconfig-mode': '0644', 'tls-san': ['foo.local'], 'cluster-init': true, 'data-dir': '/srv/k3s' };
    expect(validateK3sConfig(userConfig, 'config.yaml', { dropIn: false })).toEqual([]);
  });

  test("kube-apiserver-arg without + in a drop-in replaces the user's list: refused, citing the docs", () => {
    expect(validateK3sConfig({ 'kube-apiserver-arg': K3S_DROP_IN['kube-apiserver-arg+'] }).map(formatViolation)).toEqual([
      'k3s config: kube-apiserver-arg: in a drop-in, "kube-apiserver-arg" replaces the list that config.yaml and earlier drop-ins set: ' +
        'write "kube-apiserver-arg+" to append (k3s-io/docs docs/installation/configuration.md L121) (k3s.replaces-list)',
    ]);
  });

  test('an unknown option is refused with the nearest one offered and the flags that are not vendored named', () => {
    const [v] = validateK3sConfig({ 'kube-api-server-arg+': [] });
    expect(v.rule).toBe('k3s.unknown-option');
    expect(v.message).toMatch(
      /^"kube-api-server-arg" is not a k3s server option of k3s-io\/k3s pkg\/cli\/cmds\/server.go \(did you mean "kube-apiserver-arg"\?\) \(35 flags of other files are not vendored: /,
    );
  });

  test('a scalar for a list option, a list for a boolean, and malformed, suffixed or repeated args are refused', () => {
    expect(
      rules(
        validateK3sConfig({
          'tls-san+': 'foo.local',
          'disable-agent': ['true'],
          'kube-apiserver-arg+': ['audit-policy-file', 'audit-log-maxage+=5', 'audit-webhook-mode=batch', '--audit-webhook-mode=blocking'],
        }),
      ),
    ).toEqual([
      'tls-san+ k3s.option-type',
      'disable-agent k3s.option-type',
      'kube-apiserver-arg+[0] k3s.arg-form',
      'kube-apiserver-arg+[1] k3s.arg-form',
      'kube-apiserver-arg+[3] k3s.repeated-arg',
    ]);
  });

  test('GetArgs: key= replaces a default, key+= keeps it and adds one, key-= puts one first, sorted by key (args.go)', () => {
    const defaults = { 'audit-log-maxage': '30', 'enable-admission-plugins': 'NodeRestriction', 'secure-port': '6444' };
    expect(k3sApiServerArgs(defaults, ['secure-port=6443', '--audit-log-maxage+=5', 'enable-admission-plugins-=PodSecurity', 'profiling'])).toEqual([
      '--audit-log-maxage=30',
      '--audit-log-maxage=5',
      '--enable-admission-plugins=PodSecurity',
      '--enable-admission-plugins=NodeRestriction',
      '--profiling=true',
      '--secure-port=6443',
    ]);
    expect(k3sApiServerArgs({}, ['audit-webhook-mode=batch', 'audit-webhook-mode=blocking'])).toEqual([
      '--audit-webhook-mode=batch',
      '--audit-webhook-mode=blocking',
    ]);
  });
});

describe('RKE2', () => {
  test("the target's drop-in passes; audit-log-path may be set (RKE2 only adds it when absent)", () => {
    expect(validateRke2Config(RKE2_DROP_IN)).toEqual([]);
    expect(
      validateRke2Config({ ...RKE2_DROP_IN, 'kube-apiserver-arg+': [...RKE2_DROP_IN['kube-apiserver-arg+'], 'audit-log-path=/var/log/k.log'] }),
    ).toEqual([]);
  });

  test('the RKE2 options the targets use are in the table, RKE2-only ones included', () => {
    const config = { profile: 'cis', 'kube-apiserver-extra-mount+': ['/a:/b:ro'], cni: ['canal'], 'audit-policy-file': '/p.yaml' };
    expect(validateRke2Config(config, 'config.yaml', { dropIn: false })).toEqual([]);
  });

  test('a k3s option RKE2 drops is refused, unless RKE2 has its own of that name (pause-image)', () => {
    expect(rules(validateRke2Config({ 'flannel-backend': 'none' }))).toEqual(['flannel-backend rke2.unknown-option']);
    expect(validateRke2Config({ 'pause-image': 'registry.example.com/pause:3.10' }, 'config.yaml', { dropIn: false })).toEqual([]);
  });

  test('the policy as a kube-apiserver-arg, and audit-log flags RKE2 adds itself, are refused', () => {
    const found = validateRke2Config({
      'audit-policy-file': '/etc/rancher/rke2/falco-audit/policy.yaml',
      'kube-apiserver-arg+': ['audit-policy-file=/other.yaml', 'audit-log-maxage=7', 'audit-log-maxsize=50'],
    });
    expect(rules(found)).toEqual([
      'kube-apiserver-arg+[0] rke2.audit-policy-arg',
      'kube-apiserver-arg+[1] rke2.duplicate-audit-flag',
      'kube-apiserver-arg+[2] rke2.duplicate-audit-flag',
    ]);
    expect(RKE2_AUDIT_FLAGS).toEqual(['audit-policy-file', 'audit-log-maxage', 'audit-log-maxbackup', 'audit-log-maxsize']);
  });

  test("without the native option the audit-log flags are the user's own, but a list without + still replaces", () => {
    expect(rules(validateRke2Config({ 'kube-apiserver-arg': ['audit-log-maxage=7'] }))).toEqual(['kube-apiserver-arg rke2.replaces-list']);
  });
});
