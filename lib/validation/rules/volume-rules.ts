import { arr, child, isObject, obj, show, str } from '../../core/util';
import { RuleContext, ValidationItem, Violation } from '../violation';
import { dns1123SubdomainProblems } from '../names';
import { parseQuantity } from '../quantity';
import { checkFieldSelector, checkResourceFieldSelector, VOLUME_FIELD_PATHS } from './env-rules';
import { containersOf, podSpecOf, reporter } from './support';

/*
 * Volume sources and mount options as kubernetes pkg/apis/core/validation/validation.go checks them at v1.30.0 (line
 * numbers of that release; the vendored copy in ../shared/reference/kubernetes-validation/ and its patch give them).
 * The volume types this tool does not check are refused in values (lib/validation/field-coverage.ts).
 */

type Reporter = ReturnType<typeof reporter>;
type Json = Record<string, unknown>;

/** `fileModeErrorMsg` (validation.go:70): modes are 0 to 0777 (511). */
const MAX_FILE_MODE = 0o777;

/** A file mode field, where set, is 0 to 0777. */
function checkMode(r: Reporter, path: string, value: unknown): void {
  if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0 && value <= MAX_FILE_MODE)) {
    r.add(path, `${show(value)} must be a file mode between 0 and 0777 (octal; 511 in decimal), both inclusive`, value);
  }
}

/**
 * A path inside the volume (`ValidateLocalNonReservedPath`, validation.go:1354, with `validateLocalDescendingPath`, :1265,
 * and `validatePathNoBacksteps`, :1280): relative, no `..` element, not starting with `..`.
 */
function checkLocalPath(r: Reporter, path: string, value: string, what: string): void {
  if (value.startsWith('/')) r.add(path, `${what} ${show(value)} must be a relative path`, value);
  if (value.split('/').includes('..')) r.add(path, `${what} ${show(value)} must not contain '..'`, value);
  else if (value.startsWith('..')) r.add(path, `${what} ${show(value)} must not start with '..'`, value);
}

/** `items[]` of a secret or configMap source (`validateKeyToPath`, validation.go:937): a key, a local path, a mode. */
function checkKeyToPaths(r: Reporter, path: string, items: unknown, paths?: Map<string, string>): void {
  arr(items).forEach((it, i) => {
    const item = obj(it);
    const at = child(child(path, 'items'), i);
    if ((str(item.key) ?? '') === '') r.add(child(at, 'key'), 'items need a key');
    const p = str(item.path) ?? '';
    if (p === '') r.add(child(at, 'path'), 'items need a path');
    else checkLocalPath(r, child(at, 'path'), p, 'path');
    checkMode(r, child(at, 'mode'), item.mode);
    if (paths && p !== '') noteProjectedPath(r, at, p, paths);
  });
}

/** In a projected volume no two files share a path ("conflicting duplicate paths", validation.go:1087). */
function noteProjectedPath(r: Reporter, at: string, p: string, paths: Map<string, string>): void {
  const first = paths.get(p);
  if (first !== undefined)
    r.add(child(at, 'path'), `path ${show(p)} is also the path of ${first}; the files of a projected volume need their own paths`, p);
  else paths.set(p, at);
}

/** A downwardAPI file (`validateDownwardAPIVolumeFile`, validation.go:1048): a local path, exactly one of fieldRef and resourceFieldRef. */
function checkDownwardFiles(r: Reporter, path: string, items: unknown, paths?: Map<string, string>): void {
  arr(items).forEach((it, i) => {
    const file = obj(it);
    const at = child(child(path, 'items'), i);
    const p = str(file.path) ?? '';
    if (p === '') r.add(child(at, 'path'), 'downwardAPI items need a path');
    else checkLocalPath(r, child(at, 'path'), p, 'path');
    if (isObject(file.fieldRef)) checkFieldSelector(r, child(at, 'fieldRef'), file.fieldRef, VOLUME_FIELD_PATHS);
    if (isObject(file.resourceFieldRef)) checkResourceFieldSelector(r, child(at, 'resourceFieldRef'), file.resourceFieldRef, true);
    if (isObject(file.fieldRef) === isObject(file.resourceFieldRef)) {
      r.add(
        at,
        isObject(file.fieldRef)
          ? 'fieldRef and resourceFieldRef can not be specified simultaneously'
          : 'one of fieldRef and resourceFieldRef is required',
      );
    }
    checkMode(r, child(at, 'mode'), file.mode);
    if (paths && p !== '') noteProjectedPath(r, at, p, paths);
  });
}

