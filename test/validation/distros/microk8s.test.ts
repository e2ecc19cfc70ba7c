/**
 * The MicroK8s oracle: a launch configuration against canonical/microk8s-cluster-agent's Configuration struct
 * (schema.go, 33e4ad06), replayed on MicroK8s's own testdata/schema files with the outcome schema_test.go expects
 * (unknown fields, which MicroK8s only warns about, are errors here).
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatViolation, Violation } from '../../../lib/validation/violation';
import { validateMicroK8sLaunchConfig, validateMicroK8sLaunchConfigYaml } from '../../../lib/validation/distros';

type Obj = Record<string, any>;

const UPSTREAM = path.join(__dirname, 'upstream', 'microk8s-launch-configuration');
const read = (f: string) => fs.readFileSync(path.join(UPSTREAM, f), 'utf8');
const rules = (vs: Violation[]) => vs.map((v) => `${v.path} ${v.rule}`);

/** What the MicroK8s target emits (research section 5.3): the files in the args folder and the flags with their dashes. */
function targetConfig(): Obj {
  return {
    version: '0.1.0',
    extraConfigFiles: {
      'falco-audit-policy.yaml': 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
      'falco-audit-webhook.kubeconfig': 'apiVersion: v1\nkind: Config\n',
    },
    extraKubeAPIServerArgs: {
      '--audit-policy-file': '/var/snap/microk8s/current/args/falco-audit-policy.yaml',
      '--audit-webhook-config-file': '/var/snap/microk8s/current/args/falco-audit-webhook.kubeconfig',
      '--audit-webhook-batch-max-wait': '5s',
    },
  };
}

describe("MicroK8s's own launch configurations (pkg/k8sinit/testdata/schema, expectations of schema_test.go)", () => {
  test.each(['full.yaml', 'multi-part.yaml', 'multi-part-with-header.yaml', 'extra-sans.yaml'])('%s parses', (file) => {
    expect(validateMicroK8sLaunchConfigYaml(read(file), file)).toEqual([]);
  });

  test('unknown-fields.yaml: MicroK8s warns and ignores the field; here it is the only violation', () => {
    expect(validateMicroK8sLaunchConfigYaml(read('unknown-fields.yaml'), 'unknown-fields.yaml').map(formatViolation)).toEqual([
      'unknown-fields.yaml: x-unknown-field: unknown field "x-unknown-field": not in the MicroK8s launch configuration schema; ' +
        'MicroK8s would ignore it with only a warning (schema.go L170-178) (microk8s-schema.unknown-field)',
    ]);
  });

  test.each([
    ['invalid-yaml.yaml', [' microk8s.yaml']],
    ['invalid-schema.yaml', ['addons[0] microk8s-schema.type', 'addons[1] microk8s-schema.type']],
    ['version/newer.yaml', ['version microk8s.version']],
    ['version/non-semantic.yaml', ['version microk8s.version']],
    ['version/unsupported.yaml', ['version microk8s.version']],
  ])('%s is refused, as MicroK8s refuses it', (file, expected) => {
    expect(rules(validateMicroK8sLaunchConfigYaml(read(file), file))).toEqual(expected);
  });

  test("the version window is schema.go's, 0.1.0 to 0.2.0", () => {
    expect(validateMicroK8sLaunchConfigYaml(read('version/newer.yaml'))[0].message).toBe(
      'version 0.3.0 is outside what MicroK8s reads, 0.1.0 to 0.2.0 (pkg/k8sinit/schema.go L17-18 @ 33e4ad06)',
    );
  });
});

test("the target's launch configuration passes, as 0.1.0 and as 0.2.0", () => {
  expect(validateMicroK8sLaunchConfig(targetConfig())).toEqual([]);
  expect(validateMicroK8sLaunchConfig({ ...targetConfig(), version: '0.2.0' })).toEqual([]);
});

describe('mutations', () => {
  test('a misspelled key (extraKubeApiServerArgs), which MicroK8s would silently ignore, is refused with the right name', () => {
    const config = targetConfig();
    config.extraKubeApiServerArgs = config.extraKubeAPIServerArgs;
    delete config.extraKubeAPIServerArgs;
    expect(validateMicroK8sLaunchConfig(config)[0].message).toMatch(
      /^unknown field "extraKubeApiServerArgs": .* \(did you mean "extraKubeAPIServerArgs"\?\)/,
    );
  });

  test("a file name with a slash (which MicroK8s's swapped guard lets through), and a flag without dashes, are refused", () => {
    const config = targetConfig();
    config.extraConfigFiles['../../etc/falco.yaml'] = 'x';
    config.extraKubeAPIServerArgs['audit-log-path'] = '-';
    expect(rules(validateMicroK8sLaunchConfig(config))).toEqual([
      'extraConfigFiles["../../etc/falco.yaml"] microk8s.config-file-name',
      'extraKubeAPIServerArgs.audit-log-path microk8s.arg-dashes',
    ]);
  });

  test('a list as a flag value and a missing version are refused; null (remove the flag) passes', () => {
    const config = targetConfig();
    delete config.version;
    config.extraKubeAPIServerArgs['--event-ttl'] = null;
    config.extraKubeAPIServerArgs['--audit-log-path'] = ['-'];
    expect(rules(validateMicroK8sLaunchConfig(config))).toEqual([
      'version microk8s.version',
      'extraKubeAPIServerArgs["--audit-log-path"] microk8s-schema.type',
    ]);
  });
});
