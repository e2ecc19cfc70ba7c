/*
 * The EKS cloud side as ACK objects (CRDs at eks-controller v1.20.0 and iam-controller v1.8.1): objects of the shape
 * issue 20 describes pass; an unknown field, a wrong log type, a too-broad policy and the controllers' reference rules
 * are caught.
 */
import {
  eksLogReadPolicyViolations,
  immutableFieldChanges,
  validateAckCluster,
  validateCloudObject,
  validateIamRole,
  validatePodIdentityAssociation,
} from '../../../lib/validation/managed';

const rules = (vs: { path: string; rule: string }[]) => vs.map((v) => `${v.path}: ${v.rule}`);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const SCOPE = { region: 'eu-west-1', accountId: '123456789012', clusterName: 'prod-eu' };

const CLUSTER_PATCH = {
  apiVersion: 'eks.services.k8s.aws/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'prod-eu', namespace: 'infra' },
  spec: { logging: { clusterLogging: [{ enabled: true, types: ['audit'] }] } },
};

const CLUSTER = {
  apiVersion: 'eks.services.k8s.aws/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'prod-eu' },
  spec: {
    name: 'prod-eu',
    version: '1.31',
    roleARN: 'arn:aws:iam::123456789012:role/eks-cluster',
    resourcesVPCConfig: { subnetIDs: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'] },
    logging: { clusterLogging: [{ enabled: true, types: ['api', 'audit'] }] },
  },
};

const LOG_READ_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents'],
      Resource: ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/prod-eu/cluster:*'],
    },
  ],
});

const ROLE = {
  apiVersion: 'iam.services.k8s.aws/v1alpha1',
  kind: 'Role',
  metadata: { name: 'falco-audit', namespace: 'falco' },
  spec: {
    name: 'falco-audit-prod-eu',
    description: 'Falco reads the EKS audit log',
    assumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    }),
    inlinePolicies: { 'read-audit-log': LOG_READ_POLICY },
  },
};

const ASSOCIATION = {
  apiVersion: 'eks.services.k8s.aws/v1alpha1',
  kind: 'PodIdentityAssociation',
  metadata: { name: 'falco', namespace: 'falco' },
  spec: { clusterName: 'prod-eu', namespace: 'falco', serviceAccount: 'falco', roleARN: 'arn:aws:iam::123456789012:role/falco-audit-prod-eu' },
};

describe('objects of the issue shape pass', () => {
  test('the audit-log patch of the user own Cluster, and a whole Cluster', () => {
    expect(validateAckCluster(CLUSTER_PATCH, { patch: true })).toEqual([]);
    expect(validateAckCluster(CLUSTER)).toEqual([]);
    expect(validateCloudObject(CLUSTER)).toEqual([]);
  });

  test('the Role with a least-privilege inline policy, and the PodIdentityAssociation', () => {
    expect(validateIamRole(ROLE, { logReadFor: SCOPE })).toEqual([]);
    expect(validatePodIdentityAssociation(ASSOCIATION)).toEqual([]);
  });

  test("the plugin README's own policy is within the scope", () => {
    const readme = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadAccessToCloudWatchLogs',
          Effect: 'Allow',
          Action: ['logs:Describe*', 'logs:FilterLogEvents', 'logs:Get*', 'logs:List*'],
          Resource: ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/prod-eu/cluster:*'],
        },
      ],
    };
    expect(eksLogReadPolicyViolations(readme, SCOPE)).toEqual([]);
  });
});

