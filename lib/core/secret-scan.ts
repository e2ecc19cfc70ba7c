import { createPrivateKey } from 'crypto';
import { Problems, UserError } from './errors';
import { isObject, quote } from './util';
import { LoadedYaml, YamlPath } from './yaml';

/**
 * Secrets by content: private keys in any string, and passwords in the user info of URLs. The output is meant for
 * Git, so an input that carries a key or a password anywhere is refused; this module finds them and says where,
 * never what they are (a finding holds no part of the secret). Every function is linear in its input's length.
 */

/** How a private key was recognised. */
export type PrivateKeyForm =
  /** A PEM block whose label names a private key (PRIVATE KEY, RSA/EC/DSA/OPENSSH/ENCRYPTED PRIVATE KEY, ...). */
  | 'label'
  /** A PEM block with another label (CERTIFICATE, anything) whose base64 body is a private key. */
  | 'body'
  /** Base64 of a text that holds a private key (a kubeconfig's client-key-data, `base64 key.pem`). */
  | 'base64-pem'
  /** Base64 of a DER private key (a PEM body without its BEGIN and END lines). */
  | 'der'
  /** A PuTTY private key file. */
  | 'putty';

/** A private key found in a text: where it starts and how it looks, never any of its content. */
export interface PrivateKeyMatch {
  /** 1-based line of the text where the key starts (its BEGIN line for a PEM block). */
  readonly line: number;
  readonly form: PrivateKeyForm;
  /** For messages: `a PEM "RSA PRIVATE KEY" block`, `a PEM "CERTIFICATE" block whose body is a private key`. */
  readonly what: string;
}

/** The longest PEM label looked at; RFC 7468's labels have a few words. */
const MAX_LABEL = 100;
/** Base64 inside base64 is decoded this deep (base64 of a PEM, base64 of that). */
const MAX_DEPTH = 2;
/** The shortest base64 of a DER private key (an Ed25519 PKCS#8 key: 48 bytes, 64 characters). */
const MIN_KEY_BASE64 = 64;
/** The shortest text a key is found in: a BEGIN marker with a label and key material ("---BEGIN PRIVATE KEY---" and 20). */
const MIN_KEY_TEXT = 40;
/**
 * Key material: a run of base64 as long as no word of prose is (a PEM body's lines have 64 characters, and a body
 * folded onto one line keeps them).
 */
const KEY_MATERIAL = /[A-Za-z0-9+/]{20}/;
/** base64("-----BEGI") at each of the three byte alignments: what base64 of a PEM text holds. */
const ENCODED_BEGIN = /LS0tLS1CRUdJ|0tLS0tQkVH|tLS0tLUJFR0lO/;

/**
 * The first private key in a text, or undefined: a PEM block labelled as a key (any case, indented, with CR LF, in
 * the middle of a longer string or folded onto one line), a PEM block of any label whose body parses as a key, the
 * base64 of a PEM text with a key, a whole value that is base64 of a DER key, or a PuTTY key file.
 */
export function findPrivateKey(text: string): PrivateKeyMatch | undefined {
  return find(text, 0);
}

function find(text: string, depth: number): PrivateKeyMatch | undefined {
  // shorter than the shortest key in any form: most strings of an input (names, labels, paths) end here
  if (text.length < MIN_KEY_TEXT) return undefined;
  let first: PrivateKeyMatch | undefined;
  for (const found of [pemBlockKey(text), encodedKey(text, depth), puttyKey(text), derKey(text)]) {
    if (found !== undefined && (first === undefined || found.line < first.line)) first = found;
  }
  return first;
}

/** 1-based line of `index` in `text`. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** PEM blocks, found by their BEGIN marker: at least three dashes, BEGIN in any case, a label, three dashes. */
function pemBlockKey(text: string): PrivateKeyMatch | undefined {
  let resume = 0;
  for (const m of text.matchAll(/BEGIN/gi)) {
    if (m.index < resume || !dashesBefore(text, m.index)) continue;
    const label = labelAfter(text, m.index + 'BEGIN'.length);
    if (label === undefined) continue;
    // the body runs to the next dashes (the END line): base64 has none
    let end = text.indexOf('---', label.end);
    if (end < 0) end = text.length;
    // `\n` written as two characters (a JSON string in a single-quoted YAML scalar) is a line break too
    const body = text.slice(label.end, end).replace(/\\[rn]/g, '\n');
    // a key label with key material after it; the marker alone (a rule that looks for it in events) is no key
    if (/PRIVATE KEY/i.test(label.text) && KEY_MATERIAL.test(body)) {
      return { line: lineAt(text, m.index), form: 'label', what: `a PEM ${quote(label.text)} block` };
    }
    if (isKeyBody(body)) return { line: lineAt(text, m.index), form: 'body', what: `a PEM ${quote(label.text)} block whose body is a private key` };
    resume = end;
  }
  return undefined;
}