/** Ten minutes to 2^32 seconds (`validateProjectionSources`, validation.go:1087; 3600 when unset: defaults.go:291). */
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

/** One source of a projected volume: exactly one of secret, configMap, downwardAPI, serviceAccountToken (and clusterTrustBundle). */
function checkProjection(r: Reporter, path: string, source: Json, paths: Map<string, string>): void {
  const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'].filter((k) =>
    isObject(source[k]),
  );
  if (kinds.length > 1) r.add(path, `a projected source names ${kinds.join(' and ')}; each source takes one`, source);
  for (const kind of ['secret', 'configMap']) {
    if (!isObject(source[kind])) continue;
    const at = child(path, kind);
    if ((str(source[kind].name) ?? '') === '') r.add(child(at, 'name'), `a projected ${kind} needs a name`);
    checkKeyToPaths(r, at, source[kind].items, paths);
  }
  if (isObject(source.downwardAPI)) checkDownwardFiles(r, child(path, 'downwardAPI'), source.downwardAPI.items, paths);
  const token = source.serviceAccountToken;
  if (isObject(token)) {
    const at = child(path, 'serviceAccountToken');
    const seconds = token.expirationSeconds;
    if (typeof seconds === 'number' && (seconds < MIN_TOKEN_SECONDS || seconds > MAX_TOKEN_SECONDS)) {
      r.add(child(at, 'expirationSeconds'), `expirationSeconds ${show(seconds)} must be from 600 (10 minutes) to 4294967296 (2^32)`, seconds);
    }
    // the token's path is not among the ones compared for duplicates (validation.go:1146-1159)
    const p = str(token.path) ?? '';
    if (p === '') r.add(child(at, 'path'), 'serviceAccountToken needs a path');
    else checkLocalPath(r, child(at, 'path'), p, 'path');
  }
}

/**
 * Secret and configMap volumes: the object's name, the default mode, the items (`validateSecretVolumeSource`, :899,
 * `validateConfigMapVolumeSource`, :918).
 */
function checkObjectVolume(r: Reporter, path: string, volume: Json): void {
  for (const [kind, nameField] of [
    ['secret', 'secretName'],
    ['configMap', 'name'],
  ]) {
    const source = volume[kind];
    if (!isObject(source)) continue;
    const at = child(path, kind);
    if ((str(source[nameField]) ?? '') === '') r.add(child(at, nameField), `a ${kind} volume needs ${nameField}`);
    checkMode(r, child(at, 'defaultMode'), source.defaultMode);
    checkKeyToPaths(r, at, source.items);
  }
}

/** Network and claim volumes: nfs (`validateNFSVolumeSource`, :961), persistentVolumeClaim (:953), csi (`validateCSIVolumeSource`, :1704). */
function checkRemoteVolume(r: Reporter, path: string, volume: Json): void {
  if (isObject(volume.nfs)) {
    const at = child(path, 'nfs');
    if ((str(volume.nfs.server) ?? '') === '') r.add(child(at, 'server'), 'an nfs volume needs a server');
    const p = str(volume.nfs.path) ?? '';
    if (!p.startsWith('/')) r.add(child(at, 'path'), `nfs path ${show(p)} must be an absolute path`, volume.nfs.path);
  }
  if (isObject(volume.persistentVolumeClaim) && (str(volume.persistentVolumeClaim.claimName) ?? '') === '') {
    r.add(child(child(path, 'persistentVolumeClaim'), 'claimName'), 'a persistentVolumeClaim volume needs a claimName');
  }
  if (isObject(volume.csi)) {
    const at = child(path, 'csi');
    const driver = str(volume.csi.driver) ?? '';
    // ValidateCSIDriverName, :1663: at most 63 characters, a DNS-1123 subdomain once lowercased
    if (driver === '') r.add(child(at, 'driver'), 'a csi volume needs a driver');
    else if (driver.length > 63) r.add(child(at, 'driver'), `csi driver ${show(driver)} must be no more than 63 characters`, driver);
    else for (const p of dns1123SubdomainProblems(driver.toLowerCase())) r.add(child(at, 'driver'), `csi driver ${show(driver)} ${p}`, driver);
    const secret = volume.csi.nodePublishSecretRef;
    if (isObject(secret)) {
      const name = str(secret.name) ?? '';
      if (name === '') r.add(child(child(at, 'nodePublishSecretRef'), 'name'), 'nodePublishSecretRef needs a name');
      else
        for (const p of dns1123SubdomainProblems(name))
          r.add(child(child(at, 'nodePublishSecretRef'), 'name'), `secret name ${show(name)} ${p}`, name);
    }
  }
}

