import { Construct } from 'constructs';
import { UserError } from '../../core/errors';
import { cut, echo, isObject, Json } from '../../core/util';
import { dumpYaml } from '../../core/yaml';
import { Violation } from '../../validation';
import { validateKubeadmControlPlanePatch } from '../../validation/distros';
import { NodeFileSpec } from '../api-server-audit-backend';
import { ApiServerPlan } from '../api-server-plan';
import { DEFAULT_AUDIT_DIRECTORY, DEFAULT_AUDIT_LOG } from '../audit-folders';
import { ApiServerCommandLine } from '../flags';
import { JsonPatchOperation } from '../kube-apiserver-manifest';
import { KCP_API_SERVER_PATH, KubeadmControlPlaneFile } from '../kubeadm-control-plane-file';
import { bindAudit, Binding, kubeadmExtraVolumes, ExistingMount } from './binding';
import { DistributionTarget } from './distribution-target';
import { STATIC_POD } from './reachability';
import { sh } from './shell';
import { Distribution, DistributionSpec, TargetBuildProps } from './target-spec';

/** Options of `ControlPlane.clusterApi`. */
export interface ClusterApiControlPlaneOptions {
  /** The cluster's KubeadmControlPlane, as the management repository holds it (a file of its own). */
  readonly kubeadmControlPlane: KubeadmControlPlaneFile;
  /**
   * The Cluster API release of the management cluster (`1.10`, `1.11.2`), checked against the object's apiVersion:
   * 1.10 and older serve v1beta1 only (map-form extraArgs), 1.11 and newer serve v1beta2 (list form) and still v1beta1.
   * @default - from the object's apiVersion (v1beta1: checked against the 1.10.0 CRD, v1beta2: the 1.11.0 CRD)
   */
  readonly version?: string;
}

/** `files[].content` holds at most 10240 characters (the CRDs at v1.10.0 and v1.11.0); a larger file comes from a Secret. */
const MAX_CONTENT = 10240;
const GROUP = 'controlplane.cluster.x-k8s.io';

/** The Cluster API version the object is validated with: its apiVersion decides, a stated release must serve it. */
function capiVersionOf(kcp: KubeadmControlPlaneFile, version: string | undefined): string {
  const own = kcp.version === 'v1beta2' ? '1.11' : '1.10';
  if (version === undefined) return own;
  const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(String(version).trim());
  if (!m) throw new UserError(`must be a Cluster API release such as "1.10" or "1.11.2", got ${echo(version)}`, { field: 'controlPlane.version' });
  if (Number(m[1]) <= 10 && kcp.version === 'v1beta2') {
    throw new UserError(
      `Cluster API ${version} serves KubeadmControlPlane v1beta1 only (the CRD at v1.10.0), but ${kcp.file} is ${kcp.apiVersion}; ` +
        'state the release the management cluster runs',
      { field: 'controlPlane.version' },
    );
  }
  return own;
}

/** The user's extraArgs as a command line (the backend keeps what they set), and where each flag is in the file. */
function userCommandLine(kcp: KubeadmControlPlaneFile): { commandLine: ApiServerCommandLine; at: (flag: string) => (string | number)[] } {
  const raw = kcp.apiServer.extraArgs;
  const entries: { name: string; value: string; at: (string | number)[] }[] = Array.isArray(raw)
    ? raw
        .filter(isObject)
        .map((a, i) => ({ name: String(a.name), value: String(a.value ?? ''), at: [...KCP_API_SERVER_PATH, 'extraArgs', i, 'value'] }))
    : Object.entries(isObject(raw) ? raw : {}).map(([name, value]) => ({
        name,
        value: String(value),
        at: [...KCP_API_SERVER_PATH, 'extraArgs', name],
      }));
  const commandLine = ApiServerCommandLine.parse({ command: ['kube-apiserver', ...entries.map((e) => `--${e.name}=${e.value}`)] });
  return { commandLine, at: (flag) => [...entries].reverse().find((e) => e.name === flag)?.at ?? [...KCP_API_SERVER_PATH, 'extraArgs'] };
}

