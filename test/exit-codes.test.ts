/**
 * The exit codes `--help` lists are the ones the command returns: each is produced here by running the bin (or the
 * launcher) as a user would, and the docs list the same codes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { USAGE } from '../lib/app/cli';
import { EXAMPLES, listFiles, ROOT, scratch, writeFiles } from './app/run';

const BIN = path.join(ROOT, 'bin', 'cdk8s-falco-audit.js');
const LAUNCHER = path.join(ROOT, 'bin', 'cdk8s-falco-audit.sh');

/** The codes of the "Exit codes:" part of a text: lines that start with a number, in order. */
export function exitCodesIn(text: string): number[] {
  const part = text.slice(text.indexOf('Exit codes:'));
  return [...part.matchAll(/^ {2}(\d+) {2,}/gm)].map((m) => Number(m[1]));
}

let dir: string;
beforeEach(() => {
  dir = scratch();
  writeFiles(dir, {
    'falco-audit.yaml': 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {values: values.yaml, clusterIP: 10.96.0.100}\n',
    'kube-apiserver.yaml': fs.readFileSync(path.join(EXAMPLES, 'default', 'kube-apiserver.yaml'), 'utf8'),
    'values.yaml': fs.readFileSync(path.join(EXAMPLES, 'default', 'values.yaml'), 'utf8'),
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function bin(args: string[], nodeArgs: string[] = []) {
  return spawnSync(process.execPath, [...nodeArgs, BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH }, encoding: 'utf8' });
}

test('--help lists 0, 1, 70 and 127, and so do the README and the troubleshooting page', () => {
  expect(exitCodesIn(USAGE)).toEqual([0, 1, 70, 127]);
  expect(bin(['--help']).stdout).toContain('\nExit codes:\n  0    done');
  for (const doc of ['README.md', path.join('docs', 'troubleshooting.md')]) {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
    const table = text.slice(text.indexOf('| code | meaning |'));
    const codes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect({ doc, codes }).toEqual({ doc, codes: exitCodesIn(USAGE) });
  }
});

test('0: a synth that wrote its output; --help; --version', () => {
  const r = bin(['synth', '--output', 'out']);
  expect(r.status).toBe(0);
  expect(listFiles(path.join(dir, 'out'))).toContain('node/kube-apiserver.yaml');
  expect(bin(['--help']).status).toBe(0);
  expect(bin(['--version']).status).toBe(0);
});

test.each([
  ['a bad argument', ['synth', '--ouput', 'out'], 'error: unknown option "--ouput" (see --help)'],
  ['a config mistake', ['synth', '--config', 'bad.yaml', '--output', 'out'], 'bad.yaml:2: falco.clusterIP'],
  ['a missing config', ['synth', '--config', 'missing.yaml', '--output', 'out'], 'missing.yaml'],
])('1: %s, with nothing written', (_what, args, message) => {
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'apiServer: {manifest: kube-apiserver.yaml}\nfalco: {clusterIP: 10.200.0.1}\n');
  const r = bin(args);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
});

test('70: an unexpected exception inside a run (here crypto.createHash made to throw), with the stack and nothing written', () => {
  // no input reaches a bug on purpose: the preload breaks a function a synth calls, after the app has loaded
  fs.writeFileSync(path.join(dir, 'break.js'), "require('crypto').createHash = () => { throw new TypeError('broken on purpose'); };\n");
  const r = bin(['synth', '--output', 'out'], ['--require', path.join(dir, 'break.js')]);
  expect(r.status).toBe(70);
  expect(r.stderr).toMatch(/^internal error \(a bug in cdk8s-falco-audit, please report it\):\nTypeError: broken on purpose\n\s+at /);
  expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
});

test('127: the launcher without node on PATH', () => {
  const r = spawnSync('/bin/sh', [LAUNCHER, '--version'], { cwd: dir, env: { PATH: '/nonexistent' }, encoding: 'utf8' });
  expect(r.status).toBe(127);
  expect(r.stderr).toBe('error: node (Node.js 20) is not on PATH\n');
});