/**
 * Each volume's source as `validateVolumeSource` (validation.go:487) checks it: an emptyDir's sizeLimit is a quantity
 * of zero or more; secret and configMap volumes name their object, with modes of 0 to 0777 and items at local paths;
 * downwardAPI and projected volumes as above; nfs, persistentVolumeClaim and csi volumes their server, claim or driver.
 */
export function checkVolumeSources(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volume-source');
  arr(at.spec.volumes).forEach((v, i) => {
    const volume = obj(v);
    const path = child(child(at.path, 'volumes'), i);
    const sizeLimit = obj(volume.emptyDir).sizeLimit;
    if (sizeLimit !== undefined && sizeLimit !== null) {
      const q = parseQuantity(sizeLimit);
      if (!q || q.negative)
        r.add(
          child(child(path, 'emptyDir'), 'sizeLimit'),
          `sizeLimit ${show(sizeLimit)} must be a quantity of zero or more, such as 64Mi`,
          sizeLimit,
        );
    }
    checkObjectVolume(r, path, volume);
    if (isObject(volume.downwardAPI)) {
      checkMode(r, child(child(path, 'downwardAPI'), 'defaultMode'), volume.downwardAPI.defaultMode);
      checkDownwardFiles(r, child(path, 'downwardAPI'), volume.downwardAPI.items);
    }
    if (isObject(volume.projected)) {
      const projected = child(path, 'projected');
      checkMode(r, child(projected, 'defaultMode'), volume.projected.defaultMode);
      const paths = new Map<string, string>();
      arr(volume.projected.sources).forEach((s, j) => checkProjection(r, child(child(projected, 'sources'), j), obj(s), paths));
    }
    checkRemoteVolume(r, path, volume);
  });
  return r.found;
}

const PROPAGATIONS = ['None', 'HostToContainer', 'Bidirectional'];
const RECURSIVE_READ_ONLY = ['Disabled', 'IfPossible', 'Enabled'];

/**
 * Each container's mount options: `mountPropagation` None, HostToContainer or Bidirectional, Bidirectional only in a
 * privileged container (`validateMountPropagation`, validation.go:1294); `recursiveReadOnly` Disabled, IfPossible or
 * Enabled, the last two only with `readOnly: true` and no propagation but None (`validateMountRecursiveReadOnly`,
 * validation.go:1325, in v1.30.0 only: the vendored copy predates it, its patch adds it).
 */
export function checkVolumeMountOptions(item: ValidationItem, _context?: RuleContext): Violation[] {
  const at = podSpecOf(item.object);
  if (!at) return [];
  const r = reporter(item, 'volume-mount-options');
  for (const { path, container } of containersOf(at)) {
    const privileged = obj(container.securityContext).privileged === true;
    arr(container.volumeMounts).forEach((m, i) => {
      const mount = obj(m);
      const mpath = child(child(path, 'volumeMounts'), i);
      const propagation = mount.mountPropagation;
      if (propagation !== undefined && propagation !== null) {
        if (!PROPAGATIONS.includes(propagation as string)) {
          r.add(child(mpath, 'mountPropagation'), `mountPropagation ${show(propagation)} must be one of ${PROPAGATIONS.join(', ')}`, propagation);
        } else if (propagation === 'Bidirectional' && !privileged) {
          r.add(child(mpath, 'mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers', propagation);
        }
      }
      const rro = mount.recursiveReadOnly;
      if (rro === undefined || rro === null || rro === 'Disabled') return;
      if (!RECURSIVE_READ_ONLY.includes(rro as string)) {
        r.add(child(mpath, 'recursiveReadOnly'), `recursiveReadOnly ${show(rro)} must be one of ${RECURSIVE_READ_ONLY.join(', ')}`, rro);
      } else if (mount.readOnly !== true) r.add(child(mpath, 'recursiveReadOnly'), `recursiveReadOnly ${show(rro)} needs readOnly: true`, rro);
      else if (propagation !== undefined && propagation !== null && propagation !== 'None') {
        r.add(child(mpath, 'recursiveReadOnly'), `recursiveReadOnly ${show(rro)} needs mountPropagation None (or none set)`, rro);
      }
    });
  }
  return r.found;
}
