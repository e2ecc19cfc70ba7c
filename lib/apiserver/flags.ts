import { ErrorLocation, UserError } from '../core/errors';
import { cut, echo, quote } from '../core/util';

/**
 * How the container starts kube-apiserver.
 * - `binary`: `command: [kube-apiserver, ...]` or `/usr/local/bin/kube-apiserver` (flags in command and/or args)
 * - `hyperkube`: `/hyperkube apiserver` or `/hyperkube kube-apiserver`
 * - `go-runner`: kops' `command: [/go-runner]`, go-runner's own flags, then the binary and its flags in `args`
 * - `image-entrypoint`: no command, `args` holds only flags (the image's entrypoint is the binary)
 * - `shell`: `/bin/sh -c "<binary> <flags>"` (a plain string without shell syntax)
 */
export type LaunchForm = 'binary' | 'hyperkube' | 'go-runner' | 'image-entrypoint' | 'shell';

/** What happened to one flag (or one key of a map flag) when a value was asked for. */
export interface FlagChange {
  /** The flag name without dashes, e.g. `feature-gates`. */
  readonly flag: string;
  /** For map flags (`--feature-gates`, `--runtime-config`): the key. @default - a plain flag */
  readonly key?: string;
  /**
   * `added`: the flag (or key) was not there; `changed`: its effective value was replaced;
   * `kept`: it already had the asked value, or it was kept on purpose with the operator's value.
   */
  readonly action: 'added' | 'changed' | 'kept';
  /** The effective value before. @default - absent */
  readonly from?: string;
  /** The effective value after (`true` for a bare boolean flag). */
  readonly to: string;
  /** True when the flag was written bare (`--name`, a boolean switched on). @default false */
  readonly bare?: boolean;
  /** Why a flag was kept with a value other than the one asked for. @default - none */
  readonly reason?: string;
}

/** One `--name` flag as written. */
export interface ParsedFlag {
  /** Name without the leading dashes, `_` normalized to `-` as kube-apiserver does. */
  readonly name: string;
  /** The value; `undefined` for a bare `--name`. */
  readonly value: string | undefined;
  /** `equals`: `--name=value`; `separate`: `--name value` (two items); `bare`: `--name`. */
  readonly form: 'equals' | 'separate' | 'bare';
}

/** Flags kube-apiserver reads as `key=value` lists that merge across repeated occurrences. */
export const MAP_FLAGS: readonly string[] = ['feature-gates', 'runtime-config'];

type ArrayName = 'command' | 'args';

interface Token {
  readonly kind: 'opaque' | 'flag';
  readonly array: ArrayName;
  /** The items as written (1, or 2 for `--name value`). */
  items: string[];
  flag?: { name: string; value: string | undefined; form: 'equals' | 'separate' | 'bare'; written: string };
}

/** One word of a command line: its array, its text, and what a token's `items` records for it (the item, or `#<piece>` in shell form). */
interface Word {
  readonly array: ArrayName;
  readonly text: string;
  readonly ref: string;
}

/** A token's flag, its name normalized as kube-apiserver does. */
function flagOf(written: string, value: string | undefined, form: 'equals' | 'separate' | 'bare'): NonNullable<Token['flag']> {
  return { name: normalizeFlagName(written), written, value, form };
}

