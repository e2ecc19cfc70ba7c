import { isAlias, isMap, isScalar, isSeq, Pair, parseAllDocuments, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { formatPath, YamlPath } from './yaml';

type Json = Record<string, unknown>;
type Range = [number, number, number];
/** How a string scalar is written: the yaml package's scalar types (block scalars count as plain for new text). */
type QuoteStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';

/**
 * The input uses YAML that `editYamlText` does not change in place (an alias, a merge key, a block scalar that
 * would change, ...). `reason` says which, for the plan.
 */
export class NotEditableInPlace extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'NotEditableInPlace';
  }
}

/**
 * The text of a one-document YAML (or JSON) file changed from `before` (what the file parses to, keys in file
 * order) to `after`, touching only what differs: a changed scalar is rewritten in place in its own quoting,
 * items appended to a list go after its last item with that list's indentation and dash, keys added to a mapping
 * go after its last key, removed keys lose their lines. Comments, blank lines, indentation, quoting and key order
 * of everything else stay byte for byte. JSON stays JSON (laid out as the input is). New keys must come after the
 * kept ones, and lists may only grow at their end: that is all the kube-apiserver patch does.
 *
 * Throws `NotEditableInPlace` for input it cannot edit so (the caller re-serializes instead). The caller checks
 * that the result parses to `after`.
 */
export function editYamlText(text: string, before: unknown, after: unknown): string {
  if (same(before, after)) return text;
  return new TextEditor(text).edit(before, after);
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly order: number;
}

const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const pad = (n: number): string => ' '.repeat(n);

