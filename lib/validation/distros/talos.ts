import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { arr, child, isObject, obj, quote, str } from '../../core/util';
import { Violation } from '../violation';
import { distroIndex, schemaViolations, violation } from './distro-schemas';

/** The Talos minors whose machine config schema is vendored (schemas/distros/index.json `talos.minors`). */
export function talosSchemaMinors(): number[] {
  return Object.keys(distroIndex().talos.minors)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The API server's user and group in a Talos static pod (siderolabs/talos v1.13.9
 * pkg/machinery/constants/constants.go L313-317 KubernetesAPIServerRunUser/RunGroup; control_plane_static_pod.go sets
 * RunAsUser/RunAsGroup from them): it is neither root nor the owner of a `machine.files` file, so such a file is read
 * through its "other" permission bits.
 */
export const TALOS_API_SERVER_UID = 65534;

/** 1.14's v1alpha1 ClusterConfig and MachineConfig no longer list these (reference/distros/talos/SOURCES.md). */
const DROPPED_IN_1_14: Record<string, string> = {
  'cluster.apiServer':
    'not in the config.schema.json of Talos 1.14 (v1.14.0-rc.1): the API server moved to the KubeAPIServerConfig document, ' +
    'which has no volumes to bring a webhook kubeconfig in; use Talos 1.12 or 1.13',
  'machine.files':
    'not in the config.schema.json of Talos 1.14 (v1.14.0-rc.1): node files moved to documents such as EtcFileConfig; use Talos 1.12 or 1.13',
};

/**
 * Validates a Talos strategic-merge machine-config patch (a partial legacy `v1alpha1` config: `cluster.apiServer`,
 * `machine.files`, ...) before it is written, against Talos's own `config.schema.json` of that minor (closed objects:
 * `readOnly` instead of `readonly`, an unknown key, an `op` outside create/append/overwrite, a list-valued `extraArgs`
 * on 1.12 are errors) and the rules Talos applies when it uses the config:
 * - an `extraArgs` key on the API server's deny list makes Talos refuse to render the static pod;
 * - a file with `op: create` outside `/var` stops the node's boot;
 * - a file the API server reads (under an `extraVolumes` hostPath) must be readable by its user 65534.
 * 1.14 is validated with the 1.14-rc schema, which refuses `cluster.apiServer` and `machine.files`.
 * @param talosMinor the Talos minor the patch is for: 12 or 13 (14 to show it is refused)
 * @param source names the patch in messages
 */
export function validateTalosPatch(patch: unknown, talosMinor: number, source = `Talos 1.${talosMinor} machine config patch`): Violation[] {
  const entry = distroIndex().talos.minors[String(talosMinor)];
  if (!entry) {
    const known = talosSchemaMinors().map((m) => `1.${m}`);
    return [violation(source, '', 'talos.version', `talos 1.${talosMinor} has no vendored schema: one of ${known.join(', ')}`, talosMinor)];
  }
  const what = `Talos 1.${talosMinor} (${entry.release}) machine config`;
  const schema = schemaViolations(entry.validator, patch, source, what, 'talos-schema').map((v) =>
    v.rule === 'talos-schema.unknown-field' && DROPPED_IN_1_14[v.path] ? { ...v, message: DROPPED_IN_1_14[v.path] } : v,
  );
  return [...schema, ...deniedArgs(patch, source), ...fileRules(patch, source)];
}

/** `cluster.apiServer.extraArgs` keys Talos refuses to merge, or writes with `--` itself. */
function deniedArgs(patch: unknown, source: string): Violation[] {
  const args = obj(obj(obj(obj(patch).cluster).apiServer).extraArgs);
  const denied = distroIndex().talos.mergeDenied as { release: string; path: string; lines: string; flags: string[] };
  const out: Violation[] = [];
  for (const key of Object.keys(args)) {
    const at = child('cluster.apiServer.extraArgs', key);
    if (denied.flags.includes(key)) {
      out.push(
        violation(
          source,
          at,
          'talos.denied-arg',
          `talos refuses the extra arg ${quote(key)} ("extra arg is not allowed": MergeDenied in ${denied.path} L${denied.lines} @ ${denied.release}), ` +
            'so the API server static pod is not rendered',
          args[key],
        ),
      );
    } else if (key.startsWith('-')) {
      // argsbuilder Args() writes `--<key>=<value>` (pkg/argsbuilder/argsbuilder_args.go L119-122 @ v1.13.9)
      out.push(violation(source, at, 'talos.arg-dashes', `talos adds the leading "--" itself: write ${quote(key.replace(/^-+/, ''))}`, key));
    }
  }
  return out;
}

