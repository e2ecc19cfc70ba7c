import { ErrorLocation, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { NodePortRange } from '../core/node-port-range';
import { ServiceIPRange } from '../core/service-ip-range';
import { describeKind, describeValue as describe, echo, isObject, Json, quote } from '../core/util';
import { formatPath, loadYaml, LoadedYaml, readYamlFile, YamlPath } from '../core/yaml';
import { editYamlText, NotEditableInPlace } from '../core/yaml-edit';
import { ApiServerCommandLine } from './flags';

const WHAT = 'kube-apiserver manifest';

/** Metadata fields the API server sets on a (mirror) pod; a static pod file never has them. */
const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'selfLink',
  'generation',
  'managedFields',
  'ownerReferences',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generateName',
];

/** Annotations the kubelet puts on a mirror pod. */
const MIRROR_ANNOTATION_PREFIX = 'kubernetes.io/config.';

/**
 * A kube-apiserver static pod manifest, read and checked: a `v1` `Pod` with a kube-apiserver
 * container whose command line this tool can read. A `kubectl get pod -o yaml` dump of the
 * mirror pod is cleaned back to a static pod manifest (see `cleanups`). The parsed document is
 * never changed; `KubeApiServerManifest` patches a copy.
 */
const STATIC_POD_MANIFEST = Symbol.for('cdk8s-falco-audit.StaticPodManifest');

export class StaticPodManifest {
  /** True for a `StaticPodManifest` from any copy of this library (a registered symbol, not `instanceof`). */
  public static isStaticPodManifest(x: unknown): x is StaticPodManifest {
    return typeof x === 'object' && x !== null && STATIC_POD_MANIFEST in x;
  }

  /**
   * Reads a manifest file (YAML or JSON).
   * @param shownAs the name to use in messages @default filePath
   */
  public static fromFile(filePath: string, shownAs?: string): StaticPodManifest {
    return new StaticPodManifest(readYamlFile(filePath, { what: WHAT, file: shownAs ?? filePath }));
  }

  /**
   * Parses a manifest from text (YAML or JSON).
   * @param name names the source in messages @default '<inline manifest>'
   */
  public static fromString(text: string, name = '<inline manifest>'): StaticPodManifest {
    return new StaticPodManifest(loadYaml(text, { file: name, what: WHAT }));
  }

  /** The source, as named in messages. */
  public readonly file: string;
  /** The Pod document (cleaned when it was a mirror pod dump). Treat as read-only. */
  public readonly document: Json;
  /** Index of the kube-apiserver container in `spec.containers`. */
  public readonly containerIndex: number;
  /** The parsed kube-apiserver command line of that container. */
  public readonly commandLine: ApiServerCommandLine;
  /** What was removed to turn a mirror pod dump back into a static pod manifest; empty for a real manifest. */
  public readonly cleanups: string[];

  private readonly loaded: LoadedYaml;

  private constructor(loaded: LoadedYaml) {
    Object.defineProperty(this, STATIC_POD_MANIFEST, { value: true });
    this.loaded = loaded;
    this.file = loaded.file;
    const doc = loaded.value;
    if (!isObject(doc)) {
      // Say what the document is, never what it says: pointed at an SSH key or a token file, that is the secret.
      throw new UserError(
        `${WHAT} must be a Pod object, got ${describeKind(doc)} (is it the right file? kubeadm writes /etc/kubernetes/manifests/kube-apiserver.yaml)`,
        { file: loaded.file },
      );
    }
    if (doc.apiVersion !== 'v1') {
      throw new UserError(`${WHAT} must have apiVersion "v1", got ${echo(doc.apiVersion ?? null)}`, loaded.locate(['apiVersion']));
    }
    if (doc.kind !== 'Pod') {
      throw new UserError(
        `${WHAT} must be a Pod (kind: Pod), got kind ${echo(doc.kind ?? null)}` +
          (doc.kind === 'List' ? '; export the one pod with kubectl get pod <name> -n kube-system -o yaml' : ''),
        loaded.locate(['kind']),
      );
    }
    const spec = doc.spec;
    if (!isObject(spec)) throw new UserError(`${WHAT} has no spec`, loaded.locate(['spec']));
    const containers = spec.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw new UserError(`${WHAT} has no containers`, loaded.locate(['spec', 'containers']));
    }
    containers.forEach((c, i) => {
      if (!isObject(c)) throw new UserError(`must be a container object`, loaded.locate(['spec', 'containers', i]));
    });
    let index = containers.findIndex((c) => (c as Json).name === 'kube-apiserver');
    if (index < 0) index = containers.findIndex((c) => ApiServerCommandLine.looksLikeApiServer(c as Json));
    if (index < 0) {
      const names =
        containers
          .slice(0, 10)
          .map((c) => echo((c as Json).name ?? null))
          .join(', ') + (containers.length > 10 ? ', ...' : '');
      throw new UserError(
        `${WHAT} has no kube-apiserver container (no container is named "kube-apiserver" and none runs the kube-apiserver binary; containers: ${names})`,
        loaded.locate(['spec', 'containers']),
      );
    }
    this.containerIndex = index;
    const containerPath: YamlPath = ['spec', 'containers', index];
    this.commandLine = ApiServerCommandLine.parse(containers[index] as Json, loaded.locate(containerPath));
    checkVolumes(spec, containerPath, containers[index] as Json, loaded);

