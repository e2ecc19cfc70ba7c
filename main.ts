// The app, and the `cdk8s-falco-audit` command (bin/cdk8s-falco-audit.js runs this bundle): reads falco-audit.yaml
// (or --config / $FALCO_AUDIT_CONFIG) and replaces the output folder (--output / $CDK8S_OUTDIR, default dist/):
// cluster/ for Argo CD, node/ for the control-plane nodes. `cdk8s synth` runs it too (cdk8s.yaml), through its
// startup snapshot (bin/cdk8s-falco-audit.sh, lib/app/snapshot.ts) when there is a usable one.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, USAGE } from './lib/app/cli';
import { EXIT_OK, EXIT_USER_ERROR, runApp } from './lib/app/run-app';
import { buildingSnapshot, prepareSnapshot } from './lib/app/snapshot';

// esbuild inlines package.json's version (npm run bundle)
declare const PACKAGE_VERSION: string | undefined;

/** The scratch folder cdk8s.yaml gives cdk8s-cli (its `output`), which it deletes before it starts the app. */
const CDK8S_SCRATCH = 'build/cdk8s-scratch';

/**
 * Where the output goes: --output, except under `cdk8s synth --output DIR` (a folder other than cdk8s.yaml's scratch
 * folder), where the user named DIR and cdk8s-cli has already emptied it: the output goes there.
 * (cdk8s-cli sets CDK8S_RECORD_CONSTRUCT_METADATA for the apps it runs, lib/util.js synthApp.)
 */
function outputFolder(requested: string | undefined): string | undefined {
  const scratch = process.env.CDK8S_OUTDIR;
  const underCdk8sCli = process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined;
  if (underCdk8sCli && scratch && path.resolve(scratch) !== path.resolve(CDK8S_SCRATCH)) return scratch;
  return requested;
}

function main(args: readonly string[]): void {
  const request = parseArgs(args);
  if (request.kind === 'help') {
    process.stdout.write(USAGE);
  } else if (request.kind === 'version') {
    process.stdout.write(`${typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'unknown'}\n`);
  } else if (request.kind === 'error') {
    process.stderr.write(`error: ${request.message}\n`);
    process.exitCode = EXIT_USER_ERROR;
  } else {
    void runApp({
      env: process.env,
      cwd: process.cwd(),
      config: request.config,
      output: outputFolder(request.output),
      planJson: request.planJson,
      // The plan goes to stderr: `cdk8s synth` captures the app's stdout and never shows it.
      stdout: (text) => process.stderr.write(text),
      stderr: (text) => process.stderr.write(text),
      // --plan-json -: the JSON alone on stdout, for a pipe (jq, a CI step)
      json: (text) => process.stdout.write(text),
    }).then((code) => {
      process.exitCode = code;
      // Under `cdk8s synth` (cdk8s.yaml) CDK8S_OUTDIR is the CLI's scratch folder, which it deleted and then
      // expects to exist; the output itself went to --output.
      // (cdk8s-cli sets CDK8S_RECORD_CONSTRUCT_METADATA for the apps it runs; elsewhere nothing is made)
      const scratch = process.env.CDK8S_OUTDIR;
      const underCdk8sCli = process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined;
      const output = outputFolder(request.output);
      if (code === 0 && underCdk8sCli && scratch && output && path.resolve(scratch) !== path.resolve(output)) {
        fs.mkdirSync(scratch, { recursive: true });
      }
    });
  }
}

if (buildingSnapshot()) {
  // `node --build-snapshot build/app.js --warm-up CONFIG...` (bin/build-snapshot.js): a run from the blob calls main
  prepareSnapshot(__filename, process.argv.slice(2), main, async (config, scratch) => {
    const errors: string[] = [];
    const code = await runApp({
      env: {},
      cwd: process.cwd(),
      config,
      output: path.join(scratch, 'out'),
      planJson: path.join(scratch, 'plan.json'),
      stdout: () => undefined,
      stderr: (text) => errors.push(text),
    });
    if (code !== EXIT_OK) throw new Error(`the warm-up synth of ${config} failed (exit ${code}):\n${errors.join('')}`);
  });
} else {
  main(process.argv.slice(2));
}