/** The user's extraVolumes, which the API server already sees. */
function userVolumes(kcp: KubeadmControlPlaneFile): ExistingMount[] {
  const volumes = Array.isArray(kcp.apiServer.extraVolumes) ? kcp.apiServer.extraVolumes.filter(isObject) : [];
  return volumes
    .filter((v) => typeof v.hostPath === 'string' && typeof v.mountPath === 'string')
    .map((v) => ({ name: String(v.name), hostPath: String(v.hostPath), mountPath: String(v.mountPath), readOnly: v.readOnly === true }));
}

/** JSON patch pointer escaping (RFC 6901). */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON 6902 operations that add `fragment` to `base`: a missing field is added whole (at the deepest parent the
 * object has), each item of a list it has is appended (`add .../-`, which keeps the user's entries), an object it has
 * is entered. The same result as `mergeAppending(base, fragment)` of the oracle.
 */
export function addOperations(base: unknown, fragment: Json, pointer = ''): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(fragment)) {
    const at = `${pointer}/${escape(key)}`;
    const existing = isObject(base) ? base[key] : undefined;
    if (Array.isArray(existing) && Array.isArray(value)) ops.push(...value.map((item) => ({ op: 'add' as const, path: `${at}/-`, value: item })));
    else if (isObject(existing) && isObject(value)) ops.push(...addOperations(existing, value, at));
    else ops.push({ op: 'add', path: at, value });
  }
  return ops;
}

/**
 * Cluster API: a kustomize patch of the user's KubeadmControlPlane (a JSON 6902 patch of `add` operations, and a
 * kustomization that applies it), so the management repository's GitOps applies it and Cluster API rolls the
 * control-plane machines. The API server is a kubeadm static pod on the host network; the node files go in
 * `kubeadmConfigSpec.files`, the flags and volumes in `clusterConfiguration.apiServer`, in the object's own form.
 */
class ClusterApiTarget extends DistributionTarget {
  public readonly distribution = Distribution.CLUSTER_API;
  public readonly plan: ApiServerPlan;
  /** What the patch adds, as a partial KubeadmControlPlane. */
  public readonly fragment: Json;
  /** The JSON 6902 operations. */
  public readonly operations: JsonPatchOperation[];
  private secret?: Json;

  constructor(
    scope: Construct,
    id: string,
    props: TargetBuildProps,
    private readonly kcp: KubeadmControlPlaneFile,
    private readonly capiVersion: string,
  ) {
    super(scope, id, props);
    const user = userCommandLine(kcp);
    const binding = bindAudit(props.backend, {
      distribution: 'Cluster API',
      version: props.version,
      defaults: { directory: DEFAULT_AUDIT_DIRECTORY, auditLogPath: DEFAULT_AUDIT_LOG.path },
      placement: { kind: 'static-pod', existing: userVolumes(kcp) },
      commandLine: user.commandLine,
      locateFlag: (flag) => kcp.locate(user.at(flag)),
    });
    this.refuseChanges(binding, user.at);
    const files = binding.files.map((f) => this.fileEntry(f));
    this.fragment = this.renderFragment(binding, files);
    this.operations = addOperations(kcp.document, this.fragment);
    this.writeFiles();
    this.plan = this.makePlan(
      binding,
      [
        'Cluster API rolls out new control-plane machines for a change of files or extraArgs (docs/book/src/tasks/control-plane/kubeadm-control-plane.md ' +
          'L40-52, research §6); the first new machine sends events once the cluster network is up',
        'a cluster made from a ClusterClass gets its KubeadmControlPlane from the class: the topology controller would undo this patch; ' +
          'patch the KubeadmControlPlaneTemplate (or the ClusterClass) the same way instead',
        `the patch is for ${kcp.apiVersion}, as ${kcp.fileName} is written, and adds to its lists (JSON 6902 add .../-: a strategic merge would replace them)`,
      ],
      { filesHeading: "files for the management cluster's repository" },
    );
  }