function dashesBefore(text: string, at: number): boolean {
  let i = at - 1;
  if (text[i] === ' ') i--;
  return text[i] === '-' && text[i - 1] === '-' && text[i - 2] === '-';
}

/** The label after BEGIN (up to the dashes that close the marker, on the same line), and where the marker ends. */
function labelAfter(text: string, from: number): { text: string; end: number } | undefined {
  if (text[from] !== ' ' && text[from] !== '\t') return undefined;
  const window = text.slice(from, from + MAX_LABEL + 3);
  const dashes = window.indexOf('---');
  if (dashes < 0 || /[\r\n]/.test(window.slice(0, dashes))) return undefined;
  let end = from + dashes;
  while (text[end] === '-') end++;
  return { text: window.slice(0, dashes).trim(), end };
}

/** True when a PEM body is the base64 of a private key; header lines (RFC 1421 `Proc-Type:`, `DEK-Info:`) are left out. */
function isKeyBody(body: string): boolean {
  const lines = body.split(/\r\n|\r|\n/);
  const base64 = lines
    .filter((l) => !l.includes(':'))
    .join('')
    .replace(/\s+/g, '');
  return base64.length >= MIN_KEY_BASE64 && /^[A-Za-z0-9+/]+={0,2}$/.test(base64) && isPrivateKeyDer(Buffer.from(base64, 'base64'));
}

/**
 * Base64 that decodes to a key: a run of base64 (wrapped lines included) that is a DER key itself, or decodes to a
 * text with a key (a kubeconfig's client-key-data; a Secret's data holding such a kubeconfig, one level deeper). A
 * run that encodes "-----BEGI" is also decoded at the other three alignments, in case the run starts before the
 * encoded text does.
 */
function encodedKey(text: string, depth: number): PrivateKeyMatch | undefined {
  if (depth >= MAX_DEPTH) return undefined;
  for (const m of text.matchAll(/[A-Za-z0-9+/\r\n]{64,}={0,2}/g)) {
    const run = m[0].replace(/[\r\n]/g, '');
    if (run.length < MIN_KEY_BASE64) continue;
    const at = m.index + (m[0].length - m[0].trimStart().length);
    // a word before the base64 ("key" in keyMIIE...) shifts it: DER costs nothing to try at each alignment
    if ([0, 1, 2, 3].some((skip) => isPrivateKeyDer(Buffer.from(run.slice(skip), 'base64')))) {
      return { line: lineAt(text, at), form: 'der', what: 'base64 of a DER private key' };
    }
    for (const skip of ENCODED_BEGIN.test(run) ? [0, 1, 2, 3] : [0]) {
      const inner = find(Buffer.from(run.slice(skip), 'base64').toString('latin1'), depth + 1);
      if (inner !== undefined) return { line: lineAt(text, at), form: 'base64-pem', what: `base64 of ${inner.what}` };
    }
  }
  return undefined;
}

/** A PuTTY key file (PuTTY's sshpubk.c writes `PuTTY-User-Key-File-<n>:` and a `Private-Lines:` section). */
function puttyKey(text: string): PrivateKeyMatch | undefined {
  const m = /PuTTY-User-Key-File-\d+:/.exec(text);
  if (!m || !/Private-Lines:/.test(text)) return undefined;
  return { line: lineAt(text, m.index), form: 'putty', what: 'a PuTTY private key file' };
}

/** A value that is only base64 (line breaks and spaces aside) of a DER private key: a PEM body pasted alone. */
function derKey(text: string): PrivateKeyMatch | undefined {
  const trimmed = text.trim();
  // DER starts with a SEQUENCE (0x30): base64 "M"; checked before the copy, so prose costs nothing
  if (trimmed[0] !== 'M' || trimmed.length < MIN_KEY_BASE64) return undefined;
  const base64 = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || !isPrivateKeyDer(Buffer.from(base64, 'base64'))) return undefined;
  return { line: lineAt(text, text.indexOf('M')), form: 'der', what: 'base64 of a DER private key' };
}

/**
 * True for a DER private key: OpenSSH's format (its magic), or what OpenSSL reads as a PKCS#8 (encrypted or not),
 * PKCS#1 RSA or SEC 1 EC private key. Only DER shaped like one is handed to OpenSSL (a SEQUENCE that starts with an
 * INTEGER version, or a SEQUENCE then an OCTET STRING for an encrypted key), so a certificate costs no parse.
 */
