// The app, and the `cdk8s-falco-audit` command (bin/cdk8s-falco-audit.js runs this bundle): reads falco-audit.yaml
// (or --config / $FALCO_AUDIT_CONFIG) and replaces the output folder (--output / $CDK8S_OUTDIR, default dist/):
// cluster/ for Argo CD, node/ for the control-plane nodes. `cdk8s synth` runs it too (cdk8s.yaml).
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, USAGE } from './lib/app/cli';
import { EXIT_USER_ERROR, runApp } from './lib/app/run-app';

// esbuild inlines package.json's version (npm run bundle)
declare const PACKAGE_VERSION: string | undefined;

const request = parseArgs(process.argv.slice(2));
if (request.kind === 'help') {
  process.stdout.write(USAGE);
} else if (request.kind === 'version') {
  process.stdout.write(`${typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'unknown'}\n`);
} else if (request.kind === 'error') {
  process.stderr.write(`error: ${request.message}\n`);
  process.exitCode = EXIT_USER_ERROR;
} else {
  process.exitCode = runApp({
    env: process.env,
    cwd: process.cwd(),
    config: request.config,
    output: request.output,
    planJson: request.planJson,
    // The plan goes to stderr: `cdk8s synth` captures the app's stdout and never shows it.
    stdout: (text) => process.stderr.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  // Under `cdk8s synth` (cdk8s.yaml) CDK8S_OUTDIR is the CLI's scratch folder, which it deleted and then expects
  // to exist; the output itself went to --output.
  const scratch = process.env.CDK8S_OUTDIR;
  if (process.exitCode === 0 && scratch && request.output && path.resolve(scratch) !== path.resolve(request.output)) {
    fs.mkdirSync(scratch, { recursive: true });
  }
}
