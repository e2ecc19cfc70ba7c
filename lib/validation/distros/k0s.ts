import { apiVersionOf, child, kindOf, obj, quote } from '../../core/util';
import { Violation } from '../violation';
import { crdRuleViolations } from './crd-rules';
import { distroIndex, schemaViolations, violation } from './distro-schemas';

/**
 * Validates a k0s `ClusterConfig` (what goes into `/etc/k0s/k0s.yaml`, or a k0sctl `spec.k0s.config`) against the
 * ClusterConfig CRD of k0s v1.36.3+k0s.2, made strict (an unknown field is an error; k0s's CRD is open): `spec.api`
 * in full (`extraArgs` a map of strings, `rawArgs` a list of strings), the rest of `spec` by name. Then k0s's own
 * rule for the keys: `pkg/component/controller/apiserver.go` writes each `extraArgs` entry as `--<key>=<value>`, so a
 * key given with its dashes would become `----audit-policy-file`.
 */
export function validateK0sClusterConfig(config: unknown, source = 'k0s ClusterConfig'): Violation[] {
  const k0s = distroIndex().k0s;
  const out: Violation[] = [];
  if (apiVersionOf(config) !== k0s.apiVersion || kindOf(config) !== k0s.kind) {
    out.push(
      violation(
        source,
        'apiVersion',
        'k0s.api-version',
        `a k0s config is ${k0s.apiVersion} ${k0s.kind}, not ${quote(`${apiVersionOf(config)} ${kindOf(config)}`)}`,
        apiVersionOf(config),
      ),
    );
  }
  out.push(...schemaViolations(k0s.validator, config, source, `k0s ${k0s.tag} ClusterConfig`, 'k0s-schema'));
  out.push(...crdRuleViolations(config, k0s.rules, source, { name: 'the ClusterConfig CRD of k0sproject/k0s', release: k0s.tag }));
  const args = obj(obj(obj(config).spec).api).extraArgs;
  for (const key of Object.keys(obj(args))) {
    if (key.startsWith('-')) {
      out.push(
        violation(
          source,
          child('spec.api.extraArgs', key),
          'k0s.arg-dashes',
          `k0s writes each extraArgs entry as "--<key>=<value>" (pkg/component/controller/apiserver.go L${k0s.argsLine} @ ${k0s.tag}): ` +
            `write ${quote(key.replace(/^-+/, ''))}`,
          key,
        ),
      );
    }
  }
  return out;
}
