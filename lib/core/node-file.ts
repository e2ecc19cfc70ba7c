import * as path from 'path';
import { Construct, IConstruct } from 'constructs';
import { UserError } from './errors';
import { cut } from './util';
import { dumpYaml } from './yaml';

/**
 * Marks a file that Argo CD must not apply: a directory application skips any file starting with it.
 * Every file meant for a control-plane node carries it, so an Application pointed at all of
 * `dist/` still applies only `dist/cluster/`.
 */
export const ARGOCD_SKIP_MARKER = '# +argocd:skip-file-rendering';

const NODE_FILE = Symbol.for('cdk8s-falco-audit.NodeFile');

/** Props of {@link NodeFile}. */
export interface NodeFileProps {
  /**
   * Where the file belongs on the control-plane node, absolute (e.g. `/etc/kubernetes/audit/policy.yaml`).
   * @default - the file is not read from a fixed place (e.g. a kubeadm patch, placed in the patches folder)
   */
  readonly nodePath?: string;
  /**
   * The file's name under the output's `node/` folder.
   * @default - the base name of `nodePath`
   */
  readonly fileName?: string;
  /** The document, written as YAML. */
  readonly document: unknown;
  /**
   * The file's text, for a file that is an input edited in place (the patched static pod manifest): written as
   * it is, with the skip marker as first line. It must parse to `document`.
   * @default - `document` serialized as YAML
   */
  readonly text?: string;
  /** One line on what the file is and where it goes, printed in the plan. */
  readonly description: string;
}

/**
 * A file for a control-plane node rather than for the Kubernetes API: the patched static pod
 * manifest, the audit policy, the webhook kubeconfig, a kubeadm patch. It is not an `ApiObject`,
 * so `cdk8s synth` never puts it among the objects applied to the cluster; the app writes each one
 * under `node/` with the Argo CD skip marker.
 */
export class NodeFile extends Construct {
  /** True for a `NodeFile` from any copy of this library (a registered symbol, as cdk8s's `ApiObject.isApiObject`). */
  public static isNodeFile(x: unknown): x is NodeFile {
    return typeof x === 'object' && x !== null && NODE_FILE in x;
  }

  /** Every node file in the tree under `scope`, in tree order. */
  public static all(scope: IConstruct): NodeFile[] {
    return scope.node.findAll().filter(NodeFile.isNodeFile);
  }

  /** Where the file belongs on the control-plane node; undefined for a kubeadm patch (its folder is the user's). */
  public readonly nodePath?: string;
  /** The file's name under the output's `node/` folder. */
  public readonly fileName: string;
  /** The document, written as YAML. */
  public readonly document: unknown;
  /** The file's text when it is an edited input; undefined when `document` is serialized. */
  public readonly text?: string;
  /** What the file is and where it goes, for the plan. */
  public readonly description: string;

  constructor(scope: Construct, id: string, props: NodeFileProps) {
    super(scope, id);
    Object.defineProperty(this, NODE_FILE, { value: true });
    if (props.nodePath !== undefined && !path.posix.isAbsolute(props.nodePath)) {
      throw new UserError(`node file path must be absolute, got "${cut(props.nodePath)}"`);
    }
    const fileName = props.fileName ?? (props.nodePath ? path.posix.basename(props.nodePath) : undefined);
    if (!fileName || fileName.includes('/') || fileName.startsWith('.')) {
      throw new UserError(`node file name must be a plain name not starting with a dot, got "${cut(fileName ?? '')}"`);
    }
    this.nodePath = props.nodePath;
    this.fileName = fileName;
    this.document = props.document;
    this.text = props.text;
    this.description = props.description;
  }

  /** The file's text: the skip marker, then the edited input text or the document as YAML. */
  public toYaml(): string {
    return this.text === undefined ? `${ARGOCD_SKIP_MARKER}\n${dumpYaml(this.document)}` : withSkipMarker(this.text);
  }
}

/**
 * `text` with the skip marker as its first line (after a byte order mark), in the text's own line ending;
 * unchanged when that line is already the marker, so patching the output again adds nothing. Argo CD skips a
 * file holding the marker anywhere (`bytes.Contains`, argo-cd reposerver/repository/repository.go
 * getPotentiallyValidManifestFile @ 0001e1f3); the first line is where a reviewer sees it, and a comment there
 * stays valid YAML before a `---` or a directive, and before JSON text.
 */
export function withSkipMarker(text: string): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const nl = body.indexOf('\n');
  const firstLine = (nl < 0 ? body : body.slice(0, nl)).replace(/\r$/, '');
  if (firstLine === ARGOCD_SKIP_MARKER) return text;
  const eol = nl > 0 && body[nl - 1] === '\r' ? '\r\n' : '\n';
  return `${bom}${ARGOCD_SKIP_MARKER}${eol}${body}`;
}