  /**
   * A flag the user's object sets otherwise cannot be changed by the patch: a second v1beta2 entry fails the CRD, a
   * v1beta1 add replaces it silently. Nor can a file the object writes.
   */
  private refuseChanges(binding: Binding, at: (flag: string) => (string | number)[]): void {
    const changed = binding.flagChanges.find((c) => c.action === 'changed');
    if (changed) {
      throw new UserError(
        `the KubeadmControlPlane already sets --${changed.flag}=${cut(changed.from)}, and the patch would need ${cut(changed.to)}: ` +
          `${this.kcp.version === 'v1beta2' ? 'a second extraArgs entry of that name fails the CRD (unique names)' : 'an add of that key replaces it'}; ` +
          'remove it from the KubeadmControlPlane (or make it the value asked for)',
        this.kcp.locate(at(changed.flag)),
      );
    }
    const paths = new Set(binding.files.map((f) => f.nodePath));
    this.kcp.files.forEach((f, i) => {
      if (paths.has(String(f.path))) {
        throw new UserError(
          `the KubeadmControlPlane already writes ${cut(f.path)}, a file the patch writes; remove it (or choose another audit.webhook.directory)`,
          this.kcp.locate(['spec', 'kubeadmConfigSpec', 'files', i, 'path']),
        );
      }
    });
  }

  /** A `files` entry: the content inline, or from a Secret when it is longer than the field takes. */
  private fileEntry(f: NodeFileSpec): Json {
    const content = dumpYaml(f.document);
    this.kubernetesDocument(`node/${this.patchName}: files (${f.nodePath})`, f.document);
    if ([...content].length <= MAX_CONTENT) return { path: f.nodePath, owner: 'root:root', permissions: '0600', content };
    const name = `${this.kcp.name}-falco-audit`.slice(0, 253).replace(/[-.]+$/, '');
    this.secret ??= { apiVersion: 'v1', kind: 'Secret', metadata: this.metadata(name), type: 'Opaque', stringData: {} };
    (this.secret.stringData as Json)[f.fileName] = content;
    return { path: f.nodePath, owner: 'root:root', permissions: '0600', contentFrom: { secret: { name, key: f.fileName } } };
  }

  private metadata(name: string): Json {
    return this.kcp.namespace ? { name, namespace: this.kcp.namespace } : { name };
  }

  private renderFragment(binding: Binding, files: Json[]): Json {
    const apiServer: Json = {};
    if (binding.emitted.length > 0) {
      for (const c of binding.emitted) if (c.key !== undefined) throw new Error(`Cluster API: map flag --${c.flag} is not written by this target`);
      apiServer.extraArgs =
        this.kcp.version === 'v1beta2'
          ? binding.emitted.map((c) => ({ name: c.flag, value: c.to }))
          : Object.fromEntries(binding.emitted.map((c) => [c.flag, c.to]));
    }
    if (binding.volumes.length > 0) {
      apiServer.extraVolumes = kubeadmExtraVolumes(binding.volumes);
    }
    // v1beta2 refuses empty objects and lists (minProperties, minItems: 1)
    const spec: Json = {};
    if (files.length > 0) spec.files = files;
    if (Object.keys(apiServer).length > 0) spec.clusterConfiguration = { apiServer };
    return { spec: { kubeadmConfigSpec: spec } };
  }

  private get patchName(): string {
    return 'kubeadm-control-plane-falco-audit.yaml';
  }

