import { parseAllDocuments } from 'yaml';
import { child, isObject, obj, quote } from '../../core/util';
import { Violation } from '../violation';
import { distroIndex, schemaViolations, violation } from './distro-schemas';

/** A semantic version `X.Y.Z` (with an optional pre-release and build), as k8s.io/apimachinery ParseSemantic takes it. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Orders two semantic versions by their numbers; a pre-release is before its release. */
function compareSemver(a: RegExpExecArray, b: RegExpExecArray): number {
  for (let i = 1; i <= 3; i++) if (Number(a[i]) !== Number(b[i])) return Number(a[i]) - Number(b[i]);
  return (a[4] ? -1 : 0) - (b[4] ? -1 : 0);
}

/** The launch configuration's `version` against the window of schema.go (minimum and maximum config file version). */
function versionRule(config: Record<string, unknown>, source: string): Violation[] {
  const { versions, commit } = distroIndex().microk8s;
  const where = `pkg/k8sinit/schema.go L${versions.line}-18 @ ${String(commit).slice(0, 8)}`;
  const v = SEMVER.exec(String(config.version ?? ''));
  if (!v) {
    return [
      violation(
        source,
        'version',
        'microk8s.version',
        `version must be a semantic version such as "0.1.0" (MicroK8s refuses the file otherwise), not ${quote(config.version)}`,
        config.version,
      ),
    ];
  }
  const min = SEMVER.exec(versions.minimum)!;
  const max = SEMVER.exec(versions.maximum)!;
  if (compareSemver(v, min) < 0 || compareSemver(v, max) > 0) {
    return [
      violation(
        source,
        'version',
        'microk8s.version',
        `version ${config.version} is outside what MicroK8s reads, ${versions.minimum} to ${versions.maximum} (${where})`,
        config.version,
      ),
    ];
  }
  return [];
}

/** The file names of `extraConfigFiles`: written as `$SNAP_DATA/args/<name>`, so a bare name. */
function fileNameRules(config: Record<string, unknown>, source: string): Violation[] {
  const line = distroIndex().microk8s.pathGuardLine;
  return Object.keys(obj(config.extraConfigFiles))
    .filter((name) => name.includes('/') || name === '' || name === '.' || name === '..')
    .map((name) =>
      violation(
        source,
        child('extraConfigFiles', name),
        'microk8s.config-file-name',
        `${quote(name)} must be a bare file name (it is written to $SNAP_DATA/args/<name>); MicroK8s's own guard does not ` +
          `catch a "/" (pkg/k8sinit/apply.go L${line} tests strings.Contains("/", file), its arguments swapped)`,
        name,
      ),
    );
}

/** `extraKubeAPIServerArgs` keys are the flags as the args file holds them, with their `--`. */
function argRules(config: Record<string, unknown>, source: string): Violation[] {
  return Object.keys(obj(config.extraKubeAPIServerArgs))
    .filter((key) => !key.startsWith('--'))
    .map((key) =>
      violation(
        source,
        child('extraKubeAPIServerArgs', key),
        'microk8s.arg-dashes',
        `write the flag with its dashes, ${quote(`--${key.replace(/^-+/, '')}`)}: MicroK8s copies the key into the args file as it is (see testdata/schema/full.yaml)`,
        key,
      ),
    );
}

/**
 * Validates one MicroK8s launch configuration document (MicroK8s 1.27+) against canonical/microk8s-cluster-agent's
 * `Configuration` (pkg/k8sinit/schema.go at 33e4ad06): only its keys and types (MicroK8s itself only warns on an
 * unknown key and ignores it, schema.go L170-178, so here it is an error: a misspelled `extraKubeApiServerArgs` would do
 * nothing), a `version` between 0.1.0 and 0.2.0, `extraKubeAPIServerArgs` keyed by `--flag` with a string (or `null`,
 * which removes the flag) and `extraConfigFiles` keyed by bare file names.
 */
export function validateMicroK8sLaunchConfig(config: unknown, source = 'MicroK8s launch configuration'): Violation[] {
  const mk8s = distroIndex().microk8s;
  if (!isObject(config)) return [violation(source, '', 'microk8s.config', 'a launch configuration is a mapping')];
  const schema = schemaViolations(mk8s.validator, config, source, 'MicroK8s launch configuration', 'microk8s-schema').map((v) =>
    v.rule === 'microk8s-schema.unknown-field'
      ? { ...v, message: `${v.message}; MicroK8s would ignore it with only a warning (schema.go L${mk8s.versions.strictParseLine}-178)` }
      : v,
  );
  return [...versionRule(config, source), ...schema, ...fileNameRules(config, source), ...argRules(config, source)];
}

/**
 * Validates the YAML text of a launch configuration file: one or more documents (MicroK8s applies them in order; an
 * empty one is skipped, schema.go L197-222), each validated by {@link validateMicroK8sLaunchConfig}, its source
 * suffixed with ` (document N)` when there are several.
 */
export function validateMicroK8sLaunchConfigYaml(text: string, source = 'MicroK8s launch configuration'): Violation[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [violation(source, '', 'microk8s.yaml', 'not valid YAML')];
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) return [violation(source, '', 'microk8s.yaml', `not valid YAML: ${bad.errors[0].message.split('\n')[0]}`)];
  const parts = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined && !(isObject(v) && Object.keys(v).length === 0));
  if (parts.length === 0) return [violation(source, '', 'microk8s.yaml', 'the file holds no configuration')];
  return parts.flatMap((part, i) => validateMicroK8sLaunchConfig(part, parts.length > 1 ? `${source} (document ${i + 1})` : source));
}
