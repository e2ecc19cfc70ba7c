// The app `cdk8s synth` runs (see cdk8s.yaml): reads falco-audit.yaml (or $FALCO_AUDIT_CONFIG) and writes
// $CDK8S_OUTDIR (default dist/): cluster/ for Argo CD, node/ for the control-plane nodes.
import { runApp } from './lib/app/run-app';

process.exitCode = runApp({
  env: process.env,
  cwd: process.cwd(),
  // The plan goes to stderr: `cdk8s synth` captures the app's stdout and never shows it.
  stdout: (text) => process.stderr.write(text),
  stderr: (text) => process.stderr.write(text),
});
