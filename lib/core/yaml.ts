import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { ErrorLocation, UserError } from './errors';

/** Larger than any real manifest, config or values file by two orders of magnitude. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/**
 * How many nodes a document may expand to, counting every use of an alias again. Real inputs have
 * a few thousand; a "billion laughs" alias bomb has billions and is refused once it passes this.
 */
export const MAX_EXPANDED_NODES = 200_000;
/**
 * How many characters (keys and scalars, counting every use of an alias again) a document may expand to.
 * A few long strings repeated through aliases stay under MAX_EXPANDED_NODES but would take gigabytes
 * once copied; real inputs expand to about their own size.
 */
export const MAX_EXPANDED_CHARS = 16 * 1024 * 1024;

/**
 * YAML 1.2's core schema plus merge keys (`<<`) and YAML 1.1 octal (`0644`), which Kubernetes' YAML reader also
 * honours. Left out on
 * purpose: `!!timestamp` (an unquoted 2021-01-01 would become a Date and be written back as
 * 2021-01-01T00:00:00.000Z, where Kubernetes reads the string as written) and `!!binary`, `!!omap`,
 * `!!pairs`, `!!set`, which have no JSON form: those tags are refused as unknown.
 */
// js-yaml exports its types at run time; @types/js-yaml does not declare them
const TYPES = (yaml as unknown as { types: Record<'merge' | 'null' | 'bool' | 'int' | 'float' | 'str' | 'seq' | 'map', yaml.Type> }).types;

/**
 * YAML 1.1's leading-zero octal integers (`0644`), as the kubelet and the API server read them (sigs.k8s.io/yaml
 * on go-yaml v2): YAML 1.2's core schema would read 644, so a `defaultMode: 0644` would silently become an
 * invalid mode. Otherwise YAML 1.2's int rules.
 */
const OCTAL_11 = /^[-+]?0[0-7]+$/;
const INT = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => (typeof data === 'string' && OCTAL_11.test(data)) || TYPES.int.resolve(data),
  construct: (data: string) =>
    OCTAL_11.test(data) ? (data.startsWith('-') ? -1 : 1) * parseInt(data.replace(/^[-+]/, ''), 8) : TYPES.int.construct(data),
  predicate: TYPES.int.predicate ?? undefined,
});

const INPUT_SCHEMA = new yaml.Schema({
  explicit: [TYPES.str, TYPES.seq, TYPES.map],
  implicit: [TYPES.null, TYPES.bool, INT, TYPES.float, TYPES.merge],
});

export type YamlPath = (string | number)[];

/** One parsed YAML (or JSON) document and the line of each of its fields, for error messages. */
export interface LoadedYaml {
  /** The parsed document. */
  readonly value: unknown;
  /** The file it came from, as the user named it (or a description such as `<inline manifest>`). */
  readonly file: string;
  /** The text it was parsed from. */
  readonly text: string;
  /** A location for an error about the value at `path`: file, dotted field, and line where known. */
  locate(path: YamlPath): ErrorLocation;
}

export interface LoadYamlOptions {
  /** Names the source in messages: a file path or a description. */
  readonly file: string;
  /** What the document is, for messages: "kube-apiserver manifest", "values file". */
  readonly what: string;
  /** Refuse larger input. @default DEFAULT_MAX_BYTES */
  readonly maxBytes?: number;
}