export function isPrivateKeyDer(der: Buffer): boolean {
  if (der.subarray(0, 15).toString('latin1') === 'openssh-key-v1\0') return true;
  const shape = derShape(der);
  if (shape === 'encrypted') return opensslReads(der, 'pkcs8');
  return shape === 'versioned' && (['pkcs8', 'pkcs1', 'sec1'] as const).some((type) => opensslReads(der, type));
}

function opensslReads(der: Buffer, type: 'pkcs8' | 'pkcs1' | 'sec1'): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type });
    return true;
  } catch (err) {
    // an encrypted PKCS#8 key is recognised as one, and only its passphrase is missing
    return (err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE';
  }
}

/** The start of a DER SEQUENCE: `versioned` (its first element an INTEGER), `encrypted` (SEQUENCE, OCTET STRING). */
function derShape(der: Buffer): 'versioned' | 'encrypted' | undefined {
  if (der[0] !== 0x30) return undefined;
  const outer = derLength(der, 1);
  if (outer === undefined) return undefined;
  const first = outer.start;
  if (der[first] === 0x02) return 'versioned';
  if (der[first] !== 0x30) return undefined;
  const inner = derLength(der, first + 1);
  return inner !== undefined && der[inner.start + inner.length] === 0x04 ? 'encrypted' : undefined;
}

/** A DER length at `at`: its value and where the content starts. */
function derLength(der: Buffer, at: number): { length: number; start: number } | undefined {
  const b = der[at];
  if (b === undefined) return undefined;
  if (b < 0x80) return { length: b, start: at + 1 };
  const n = b & 0x7f;
  if (n === 0 || n > 4 || at + n >= der.length) return undefined;
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + der[at + i];
  return { length, start: at + 1 + n };
}

/**
 * The credentials in a URL's user info: `password` when it carries a password that is written out, `user` for a user
 * name alone (a token, for some receivers), else undefined. `${VAR}` (Falco expands it in falco.yaml:
 * userspace/falco/yaml_helper.h @ 0.36.0) and `$(VAR)` (the kubelet expands it in an environment variable's value:
 * core/v1 EnvVar.value) are no literal password. Read every way a client reads it, so none of them finds a password
 * this misses: with its scheme (Go's url.Parse: the authority ends at the first '/', '?' or '#', the user info at its
 * last '@'), and as if it had none, as libcurl guesses `http://` for a URL without `scheme:/` (curl lib/url.c
 * parseurlandfillconn: CURLU_GUESS_SCHEME; lib/urlapi.c Curl_is_absolute_url: guessing, a scheme needs ':' then '/',
 * so `mailto:a:b@h` is user "mailto") and Go's proxy settings prepend `http://` (golang.org/x/net http/httpproxy
 * parseProxy): `user:pass@host` holds a password. A user name with an encoded ':' (`%3A`) is read as
 * a password too. Never returns the text itself: callers must not echo it.
 */
export function urlCredentials(url: unknown): 'password' | 'user' | undefined {
  if (typeof url !== 'string') return undefined;
  const text = url.trim();
  const readings = [text.replace(/^\/\//, '')];
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(text);
  if (scheme) readings.push(text.slice(scheme[0].length).replace(/^\/+/, ''));
  const found = readings.map(userinfoCredentials);
  return found.includes('password') ? 'password' : found.includes('user') ? 'user' : undefined;
}

/** A variable reference a client expands: `${VAR}` or `$(VAR)`, one or more. */
const REFERENCES = /^(\$\{[^}]+\}|\$\([^)]+\))+$/;

function userinfoCredentials(rest: string): 'password' | 'user' | undefined {
  const authority = /^[^/?#]*/.exec(rest)![0];
  const at = authority.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    if (/%3a/i.test(userinfo)) return 'password';
    return userinfo === '' || REFERENCES.test(userinfo) ? undefined : 'user';
  }
  const password = userinfo.slice(colon + 1);
  return password === '' || REFERENCES.test(password) ? undefined : 'password';
}

/** True when a command line (a shell command Falco runs) holds a `scheme://user:password@` URL. */
export function commandHasUrlPassword(command: string): boolean {
  for (const m of command.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"`]+/g)) {
    if (urlCredentials(m[0]) === 'password') return true;
  }
  return false;
}

/**
 * How a string is used, for the URL checks: `url` a URL (with or without a scheme); `url-list` URLs among other words
 * (falcoctl's `<name>,<url>;<name>,<url>` variables); `command` a shell command whose `scheme://` URLs are checked
 * (free text otherwise: `x@y` is no URL there).
 */