describe('mutations are caught', () => {
  test('an unknown field in each kind', () => {
    const patch = clone(CLUSTER_PATCH) as any;
    patch.spec.logging.clusterLoging = [];
    expect(rules(validateAckCluster(patch, { patch: true }))).toEqual(['spec.logging.clusterLoging: schema.unknown-field']);
    const role = clone(ROLE) as any;
    role.spec.policyDocument = '{}';
    expect(rules(validateIamRole(role))).toEqual(['spec.policyDocument: schema.unknown-field']);
    const assoc = clone(ASSOCIATION) as any;
    assoc.spec.serviceAccountName = 'falco';
    expect(rules(validatePodIdentityAssociation(assoc))).toEqual(['spec.serviceAccountName: schema.unknown-field']);
  });

  test('a patch that sets more than spec.logging', () => {
    const patch = clone(CLUSTER_PATCH) as any;
    patch.spec.version = '1.31';
    expect(rules(validateAckCluster(patch, { patch: true }))).toEqual(['spec.version: eks.patch']);
  });

  test('a log type the EKS API does not know (the CRD has no enum), and audit left off', () => {
    const patch = clone(CLUSTER_PATCH) as any;
    patch.spec.logging.clusterLogging = [{ enabled: true, types: ['Audit'] }];
    expect(rules(validateAckCluster(patch, { patch: true }))).toEqual([
      'spec.logging.clusterLogging[0].types[0]: eks.log-type',
      'spec.logging.clusterLogging: eks.audit-off',
    ]);
    patch.spec.logging.clusterLogging = [{ enabled: false, types: ['audit'] }];
    expect(rules(validateAckCluster(patch, { patch: true }))).toEqual(['spec.logging.clusterLogging: eks.audit-off']);
  });

  test('names the AWS API refuses: EKS cluster name, IAM role name (pattern and length)', () => {
    const cluster = clone(CLUSTER) as any;
    cluster.spec.name = '-prod';
    expect(rules(validateAckCluster(cluster))).toEqual(['spec.name: cloud.name']);
    const role = clone(ROLE) as any;
    role.spec.name = 'falco audit';
    expect(rules(validateIamRole(role))).toEqual(['spec.name: cloud.name']);
    role.spec.name = 'r'.repeat(65);
    expect(rules(validateIamRole(role))).toEqual(['spec.name: cloud.name']);
    role.spec.name = 'falco-audit';
    role.spec.path = 'falco';
    expect(validateIamRole(role)).toEqual([
      expect.objectContaining({ path: 'spec.path', rule: 'aws.pattern', message: expect.stringContaining('iam.services.k8s.aws_roles.yaml:130') }),
    ]);
  });

  test("the controllers' reference rules", () => {
    const assoc = clone(ASSOCIATION) as any;
    assoc.spec.clusterRef = { from: { name: 'prod-eu' } };
    delete assoc.spec.roleARN;
    expect(rules(validatePodIdentityAssociation(assoc))).toEqual(['spec.clusterRef: ack.reference', 'spec.roleARN: ack.reference']);
    const role = clone(ROLE) as any;
    role.spec.policies = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    role.spec.policyRefs = [{ from: { name: 'x' } }];
    expect(rules(validateIamRole(role))).toEqual(['spec.policyRefs: ack.reference']);
  });

  test('a role ARN that is not one', () => {
    const assoc = clone(ASSOCIATION) as any;
    assoc.spec.roleARN = 'arn:aws:iam::12345:role/falco';
    expect(validatePodIdentityAssociation(assoc)[0].message).toContain('account ID must be exactly 12 digits');
  });

  test('a policy wider than reading the audit log group', () => {
    const role = clone(ROLE) as any;
    role.spec.inlinePolicies['read-audit-log'] = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }],
    });
    expect(rules(validateIamRole(role, { logReadFor: SCOPE }))).toEqual([
      'spec.inlinePolicies.read-audit-log.Statement[0].Action: eks.policy',
      'spec.inlinePolicies.read-audit-log.Statement[0].Resource: eks.policy',
    ]);
    role.spec.inlinePolicies['read-audit-log'] = '{"Version":';
    expect(rules(validateIamRole(role))).toEqual(['spec.inlinePolicies.read-audit-log: iam.policy-json']);
  });

  test('a policy for another cluster, or with a malformed scope', () => {
    expect(rules(eksLogReadPolicyViolations(LOG_READ_POLICY, { ...SCOPE, clusterName: 'staging' }))).toEqual(['Statement[0].Resource: eks.policy']);
    expect(rules(eksLogReadPolicyViolations(LOG_READ_POLICY, { ...SCOPE, accountId: '1234' }))).toContain('accountId: eks.policy');
  });

  test('a metadata.name the API server refuses, and a kind of another API version', () => {
    const assoc = clone(ASSOCIATION) as any;
    assoc.metadata.name = 'Falco_Audit';
    expect(rules(validatePodIdentityAssociation(assoc))).toEqual(['metadata.name: metadata.name']);
    expect(rules(validateAckCluster({ ...CLUSTER, apiVersion: 'eks.services.k8s.aws/v1beta1' }))).toEqual([': unknown-kind']);
  });
});

test('the CEL rule of the Cluster CRD: spec.name is immutable (eks.services.k8s.aws_clusters.yaml:274)', () => {
  const renamed = clone(CLUSTER) as any;
  renamed.spec.name = 'prod-eu-2';
  expect(immutableFieldChanges(CLUSTER, renamed)).toEqual([
    expect.objectContaining({ path: 'spec.name', rule: 'cel.immutable', message: expect.stringContaining(':274') }),
  ]);
  expect(immutableFieldChanges(CLUSTER, clone(CLUSTER))).toEqual([]);
});