/** `a.b[2].c` from `['a', 'b', 2, 'c']`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** Reads and parses a file; a missing or unreadable file is a `UserError` naming it. */
export function readYamlFile(filePath: string, options: Omit<LoadYamlOptions, 'file'> & { file?: string }): LoadedYaml {
  const shown = options.file ?? filePath;
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    throw new UserError(`${options.what} not found`, { file: shown });
  }
  if (!stat.isFile()) throw new UserError(`${options.what} is not a regular file`, { file: shown });
  if (stat.size > max) {
    throw new UserError(`${options.what} is ${stat.size} bytes, more than the ${max} bytes any real one needs; refusing to read it`, { file: shown });
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    throw new UserError(`${options.what} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: shown });
  }
  return loadYaml(decodeText(bytes, options.what, shown), { ...options, file: shown });
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The file's text, or a `UserError` for a file that is not UTF-8 text: a NUL byte means binary data (an
 * image, an archive, a compiled file given by mistake); other invalid UTF-8 would silently turn into U+FFFD
 * and reach the output (a namespace "kube-syst\uFFFDme").
 */
function decodeText(bytes: Buffer, what: string, file: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new UserError(`${what} is UTF-16 text; save it as UTF-8`, { file });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new UserError(`${what} is not a text file (a NUL byte at offset ${nul}: binary data?); give the YAML or JSON file`, { file });
  }
  if (isUtf8(bytes)) return bytes.toString('utf8');
  // find the first bad byte, for its line and column
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
      continue;
    }
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const valid = len > 0 && i + len <= bytes.length && isUtf8(bytes.subarray(i, i + len));
    if (!valid) {
      const column = Buffer.from(bytes.subarray(lineStart, i)).toString('utf8').length + 1;
      throw new UserError(`${what} is not UTF-8 text (byte 0x${b.toString(16).padStart(2, '0')} is invalid UTF-8; save the file as UTF-8)`, {
        file,
        line,
        column,
      });
    }
    i += len - 1;
  }
  throw new UserError(`${what} is not UTF-8 text; save the file as UTF-8`, { file });
}

/**
 * Parses exactly one YAML or JSON document. Refuses, with file, line and column: malformed YAML,
 * duplicate keys, an empty input, several documents, oversized input and alias bombs.
 */
export function loadYaml(text: string, options: LoadYamlOptions): LoadedYaml {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (Buffer.byteLength(text, 'utf8') > max) {
    throw new UserError(`${options.what} is larger than ${max} bytes, more than any real one needs; refusing to parse it`, { file: options.file });
  }
  const lines = new LineIndex();
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, undefined, { listener: lines.listener, json: false, schema: INPUT_SCHEMA });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const mark = (err as any).mark;
      // JSON is YAML, but someone who wrote JSON should hear about JSON
      const format = /^\uFEFF?\s*[{[]/.test(text) ? 'JSON' : 'YAML';
      throw new UserError(`${options.what} is not valid ${format}: ${err.reason}`, {
        file: options.file,
        line: mark ? mark.line + 1 : undefined,
        column: mark ? mark.column + 1 : undefined,
      });
    }
    throw err;
  }
  // an empty document (a leading or trailing `---`) is not a second document
  const nonEmpty = docs.filter((d) => d !== null && d !== undefined);
  if (nonEmpty.length > 1) {
    throw new UserError(`${options.what} holds ${nonEmpty.length} YAML documents; expected exactly one`, { file: options.file });
  }
  if (nonEmpty.length === 0) {
    throw new UserError(`${options.what} is empty`, { file: options.file });
  }
  const value = nonEmpty[0];
  checkExpansion(value, options);
  const index = lines.build(value);
  return {
    value,
    file: options.file,
    text,
    locate(path: YamlPath): ErrorLocation {
      // The nearest ancestor that has a line is the best pointer for a missing field.
      // (the document root is no pointer: a line 1 there would only mislead)
      for (let n = path.length; n >= 1; n--) {
        const line = index.get(key(path.slice(0, n)));
        if (line !== undefined) return { file: options.file, field: formatPath(path) || undefined, line };
      }
      return { file: options.file, field: formatPath(path) || undefined };
    },
  };
}

/** Serializes a document the same way on every machine: no anchors, no folding, key order kept. */
export function dumpYaml(value: unknown): string {
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' });
}

function key(path: YamlPath): string {
  return JSON.stringify(path);
}

/**
 * Refuses documents that expand (through aliases) past MAX_EXPANDED_NODES nodes or MAX_EXPANDED_CHARS
 * characters, or refer to themselves.
 */
function checkExpansion(value: unknown, options: LoadYamlOptions): void {
  let count = 0;
  let chars = 0;
  const onPath = new Set<unknown>();
  const grow = (n: number): void => {
    chars += n;
    if (chars > MAX_EXPANDED_CHARS) {
      throw new UserError(
        `${options.what} expands to more than ${MAX_EXPANDED_CHARS} characters through YAML aliases (an alias bomb?); refusing it`,
        { file: options.file },
      );
    }
  };
  const walk = (node: unknown): void => {
    if (++count > MAX_EXPANDED_NODES) {
      throw new UserError(`${options.what} expands to more than ${MAX_EXPANDED_NODES} nodes through YAML aliases (an alias bomb?); refusing it`, {
        file: options.file,
      });
    }
    if (typeof node === 'string') grow(node.length);
    if (node === null || typeof node !== 'object') return;
    if (onPath.has(node)) {
      throw new UserError(`${options.what} refers to itself through a YAML alias; refusing it`, { file: options.file });
    }
    onPath.add(node);
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
    } else {
      for (const [k, child] of Object.entries(node as object)) {
        grow(k.length);
        walk(child);
      }
    }
    onPath.delete(node);
  };
  walk(value);
}

interface Frame {
  readonly line: number;
  readonly children: Frame[];
  result?: unknown;
}

/**
 * Rebuilds the node tree from js-yaml's open/close events and records the 1-based line of every
 * mapping key and sequence item by its path.
 */
class LineIndex {
  private readonly root: Frame = { line: 0, children: [] };
  private readonly stack: Frame[] = [this.root];

  public readonly listener = (event: 'open' | 'close', state: any): void => {
    if (event === 'open') {
      const frame: Frame = { line: state.line + 1, children: [] };
      this.stack[this.stack.length - 1].children.push(frame);
      this.stack.push(frame);
    } else {
      const frame = this.stack.pop()!;
      frame.result = state.result;
    }
  };

  /** The line index of the document whose parsed value is `value` (empty documents around it are skipped). */
  public build(value: unknown): Map<string, number> {
    const index = new Map<string, number>();
    const doc = this.root.children.find((d) => d.result === value);
    if (doc) this.visit(doc, [], index);
    return index;
  }

  private visit(frame: Frame, path: (string | number)[], index: Map<string, number>): void {
    index.set(key(path), frame.line);
    if (Array.isArray(frame.result)) {
      frame.children.forEach((child, i) => this.visit(child, [...path, i], index));
    } else if (frame.result !== null && typeof frame.result === 'object') {
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const k = String(frame.children[i].result);
        const p = [...path, k];
        this.visit(frame.children[i + 1], p, index);
        index.set(key(p), frame.children[i].line);
      }
    }
  }
}