/** Characters we never accept in a `sh -c` string: anything the shell would interpret. */
const SHELL_SPECIAL = /[;|&$`<>()'"\\*?~{}[\]#!]/;
const SHELL_SAFE_VALUE = /^[A-Za-z0-9_./:=,@%+-]*$/;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** kube-apiserver's flag set normalizes `_` to `-` (WordSepNormalizeFunc). */
export function normalizeFlagName(name: string): string {
  return name.replace(/_/g, '-');
}

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

interface MapItem {
  readonly key: string;
  readonly value: string;
}

/**
 * Splits a map flag value as kube-apiserver does: comma-separated items, whitespace trimmed,
 * empty items skipped; a `runtime-config` item without `=` means `true`; a `feature-gates` item
 * without `=` is refused by kube-apiserver ("missing bool value").
 */
export function parseMapFlagValue(flag: string, value: string): MapItem[] {
  const out: MapItem[] = [];
  for (const raw of value.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    const eq = s.indexOf('=');
    if (eq < 0) {
      if (flag === 'feature-gates') {
        throw new UserError(`--feature-gates item "${cut(s)}" has no value; kube-apiserver refuses it (write ${cut(s)}=true or ${cut(s)}=false)`);
      }
      out.push({ key: s, value: 'true' });
    } else {
      out.push({ key: s.slice(0, eq).trim(), value: s.slice(eq + 1).trim() });
    }
  }
  return out;
}

/** True when two map values mean the same to kube-apiserver (both parse as the same Go bool, or are equal). */
function sameMapValue(a: string, b: string): boolean {
  const ba = parseGoBool(a === '' ? 'true' : a);
  const bb = parseGoBool(b === '' ? 'true' : b);
  if (ba !== undefined && bb !== undefined) return ba === bb;
  return a === b;
}

/**
 * The kube-apiserver command line of a container as an ordered model that renders back exactly:
 * every item the engine does not change is written back as it was, in its place. Values are asked
 * for with `set`, `ensure` and `setMapKey`, each returning what happened (for the plan); the
 * result is minimal (a flag that already has the right effective value is left alone) and
 * idempotent (asking again on the rendered output changes nothing).
 *
 * Semantics follow kube-apiserver (pflag): a repeated scalar flag takes its last value; repeated
 * `--feature-gates` / `--runtime-config` merge their keys, the last value per key winning.
 */
/** A container's `command` and `args` as read from a manifest: anything, checked by `ApiServerCommandLine.parse`. */
export interface ContainerCommandFields {
  /** The container's `command`. @default - none */
  readonly command?: unknown;
  /** The container's `args`. @default - none */
  readonly args?: unknown;
}

/** A command line written back as a container's `command` and `args`. */
export interface RenderedCommandLine {
  /** The container's `command`; undefined when the input had none and nothing was added there. @default - none */
  readonly command?: string[];
  /** The container's `args`; undefined when the input had none and nothing was added there. @default - none */
  readonly args?: string[];
}

export class ApiServerCommandLine {
  /**
   * Parses a container's `command` and `args`.
   * @param location where the container is, for error messages (field should name the container)
   */
  public static parse(container: ContainerCommandFields, location: ErrorLocation = {}): ApiServerCommandLine {
    const field = location.field ? `${location.field}.` : '';
    const command = ApiServerCommandLine.stringList(container.command, { ...location, field: `${field}command` });
    const args = ApiServerCommandLine.stringList(container.args, { ...location, field: `${field}args` });
    return new ApiServerCommandLine(command, args, location);
  }

  /** True when a `command`/`args` pair starts kube-apiserver in one of the forms this engine reads. */
  public static looksLikeApiServer(container: ContainerCommandFields): boolean {
    try {
      ApiServerCommandLine.parse(container);
      return true;
    } catch {
      return false;
    }
  }

  private static stringList(value: unknown, location: ErrorLocation): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw new UserError(`must be a list of strings, got ${echo(value)}`, location);
    return value.map((item, i) => {
      if (typeof item === 'string') return item;
      throw new UserError(`must be a list of strings, but item ${i} is ${echo(item)} (quote it in YAML)`, location);
    });
  }

  /** How the container starts the binary. */
  public readonly form: LaunchForm;
  /** The binary as written, e.g. `kube-apiserver`, `/usr/local/bin/kube-apiserver`, `/hyperkube apiserver`. */
  public readonly binary: string;

  private readonly tokens: Token[] = [];
  private readonly hadCommand: boolean;
  private readonly hadArgs: boolean;
  /** The container field new flags are appended to (where the existing flags are). */
  public readonly appendTo: 'command' | 'args';
  private readonly location: ErrorLocation;
  /** Shell form: the pieces of the `-c` string (words and the whitespace between them). */
  private readonly shell?: { commandIndex: number; pieces: string[]; firstFlagPiece: number };

  private constructor(command: string[] | undefined, args: string[] | undefined, location: ErrorLocation) {
    this.location = location;
    this.hadCommand = command !== undefined;
    this.hadArgs = args !== undefined;
    const cmd = command ?? [];
    const arg = args ?? [];

    // /bin/sh -c "<string>"
    if (cmd.length > 0 && SHELLS.has(basename(cmd[0]))) {
      const shell = this.readShell(cmd, arg);
      this.form = 'shell';
      this.binary = shell.binary;
      this.appendTo = 'command';
      this.shell = shell.shell;
      cmd.forEach((item) => this.tokens.push({ kind: 'opaque', array: 'command', items: [item] }));
      arg.forEach((item) => this.tokens.push({ kind: 'opaque', array: 'args', items: [item] }));
      this.parseShellWords(shell.flagWords);
      return;
    }

    const all: { array: ArrayName; item: string }[] = [
      ...cmd.map((item) => ({ array: 'command' as ArrayName, item })),
      ...arg.map((item) => ({ array: 'args' as ArrayName, item })),
    ];
    const { form, binary, binaryEnd } = this.findBinary(cmd, arg, all);
    this.form = form;
    this.binary = binary;
    for (let i = 0; i < binaryEnd; i++) this.tokens.push({ kind: 'opaque', array: all[i].array, items: [all[i].item] });
    this.parseItems(all.slice(binaryEnd));
    // new flags go where the existing flags are, else right after the binary
    const lastFlag = [...this.tokens].reverse().find((t) => t.kind === 'flag');
    this.appendTo = lastFlag ? lastFlag.array : this.hadArgs || binaryEnd === 0 ? 'args' : all[binaryEnd - 1].array;
  }

  /** Shell form: checks the `sh -c` string is a plain kube-apiserver command and splits it into pieces and word indexes. */
  private readShell(
    cmd: string[],
    arg: string[],
  ): { binary: string; shell: { commandIndex: number; pieces: string[]; firstFlagPiece: number }; flagWords: number[] } {
    const all = [...cmd, ...arg];
    const c = all.indexOf('-c');
    if (c !== 1 || c + 1 >= all.length) {
      throw this.error(
        `starts a shell (${cut(cmd[0])}) but not as "${cut(cmd[0])} -c <command>"; write kube-apiserver and its flags as a list instead`,
      );
    }
    const stringIndex = c + 1;
    if (stringIndex >= cmd.length) {
      throw this.error(`starts "${cut(cmd[0])} -c" with the command string in args; write kube-apiserver and its flags as a list in command instead`);
    }
    const text = cmd[stringIndex];
    const special = SHELL_SPECIAL.exec(text);
    if (special) {
      throw this.error(
        `runs kube-apiserver through "${cut(cmd[0])} -c" with shell syntax (${quote(special[0])}) in ${quote(text)}; ` +
          'patching it could change what the shell does, so it is refused: convert it to list form ' +
          '(command: [kube-apiserver], one flag per item; move redirections to the container runtime or go-runner)',
      );
    }
    const pieces = text.split(/(\s+)/);
    // pieces alternate word, space, word, ...; an empty first/last piece stands for no word
    const words: number[] = [];
    pieces.forEach((p, i) => {
      if (i % 2 === 0 && p !== '') words.push(i);
    });
    let w = 0;
    if (w < words.length && pieces[words[w]] === 'exec') w++;
    if (w >= words.length || basename(pieces[words[w]]) !== 'kube-apiserver') {
      throw this.error(
        `runs "${cut(cmd[0])} -c ${quote(text)}", which does not start kube-apiserver directly; convert it to list form (command: [kube-apiserver, --flag=value, ...])`,
      );
    }
    return {
      binary: pieces[words[w]],
      shell: { commandIndex: stringIndex, pieces, firstFlagPiece: words[w] + 1 },
      flagWords: words.slice(w + 1),
    };
  }

  /** List forms: finds the binary in command ++ args; `binaryEnd` is the index after the binary item(s). */
  private findBinary(
    cmd: string[],
    arg: string[],
    all: { array: ArrayName; item: string }[],
  ): { form: LaunchForm; binary: string; binaryEnd: number } {
    const goRunner = cmd.length > 0 && basename(cmd[0]) === 'go-runner';
    // go-runner's own flags come before the binary; otherwise the binary is the first item
    const searchEnd = goRunner ? all.length : Math.min(all.length, 1);
    for (let i = 0; i < searchEnd; i++) {
      const b = basename(all[i].item);
      if (b === 'kube-apiserver') return { binaryEnd: i + 1, binary: all[i].item, form: goRunner ? 'go-runner' : 'binary' };
      if (b === 'hyperkube' && i + 1 < all.length && ['apiserver', 'kube-apiserver'].includes(all[i + 1].item)) {
        return { binaryEnd: i + 2, binary: `${all[i].item} ${all[i + 1].item}`, form: 'hyperkube' };
      }
    }
    if (cmd.length === 0 && arg.length > 0 && arg[0].startsWith('--')) {
      return { binaryEnd: 0, binary: '(image entrypoint)', form: 'image-entrypoint' };
    }
    const shown = `[${[...cmd, ...arg].slice(0, 3).map(quote).join(',')}]`;
    throw this.error(
      `does not start kube-apiserver in a form this tool can read (command/args begin ${shown}); expected kube-apiserver, ` +
        '/usr/local/bin/kube-apiserver, "/hyperkube apiserver" or kops\' /go-runner with the binary in args',
    );
  }

  private parseItems(items: { array: ArrayName; item: string }[]): void {
    const words = items.map(({ array, item }) => ({ array, text: item, ref: item }));
    for (let i = 0; i < words.length;) {
      const { array, text } = words[i];
      if (text === '--') {
        throw this.error(
          'has a "--" end-of-flags marker after kube-apiserver: anything after it is not a flag, and flags added after it would be ignored; remove it',
        );
      }
      if (!text.startsWith('--')) {
        this.tokens.push({ kind: 'opaque', array, items: [text] });
        i++;
        continue;
      }
      i += this.pushFlag(words, i);
    }
  }

  /** Shell form: words are piece indexes; flag tokens remember their pieces in `items` as `#<index>`. */
  private parseShellWords(wordIndexes: number[]): void {
    const pieces = this.shell!.pieces;
    const words = wordIndexes.map((w) => ({ array: 'command' as ArrayName, text: pieces[w], ref: `#${w}` }));
    for (let i = 0; i < words.length;) {
      const item = words[i].text;
      if (!item.startsWith('--') || item === '--') {
        throw this.error(
          `runs kube-apiserver through a shell with the unexpected word ${quote(item)}; convert it to list form (command: [kube-apiserver, --flag=value, ...])`,
        );
      }
      i += this.pushFlag(words, i);
    }
  }

  /**
   * Reads the flag word `words[i]` as `--name=value`, `--name value` (kube-apiserver takes no positional
   * arguments, so a following word of the same array is its value) or bare `--name`; returns the words it took.
   */
  private pushFlag(words: Word[], i: number): number {
    const { array, text, ref } = words[i];
    const eq = text.indexOf('=');
    if (eq >= 0) {
      const written = text.slice(2, eq);
      this.tokens.push({ kind: 'flag', array, items: [ref], flag: flagOf(written, text.slice(eq + 1), 'equals') });
      return 1;
    }
    const written = text.slice(2);
    const next = words[i + 1];
    if (next && next.array === array && !next.text.startsWith('-')) {
      this.tokens.push({ kind: 'flag', array, items: [ref, next.ref], flag: flagOf(written, next.text, 'separate') });
      return 2;
    }
    this.tokens.push({ kind: 'flag', array, items: [ref], flag: flagOf(written, undefined, 'bare') });
    return 1;
  }

  private error(message: string): UserError {
    return new UserError(message, this.location);
  }

  /** Every `--flag` in order (repeated flags appear once per occurrence). */
  public get flags(): ParsedFlag[] {
    return this.flagTokens().map((t) => ({ name: t.flag!.name, value: t.flag!.value, form: t.flag!.form }));
  }

  private flagTokens(name?: string): Token[] {
    const n = name === undefined ? undefined : normalizeFlagName(name);
    return this.tokens.filter((t) => t.kind === 'flag' && (n === undefined || t.flag!.name === n));
  }

  /** True when the flag is given at least once. */
  public has(name: string): boolean {
    return this.flagTokens(name).length > 0;
  }

  /**
   * The flag's effective value (its last occurrence); `true` for a bare flag; `undefined` when absent.
   * For map flags use `mapValue`.
   */
  public get(name: string): string | undefined {
    const all = this.flagTokens(name);
    if (all.length === 0) return undefined;
    const f = all[all.length - 1].flag!;
    return f.value === undefined ? 'true' : f.value;
  }

  /**
   * Where the flag's effective (last) occurrence is written: `['command', i]` or `['args', i]`, the item
   * holding its value (for a `sh -c` command line, the string). `undefined` when the flag is absent.
   */
  public locate(name: string): (string | number)[] | undefined {
    const all = this.flagTokens(name);
    if (all.length === 0) return undefined;
    const last = all[all.length - 1];
    if (this.shell) return ['command', this.shell.commandIndex];
    const at = { command: 0, args: 0 };
    for (const t of this.tokens) {
      if (t === last) return [t.array, at[t.array] + t.items.length - 1];
      at[t.array] += t.items.length;
    }
    return undefined;
  }

  /** How many times the flag is given. */
  public count(name: string): number {
    return this.flagTokens(name).length;
  }

  /**
   * The merged key/value map of a repeated map flag (`feature-gates`, `runtime-config`), insertion-ordered.
   * TypeScript only (a JavaScript `Map`).
   * @jsii ignore
   */
  public mapValue(name: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const t of this.flagTokens(name)) {
      for (const item of this.mapItems(t)) out.set(item.key, item.value);
    }
    return out;
  }

  private mapItems(t: Token): MapItem[] {
    try {
      return parseMapFlagValue(t.flag!.name, t.flag!.value ?? '');
    } catch (err) {
      if (UserError.isUserError(err)) throw new UserError(err.message, this.location);
      throw err;
    }
  }

  /**
   * Makes the flag's effective value `value` (`true` writes a bare `--name` when adding).
   * Absent: appended as `--name=value`. Present with another effective value: the last occurrence
   * (the one in effect) gets the new value, in its written form; earlier ones stay, overridden.
   */
  public set(name: string, value: string | true): FlagChange {
    const flag = normalizeFlagName(name);
    this.checkShellValue(flag, value);
    const all = this.flagTokens(flag);
    const to = value === true ? 'true' : value;
    if (all.length === 0) {
      this.append(value === true ? `--${flag}` : `--${flag}=${value}`);
      return value === true ? { flag, action: 'added', to, bare: true } : { flag, action: 'added', to };
    }
    const last = all[all.length - 1];
    const current = last.flag!.value === undefined ? 'true' : last.flag!.value;
    const same = value === true ? parseGoBool(current) === true : current === value;
    if (same) return { flag, action: 'kept', from: current, to: current };
    this.rewrite(last, to);
    return { flag, action: 'changed', from: current, to };
  }

  /** Adds `--name=value` only when the flag is absent; an existing value is kept, as the operator set it. */
  public ensure(name: string, value: string, reasonWhenKept = 'kept the value already set'): FlagChange {
    const flag = normalizeFlagName(name);
    if (this.has(flag)) {
      const current = this.get(flag)!;
      return current === value
        ? { flag, action: 'kept', from: current, to: current }
        : { flag, action: 'kept', from: current, to: current, reason: reasonWhenKept };
    }
    return this.set(flag, value);
  }

  /**
   * Makes key `key` of map flag `name` effectively `value`, merging as kube-apiserver does: other
   * keys are kept; when the key is already right (`true`, `True`, `1` and a bare runtime-config key
   * are the same) nothing changes; when it is set to something else, the occurrence in effect (the
   * last item naming it) is rewritten; when missing, it is appended to the last occurrence of the
   * flag, or a new `--name=key=value` is appended.
   */
  public setMapKey(name: string, key: string, value: string): FlagChange {
    const flag = normalizeFlagName(name);
    if (!MAP_FLAGS.includes(flag)) throw new Error(`--${flag} is not a map flag`);
    this.checkShellValue(flag, `${key}=${value}`);
    const all = this.flagTokens(flag);
    // the occurrence and item in effect for the key
    for (let o = all.length - 1; o >= 0; o--) {
      const items = this.mapItems(all[o]);
      const hit = items.map((it) => it.key).lastIndexOf(key);
      if (hit < 0) continue;
      const current = items[hit].value;
      if (sameMapValue(current, value)) return { flag, key, action: 'kept', from: current, to: current };
      // rewrite that item in place, keeping every other item's text
      const raw = (all[o].flag!.value ?? '').split(',');
      let seen = -1;
      for (let r = 0; r < raw.length; r++) {
        if (!raw[r].trim()) continue;
        seen++;
        if (seen === hit) {
          const lead = /^\s*/.exec(raw[r])![0];
          raw[r] = `${lead}${key}=${value}`;
          break;
        }
      }
      this.rewrite(all[o], raw.join(','));
      return { flag, key, action: 'changed', from: current, to: value };
    }
    if (all.length === 0) {
      this.append(`--${flag}=${key}=${value}`);
      return { flag, key, action: 'added', to: value };
    }
    const last = all[all.length - 1];
    const before = last.flag!.value ?? '';
    const trimmed = before.replace(/[\s,]+$/, '');
    this.rewrite(last, trimmed.trim() ? `${trimmed},${key}=${value}` : `${key}=${value}`);
    return { flag, key, action: 'added', to: value };
  }

  private checkShellValue(flag: string, value: string | true): void {
    if (this.form === 'shell' && value !== true && !SHELL_SAFE_VALUE.test(value)) {
      throw this.error(
        `cannot add --${flag}=${value} to a "sh -c" command line: the value holds characters the shell would interpret; convert the command to list form`,
      );
    }
  }

  private rewrite(token: Token, value: string): void {
    const f = token.flag!;
    if (f.form === 'separate') {
      f.value = value;
      if (this.shell) this.shell.pieces[Number(token.items[1].slice(1))] = value;
      else token.items = [token.items[0], value];
      return;
    }
    const text = `--${f.written}=${value}`;
    f.value = value;
    f.form = 'equals';
    if (this.shell) this.shell.pieces[Number(token.items[0].slice(1))] = text;
    else token.items = [text];
  }

  private append(item: string): void {
    const eq = item.indexOf('=');
    const written = eq >= 0 ? item.slice(2, eq) : item.slice(2);
    const flag = {
      name: normalizeFlagName(written),
      written,
      value: eq >= 0 ? item.slice(eq + 1) : undefined,
      form: (eq >= 0 ? 'equals' : 'bare') as 'equals' | 'bare',
    };
    if (this.shell) {
      const pieces = this.shell.pieces;
      // pieces end with a word piece (possibly ''); insert before trailing whitespace
      const lastWord = pieces.length - 1;
      if (pieces[lastWord] === '') {
        // text ends with whitespace: [..., word, space, '']
        pieces.splice(lastWord - 1, 0, ' ', item);
        this.tokens.push({ kind: 'flag', array: 'command', items: [`#${lastWord}`], flag });
      } else {
        pieces.push(' ', item);
        this.tokens.push({ kind: 'flag', array: 'command', items: [`#${pieces.length - 1}`], flag });
      }
      return;
    }
    // insert after the last token of the target array
    let at = -1;
    this.tokens.forEach((t, i) => {
      if (t.array === this.appendTo) at = i;
    });
    const token: Token = { kind: 'flag', array: this.appendTo, items: [item], flag };
    if (at < 0) this.tokens.push(token);
    else this.tokens.splice(at + 1, 0, token);
  }

  /**
   * The command line as `command` / `args`, each `undefined` when the input had none and nothing
   * was added there. Untouched items are the input's, byte for byte.
   */
  public render(): RenderedCommandLine {
    const command: string[] = [];
    const args: string[] = [];
    for (const t of this.tokens) {
      if (t.kind === 'flag' && this.shell) continue;
      (t.array === 'command' ? command : args).push(...t.items);
    }
    if (this.shell) command[this.shell.commandIndex] = this.shell.pieces.join('');
    const out: { command?: string[]; args?: string[] } = {};
    if (this.hadCommand || command.length > 0) out.command = command;
    if (this.hadArgs || args.length > 0) out.args = args;
    return out;
  }
}

/** The command-line item a flag change wrote: `--name` for a bare boolean, else `--name=value`. */
export function flagItem(change: FlagChange): string {
  return change.bare ? `--${change.flag}` : `--${change.flag}=${change.to}`;
}
