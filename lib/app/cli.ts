/** What the command line asked for. */
export type CliRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'synth'; readonly config?: string; readonly output?: string; readonly planJson?: string }
  | { readonly kind: 'error'; readonly message: string };

export const USAGE = `Usage: cdk8s-falco-audit synth [--config FILE] [--output DIR] [--plan-json FILE]

Reads the config (default: falco-audit.yaml in the current folder, or $FALCO_AUDIT_CONFIG), builds Falco's
objects, the patched kube-apiserver manifest and the audit backend for each cluster, validates everything, and
only then replaces the output folder (default: dist, or $CDK8S_OUTDIR): cluster/ for Argo CD, node/ for the
control-plane nodes. On any error nothing is written and the previous output stays as it was.

Options:
  --config FILE      the config file (falco-audit.yaml)
  --output DIR       the output folder (dist)
  --plan-json FILE   also write the plan as JSON to FILE (outside the output folder, which Argo CD may read whole)
  --help             this text
  --version          the version of cdk8s-falco-audit

Exit codes:
  0    done: the output folder holds the new output
  1    a mistake in the command line, the config or a file it names (the message says which, with the file and
       line): nothing was written; or only the --plan-json file could not be written (the message says so)
  70   an internal error, a bug in cdk8s-falco-audit (the stack is printed: please report it): nothing was written
  127  node is not on PATH (bin/cdk8s-falco-audit.sh, which npm run synth and cdk8s synth run)
`;

const VALUE_OPTIONS: Record<string, 'config' | 'output' | 'planJson'> = {
  '--config': 'config',
  '--output': 'output',
  '--plan-json': 'planJson',
};

/**
 * Parses `synth [--config F] [--output D] [--plan-json F]`, `--help`, `--version`. With no arguments it is `synth`
 * (what `cdk8s synth` and `node build/app.js` run). `--name value` and `--name=value` both work.
 */
export function parseArgs(args: readonly string[]): CliRequest {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') return { kind: 'help' };
  if (args.includes('--version') || args[0] === 'version') return { kind: 'version' };
  const rest = args[0] === 'synth' ? args.slice(1) : [...args];
  if (rest.length > 0 && !rest[0].startsWith('-') && args[0] !== 'synth') {
    return { kind: 'error', message: `unknown command "${rest[0]}"; the command is synth (see --help)` };
  }
  const out: { config?: string; output?: string; planJson?: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_OPTIONS[name];
    if (!key) return { kind: 'error', message: `unknown option "${arg}" (see --help)` };
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      return {
        kind: 'error',
        message: `${name} needs a value, e.g. ${name} ${key === 'output' ? 'dist' : key === 'config' ? 'falco-audit.yaml' : 'plan.json'}`,
      };
    }
    if (out[key] !== undefined) return { kind: 'error', message: `${name} is given twice` };
    out[key] = value;
  }
  return { kind: 'synth', ...out };
}
