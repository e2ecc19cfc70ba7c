import { arr, child, isObject, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { configMapKeyProblems, dns1123SubdomainProblems, envVarNameProblems, qualifiedNameProblems, relaxedEnvVarNameProblems } from '../names';
import { parseQuantity } from '../quantity';
import { containersOf, podSpecOf, reporter } from './support';

/*
 * Environment variables from other sources, as kubernetes pkg/apis/core/validation/validation.go checks them at
 * v1.30.0 (line numbers of that release; the vendored copy in ../shared/reference/kubernetes-validation/ and its patch
 * give them). Field paths are checked after `ConvertDownwardAPIFieldLabel` (pkg/apis/core/pods/helpers.go: the
 * apiVersion must be v1, a subscript only on metadata.labels and metadata.annotations) and
 * `SplitMaybeSubscriptedPath` (pkg/fieldpath/fieldpath.go: `path['subscript']`).
 */

type Reporter = ReturnType<typeof reporter>;

/** What an environment variable's fieldRef may name (`validEnvDownwardAPIFieldPathExpressions`, validation.go:2601). */
export const ENV_FIELD_PATHS: readonly string[] = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** What a downwardAPI volume file's fieldRef may name (`validVolumeDownwardAPIFieldPathExpressions`, validation.go:1041). */
export const VOLUME_FIELD_PATHS: readonly string[] = [
  'metadata.name',
  'metadata.namespace',
  'metadata.labels',
  'metadata.annotations',
  'metadata.uid',
];

/** What a resourceFieldRef may name (`validContainerResourceFieldPathExpressions`, validation.go:2613; hugepages by prefix, :2622). */
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
];
const HUGEPAGES_FIELD_PREFIXES = ['requests.hugepages-', 'limits.hugepages-'];

/** The divisors each resource takes (`validContainerResourceDivisorFor*`, validation.go:2797-2809), in canonical form. */
const CPU_DIVISORS = ['1m', '1'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

/**
 * A fieldRef (`validateObjectFieldSelector`, validation.go:2668): apiVersion v1 (the default, `SetDefaults_ObjectFieldSelector`,
 * defaults.go:398), a fieldPath, and either a subscripted metadata.labels / metadata.annotations whose key is a qualified
 * name (annotation keys compared lowercased) or one of the paths the place allows.
 */
export function checkFieldSelector(r: Reporter, path: string, ref: unknown, allowed: readonly string[]): void {
  const sel = obj(ref);
  const apiVersion = sel.apiVersion ?? 'v1';
  if (apiVersion !== 'v1') {
    r.add(child(path, 'apiVersion'), `fieldRef apiVersion ${show(apiVersion)} is not supported: the downward API reads v1 pods`, apiVersion);
    return;
  }
  const fieldPath = str(sel.fieldPath) ?? '';
  if (fieldPath === '') {
    r.add(child(path, 'fieldPath'), 'fieldRef needs a fieldPath');
    return;
  }
  const subscripted = /^(.+?)\['(.*)'\]$/s.exec(fieldPath);
  if (subscripted) {
    const [, base, key] = subscripted;
    if (base !== 'metadata.labels' && base !== 'metadata.annotations') {
      r.add(
        child(path, 'fieldPath'),
        `fieldPath ${show(fieldPath)}: only metadata.labels and metadata.annotations take a ['key'] subscript`,
        fieldPath,
      );
      return;
    }
    for (const p of qualifiedNameProblems(base === 'metadata.annotations' ? key.toLowerCase() : key)) {
      r.add(child(path, 'fieldPath'), `fieldPath ${show(fieldPath)}: key ${show(key)}: ${p}`, fieldPath);
    }
    return;
  }
  const known = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!allowed.includes(known)) {
    r.add(child(path, 'fieldPath'), `fieldPath ${show(fieldPath)} is not supported here: use one of ${allowed.join(', ')}`, fieldPath);
  }
}

/** The canonical form of a divisor written as a plain number or `1` with a suffix; undefined for other spellings. */
function divisorText(value: unknown): string | undefined {
  if (value === 1) return '1';
  return typeof value === 'string' ? value : undefined;
}

/**
 * A resourceFieldRef (`validateContainerResourceFieldSelector`, validation.go:2713, and `validateContainerResourceDivisor`,
 * :2811): a containerName in a volume, a resource the downward API exposes, and a divisor the resource takes. The API
 * server compares the divisor's canonical form (`Quantity.String()`); this tool takes the canonical spellings only.
 */
export function checkResourceFieldSelector(r: Reporter, path: string, ref: unknown, inVolume: boolean): void {
  const sel = obj(ref);
  const resource = str(sel.resource) ?? '';
  if (inVolume && (str(sel.containerName) ?? '') === '') r.add(child(path, 'containerName'), 'resourceFieldRef in a volume needs a containerName');
  else if (resource === '') r.add(child(path, 'resource'), 'resourceFieldRef needs a resource');
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !HUGEPAGES_FIELD_PREFIXES.some((p) => resource.startsWith(p))) {
    r.add(
      child(path, 'resource'),
      `resource ${show(resource)} is not one of ${RESOURCE_FIELD_PATHS.join(', ')} (or requests./limits.hugepages-<size>)`,
      resource,
    );
  }
  if (sel.divisor === undefined || sel.divisor === null) return;
  const q = parseQuantity(sel.divisor);
  if (!q) {
    r.add(child(path, 'divisor'), `divisor ${show(sel.divisor)} is not a quantity such as 1m or 1Mi`, sel.divisor);
    return;
  }
  if (q.exact?.num === 0n) return; // a zero divisor is "unset"
  const allowed = resource.endsWith('.cpu') ? CPU_DIVISORS : resource === '' ? [] : BYTE_DIVISORS;
  const text = divisorText(sel.divisor);
  if (allowed.length > 0 && (text === undefined || !allowed.includes(text))) {
    r.add(
      child(path, 'divisor'),
      `divisor ${show(sel.divisor)} for ${resource} must be one of ${allowed.join(', ')} (as written: the API server compares the canonical form)`,
      sel.divisor,
    );
  }
}

