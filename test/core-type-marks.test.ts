import { Chart, Testing } from 'cdk8s';
import { NodeFile } from '../lib/core/node-file';
import { UserError, UserErrors, isUserError } from '../lib/core/errors';
import { ApiServerAuditBackend, StaticPodManifest } from '../lib/apiserver';
import * as path from 'path';

// A second installed copy of the library has classes of its own: the checks must not rely on instanceof.
describe('type checks that work across copies of the library', () => {
  test('a UserError from another copy (same registered symbol, another class) is a user error', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('cdk8s-falco-audit.UserError')]: true });
    expect(isUserError(foreign)).toBe(true);
    expect(UserError.isUserError(new Error('x'))).toBe(false);
    expect(UserError.isUserError(undefined)).toBe(false);
  });

  test('UserErrors is told apart from a single UserError', () => {
    expect(UserErrors.isUserErrors(new UserErrors('2 problems:', ['a', 'b']))).toBe(true);
    expect(UserErrors.isUserErrors(new UserError('a'))).toBe(false);
    expect(UserError.isUserError(new UserErrors('2 problems:', ['a', 'b']))).toBe(true);
  });

  test('NodeFile.all finds node files by their mark', () => {
    const chart = new Chart(Testing.app(), 'test');
    const file = new NodeFile(chart, 'F', { nodePath: '/etc/kubernetes/audit/policy.yaml', document: { a: 1 }, description: 'x' });
    expect(NodeFile.all(chart)).toEqual([file]);
    expect(NodeFile.isNodeFile(file)).toBe(true);
    expect(NodeFile.isNodeFile(chart)).toBe(false);
  });

  test('a manifest and a backend are recognised by their marks; look-alike objects are not', () => {
    const manifest = StaticPodManifest.fromFile(path.join(__dirname, 'apiserver', 'fixtures', '10-kubeadm-v1.18.2-danil.yaml'));
    expect(StaticPodManifest.isStaticPodManifest(manifest)).toBe(true);
    expect(StaticPodManifest.isStaticPodManifest({ document: manifest.document })).toBe(false);
    expect(ApiServerAuditBackend.isApiServerAuditBackend(ApiServerAuditBackend.dynamic())).toBe(true);
    expect(ApiServerAuditBackend.isApiServerAuditBackend({ kind: 'dynamic' })).toBe(false);
  });
});