export type UrlUse = 'url' | 'url-list' | 'command';

/** What `scanSecrets` is told about the input. */
export interface SecretScanRules {
  /** How the string at `path` is used as a URL, if it is. `path` is the walk's own: read it, never keep it. */
  readonly urlUse?: (path: YamlPath) => UrlUse | undefined;
  /** Paths a check of their own refuses whatever they hold, with a better message (not scanned). Read `path`, never keep it. */
  readonly skip?: (path: YamlPath) => boolean;
}

/** One secret in an input: where, and what it is; never any part of it. */
export interface SecretFinding {
  /** The value's path; for a mapping key, the mapping's (a key's path would show the key). */
  readonly path: YamlPath;
  readonly kind: 'private-key' | 'url-password' | 'url-user';
  /** The key found, for `private-key`. */
  readonly key?: PrivateKeyMatch;
  /** The 0-based position of the mapping key that holds the secret, when a key does rather than a value. */
  readonly keyIndex?: number;
  /** How the value is used as a URL, for `url-password` and `url-user`. */
  readonly use?: UrlUse;
}

/**
 * Every private key in every string and mapping key of a parsed input, and every password (or bare user) in the
 * strings `rules.urlUse` names, in document order. Objects with or without a prototype are walked alike.
 */
export function scanSecrets(root: unknown, rules: SecretScanRules = {}): SecretFinding[] {
  const out: SecretFinding[] = [];
  // one path, grown and shrunk as the walk goes (a copy per node made a large file's scan allocation-bound)
  const path: YamlPath = [];
  const visit = (value: unknown): void => {
    if (rules.skip?.(path)) return;
    if (typeof value === 'string') scanString(value, path, rules, out);
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i]);
        path.pop();
      }
    } else if (isObject(value)) {
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = findPrivateKey(keys[i]);
        if (key) out.push({ path: [...path], kind: 'private-key', key, keyIndex: i });
        path.push(keys[i]);
        visit(value[keys[i]]);
        path.pop();
      }
    }
  };
  visit(root);
  return out;
}

function scanString(value: string, path: YamlPath, rules: SecretScanRules, out: SecretFinding[]): void {
  const key = findPrivateKey(value);
  if (key) {
    out.push({ path: [...path], kind: 'private-key', key });
    return;
  }
  const use = rules.urlUse?.(path);
  if (use === undefined) return;
  const parts = use === 'url-list' ? value.split(/[;,\s]+/) : [value];
  const found = use === 'command' ? (commandHasUrlPassword(value) ? 'password' : undefined) : strongest(parts.map(urlCredentials));
  if (found) out.push({ path: [...path], kind: found === 'password' ? 'url-password' : 'url-user', use });
}

function strongest(found: readonly ('password' | 'user' | undefined)[]): 'password' | 'user' | undefined {
  return found.includes('password') ? 'password' : found.includes('user') ? 'user' : undefined;
}

/**
 * A path pattern for `urlUse`: keys and indexes as in a path, `*` for any one of them; matched case-insensitively
 * when `ignoreCase` (falcoctl reads falcoctl.yaml through viper, which folds keys to lower case).
 */
export function matchesPath(path: YamlPath, pattern: readonly string[], ignoreCase = false): boolean {
  if (path.length !== pattern.length) return false;
  return pattern.every((p, i) => p === '*' || (ignoreCase ? String(path[i]).toLowerCase() === p.toLowerCase() : String(path[i]) === p));
}

/**
 * The first words of a refusal of a private key: which part holds it and what it looks like, with the line inside a
 * value of several lines (a rules file in a block scalar). Never any part of the key.
 */
export function privateKeyRefusal(finding: SecretFinding): string {
  const key = finding.key!;
  const mapping = finding.path.length === 0 ? 'the file' : 'this mapping';
  const where = finding.keyIndex !== undefined ? `key number ${finding.keyIndex + 1} of ${mapping}` : 'this value';
  const line = finding.keyIndex === undefined && key.line > 1 ? `, at its line ${key.line}` : '';
  return `refused: ${where} holds a private key (${key.what}${line})`;
}

/**
 * Throws every private key in a parsed document, each at its line with `why` (what the document becomes, and the
 * way out): one `UserError`, or `UserErrors` summed up by `summary`.
 */
export function refusePrivateKeys(doc: LoadedYaml, why: string, summary: (n: number) => string): void {
  const problems = new Problems();
  for (const f of scanSecrets(doc.value)) problems.add(new UserError(`${privateKeyRefusal(f)}: ${why}`, doc.locate(f.path)));
  problems.throwIfAny(summary);
}
