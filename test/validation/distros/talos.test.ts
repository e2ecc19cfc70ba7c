/**
 * The Talos oracle: a target's strategic-merge machine-config patch against Talos's own config.schema.json of the
 * minor (1.12 strings-only extraArgs, 1.13 string or list, 1.14-rc without cluster.apiServer) and the rules Talos
 * applies when it uses the config (MergeDenied flags, op: create only under /var, a mode the API server can read).
 */
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { validateTalosPatch, validateTalosPatchYaml, talosSchemaMinors } from '../../../lib/validation/distros';

type Obj = Record<string, any>;

/** What the Talos target emits (issue 19 item 2): the policy inline, webhook flags only, the kubeconfig under /var. */
function targetPatch(): Obj {
  return {
    machine: {
      files: [
        {
          path: '/var/etc/kubernetes/falco-audit/webhook.kubeconfig',
          permissions: 0o644,
          op: 'create',
          content: 'apiVersion: v1\nkind: Config\nclusters: []\n',
        },
      ],
    },
    cluster: {
      apiServer: {
        auditPolicy: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] },
        extraArgs: {
          'audit-webhook-config-file': '/etc/kubernetes/falco-audit/webhook.kubeconfig',
          'audit-webhook-batch-max-wait': '5s',
        },
        extraVolumes: [{ hostPath: '/var/etc/kubernetes/falco-audit', mountPath: '/etc/kubernetes/falco-audit', readonly: true }],
      },
    },
  };
}

const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

test('the vendored schemas are those of Talos 1.12, 1.13 and 1.14', () => {
  expect(talosSchemaMinors()).toEqual([12, 13, 14]);
});

test.each([12, 13])("the target's patch passes Talos 1.%i's schema and rules", (minor) => {
  expect(validateTalosPatch(targetPatch(), minor)).toEqual([]);
});

test('the real user patch the research quotes (devantler-tech/platform, log backend) passes 1.12 and 1.13', () => {
  const patch = {
    machine: {
      files: [
        {
          content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
          permissions: 0o644,
          path: '/var/etc/kubernetes/audit/audit-policy.yaml',
          op: 'create',
        },
      ],
    },
    cluster: {
      apiServer: {
        extraArgs: { 'audit-log-path': '/var/log/audit/kube/audit.log', 'audit-policy-file': '/etc/kubernetes/audit/audit-policy.yaml' },
        extraVolumes: [
          { hostPath: '/var/etc/kubernetes/audit', mountPath: '/etc/kubernetes/audit', readonly: true },
          { hostPath: '/var/log/audit/kube', mountPath: '/var/log/audit/kube', readonly: false },
        ],
      },
    },
  };
  expect(validateTalosPatch(patch, 12)).toEqual([]);
  expect(validateTalosPatch(patch, 13)).toEqual([]);
});