/** The first path segment Talos checks: `/var/x` and `var/x` are in /var, `/variable` is not. */
function inVar(path: string): boolean {
  // v1alpha1_sequencer_tasks.go WriteUserFiles: strings.Split(strings.TrimLeft(path, "/"), "/")[0] == "var"
  return path.replace(/^\/+/, '').split('/')[0] === 'var';
}

/** `machine.files` rules that Talos applies at boot, and the mode the API server needs. */
function fileRules(patch: unknown, source: string): Violation[] {
  const files = arr(obj(obj(patch).machine).files);
  const hostPaths = arr(obj(obj(obj(patch).cluster).apiServer).extraVolumes)
    .map((v) => str(obj(v).hostPath))
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\/+$/, ''));
  const out: Violation[] = [];
  files.forEach((raw, i) => {
    const f = obj(raw);
    const at = `machine.files[${i}]`;
    const path = str(f.path);
    if (path !== undefined && f.op === 'create' && !inVar(path)) {
      out.push(
        violation(
          source,
          `${at}.path`,
          'talos.file-outside-var',
          `talos refuses op: create outside /var ("create operation not allowed outside of /var", WriteUserFiles in ` +
            `internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go L630-646 @ v1.13.9) and the node's boot stops: ` +
            `put ${quote(path)} under /var and mount it with extraVolumes`,
          path,
        ),
      );
    }
    const mounted = path !== undefined && hostPaths.some((h) => path === h || path.startsWith(`${h}/`));
    if (mounted && typeof f.permissions === 'number') out.push(...modeRule(f.permissions, source, `${at}.permissions`));
  });
  return out;
}

/** A mode the API server (uid 65534, not the owner) can read, and no more than permission bits. */
function modeRule(mode: number, source: string, at: string): Violation[] {
  const octal = `0o${mode.toString(8)}`;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    return [
      violation(
        source,
        at,
        'talos.file-mode',
        `${mode} (${octal}) is not a file mode of permission bits (0o0-0o777): was a mode such as 0o644 written in decimal as 644?`,
        mode,
      ),
    ];
  }
  if ((mode & 0o004) === 0) {
    return [
      violation(
        source,
        at,
        'talos.file-mode',
        `mode ${octal} does not let the API server read the file: it runs as uid/gid ${TALOS_API_SERVER_UID} ` +
          '(constants.go L313-317 @ v1.13.9), not as the file owner, so the "other" read bit is needed (e.g. 0o644)',
        mode,
      ),
    ];
  }
  return [];
}

/**
 * Validates the YAML text of a Talos patch: it must be one YAML document, and a file mode must be written as Talos
 * writes it, `0o644` (FileMode.MarshalYAML, pkg/machinery/config/types/v1alpha1/v1alpha1_types.go L1810-1821 @ v1.13.9):
 * a leading-zero `0644` is still octal 420 to go-yaml v3 (its resolver tries strconv.ParseInt with base 0 before the
 * YAML 1.2 `0o` form; Talos decodes with go.yaml.in/yaml/v4 rc.4, whose resolver is not in the references) but the
 * decimal 644 to a strict YAML 1.2 reader (the yaml npm package's default), so the file would mean different modes
 * to different tools. Then the parsed patch is validated as {@link validateTalosPatch} does.
 */
export function validateTalosPatchYaml(text: string, talosMinor: number, source = `Talos 1.${talosMinor} machine config patch`): Violation[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 1) {
    return [violation(source, '', 'talos.yaml', `a legacy machine config patch is one YAML document, not ${Array.isArray(docs) ? docs.length : 0}`)];
  }
  const doc = docs[0];
  if (doc.errors.length > 0) return [violation(source, '', 'talos.yaml', `not valid YAML: ${doc.errors[0].message.split('\n')[0]}`)];
  const out: Violation[] = [];
  const files = doc.getIn(['machine', 'files'], true);
  if (isSeq(files)) {
    files.items.forEach((item, i) => {
      const mode = isMap(item) ? item.get('permissions', true) : undefined;
      if (isScalar(mode) && typeof mode.source === 'string' && /^[-+]?0[0-9]+$/.test(mode.source)) {
        out.push(
          violation(
            source,
            `machine.files[${i}].permissions`,
            'talos.ambiguous-octal',
            `write the mode as ${quote(`0o${mode.source.replace(/^[-+]?0+/, '') || '0'}`)}, the form Talos writes: ${quote(mode.source)} is octal to ` +
              'go-yaml v3 but decimal to a YAML 1.2 reader',
            mode.source,
          ),
        );
      }
    });
  }
  const value = doc.toJS();
  return [
    ...out,
    ...(isObject(value) ? validateTalosPatch(value, talosMinor, source) : [violation(source, '', 'talos.yaml', 'a patch must be a mapping')]),
  ];
}
