import { arr, isObject, obj, show } from '../../core/util';
import { Violation } from '../violation';
import { awsAccountIdProblems, awsRegionProblems, eksClusterNameProblems, iamRoleArnProblems, iamRoleNameProblems } from './cloud-names';
import { CloudObjectOptions, Report, checkCloudObject, nameViolations, specString } from './cloud-object';

/*
 * The AWS side of the EKS audit feed as ACK objects: the user's Cluster (its control-plane logging), the IAM Role Falco
 * assumes and the PodIdentityAssociation that binds it. Files under reference/ are in ../shared/reference/managed.
 */

/**
 * The control-plane log types the EKS API knows (ACK eks-controller apis/v1alpha1/enums.go:315-323 @ v1.20.0: LogType
 * api, audit, authenticator, controllerManager, scheduler; eksctl's list adds its own shorthands `all` and `*`,
 * reference/eks/eksctl-v0.230.0/schema.json ClusterCloudWatchLogging.enableTypes). The ACK CRD has no enum for `types`,
 * so `Audit` would pass the CRD and fail at AWS.
 */
export const EKS_LOG_TYPES: readonly string[] = Object.freeze(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);

/** Options of {@link validateAckCluster}. */
export interface AckClusterOptions extends CloudObjectOptions {
  /**
   * The object is a patch of the user's own ACK Cluster: only `metadata` and `spec.logging`, checked against that part of
   * the CRD (a second Cluster object would fight the user's for the same EKS cluster).
   * @default false
   */
  readonly patch?: boolean;
}

/** `spec.logging.clusterLogging`: known types, and `audit` turned on (what k8saudit-eks reads). */
function loggingViolations(logging: unknown, report: Report, forFalco: boolean): void {
  let auditOn = false;
  arr(obj(logging).clusterLogging).forEach((entry, i) => {
    arr(obj(entry).types).forEach((type, j) => {
      if (typeof type === 'string' && !EKS_LOG_TYPES.includes(type)) {
        report(
          `spec.logging.clusterLogging[${i}].types[${j}]`,
          'eks.log-type',
          `${show(type)} is not an EKS log type (${EKS_LOG_TYPES.join(', ')})`,
          type,
        );
      }
      if (type === 'audit' && obj(entry).enabled === true) auditOn = true;
    });
  });
  if (forFalco && !auditOn) {
    report(
      'spec.logging.clusterLogging',
      'eks.audit-off',
      'no entry has enabled: true with type audit: EKS then writes no audit log to /aws/eks/<cluster>/cluster and k8saudit-eks reads nothing',
    );
  }
}

/**
 * An ACK `Cluster` (eks.services.k8s.aws/v1alpha1), or with `patch` a patch of one that sets `spec.logging`: the CRD
 * (reference/eks/ack-eks-controller-v1.20.0/eks.services.k8s.aws_clusters.yaml), the EKS cluster name, the log types,
 * and (`forFalco`) the audit log turned on.
 */
export function validateAckCluster(object: unknown, options: AckClusterOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'Cluster', options, options.patch ? 'spec.logging' : undefined);
  if (!check.kind) return check.violations;
  if (options.patch) {
    for (const key of Object.keys(obj(object))) {
      if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key))
        check.report(key, 'eks.patch', `a patch of the user's Cluster sets only spec.logging, not ${show(key)}`);
    }
    for (const key of Object.keys(obj(obj(object).spec))) {
      if (key !== 'logging') check.report(`spec.${key}`, 'eks.patch', `a patch of the user's Cluster sets only spec.logging, not spec.${key}`);
    }
  } else {
    nameViolations(check, specString(obj(obj(object).spec), 'name'), eksClusterNameProblems, 'EKS cluster name');
  }
  loggingViolations(obj(obj(object).spec).logging, check.report, options.forFalco !== false);
  return check.violations;
}

/** ACK's rule for a field and its reference: at most one of the two, and (`required`) at least one. */
function referencePair(spec: Record<string, unknown>, id: string, ref: string, required: boolean, report: Report, at: string): void {
  const has = (k: string) => spec[k] !== undefined && spec[k] !== null;
  if (has(id) && has(ref)) report(`spec.${ref}`, 'ack.reference', `only one of spec.${id} and spec.${ref} may be set (${at})`);
  else if (required && !has(id) && !has(ref)) report(`spec.${id}`, 'ack.reference', `one of spec.${id} and spec.${ref} must be set (${at})`);
}

/**
 * An ACK `PodIdentityAssociation`: the CRD, the controller's reference rules (exactly one of clusterName/clusterRef and
 * of roleARN/roleRef, at most one of targetRoleARN/targetRoleRef: eks-controller pkg/resource/pod_identity_association/
 * references.go:102-122 @ v1.20.0), the EKS cluster name, the role ARN, the Kubernetes namespace and ServiceAccount names.
 */
export function validatePodIdentityAssociation(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'PodIdentityAssociation', options);
  if (!check.kind) return check.violations;
  const spec = obj(obj(object).spec);
  const at = 'eks-controller references.go:102-122 @ v1.20.0';
  referencePair(spec, 'clusterName', 'clusterRef', true, check.report, at);
  referencePair(spec, 'roleARN', 'roleRef', true, check.report, at);
  referencePair(spec, 'targetRoleARN', 'targetRoleRef', false, check.report, at);
  nameViolations(check, specString(spec, 'clusterName'), eksClusterNameProblems, 'EKS cluster name');
  for (const field of ['roleARN', 'targetRoleARN']) nameViolations(check, specString(spec, field), iamRoleArnProblems, 'IAM role ARN');
  return check.violations;
}

