import * as path from 'path';
import { ErrorLocation, UserError } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { arr, describeKind, echo, isObject, Json, obj, str } from '../core/util';
import { loadYaml, LoadedYaml, readYamlFile, YamlPath } from '../core/yaml';

const WHAT = 'KubeadmControlPlane file';
const GROUP = 'controlplane.cluster.x-k8s.io';
/** The KubeadmControlPlane versions the Cluster API target writes a patch for: the map form (v1beta1) and the list form (v1beta2). */
const VERSIONS = ['v1beta1', 'v1beta2'];
const KUBEADM_CONTROL_PLANE_FILE = Symbol.for('cdk8s-falco-audit.KubeadmControlPlaneFile');

/** Where the API server's settings are in a KubeadmControlPlane. */
export const KCP_API_SERVER_PATH: YamlPath = ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'apiServer'];

/**
 * The user's Cluster API KubeadmControlPlane, read and checked: one `controlplane.cluster.x-k8s.io/v1beta1` or
 * `v1beta2` KubeadmControlPlane in a file of its own (the file a kustomization in the management repository lists).
 * The Cluster API target patches it: the patch's shape follows its apiVersion, adds to the lists it has (a JSON
 * patch `add .../-` onto a list it lacks fails), and leaves its own flags, volumes and files alone.
 */
export class KubeadmControlPlaneFile {
  /** True for a `KubeadmControlPlaneFile` from any copy of this library (a registered symbol, not `instanceof`). */
  public static isKubeadmControlPlaneFile(x: unknown): x is KubeadmControlPlaneFile {
    return typeof x === 'object' && x !== null && KUBEADM_CONTROL_PLANE_FILE in x;
  }

  /**
   * Reads a KubeadmControlPlane file (YAML or JSON).
   * @param shownAs the name to use in messages @default filePath
   */
  public static fromFile(filePath: string, shownAs?: string): KubeadmControlPlaneFile {
    return new KubeadmControlPlaneFile(readYamlFile(filePath, { what: WHAT, file: shownAs ?? filePath }));
  }

  /**
   * Parses a KubeadmControlPlane from text.
   * @param name names the source in messages (its base name is what the kustomization lists) @default 'kubeadm-control-plane.yaml'
   */
  public static fromString(text: string, name = 'kubeadm-control-plane.yaml'): KubeadmControlPlaneFile {
    return new KubeadmControlPlaneFile(loadYaml(text, { file: name, what: WHAT }));
  }

  /** The source, as named in messages. */
  public readonly file: string;
  /** The file's base name: what the kustomization lists as its resource. */
  public readonly fileName: string;
  /** The document. Treat as read-only. */
  public readonly document: Json;
  /** `controlplane.cluster.x-k8s.io/v1beta1` or `.../v1beta2`. */
  public readonly apiVersion: string;
  /** `v1beta1` (map-form extraArgs) or `v1beta2` (list-form). */
  public readonly version: string;
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. @default - none (the namespace kubectl applies it to) */
  public readonly namespace?: string;

  private readonly loaded: LoadedYaml;

  private constructor(loaded: LoadedYaml) {
    Object.defineProperty(this, KUBEADM_CONTROL_PLANE_FILE, { value: true });
    this.loaded = loaded;
    this.file = loaded.file;
    this.fileName = path.basename(loaded.file);
    const doc = loaded.value;
    if (!isObject(doc)) throw new UserError(`${WHAT} must be a KubeadmControlPlane object, got ${describeKind(doc)}`, { file: loaded.file });
    const apiVersion = str(doc.apiVersion) ?? '';
    const version = apiVersion.startsWith(`${GROUP}/`) ? apiVersion.slice(GROUP.length + 1) : '';
    if (doc.kind !== 'KubeadmControlPlane' || !VERSIONS.includes(version)) {
      throw new UserError(
        `${WHAT} must hold one ${GROUP}/v1beta1 or /v1beta2 KubeadmControlPlane (put it in a file of its own), got ${echo(apiVersion)} ${echo(doc.kind ?? null)}`,
        loaded.locate(doc.kind !== 'KubeadmControlPlane' ? ['kind'] : ['apiVersion']),
      );
    }
    const name = str(obj(doc.metadata).name);
    if (!name) throw new UserError(`${WHAT} has no metadata.name`, loaded.locate(['metadata', 'name']));
    this.document = doc;
    this.apiVersion = apiVersion;
    this.version = version;
    this.name = name;
    this.namespace = str(obj(doc.metadata).namespace);
  }

  /** Where a field is in the file, for an error. */
  public locate(field: YamlPath): ErrorLocation {
    return this.loaded.locate(field);
  }

  /** The Kubernetes version of `spec.version` (`v1.33.1`). */
  public kubernetesVersion(): KubernetesVersion {
    const v = obj(this.document.spec).version;
    if (typeof v !== 'string') throw new UserError('has no spec.version (a string such as "v1.33.1")', this.locate(['spec', 'version']));
    try {
      return KubernetesVersion.of(v, 'spec.version');
    } catch (err) {
      if (UserError.isUserError(err)) throw new UserError(err.detail, this.locate(['spec', 'version']));
      throw err;
    }
  }

  /** The API server's settings (`spec.kubeadmConfigSpec.clusterConfiguration.apiServer`), or an empty object. */
  public get apiServer(): Json {
    return obj(obj(obj(obj(this.document.spec).kubeadmConfigSpec).clusterConfiguration).apiServer);
  }

  /** The node files (`spec.kubeadmConfigSpec.files`). */
  public get files(): Json[] {
    return arr(obj(obj(this.document.spec).kubeadmConfigSpec).files).map(obj);
  }
}