  private writeFiles(): void {
    const taken = [this.patchName, 'kustomization.yaml', 'falco-audit-files-secret.yaml'];
    if (taken.includes(this.kcp.fileName)) {
      throw new UserError(`the KubeadmControlPlane file is named ${this.kcp.fileName}, a file the patch writes beside it; rename it`, {
        file: this.kcp.file,
      });
    }
    const resources = [this.kcp.fileName];
    if (this.secret) {
      this.kubernetesDocument('node/falco-audit-files-secret.yaml', this.secret);
      this.file({
        id: 'FilesSecret',
        role: 'files-secret',
        destination: `the management cluster's repository, beside ${this.kcp.fileName}`,
        fileName: 'falco-audit-files-secret.yaml',
        document: this.secret,
        description: `the Secret with the node files longer than ${MAX_CONTENT} characters, which the patch reads (the kustomization creates it beside the KubeadmControlPlane)`,
      });
      resources.push('falco-audit-files-secret.yaml');
    }
    this.kubernetesDocument(`node/${this.patchName}`, this.operations);
    this.file({
      id: 'KustomizePatch',
      role: 'kustomize-patch',
      destination: `the management cluster's repository, beside ${this.kcp.fileName}`,
      fileName: this.patchName,
      document: this.operations,
      description: `the JSON 6902 patch of KubeadmControlPlane ${this.kcp.name}: adds the audit flags, volumes and files to its own`,
    });
    const target: Json = { group: GROUP, version: this.kcp.version, kind: 'KubeadmControlPlane', name: this.kcp.name };
    if (this.kcp.namespace) target.namespace = this.kcp.namespace;
    this.file({
      id: 'Kustomization',
      role: 'kustomization',
      destination: `the management cluster's repository, beside ${this.kcp.fileName}`,
      fileName: 'kustomization.yaml',
      document: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources, patches: [{ path: this.patchName, target }] },
      description: `the kustomization that applies the patch to ${this.kcp.fileName} (kubectl apply -k on the management cluster)`,
    });
  }

  public _distributionViolations(): Violation[] {
    return validateKubeadmControlPlanePatch(this.fragment, this.capiVersion, `node/${this.patchName} on ${this.kcp.fileName}`, this.kcp.document);
  }

  public _applySteps(nodeDir: string): string[][] {
    const ns = this.kcp.namespace ? ` -n ${sh(this.kcp.namespace)}` : '';
    const ours = this.files.map((f) => sh(`${nodeDir}/${f.fileName}`)).join(' ');
    return [
      [
        `in the management cluster's repository, copy ${ours} into the folder of ${this.kcp.fileName} (if it has a kustomization.yaml, ` +
          'add our patches entry to it instead), then apply it on the management cluster (or let Argo CD or Flux apply it):',
        `  kubectl apply -k <folder of ${this.kcp.fileName}>`,
      ],
      [
        'Cluster API replaces the control-plane machines one by one; wait until every one is updated:',
        `  kubectl get kubeadmcontrolplane ${sh(this.kcp.name)}${ns} -w   (UPDATED equals REPLICAS)`,
      ],
    ];
  }
}

/** Cluster API's KubeadmControlPlane (v1beta1 of 1.10, v1beta2 of 1.11). @internal */
export function clusterApiSpec(options: ClusterApiControlPlaneOptions): DistributionSpec {
  const kcp = options?.kubeadmControlPlane;
  if (!KubeadmControlPlaneFile.isKubeadmControlPlaneFile(kcp)) {
    throw new UserError('kubeadmControlPlane must be a KubeadmControlPlaneFile (KubeadmControlPlaneFile.fromFile)', { field: 'controlPlane' });
  }
  const capiVersion = capiVersionOf(kcp, options.version);
  return {
    distribution: Distribution.CLUSTER_API,
    name: 'Cluster API',
    runtime: STATIC_POD,
    facts: { statedVersion: () => kcp.kubernetesVersion(), statedVersionSource: "the KubeadmControlPlane's spec.version" },
    versionProblem: () => undefined,
    dynamicProblem: () =>
      'Cluster API 1.10 and 1.11 support workload clusters of the six Kubernetes minors before them (docs/book/src/reference/versions.md), ' +
      'long after dynamic auditing was removed in 1.19',
    build: (scope: Construct, id: string, props: TargetBuildProps) => new ClusterApiTarget(scope, id, props, kcp, capiVersion),
  };
}