/** The least-privilege scope of the audit reader's policy: where EKS writes the audit log, and who reads it. */
export interface EksLogReadScope {
  /** The cluster's region. */
  readonly region: string;
  /** The cluster's AWS account ID (12 digits). */
  readonly accountId: string;
  /** The EKS cluster name. */
  readonly clusterName: string;
  /** The ARN partition. @default 'aws' */
  readonly partition?: string;
}

/**
 * The actions k8saudit-eks's policy may grant: what the plugin's README grants (reference/eks/plugins-k8saudit-eks-
 * v0.12.0/README.md:204-209); the plugin itself only calls FilterLogEvents (shared-cloudwatchlogs-cloudwatch.go:106-128).
 */
export const EKS_LOG_READ_ACTIONS: readonly string[] = Object.freeze(['logs:FilterLogEvents', 'logs:Describe*', 'logs:Get*', 'logs:List*']);

/**
 * Checks an IAM policy document (JSON text or parsed) grants only reading the cluster's audit log group: Allow, actions
 * among {@link EKS_LOG_READ_ACTIONS}, resource `arn:<partition>:logs:<region>:<account>:log-group:/aws/eks/<cluster>/cluster:*`
 * (README.md:211; the log group Open reads, k8sauditeks.go:142).
 */
export function eksLogReadPolicyViolations(document: unknown, scope: EksLogReadScope, source = 'IAM policy'): Violation[] {
  const out: Violation[] = [];
  const report = (path: string, message: string, value?: unknown) =>
    out.push({ source, path, rule: 'eks.policy', message, ...(value === undefined ? {} : { value }) });
  for (const [field, problems] of [
    ['region', awsRegionProblems(scope.region)],
    ['accountId', awsAccountIdProblems(scope.accountId)],
    ['clusterName', eksClusterNameProblems(scope.clusterName)],
  ] as const) {
    for (const p of problems) report(field, `${field} ${p}`);
  }
  let doc = document;
  if (typeof document === 'string') {
    try {
      doc = JSON.parse(document);
    } catch {
      report('', 'must be a JSON policy document');
      return out;
    }
  }
  const resource = `arn:${scope.partition ?? 'aws'}:logs:${scope.region}:${scope.accountId}:log-group:/aws/eks/${scope.clusterName}/cluster:*`;
  const statements = Array.isArray(obj(doc).Statement) ? arr(obj(doc).Statement) : [obj(doc).Statement];
  statements.forEach((s, i) => {
    const st = obj(s);
    const at = `Statement[${i}]`;
    if (st.Effect !== 'Allow') report(`${at}.Effect`, `must be Allow, not ${show(st.Effect)}`, st.Effect);
    for (const action of [st.Action].flat()) {
      if (!EKS_LOG_READ_ACTIONS.includes(action as string))
        report(`${at}.Action`, `${show(action)} is more than reading the audit log (${EKS_LOG_READ_ACTIONS.join(', ')})`, action);
    }
    for (const r of [st.Resource].flat()) if (r !== resource) report(`${at}.Resource`, `${show(r)} is not the cluster's log group ${resource}`, r);
  });
  return out;
}

/** Options of {@link validateIamRole}. */
export interface IamRoleOptions extends CloudObjectOptions {
  /** Check each inline policy grants only reading this cluster's audit log. @default - inline policies are checked for JSON only */
  readonly logReadFor?: EksLogReadScope;
}

/** A policy field holding JSON text: it must parse (IAM takes "a JSON policy that has been converted to a string"). */
function jsonPolicy(report: Report, path: string, value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    report(path, 'iam.policy-json', 'must be a JSON policy document (IAM CreateRole takes a JSON policy converted to a string)');
    return undefined;
  }
}

/**
 * An ACK IAM `Role` (iam.services.k8s.aws/v1alpha1): the CRD (reference/eks/ack-iam-controller-v1.8.1/
 * iam.services.k8s.aws_roles.yaml) with its API patterns, the role name's length, the policy documents as JSON, the
 * controller's reference rules (iam-controller pkg/resource/role/references.go:85-95 @ v1.8.1: not both policies and
 * policyRefs, not both permissionsBoundary and permissionsBoundaryRef), and with `logReadFor` the inline policies' scope.
 */
export function validateIamRole(object: unknown, options: IamRoleOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'Role', options);
  if (!check.kind) return check.violations;
  const spec = obj(obj(object).spec);
  nameViolations(check, specString(spec, 'name'), iamRoleNameProblems, 'IAM role name');
  const at = 'iam-controller references.go:85-95 @ v1.8.1';
  if (arr(spec.policies).length > 0 && arr(spec.policyRefs).length > 0)
    check.report('spec.policyRefs', 'ack.reference', `only one of spec.policies and spec.policyRefs may be set (${at})`);
  referencePair(spec, 'permissionsBoundary', 'permissionsBoundaryRef', false, check.report, at);
  jsonPolicy(check.report, 'spec.assumeRolePolicyDocument', spec.assumeRolePolicyDocument);
  for (const [name, text] of Object.entries(isObject(spec.inlinePolicies) ? spec.inlinePolicies : {})) {
    const path = `spec.inlinePolicies.${name}`;
    const doc = jsonPolicy(check.report, path, text);
    if (doc !== undefined && options.logReadFor) {
      check.violations.push(...eksLogReadPolicyViolations(doc, options.logReadFor, check.source).map((v) => ({ ...v, path: `${path}.${v.path}` })));
    }
  }
  return check.violations;
}