/** A configMapKeyRef or secretKeyRef (`validateConfigMapKeySelector`, validation.go:2839, `validateSecretKeySelector`, :2857). */
function checkKeySelector(r: Reporter, path: string, ref: unknown, what: string): void {
  const sel = obj(ref);
  const name = str(sel.name) ?? '';
  for (const p of dns1123SubdomainProblems(name)) r.add(child(path, 'name'), `${what} name ${show(name)} ${p}`, sel.name);
  const key = str(sel.key) ?? '';
  if (key === '') r.add(child(path, 'key'), `${what} needs a key`);
  else for (const p of configMapKeyProblems(key)) r.add(child(path, 'key'), `${what} key ${show(key)} ${p}`, key);
}

// fileKeyRef (Kubernetes 1.34+) counts as a source; this tool refuses it in values (field-coverage.ts)
const VALUE_FROM_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'];

/** One `env[].valueFrom` (`validateEnvVarValueFrom`, validation.go:2627): exactly one source, and no value beside it. */
function checkValueFrom(r: Reporter, path: string, env: Record<string, unknown>): void {
  const from = obj(env.valueFrom);
  const at = child(path, 'valueFrom');
  const sources = VALUE_FROM_SOURCES.filter((s) => isObject(from[s]));
  if (isObject(from.fieldRef)) checkFieldSelector(r, child(at, 'fieldRef'), from.fieldRef, ENV_FIELD_PATHS);
  if (isObject(from.resourceFieldRef)) checkResourceFieldSelector(r, child(at, 'resourceFieldRef'), from.resourceFieldRef, false);
  if (isObject(from.configMapKeyRef)) checkKeySelector(r, child(at, 'configMapKeyRef'), from.configMapKeyRef, 'configMapKeyRef');
  if (isObject(from.secretKeyRef)) checkKeySelector(r, child(at, 'secretKeyRef'), from.secretKeyRef, 'secretKeyRef');
  if (sources.length === 0) {
    r.add(at, `valueFrom of ${show(env.name)} must name one source: fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef`, env.valueFrom);
  } else if (typeof env.value === 'string' && env.value !== '') {
    r.add(at, `environment variable ${show(env.name)} sets both value and valueFrom; keep one`, env.valueFrom);
  } else if (sources.length > 1) {
    r.add(at, `valueFrom of ${show(env.name)} names ${sources.join(' and ')}; it takes one source`, env.valueFrom);
  }
}

/** Every container's `env[].valueFrom`, where it is set. */
export function checkEnvSources(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'env-value-from');
  for (const { path, container } of containersOf(at)) {
    arr(container.env).forEach((e, i) => {
      const env = obj(e);
      if (env.valueFrom !== undefined && env.valueFrom !== null) checkValueFrom(r, child(child(path, 'env'), i), env);
    });
  }
  return r.found;
}

/**
 * Every container's `envFrom` (`ValidateEnvFrom`, validation.go:2738): a prefix that is an environment variable name (any
 * printable ASCII but '=' from 1.32), and exactly one of configMapRef and secretRef, naming a ConfigMap or Secret
 * (`validateConfigMapEnvSource`, :2773, `validateSecretEnvSource`, :2785: DNS-1123 subdomains).
 */
export function checkEnvFrom(item: ValidationItem, context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'env-from');
  const relaxed = context?.version.isAtLeast(32) ?? false;
  for (const { path, container } of containersOf(at)) {
    arr(container.envFrom).forEach((e, i) => {
      const source = obj(e);
      const at2 = child(child(path, 'envFrom'), i);
      const prefix = str(source.prefix) ?? '';
      if (prefix !== '') {
        for (const p of relaxed ? relaxedEnvVarNameProblems(prefix) : envVarNameProblems(prefix))
          r.add(child(at2, 'prefix'), `prefix ${show(prefix)} ${p}`, prefix);
      }
      const refs = ['configMapRef', 'secretRef'].filter((k) => isObject(source[k]));
      if (refs.length !== 1) {
        r.add(
          at2,
          refs.length === 0 ? 'envFrom must name a configMapRef or a secretRef' : 'envFrom names both configMapRef and secretRef; it takes one',
          e,
        );
      }
      for (const ref of refs) {
        const name = str(obj(source[ref]).name) ?? '';
        if (name === '') r.add(child(child(at2, ref), 'name'), `${ref} needs a name`);
        else for (const p of dns1123SubdomainProblems(name)) r.add(child(child(at2, ref), 'name'), `${ref} name ${show(name)} ${p}`, name);
      }
    });
  }
  return r.found;
}