/** Strings YAML 1.1 (the kubelet's go-yaml) or 1.2 would read as something else when written plain. */
const NOT_A_STRING_PLAIN = /^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|=|<<)$/;
/** Numbers of either YAML version (ints, floats, 0x/0o, 1.1's sexagesimal and 1_000) and .inf/.nan, and dates. */
const NUMBER_LIKE = /^[-+]?(\.?[0-9]|\.(inf|Inf|INF|nan|NaN|NAN)$)/;
/** Characters that must be escaped in a double-quoted scalar beyond what JSON escapes (YAML 1.1 line breaks, C1, BOM). */
const EXTRA_ESCAPES = /[\u007f-\u009f\u2028\u2029\ufeff]/g;
// the C0 controls are the point: a scalar holding one must be double-quoted and escaped
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** True when `s` can be written as a plain scalar and read back as the same string by YAML 1.1 and 1.2 readers. */
export function plainIsSafe(s: string, flow: boolean): boolean {
  if (s === '' || s !== s.trim() || CONTROL.test(s)) return false;
  if (/^[?:,[\]{}#&*!|>'"%@`]/.test(s) || /^(---|\.\.\.)/.test(s)) return false;
  if (s[0] === '-' && (s.length === 1 || s[1] === ' ')) return false;
  if (/: |:$| #/.test(s)) return false;
  // in flow context ',[]{}' end a plain scalar, and older libyaml readers refuse any ':' inside one
  if (flow && /[,[\]{}:]/.test(s)) return false;
  return !NOT_A_STRING_PLAIN.test(s) && !NUMBER_LIKE.test(s);
}

/** A double-quoted YAML scalar (JSON's escapes are YAML's; YAML 1.1 line breaks are escaped too). */
export function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(EXTRA_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function singleQuoted(s: string): string | undefined {
  return CONTROL.test(s) ? undefined : `'${s.replace(/'/g, "''")}'`;
}

function scalarRepr(v: unknown, where: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new NotEditableInPlace(`${where}: cannot write ${typeof v} ${String(v)}`);
}

class TextEditor {
  private readonly eol: string;
  private readonly splices: Splice[] = [];
  /** The document is JSON: new text is JSON too. */
  private json = false;
  /** Indentation of a nested block mapping, relative to its key. */
  private mapStep = 2;
  /** Column of a block list's dash relative to its key (0: kubectl's and kubeadm's "indentless" lists). */
  private seqOffset = 0;
  /** Indentation step of multi-line JSON. */
  private jsonStep = 2;
  private seqOffsetSeen = false;
  private mapStepSeen = false;
  private jsonStepSeen = false;

  constructor(private readonly text: string) {
    const nl = text.indexOf('\n');
    this.eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
  }

  public edit(before: unknown, after: unknown): string {
    const docs = parseAllDocuments(this.text, { uniqueKeys: false });
    if (!Array.isArray(docs)) throw new NotEditableInPlace('it holds no YAML document');
    const errors = docs.flatMap((d) => d.errors);
    if (errors.length > 0) throw new NotEditableInPlace(`the YAML parser of the editor reports ${errors[0].code}`);
    const contents = docs.map((d) => d.contents).filter((c) => c !== null && !(isScalar(c) && c.value === null && c.range?.[0] === c.range?.[1]));
    if (contents.length !== 1) throw new NotEditableInPlace(`the YAML parser of the editor reads ${contents.length} documents`);
    const root = contents[0];
    this.json = isMap(root) && !!root.flow && root.items.length > 0 && isScalar(root.items[0].key) && root.items[0].key.type === 'QUOTE_DOUBLE';
    this.detectStyle(root);
    this.walk(root, before, after, [], false, undefined);
    return this.apply();
  }

  private apply(): string {
    const sorted = [...this.splices].sort((a, b) => a.start - b.start || a.order - b.order);
    let out = '';
    let pos = 0;
    for (const s of sorted) {
      if (s.start < pos) throw new NotEditableInPlace('two edits would overlap');
      out += this.text.slice(pos, s.start) + s.text;
      pos = s.end;
    }
    return out + this.text.slice(pos);
  }

  private splice(start: number, end: number, text: string): void {
    this.splices.push({ start, end, text, order: this.splices.length });
  }

  // ---- positions

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private col(offset: number): number {
    return offset - this.lineStart(offset);
  }

  private lineIndent(offset: number): number {
    const start = this.lineStart(offset);
    let i = start;
    while (this.text[i] === ' ') i++;
    return i - start;
  }

  private line(offset: number): number {
    let n = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) n++;
    return n;
  }

  /** Inserts whole lines after the line holding `offset`. */
  private insertLinesAfter(offset: number, lines: string[]): void {
    const nl = this.text.indexOf('\n', Math.max(offset, 0));
    if (nl < 0) this.splice(this.text.length, this.text.length, this.eol + lines.join(this.eol));
    else this.splice(nl + 1, nl + 1, lines.join(this.eol) + this.eol);
  }

  /** The dash of a block list item whose value starts at `valueStart`, and the space after it; undefined if there is none. */
  private dashOf(valueStart: number): { at: number; gap: string } | undefined {
    let p = valueStart - 1;
    while (p >= 0 && this.text[p] === ' ') p--;
    if (p < 0 || this.text[p] !== '-') return undefined;
    return { at: p, gap: this.text.slice(p + 1, valueStart) };
  }

  private rangeOf(node: unknown, where: string): Range {
    const range = (node as { range?: Range } | null)?.range;
    if (!range) throw new NotEditableInPlace(`${where} has no place in the text`);
    return range;
  }

  private valueEnd(pair: Pair): number {
    const key = this.rangeOf(pair.key, 'a key');
    const value = (pair.value as { range?: Range } | null)?.range;
    return Math.max(key[1], value ? value[1] : 0);
  }

  // ---- the input's layout

  /** The first nested block mapping and block list under a key give the indentation of new ones. */
  private detectStyle(node: unknown): void {
    if (isMap(node)) {
      for (const pair of node.items) {
        const v = pair.value;
        const key = (pair.key as { range?: Range } | null)?.range;
        if (key && !node.flow) {
          if (!this.seqOffsetSeen && isSeq(v) && !v.flow && v.items.length > 0) {
            const first = (v.items[0] as { range?: Range } | null)?.range;
            const dash = first ? this.dashOf(first[0]) : undefined;
            if (dash && this.col(dash.at) >= this.col(key[0])) {
              this.seqOffset = this.col(dash.at) - this.col(key[0]);
              this.seqOffsetSeen = true;
            }
          }
          if (!this.mapStepSeen && isMap(v) && !v.flow && v.items.length > 0) {
            const first = (v.items[0].key as { range?: Range } | null)?.range;
            if (first && this.col(first[0]) > this.col(key[0])) {
              this.mapStep = this.col(first[0]) - this.col(key[0]);
              this.mapStepSeen = true;
            }
          }
        }
        this.detectStyle(v);
      }
      if (node.flow && !this.jsonStepSeen) this.detectJsonStep(node);
    } else if (isSeq(node)) {
      for (const item of node.items) this.detectStyle(item);
      if (node.flow && !this.jsonStepSeen) this.detectJsonStep(node);
    }
  }

  private detectJsonStep(node: YAMLMap | YAMLSeq): void {
    const open = node.range?.[0];
    const firstItem = node.items[0] as unknown;
    const first = isMap(node) ? (node.items[0]?.key as { range?: Range } | undefined)?.range : (firstItem as { range?: Range } | undefined)?.range;
    if (open === undefined || !first || this.line(first[0]) === this.line(open)) return;
    const step = this.lineIndent(first[0]) - this.lineIndent(open);
    if (step > 0) {
      this.jsonStep = step;
      this.jsonStepSeen = true;
    }
  }

  /** How the strings of a node are quoted: the node's own style, or that of the first string value of a mapping. */
  private quoteStyleOf(node: unknown): QuoteStyle {
    let scalar: Scalar | undefined;
    if (isScalar(node)) scalar = node;
    else if (isMap(node)) scalar = node.items.map((p) => p.value).find((v): v is Scalar => isScalar(v) && typeof v.value === 'string');
    const type = scalar && typeof scalar.value === 'string' ? scalar.type : undefined;
    return type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? type : 'PLAIN';
  }

  // ---- the walk

  private walk(node: unknown, before: unknown, after: unknown, path: YamlPath, flow: boolean, keyCol: number | undefined): void {
    if (same(before, after)) return;
    const where = formatPath(path) || 'the document';
    if (isAlias(node)) throw new NotEditableInPlace(`${where} is a YAML alias`);
    if (node === null || typeof node !== 'object') throw new NotEditableInPlace(`${where} has no value in the text`);
    if ((node as { anchor?: string }).anchor) throw new NotEditableInPlace(`${where} has a YAML anchor, and its aliases would change with it`);
    if (isMap(node) && isPlainObject(before) && isPlainObject(after)) return this.editMap(node, before, after, path, flow || !!node.flow);
    if (isSeq(node) && Array.isArray(before) && Array.isArray(after)) return this.editSeq(node, before, after, path, flow || !!node.flow);
    if (isScalar(node) && (before === null || typeof before !== 'object')) {
      if (node.tag) throw new NotEditableInPlace(`${where} has a YAML tag (${node.tag})`);
      if (after === null || typeof after !== 'object') return this.replaceScalar(node, after, where, flow);
      if (before === null) return this.replaceNull(node, after, where, flow, keyCol);
    }
    throw new NotEditableInPlace(`${where} changes from ${kind(before)} to ${kind(after)}`);
  }

  private editMap(node: YAMLMap, before: Json, after: Json, path: YamlPath, flow: boolean): void {
    const where = formatPath(path) || 'the document';
    const pairs = node.items;
    const keys = Object.keys(before);
    const written = pairs.map((p) => (isScalar(p.key) && !p.key.tag && p.key.range ? String(p.key.value) : undefined));
    if (written.length !== keys.length || written.some((k, i) => k !== keys[i])) {
      throw new NotEditableInPlace(`the keys of ${where} are not plain keys in the order read (a merge key "<<"?)`);
    }
    const kept = keys.filter((k) => hasOwn(after, k));
    const afterKeys = Object.keys(after);
    if (kept.some((k, i) => afterKeys[i] !== k)) throw new NotEditableInPlace(`keys of ${where} would move`);
    if (kept.length === 0) throw new NotEditableInPlace(`every key of ${where} would be removed`);
    const deleted: number[] = [];
    pairs.forEach((pair, i) => {
      const k = keys[i];
      if (!hasOwn(after, k)) deleted.push(i);
      else this.walk(pair.value, before[k], after[k], [...path, k], flow, this.col(this.rangeOf(pair.key, where)[0]));
    });
    if (deleted.length > 0) {
      if (flow) this.deleteLeadingAndCommas(pairs, deleted);
      else this.deleteBlockPairs(pairs, deleted, where, keys);
    }
    const added = afterKeys.slice(kept.length).map((k): [string, unknown] => [k, after[k]]);
    if (added.length > 0) this.appendPairs(node, added, flow, where);
  }

  /**
   * Removes the lines of each pair. A mapping that is a list item starts on the dash's line: a run of removed
   * pairs at its start is cut up to the first kept key, which moves up behind the dash.
   */
  private deleteBlockPairs(pairs: Pair[], deleted: number[], where: string, keys: string[]): void {
    const firstStart = this.rangeOf(pairs[0].key, where)[0];
    const onDash = this.text.slice(this.lineStart(firstStart), firstStart).trim() !== '';
    const gone = new Set(deleted);
    const firstKept = pairs.findIndex((_, i) => !gone.has(i));
    if (onDash && gone.has(0)) this.splice(firstStart, this.rangeOf(pairs[firstKept].key, where)[0], '');
    for (const i of deleted) {
      if (onDash && i < firstKept) continue;
      const keyStart = this.rangeOf(pairs[i].key, where)[0];
      const start = this.lineStart(keyStart);
      if (this.text.slice(start, keyStart).trim() !== '') throw new NotEditableInPlace(`${where}.${keys[i]} does not start its line`);
      const nl = this.text.indexOf('\n', this.valueEnd(pairs[i]) - 1);
      this.splice(start, nl < 0 ? this.text.length : nl + 1, '');
    }
  }

  /** Removes flow pairs with the commas between them; a leading run is removed up to the first kept key. */
  private deleteLeadingAndCommas(pairs: Pair[], deleted: number[]): void {
    const gone = new Set(deleted);
    const firstKept = pairs.findIndex((_, i) => !gone.has(i));
    if (gone.has(0)) this.splice(this.rangeOf(pairs[0].key, 'a key')[0], this.rangeOf(pairs[firstKept].key, 'a key')[0], '');
    for (const i of deleted) if (i > firstKept) this.splice(this.valueEnd(pairs[i - 1]), this.valueEnd(pairs[i]), '');
  }

  private appendPairs(node: YAMLMap, entries: [string, unknown][], flow: boolean, where: string): void {
    const last = node.items[node.items.length - 1];
    const keyStart = this.rangeOf(last.key, where)[0];
    if (!flow) {
      const keyCol = this.col(keyStart);
      const style = this.quoteStyleOf(node);
      this.insertLinesAfter(
        this.valueEnd(last) - 1,
        entries.flatMap(([k, v]) => this.blockPair(k, v, keyCol, style, where)),
      );
      return;
    }
    const open = this.rangeOf(node, where)[0];
    const multi = this.line(keyStart) !== this.line(open);
    const indent = this.lineIndent(keyStart);
    const keyStyle = isScalar(last.key) && last.key.type === 'QUOTE_DOUBLE' ? 'QUOTE_DOUBLE' : 'PLAIN';
    const text = entries
      .map(
        ([k, v]) =>
          `${multi ? `,${this.eol}${pad(indent)}` : ', '}${this.flowKey(k, keyStyle)}: ${this.flowValue(v, multi ? indent : undefined, where)}`,
      )
      .join('');
    this.splice(this.valueEnd(last), this.valueEnd(last), text);
  }

  private editSeq(node: YAMLSeq, before: unknown[], after: unknown[], path: YamlPath, flow: boolean): void {
    const where = formatPath(path) || 'the document';
    if (node.items.length !== before.length)
      throw new NotEditableInPlace(`${where} has ${node.items.length} items in the text but ${before.length} when read`);
    if (after.length < before.length) throw new NotEditableInPlace(`items of ${where} would be removed`);
    before.forEach((b, i) => this.walk(node.items[i], b, after[i], [...path, i], flow, undefined));
    const added = after.slice(before.length);
    if (added.length === 0) return;
    if (flow) this.appendFlowItems(node, added, where);
    else this.appendBlockItems(node, added, where);
  }

  private appendBlockItems(node: YAMLSeq, added: unknown[], where: string): void {
    const last = node.items[node.items.length - 1];
    const range = this.rangeOf(last, where);
    const dash = this.dashOf(range[0]);
    if (!dash) throw new NotEditableInPlace(`the last item of ${where} does not start on the line of its dash`);
    const dashCol = this.col(dash.at);
    const style = this.quoteStyleOf(last);
    this.insertLinesAfter(
      range[1] - 1,
      added.flatMap((v) => this.blockItem(v, dashCol, dash.gap, style, where)),
    );
  }

  private appendFlowItems(node: YAMLSeq, added: unknown[], where: string): void {
    const range = this.rangeOf(node, where);
    if (node.items.length === 0) {
      if (this.text[range[0]] !== '[' || this.text[range[1] - 1] !== ']') throw new NotEditableInPlace(`${where} is an empty list written oddly`);
      let text: string;
      if (this.json) {
        const outer = this.lineIndent(range[0]);
        const inner = outer + this.jsonStep;
        text = `[${added.map((v) => `${this.eol}${pad(inner)}${this.flowValue(v, inner, where)}`).join(',')}${this.eol}${pad(outer)}]`;
      } else {
        text = `[${added.map((v) => this.flowValue(v, undefined, where)).join(', ')}]`;
      }
      this.splice(range[0], range[1], text);
      return;
    }
    const last = this.rangeOf(node.items[node.items.length - 1], where);
    const multi = this.line(last[0]) !== this.line(range[0]);
    const indent = this.lineIndent(last[0]);
    const text = added.map((v) => `${multi ? `,${this.eol}${pad(indent)}` : ', '}${this.flowValue(v, multi ? indent : undefined, where)}`).join('');
    this.splice(last[1], last[1], text);
  }

  private replaceScalar(node: Scalar, after: unknown, where: string, flow: boolean): void {
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') throw new NotEditableInPlace(`${where} is a block scalar (| or >)`);
    const [start, end] = this.rangeOf(node, where);
    let text: string;
    if (this.json) text = typeof after === 'string' ? doubleQuoted(after) : scalarRepr(after, where);
    else if (typeof after === 'string')
      text = this.stringText(after, node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? node.type : 'PLAIN', flow);
    else text = scalarRepr(after, where);
    // an empty value (`key:`) has no text of its own: keep a space after the colon
    this.splice(start, end, start === end ? ` ${text}` : text);
  }

  /** A null value (`key:`, `key: null`, `key: ~`) that becomes a list or mapping. */
  private replaceNull(node: Scalar, after: unknown, where: string, flow: boolean, keyCol: number | undefined): void {
    const [start, end] = this.rangeOf(node, where);
    const empty = Array.isArray(after) ? after.length === 0 : Object.keys(after as Json).length === 0;
    if (flow || this.json || empty) {
      this.splice(start, end, `${start === end ? ' ' : ''}${this.flowValue(after, flow || this.json ? this.lineIndent(start) : undefined, where)}`);
      return;
    }
    if (keyCol === undefined) throw new NotEditableInPlace(`${where} is a null list item`);
    let from = start;
    while (from > 0 && this.text[from - 1] === ' ') from--;
    const lines = Array.isArray(after)
      ? after.flatMap((v) => this.blockItem(v, keyCol + this.seqOffset, ' ', 'PLAIN', where))
      : this.blockPairs(after as Json, keyCol + this.mapStep, 'PLAIN', where);
    this.splice(from, end, this.eol + lines.join(this.eol));
  }

  // ---- new text

  private stringText(s: string, style: QuoteStyle, flow: boolean): string {
    if (style === 'QUOTE_DOUBLE') return doubleQuoted(s);
    if (style === 'QUOTE_SINGLE') return singleQuoted(s) ?? doubleQuoted(s);
    return plainIsSafe(s, flow) ? s : doubleQuoted(s);
  }

  private blockScalar(v: unknown, style: QuoteStyle, where: string): string {
    if (typeof v === 'string') return this.stringText(v, style, false);
    if (Array.isArray(v) || isPlainObject(v)) return this.flowValue(v, undefined, where);
    return scalarRepr(v, where);
  }

  /** One block list item: `- value`, or `- key: value` with the mapping's other keys under the first. */
  private blockItem(v: unknown, dashCol: number, gap: string, style: QuoteStyle, where: string): string[] {
    const lead = `${pad(dashCol)}-${gap}`;
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      const keyCol = dashCol + 1 + gap.length;
      const lines = this.blockPairs(v, keyCol, style, where);
      lines[0] = lead + lines[0].slice(keyCol);
      return lines;
    }
    return [lead + this.blockScalar(v, style, where)];
  }

  private blockPairs(obj: Json, keyCol: number, style: QuoteStyle, where: string): string[] {
    return Object.entries(obj).flatMap(([k, v]) => this.blockPair(k, v, keyCol, style, where));
  }

  private blockPair(k: string, v: unknown, keyCol: number, style: QuoteStyle, where: string): string[] {
    const key = `${pad(keyCol)}${plainIsSafe(k, false) ? k : doubleQuoted(k)}:`;
    if (isPlainObject(v) && Object.keys(v).length > 0) return [key, ...this.blockPairs(v, keyCol + this.mapStep, style, where)];
    if (Array.isArray(v) && v.length > 0) return [key, ...v.flatMap((item) => this.blockItem(item, keyCol + this.seqOffset, ' ', style, where))];
    return [`${key} ${this.blockScalar(v, style, where)}`];
  }

  private flowKey(k: string, style: 'QUOTE_DOUBLE' | 'PLAIN'): string {
    return this.json || style === 'QUOTE_DOUBLE' || !plainIsSafe(k, true) ? doubleQuoted(k) : k;
  }

  /** A value in flow style: JSON laid out over lines from column `indent` in a multi-line JSON document, else on one line. */
  private flowValue(v: unknown, indent: number | undefined, where: string): string {
    if (this.json && indent !== undefined) {
      const inner = indent + this.jsonStep;
      if (Array.isArray(v)) {
        return v.length === 0
          ? '[]'
          : `[${v.map((x) => `${this.eol}${pad(inner)}${this.flowValue(x, inner, where)}`).join(',')}${this.eol}${pad(indent)}]`;
      }
      if (isPlainObject(v)) {
        const entries = Object.entries(v);
        return entries.length === 0
          ? '{}'
          : `{${entries.map(([k, x]) => `${this.eol}${pad(inner)}${doubleQuoted(k)}: ${this.flowValue(x, inner, where)}`).join(',')}${this.eol}${pad(indent)}}`;
      }
    }
    if (Array.isArray(v)) return `[${v.map((x) => this.flowValue(x, undefined, where)).join(', ')}]`;
    if (isPlainObject(v))
      return `{${Object.entries(v)
        .map(([k, x]) => `${this.flowKey(k, 'PLAIN')}: ${this.flowValue(x, undefined, where)}`)
        .join(', ')}}`;
    if (typeof v === 'string') return this.json || !plainIsSafe(v, true) ? doubleQuoted(v) : v;
    return scalarRepr(v, where);
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}