describe('mutations', () => {
  test.each([12, 13])('1.%i: readOnly instead of readonly in a volume is an unknown field, with the right name offered', (minor) => {
    const patch = targetPatch();
    delete patch.cluster.apiServer.extraVolumes[0].readonly;
    patch.cluster.apiServer.extraVolumes[0].readOnly = true;
    expect(validateTalosPatch(patch, minor).map(formatViolation)).toEqual([
      `Talos 1.${minor} machine config patch: cluster.apiServer.extraVolumes[0].readOnly: unknown field "readOnly": not in the ` +
        `Talos 1.${minor} (${minor === 12 ? 'v1.12.11' : 'v1.13.9'}) machine config schema (did you mean "readonly"?) (talos-schema.unknown-field)`,
    ]);
  });

  test('a list-valued extraArgs passes 1.13 (string or list) and fails 1.12 (strings only)', () => {
    const patch = targetPatch();
    patch.cluster.apiServer.extraArgs['audit-webhook-batch-max-wait'] = ['5s'];
    expect(validateTalosPatch(patch, 13)).toEqual([]);
    expect(rules(validateTalosPatch(patch, 12))).toEqual(['cluster.apiServer.extraArgs.audit-webhook-batch-max-wait talos-schema.type']);
  });

  test('a 1.14 patch with cluster.apiServer and machine.files is refused, saying why', () => {
    const found = validateTalosPatch(targetPatch(), 14);
    expect(rules(found).sort()).toEqual(['cluster.apiServer talos-schema.unknown-field', 'machine.files talos-schema.unknown-field']);
    expect(found.find((v) => v.path === 'cluster.apiServer')!.message).toMatch(/KubeAPIServerConfig document, which has no volumes/);
  });

  test('a minor without a schema is one violation naming the known ones', () => {
    expect(validateTalosPatch(targetPatch(), 11).map(formatViolation)).toEqual([
      'Talos 1.11 machine config patch: talos 1.11 has no vendored schema: one of 1.12, 1.13, 1.14 (talos.version)',
    ]);
  });

  test('an unknown key under cluster, machine or apiServer is refused: the objects stay closed', () => {
    const patch = targetPatch();
    patch.cluster.apiServers = {};
    patch.machine.file = [];
    patch.cluster.apiServer.auditPolicyFile = '/x';
    expect(rules(validateTalosPatch(patch, 13)).sort()).toEqual([
      'cluster.apiServer.auditPolicyFile talos-schema.unknown-field',
      'cluster.apiServers talos-schema.unknown-field',
      'machine.file talos-schema.unknown-field',
    ]);
  });

  test('an op outside create/append/overwrite, a string mode and an unknown file key are schema errors', () => {
    const patch = targetPatch();
    Object.assign(patch.machine.files[0], { op: 'replace', permissions: '0644', owner: 'root' });
    expect(rules(validateTalosPatch(patch, 13)).sort()).toEqual([
      'machine.files[0].op talos-schema.enum',
      'machine.files[0].owner talos-schema.unknown-field',
      'machine.files[0].permissions talos-schema.type',
    ]);
  });

  test('op: create outside /var stops the boot: refused (and /variable is not /var)', () => {
    for (const path of ['/etc/kubernetes/falco-audit/webhook.kubeconfig', '/variable/webhook.kubeconfig']) {
      const patch = targetPatch();
      patch.machine.files[0].path = path;
      expect(rules(validateTalosPatch(patch, 13))).toEqual(['machine.files[0].path talos.file-outside-var']);
    }
    const overwrite = targetPatch();
    Object.assign(overwrite.machine.files[0], { path: '/etc/hosts', op: 'overwrite' });
    expect(validateTalosPatch(overwrite, 13)).toEqual([]);
  });

  test('a mounted file the API server (uid 65534) cannot read, or a decimal-written mode, is refused', () => {
    const unreadable = targetPatch();
    unreadable.machine.files[0].permissions = 0o600;
    expect(validateTalosPatch(unreadable, 13).map((v) => v.message)).toEqual([
      'mode 0o600 does not let the API server read the file: it runs as uid/gid 65534 (constants.go L313-317 @ v1.13.9), not as the file owner, so the "other" read bit is needed (e.g. 0o644)',
    ]);
    const decimal = targetPatch();
    decimal.machine.files[0].permissions = 644;
    expect(rules(validateTalosPatch(decimal, 13))).toEqual(['machine.files[0].permissions talos.file-mode']);
    const notMounted = targetPatch();
    notMounted.cluster.apiServer.extraVolumes[0].hostPath = '/var/other';
    notMounted.machine.files[0].permissions = 0o600;
    expect(validateTalosPatch(notMounted, 13)).toEqual([]);
  });

  test('an extraArgs key on the MergeDenied list, or with its dashes, is refused', () => {
    const patch = targetPatch();
    patch.cluster.apiServer.extraArgs['authorization-config'] = '/x';
    patch.cluster.apiServer.extraArgs['--audit-webhook-mode'] = 'batch';
    const found = validateTalosPatch(patch, 13);
    expect(rules(found)).toEqual([
      'cluster.apiServer.extraArgs.authorization-config talos.denied-arg',
      'cluster.apiServer.extraArgs["--audit-webhook-mode"] talos.arg-dashes',
    ]);
    expect(found[0].message).toContain('control_plane_static_pod.go L421-436 @ v1.13.9');
  });
});

describe('the patch as YAML text', () => {
  const text = (mode: string) =>
    [
      'machine:',
      '  files:',
      '    - path: /var/etc/kubernetes/falco-audit/webhook.kubeconfig',
      `      permissions: ${mode}`,
      '      op: create',
      '      content: "x"',
      'cluster:',
      '  apiServer:',
      '    extraVolumes:',
      '      - hostPath: /var/etc/kubernetes/falco-audit',
      '        mountPath: /etc/kubernetes/falco-audit',
      '        readonly: true',
      '',
    ].join('\n');

  test('0o644, the form Talos writes, passes', () => {
    expect(validateTalosPatchYaml(text('0o644'), 13)).toEqual([]);
  });

  test('0644 means 420 to Talos and 644 to a YAML 1.2 reader: refused, naming the form to write', () => {
    const found = validateTalosPatchYaml(text('0644'), 13);
    expect(found.map(formatViolation)[0]).toBe(
      'Talos 1.13 machine config patch: machine.files[0].permissions: write the mode as "0o644", the form Talos writes: "0644" is octal ' +
        'to go-yaml v3 but decimal to a YAML 1.2 reader (talos.ambiguous-octal)',
    );
  });

  test('several documents, or broken YAML, are refused', () => {
    expect(rules(validateTalosPatchYaml('a: 1\n---\nb: 2\n', 13))).toEqual([' talos.yaml']);
    expect(rules(validateTalosPatchYaml('machine: [\n', 13))).toEqual([' talos.yaml']);
  });
});
