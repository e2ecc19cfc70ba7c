import { child, isObject } from '../../core/util';
import { Violation } from '../violation';
import { argNames, configFileViolations, FlagTable } from './config-file-flags';
import { distroData, distroIndex, violation } from './distro-schemas';

let table: FlagTable | undefined;

/** RKE2's server options (schemas/distros/rke2-server-flags.json: the docs' table and the code at v1.36.3+rke2r1). */
function rke2Table(): FlagTable {
  if (!table) table = distroData(distroIndex().rke2.flags) as FlagTable;
  return table;
}

/**
 * The flags RKE2 itself passes the API server when `audit-policy-file` is set (rancher/rke2 v1.36.3+rke2r1
 * pkg/executor/staticpod/staticpod.go L236-250): it prepends them, so the same flag in `kube-apiserver-arg` is passed
 * twice. `--audit-log-path` is not among them: RKE2 adds it only when the user did not (L219-220, L246-249).
 */
export const RKE2_AUDIT_FLAGS: readonly string[] = Object.freeze([
  'audit-policy-file',
  'audit-log-maxage',
  'audit-log-maxbackup',
  'audit-log-maxsize',
]);

/**
 * Validates an RKE2 server config file, by default a `/etc/rancher/rke2/config.yaml.d/` drop-in (the targets' form),
 * like {@link validateK3sConfig} against RKE2's option table (rancher/rke2-docs `server_config.md` and the flags of
 * rancher/rke2 v1.36.3+rke2r1), plus RKE2's own audit handling (staticpod.go L236-250): the policy goes in the native
 * `audit-policy-file` option, not in `kube-apiserver-arg` (only the native option makes RKE2 mount the log folder),
 * and with it set, `kube-apiserver-arg` must not repeat the flags RKE2 adds ({@link RKE2_AUDIT_FLAGS}).
 * @param options.dropIn the file is a drop-in @default true
 */
export function validateRke2Config(config: unknown, source = 'RKE2 config', options: { readonly dropIn?: boolean } = {}): Violation[] {
  const tableSource = 'rancher/rke2-docs docs/reference/server_config.md and rancher/rke2 v1.36.3+rke2r1';
  const out = configFileViolations(config, rke2Table(), { distribution: 'rke2', tableSource, dropIn: options.dropIn ?? true }, source);
  if (!isObject(config)) return out;
  const nativePolicy = typeof config['audit-policy-file'] === 'string';
  for (const key of ['kube-apiserver-arg', 'kube-apiserver-arg+']) {
    for (const { name, index } of argNames(config[key])) {
      if (name === 'audit-policy-file') {
        out.push(
          violation(
            source,
            child(key, index),
            'rke2.audit-policy-arg',
            'give the policy as the audit-policy-file option, not as a kube-apiserver-arg: RKE2 handles the native option ' +
              '(the audit-log defaults and the log folder mount, staticpod.go L236-264 @ v1.36.3+rke2r1)',
            name,
          ),
        );
      } else if (nativePolicy && RKE2_AUDIT_FLAGS.includes(name)) {
        out.push(
          violation(
            source,
            child(key, index),
            'rke2.duplicate-audit-flag',
            `a second --${name}: RKE2 already passes it when audit-policy-file is set (staticpod.go L240-245 @ v1.36.3+rke2r1)`,
            name,
          ),
        );
      }
    }
  }
  return out;
}