    const copy = JSON.parse(JSON.stringify(doc)) as Json;
    this.cleanups = cleanMirrorPod(copy);
    this.document = copy;
  }

  /** The kube-apiserver container of `document`. Treat as read-only. */
  public get container(): Json {
    return ((this.document.spec as Json).containers as Json[])[this.containerIndex];
  }

  /** The pod's `metadata.namespace`, if any. */
  public get namespace(): string | undefined {
    const ns = (this.document.metadata as Json | undefined)?.namespace;
    return typeof ns === 'string' ? ns : undefined;
  }

  /**
   * The value of `--service-cluster-ip-range` (two comma-separated CIDRs on a dual-stack cluster),
   * or `undefined` when the flag is not set.
   */
  public get serviceClusterIPRange(): string | undefined {
    const range = this.commandLine.get('service-cluster-ip-range');
    if (range !== undefined) {
      const problem = ServiceIPRange.problemOf(range);
      if (problem) {
        const detail = problem.replace(/^service cluster IP range "[^"]*": /, '');
        throw this.flagError('service-cluster-ip-range', `${detail} (kube-apiserver would not start with it)`);
      }
    }
    return range;
  }

  /** The `--service-node-port-range` flag's value, e.g. `30000-32767`, if the manifest sets it. */
  public get serviceNodePortRange(): string | undefined {
    const range = this.commandLine.get('service-node-port-range');
    if (range !== undefined && !NodePortRange.tryParse(range)) {
      throw this.flagError(
        'service-node-port-range',
        `${quote(range)} is not a port range such as 30000-32767 (kube-apiserver would not start with it)`,
      );
    }
    return range;
  }

  private flagError(flag: string, message: string): UserError {
    const at = this.commandLine.locate(flag);
    const path: YamlPath = ['spec', 'containers', this.containerIndex, ...(at ?? [])];
    return new UserError(`--${flag}: ${message}`, this.locate(path));
  }

  /**
   * The Kubernetes version from the container's image tag. Throws a `UserError` (with file and line)
   * telling to set kubernetesVersion when the tag is not a version, or the version is unsupported.
   */
  public imageVersion(): KubernetesVersion {
    const path: YamlPath = ['spec', 'containers', this.containerIndex, 'image'];
    const field = formatPath(path);
    const image = this.container.image;
    if (typeof image !== 'string' || !image) {
      throw new UserError(
        'the kube-apiserver container has no image, so its Kubernetes version is unknown; set kubernetesVersion explicitly',
        this.locate(path),
      );
    }
    try {
      return KubernetesVersion.fromImage(image, field);
    } catch (err) {
      if (UserError.isUserError(err)) {
        const prefix = `${field}: `;
        const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
        throw new UserError(message, this.locate(path));
      }
      throw err;
    }
  }

  /** File, field and line of a value in the input, for messages. */
  public locate(path: YamlPath): ErrorLocation {
    return this.loaded.locate(path);
  }

  /**
   * The manifest's own text changed into `patched` (a changed copy of `document`): only what differs is
   * rewritten or inserted, so comments, indentation, quoting and key order stay and `diff` shows the change
   * alone (see `editYamlText`). Mirror pod cleanups are removals of their lines. `reason` instead of `text`
   * when the input uses YAML that is not edited in place (an alias or merge key where the change goes, a block
   * scalar that changes); the caller then writes `patched` re-serialized.
   * @internal
   */
  public _editedText(patched: Json): { text: string; reason?: undefined } | { text?: undefined; reason: string } {
    // the document went through JSON (see the constructor); so does the original, so that only real changes differ
    const original = JSON.parse(JSON.stringify(this.loaded.value));
    let text: string;
    try {
      text = editYamlText(this.loaded.text, original, patched);
    } catch (err) {
      if (err instanceof NotEditableInPlace) return { reason: err.reason };
      throw err;
    }
    // the text is what gets written, the object what was checked: they must be the same pod
    let back: unknown;
    try {
      back = JSON.parse(JSON.stringify(loadYaml(text, { file: this.file, what: WHAT, maxBytes: Infinity }).value));
    } catch (err) {
      throw new Error(
        `internal error: the edited text of ${this.file} does not parse (${(err as Error).message}); please report this with the manifest`,
      );
    }
    if (JSON.stringify(back) !== JSON.stringify(patched)) {
      throw new Error(`internal error: the edited text of ${this.file} does not read back as the patched pod; please report this with the manifest`);
    }
    return { text };
  }
}

