import { arr, obj, show, str } from '../../core/util';
import { Violation } from '../violation';
import { gcpServiceAccountIdProblems, loggingSinkNameProblems, pubSubNameProblems } from './cloud-names';
import { CloudObjectOptions, checkCloudObject, cloudName, nameViolations } from './cloud-object';

/*
 * The Google side of the GKE audit feed as Config Connector objects (reference/gke/k8s-config-connector-v1.155.1/, all
 * v1beta1): the Pub/Sub topic and subscription, the Logging sink that feeds the topic, the IAM bindings and the Google
 * service account. A KCC object's name in Google Cloud is `spec.resourceID`, else `metadata.name` (each CRD: "When
 * unset, the value of `metadata.name` is used as the default").
 */

/** A `PubSubTopic`: the CRD and the topic ID's Pub/Sub rules. */
export function validatePubSubTopic(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'PubSubTopic', options);
  if (check.kind) nameViolations(check, cloudName(object, 'resourceID'), pubSubNameProblems, 'Pub/Sub topic ID');
  return check.violations;
}

/**
 * A `PubSubSubscription`: the CRD (a `topicRef` is required) and the subscription ID's Pub/Sub rules. Several Falco
 * replicas may share it only with `enableExactlyOnceDelivery: true` (k8saudit-gke README.md:183), which the Falco side
 * checks against its replica count.
 */
export function validatePubSubSubscription(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'PubSubSubscription', options);
  if (check.kind) nameViolations(check, cloudName(object, 'resourceID'), pubSubNameProblems, 'Pub/Sub subscription ID');
  return check.violations;
}

/** Where the sink feeds and which cluster it must select. */
export interface LoggingSinkOptions extends CloudObjectOptions {
  /**
   * The cluster whose audit entries the sink must select: its filter must name both values, else the sink streams the
   * audit log of every cluster in the project. The label names to use are not in the references (see the note).
   * @default - the filter is not checked for a cluster
   */
  readonly cluster?: { readonly name: string; readonly location: string };
}

/**
 * The clauses of k8saudit-gke's sink filter: Admin Activity and Data Access audit logs, of the `k8s.io` service
 * (`logName=~"projects/.+/logs/cloudaudit.googleapis.com%2F(activity|data_access)" AND protoPayload.serviceName="k8s.io"`,
 * reference/gke/plugins-k8saudit-gke-v0.9.0/README.md:194).
 */
export const GKE_SINK_FILTER_CLAUSES: readonly string[] = Object.freeze(['cloudaudit.googleapis.com', 'protoPayload.serviceName="k8s.io"']);

/** The project of a KCC reference's `external` value (`projects/<p>/topics/<t>`, or a bare project ID for projectRef). */
function projectOf(ref: unknown, bare: boolean): string | undefined {
  const external = str(obj(ref).external);
  if (!external) return undefined;
  const m = /^projects\/([^/]+)/.exec(external);
  return m ? m[1] : bare ? external : undefined;
}

/** The audit feed's sink: a Pub/Sub destination, the README's filter, the cluster named, cross-project publishing. */
function sinkFeedViolations(
  spec: Record<string, unknown>,
  options: LoggingSinkOptions,
  report: (p: string, r: string, m: string, v?: unknown) => void,
) {
  const dest = obj(spec.destination);
  if (dest.pubSubTopicRef === undefined)
    report('spec.destination', 'gke.sink-destination', 'must be a pubSubTopicRef: k8saudit-gke reads a Pub/Sub subscription');
  const filter = typeof spec.filter === 'string' ? spec.filter : '';
  for (const clause of GKE_SINK_FILTER_CLAUSES) {
    if (!filter.includes(clause))
      report('spec.filter', 'gke.sink-filter', `must select ${clause} (k8saudit-gke README.md:194), not ${show(filter)}`, spec.filter);
  }
  for (const value of options.cluster ? [options.cluster.name, options.cluster.location] : []) {
    if (!filter.includes(`"${value}"`))
      report('spec.filter', 'gke.sink-filter', `must name ${show(value)}, else every cluster of the project streams its audit log`, spec.filter);
  }
  const topicProject = projectOf(dest.pubSubTopicRef, false);
  const sinkProject = projectOf(spec.projectRef, true);
  if (topicProject && sinkProject && topicProject !== sinkProject && spec.uniqueWriterIdentity !== true) {
    report(
      'spec.uniqueWriterIdentity',
      'gke.sink-writer',
      `must be true: the topic is in project ${show(topicProject)}, the sink in ${show(sinkProject)} ("If you wish to publish logs across projects, you must set unique_writer_identity to true", logginglogsinks CRD:344-350)`,
    );
  }
}

/**
 * A `LoggingLogSink`: the CRD (`destination` is exactly one of four refs), the sink ID, each exclusion's name, at most
 * one of projectRef/folderRef/organizationRef (CRD descriptions, logginglogsinks...yaml:247-248, 282-283, 311-312), and
 * (`forFalco`) the audit feed: a Pub/Sub topic, the plugin's filter, the cluster named, cross-project publishing.
 */
export function validateLoggingLogSink(object: unknown, options: LoggingSinkOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'LoggingLogSink', options);
  if (!check.kind) return check.violations;
  const spec = obj(obj(object).spec);
  nameViolations(check, cloudName(object, 'resourceID'), loggingSinkNameProblems, 'sink ID');
  arr(spec.exclusions).forEach((e, i) => {
    const name = obj(e).name;
    if (typeof name === 'string') nameViolations(check, { name, path: `spec.exclusions[${i}].name` }, loggingSinkNameProblems, 'exclusion name');
  });
  const parents = ['projectRef', 'folderRef', 'organizationRef'].filter((k) => spec[k] !== undefined);
  if (parents.length > 1) {
    check.report(
      `spec.${parents[1]}`,
      'gke.sink-parent',
      `only one of projectRef, folderRef, organizationRef may be set, not ${parents.join(' and ')} (logginglogsinks CRD:247-248)`,
    );
  }
  if (options.forFalco !== false) sinkFeedViolations(spec, options, check.report);
  return check.violations;
}

/**
 * An `IAMPolicyMember`: the CRD (exactly one of `member` and `memberFrom`, and one source in `memberFrom`; `role` of the
 * form `roles/...`; `resourceRef` an external name or a name). Every field is immutable (the CRD's CEL `self == oldSelf`
 * rules, iampolicymembers...yaml:84, 91, 179, 226, 234): a change is a delete and a create, see
 * {@link immutableFieldChanges}.
 */
export function validateIamPolicyMember(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  return checkCloudObject(object, 'IAMPolicyMember', options).violations;
}

/** An `IAMServiceAccount`: the CRD and the account ID (`spec.resourceID`, else `metadata.name`). */
export function validateIamServiceAccount(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkCloudObject(object, 'IAMServiceAccount', options);
  if (check.kind) nameViolations(check, cloudName(object, 'resourceID'), gcpServiceAccountIdProblems, 'service account ID');
  return check.violations;
}
