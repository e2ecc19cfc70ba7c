import { Violation } from '../violation';
import { configFileViolations, FlagTable } from './config-file-flags';
import { distroData, distroIndex } from './distro-schemas';

let table: FlagTable | undefined;

/** The k3s server options of the vendored `pkg/cli/cmds/server.go` (schemas/distros/k3s-server-flags.json). */
function k3sTable(): FlagTable {
  if (!table) table = distroData(distroIndex().k3s.flags) as FlagTable;
  return table;
}

/**
 * Validates a k3s server config file, by default a `/etc/rancher/k3s/config.yaml.d/` drop-in (the targets' form):
 * every key (less a trailing `+`) an option of k3s's flag table (`pkg/cli/cmds/server.go` at k3s commit 005499a9;
 * flags defined in other files of that package are not vendored, and an unknown key names them), of its type
 * (`kube-apiserver-arg` a list of `<flag>=<value>` strings, each flag once); in a drop-in, a list option written
 * without `+` replaces the user's list and is an error.
 * @param options.dropIn the file is a drop-in @default true
 */
export function validateK3sConfig(config: unknown, source = 'k3s config', options: { readonly dropIn?: boolean } = {}): Violation[] {
  return configFileViolations(
    config,
    k3sTable(),
    { distribution: 'k3s', tableSource: 'k3s-io/k3s pkg/cli/cmds/server.go', dropIn: options.dropIn ?? true },
    source,
  );
}

/**
 * The kube-apiserver flags k3s passes for its defaults plus `--kube-apiserver-arg` items, as k3s's `GetArgs` computes
 * them (k3s-io/k3s pkg/util/args.go L27-94 at commit 0aa32d56): `key=value` replaces a default, `key+=value` keeps the
 * default and adds the value after it, `key-=value` before it, a repeated key repeats the flag, a key without a value
 * is `true`; the result is sorted by key, repeated keys in order.
 */
export function k3sApiServerArgs(defaults: Readonly<Record<string, string>>, items: readonly string[]): string[] {
  const initial = new Map(Object.entries(defaults));
  const multi = new Map<string, string[]>();
  for (const item of items) {
    const [arg, ...rest] = item.replace(/^--/, '').split('=');
    const value = rest.length > 0 ? rest.join('=') : 'true';
    const cleaned = arg.replace(/[-+]+$/, '');
    const first = initial.has(cleaned) ? [initial.get(cleaned)!] : [];
    const existing = multi.get(cleaned) ?? [];
    if (arg.endsWith('+')) multi.set(cleaned, [...first, ...existing, value]);
    else if (arg.endsWith('-')) multi.set(cleaned, [value, ...first, ...existing]);
    else multi.set(cleaned, [...existing, value]);
    initial.delete(cleaned);
  }
  for (const [arg, value] of initial) multi.set(arg, [value]);
  return [...multi.keys()].sort().flatMap((arg) => multi.get(arg)!.map((v) => `--${arg}=${v}`));
}