/**
 * The volumes and the kube-apiserver container's mounts are what the patcher adds to: they must be lists of
 * mappings with string names (and mount paths), volume names unique, each mount naming a volume. Anything
 * else is refused here, at its line, instead of being overwritten or failing validation of the output.
 */
function checkVolumes(spec: Json, containerPath: YamlPath, container: Json, loaded: LoadedYaml): void {
  const names = new Map<string, number>();
  if (spec.volumes !== undefined && spec.volumes !== null) {
    if (!Array.isArray(spec.volumes)) {
      throw new UserError(`must be a list of volumes, got ${describe(spec.volumes)}`, loaded.locate(['spec', 'volumes']));
    }
    spec.volumes.forEach((v, i) => {
      const at: YamlPath = ['spec', 'volumes', i];
      if (!isObject(v)) throw new UserError(`a volume must be a mapping, got ${describe(v)}`, loaded.locate(at));
      if (typeof v.name !== 'string' || v.name === '') {
        throw new UserError(`volume ${i} has no name (every volume needs a unique name: name: <name>)`, loaded.locate(at));
      }
      if (names.has(v.name)) {
        throw new UserError(
          `volume name ${quote(v.name)} is used twice (spec.volumes[${names.get(v.name)}] and [${i}])`,
          loaded.locate([...at, 'name']),
        );
      }
      names.set(v.name, i);
    });
  }
  const mounts = container.volumeMounts;
  if (mounts === undefined || mounts === null) return;
  const mountsPath: YamlPath = [...containerPath, 'volumeMounts'];
  if (!Array.isArray(mounts)) {
    throw new UserError(`volumeMounts must be a list of mounts, got ${describe(mounts)}`, loaded.locate(mountsPath));
  }
  mounts.forEach((m, i) => {
    const at: YamlPath = [...mountsPath, i];
    if (!isObject(m)) throw new UserError(`a volume mount must be a mapping, got ${describe(m)}`, loaded.locate(at));
    if (typeof m.name !== 'string' || m.name === '') throw new UserError(`volume mount ${i} has no name`, loaded.locate(at));
    if (typeof m.mountPath !== 'string' || m.mountPath === '') {
      throw new UserError(`volume mount ${quote(m.name)} has no mountPath`, loaded.locate(at));
    }
    if (!names.has(m.name)) {
      const known = [...names.keys()].slice(0, 20).map(quote);
      throw new UserError(
        `${WHAT}: volume mount ${quote(m.name)} names no volume of the pod (volumes: ${known.length ? known.join(', ') : 'none'}${names.size > 20 ? ', ...' : ''})`,
        loaded.locate([...at, 'name']),
      );
    }
  });
}

/**
 * Removes what the API server and kubelet add to a mirror pod. Keeps kubeadm's own
 * `creationTimestamp: null` and `status: {}` (they are the manifest's content).
 */
function cleanMirrorPod(doc: Json): string[] {
  const removed: string[] = [];
  const metadata = isObject(doc.metadata) ? doc.metadata : undefined;
  const spec = doc.spec as Json;
  if (metadata) {
    for (const field of SERVER_SET_METADATA) {
      if (field in metadata) {
        delete metadata[field];
        removed.push(`metadata.${field}`);
      }
    }
    if ('creationTimestamp' in metadata && metadata.creationTimestamp !== null) {
      delete metadata.creationTimestamp;
      removed.push('metadata.creationTimestamp');
    }
    if (isObject(metadata.annotations)) {
      const annotations = metadata.annotations;
      for (const key of Object.keys(annotations)) {
        if (key.startsWith(MIRROR_ANNOTATION_PREFIX)) {
          delete annotations[key];
          removed.push(`metadata.annotations[${quote(key)}]`);
        }
      }
      if (Object.keys(annotations).length === 0 && removed.some((r) => r.startsWith('metadata.annotations['))) {
        delete metadata.annotations;
      }
    }
    // the kubelet names the mirror pod <name>-<nodeName>; the file holds <name>
    const nodeName = spec.nodeName;
    if (typeof nodeName === 'string' && typeof metadata.name === 'string' && metadata.name.endsWith(`-${nodeName}`)) {
      const original = metadata.name.slice(0, -(nodeName.length + 1));
      removed.push(`the node name suffix of metadata.name (${quote(metadata.name)} -> ${quote(original)})`);
      metadata.name = original;
    }
  }
  if ('nodeName' in spec) {
    delete spec.nodeName;
    removed.push('spec.nodeName');
  }
  if (isObject(doc.status) && Object.keys(doc.status).length > 0) {
    delete doc.status;
    removed.push('status');
  }
  return removed;
}
