import { child, closest, isObject, quote } from '../../core/util';
import { Violation } from '../violation';
import { violation } from './distro-schemas';

/** One option of a flag table of schemas/distros/ (`k3s-server-flags.json`, `rke2-server-flags.json`). */
interface Flag {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** `string-list`, `string`, `boolean` or `integer`; absent where the vendored code does not say. */
  readonly type?: string;
}

/** A flag table as scripts/gen-distro-schemas.js writes it. @internal */
export interface FlagTable {
  readonly flags: readonly Flag[];
  /** Flag variables defined in files that are not vendored (k3s): their names cannot be checked. */
  readonly unresolved?: readonly string[];
  /** Where the docs state the drop-in and `+` rules. */
  readonly configFile: { readonly repository: string; readonly path: string; readonly appendRuleLine: number };
}

/** What the config file of a distribution is, for messages. @internal */
export interface ConfigFileKind {
  /** `k3s` or `rke2`: the rule prefix and the name in messages. */
  readonly distribution: string;
  /** Where the option names came from, for messages. */
  readonly tableSource: string;
  /** The file is a `config.yaml.d/` drop-in (the targets' form). */
  readonly dropIn: boolean;
}

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  'string-list': (v) => Array.isArray(v) && v.every((i) => typeof i === 'string'),
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => Number.isInteger(v),
};
const TYPE_WORDS: Record<string, string> = {
  'string-list': 'a list of strings',
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
};

/** The table entry of an option name (or alias). */
function flagOf(table: FlagTable, name: string): Flag | undefined {
  return table.flags.find((f) => f.name === name || (f.aliases ?? []).includes(name));
}

/** The `name=value` items of an `*-arg` list option: each a flag name without the value, once (k3s GetArgs repeats a second one). */
function argItems(items: readonly unknown[], at: string, source: string, dist: string): Violation[] {
  const out: Violation[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (typeof item !== 'string') return;
    const name = item.replace(/^--/, '').split('=')[0];
    if (!item.includes('=') || name === '') {
      out.push(
        violation(source, child(at, i), `${dist}.arg-form`, `each item is "<flag>=<value>" (the leading "--" optional), not ${quote(item)}`, item),
      );
    } else if (/[+-]$/.test(name)) {
      // pkg/util/args.go GetArgs L39-58: a trailing + or - appends or prepends a second value of the flag
      out.push(
        violation(
          source,
          child(at, i),
          `${dist}.arg-form`,
          `${quote(name)} ends in "+" or "-", which ${dist} turns into a second --${name.replace(/[+-]+$/, '')} flag`,
          item,
        ),
      );
    } else if (seen.has(name)) {
      out.push(
        violation(source, child(at, i), `${dist}.repeated-arg`, `--${name} is also item ${seen.get(name)}: ${dist} would pass the flag twice`, item),
      );
    }
    if (!seen.has(name)) seen.set(name, i);
  });
  return out;
}

/**
 * The keys of a k3s or RKE2 `config.yaml` (or drop-in) against the distribution's option table: each key, less a
 * trailing `+` (append), must be an option, of the type the code gives it; in a drop-in, a list option without `+`
 * replaces the list that earlier files built ("A `+` can be appended to the key to append the value to the existing
 * string or slice, instead of replacing it", the docs' configuration page); an `*-arg` list holds `<flag>=<value>` items.
 * @internal
 */
export function configFileViolations(config: unknown, table: FlagTable, kind: ConfigFileKind, source: string): Violation[] {
  const dist = kind.distribution;
  if (!isObject(config)) return [violation(source, '', `${dist}.config`, `a ${dist} config file is a mapping of option names`)];
  const out: Violation[] = [];
  for (const [key, value] of Object.entries(config)) {
    const name = key.replace(/\+$/, '');
    const flag = flagOf(table, name);
    if (!flag) {
      const near = closest(
        name,
        table.flags.map((f) => f.name),
      );
      const unresolved = table.unresolved?.length
        ? ` (${table.unresolved.length} flags of other files are not vendored: ${table.unresolved.join(', ')})`
        : '';
      out.push(
        violation(
          source,
          key,
          `${dist}.unknown-option`,
          `${quote(name)} is not a ${dist} server option of ${kind.tableSource}${near ? ` (did you mean ${quote(near)}?)` : ''}${unresolved}`,
          value,
        ),
      );
      continue;
    }
    if (flag.type && !TYPE_CHECKS[flag.type](value)) {
      out.push(violation(source, key, `${dist}.option-type`, `${quote(name)} takes ${TYPE_WORDS[flag.type]}`, value));
      continue;
    }
    if (kind.dropIn && flag.type === 'string-list' && !key.endsWith('+')) {
      const doc = table.configFile;
      out.push(
        violation(
          source,
          key,
          `${dist}.replaces-list`,
          `in a drop-in, ${quote(key)} replaces the list that config.yaml and earlier drop-ins set: write ${quote(`${name}+`)} to append ` +
            `(${doc.repository} ${doc.path} L${doc.appendRuleLine})`,
          value,
        ),
      );
    }
    if (flag.type === 'string-list' && /-arg$/.test(name)) out.push(...argItems(value as unknown[], key, source, dist));
  }
  return out;
}

/** The flag names an `*-arg` list sets, without dashes and values, with their index. @internal */
export function argNames(items: unknown): { name: string; index: number }[] {
  return (Array.isArray(items) ? items : []).flatMap((item, index) =>
    typeof item === 'string'
      ? [
          {
            name: item
              .replace(/^--/, '')
              .split('=')[0]
              .replace(/[+-]+$/, ''),
            index,
          },
        ]
      : [],
  );
}
