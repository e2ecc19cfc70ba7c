/*
 * The GKE cloud side as Config Connector objects (CRDs at k8s-config-connector v1.155.1): the topic, subscription, sink,
 * IAM bindings and service account of issue 20 pass; an unknown field in each, the CRDs' oneOf rules, the sink filter
 * and the Google naming rules are caught.
 */
import {
  immutableFieldChanges,
  validateCloudObject,
  validateIamPolicyMember,
  validateIamServiceAccount,
  validateLoggingLogSink,
  validatePubSubSubscription,
  validatePubSubTopic,
} from '../../../lib/validation/managed';

const rules = (vs: { path: string; rule: string }[]) => vs.map((v) => `${v.path}: ${v.rule}`);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const meta = (name: string) => ({ name, namespace: 'falco-cloud' });

const TOPIC = { apiVersion: 'pubsub.cnrm.cloud.google.com/v1beta1', kind: 'PubSubTopic', metadata: meta('falco-gke-audit'), spec: {} };
const SUBSCRIPTION = {
  apiVersion: 'pubsub.cnrm.cloud.google.com/v1beta1',
  kind: 'PubSubSubscription',
  metadata: meta('falco-gke-audit-sub'),
  spec: { topicRef: { name: 'falco-gke-audit' }, ackDeadlineSeconds: 60, enableExactlyOnceDelivery: true },
};
const FILTER =
  'logName=~"projects/.+/logs/cloudaudit.googleapis.com%2F(activity|data_access)" AND protoPayload.serviceName="k8s.io" ' +
  'AND resource.labels.cluster_name="prod-eu" AND resource.labels.location="europe-west1"';
const SINK = {
  apiVersion: 'logging.cnrm.cloud.google.com/v1beta1',
  kind: 'LoggingLogSink',
  metadata: meta('falco-gke-audit'),
  spec: {
    destination: { pubSubTopicRef: { name: 'falco-gke-audit' } },
    filter: FILTER,
    exclusions: [{ name: 'leases', filter: 'protoPayload.methodName="io.k8s.coordination.v1.leases.update"' }],
    projectRef: { external: 'my-project-123' },
    uniqueWriterIdentity: true,
  },
};
const member = (name: string, spec: object) => ({
  apiVersion: 'iam.cnrm.cloud.google.com/v1beta1',
  kind: 'IAMPolicyMember',
  metadata: meta(name),
  spec,
});
const PUBLISHER = member('falco-sink-publisher', {
  memberFrom: { logSinkRef: { name: 'falco-gke-audit' } },
  role: 'roles/pubsub.publisher',
  resourceRef: { apiVersion: 'pubsub.cnrm.cloud.google.com/v1beta1', kind: 'PubSubTopic', name: 'falco-gke-audit' },
});
const SUBSCRIBER = member('falco-subscriber', {
  member: 'serviceAccount:falco-audit@my-project-123.iam.gserviceaccount.com',
  role: 'roles/pubsub.subscriber',
  resourceRef: { kind: 'PubSubSubscription', name: 'falco-gke-audit-sub' },
});
const WORKLOAD_IDENTITY = member('falco-workload-identity', {
  member: 'serviceAccount:my-project-123.svc.id.goog[falco/falco]',
  role: 'roles/iam.workloadIdentityUser',
  resourceRef: { kind: 'IAMServiceAccount', name: 'falco-audit' },
});
const SERVICE_ACCOUNT = {
  apiVersion: 'iam.cnrm.cloud.google.com/v1beta1',
  kind: 'IAMServiceAccount',
  metadata: meta('falco-audit'),
  spec: { displayName: 'Falco audit reader' },
};
const ALL = [TOPIC, SUBSCRIPTION, SINK, PUBLISHER, SUBSCRIBER, WORKLOAD_IDENTITY, SERVICE_ACCOUNT];

describe('objects of the issue shape pass', () => {
  test.each(ALL.map((o) => [`${o.kind} ${o.metadata.name}`, o]))('%s', (_name, object) => {
    expect(validateCloudObject(object)).toEqual([]);
  });

  test('the sink names its cluster when asked to', () => {
    expect(validateLoggingLogSink(SINK, { cluster: { name: 'prod-eu', location: 'europe-west1' } })).toEqual([]);
  });
});

describe('mutations are caught', () => {
  test.each(ALL.map((o) => [o.kind, o]))('an unknown field in a %s', (_kind, object) => {
    const o = clone(object) as any;
    o.spec.projectID = 'my-project-123';
    expect(rules(validateCloudObject(o))).toEqual(['spec.projectID: schema.unknown-field']);
  });

  test('IAMPolicyMember: both member and memberFrom, or neither; two memberFrom sources; a role without roles/', () => {
    const both = clone(PUBLISHER) as any;
    both.spec.member = 'serviceAccount:x@y.iam.gserviceaccount.com';
    expect(validateIamPolicyMember(both)).toEqual([
      expect.objectContaining({
        path: 'spec',
        rule: 'schema.one-of',
        message: 'exactly one of member, memberFrom may be set, not member and memberFrom',
      }),
    ]);
    const neither = clone(PUBLISHER) as any;
    delete neither.spec.memberFrom;
    expect(validateIamPolicyMember(neither)[0].message).toBe('exactly one of member, memberFrom must be set');
    const two = clone(PUBLISHER) as any;
    two.spec.memberFrom.serviceAccountRef = { name: 'falco-audit' };
    expect(rules(validateIamPolicyMember(two))).toEqual(['spec.memberFrom: schema.one-of']);
    const role = clone(SUBSCRIBER) as any;
    role.spec.role = 'pubsub.subscriber';
    expect(validateIamPolicyMember(role)[0]).toMatchObject({ path: 'spec.role', rule: 'schema.pattern' });
  });

  test('LoggingLogSink: two destinations, two parents, a filter that is not the audit feed, an unnamed cluster', () => {
    const sink = clone(SINK) as any;
    sink.spec.destination.storageBucketRef = { name: 'b' };
    expect(rules(validateLoggingLogSink(sink))).toEqual(['spec.destination: schema.one-of']);
    const parents = clone(SINK) as any;
    parents.spec.folderRef = { external: 'folders/123' };
    expect(rules(validateLoggingLogSink(parents))).toEqual(['spec.folderRef: gke.sink-parent']);
    const filter = clone(SINK) as any;
    filter.spec.filter = 'resource.type="k8s_cluster"';
    expect(rules(validateLoggingLogSink(filter))).toEqual(['spec.filter: gke.sink-filter', 'spec.filter: gke.sink-filter']);
    expect(rules(validateLoggingLogSink(SINK, { cluster: { name: 'staging', location: 'europe-west1' } }))).toEqual(['spec.filter: gke.sink-filter']);
  });

  test('LoggingLogSink: a topic in another project needs a unique writer identity', () => {
    const sink = clone(SINK) as any;
    sink.spec.destination.pubSubTopicRef = { external: 'projects/security-hub/topics/gke-audit' };
    expect(validateLoggingLogSink(sink)).toEqual([]);
    delete sink.spec.uniqueWriterIdentity;
    expect(rules(validateLoggingLogSink(sink))).toEqual(['spec.uniqueWriterIdentity: gke.sink-writer']);
  });

  test('Google names: a topic starting with goog, a subscription of two characters, a sink ID with a slash, a short service account ID', () => {
    expect(rules(validatePubSubTopic({ ...TOPIC, spec: { resourceID: 'goog-audit' } }))).toEqual(['spec.resourceID: cloud.name']);
    expect(rules(validatePubSubSubscription({ ...SUBSCRIPTION, metadata: meta('ab') }))).toEqual(['metadata.name: cloud.name']);
    expect(rules(validateLoggingLogSink({ ...SINK, spec: { ...SINK.spec, resourceID: 'audit/sink' } }))).toEqual(['spec.resourceID: cloud.name']);
    expect(rules(validateIamServiceAccount({ ...SERVICE_ACCOUNT, metadata: meta('falco') }))).toEqual(['metadata.name: cloud.name']);
  });

  test('a subscription without a topic', () => {
    const sub = clone(SUBSCRIPTION) as any;
    delete sub.spec.topicRef;
    expect(rules(validatePubSubSubscription(sub))).toEqual(['spec.topicRef: schema.required']);
  });
});

test('IAMPolicyMember fields are immutable (CEL self == oldSelf at iampolicymembers...yaml:84, 91, 179, 226, 234)', () => {
  const changed = clone(SUBSCRIBER) as any;
  changed.spec.role = 'roles/pubsub.viewer';
  expect(immutableFieldChanges(SUBSCRIBER, changed)).toEqual([
    expect.objectContaining({ path: 'spec.role', rule: 'cel.immutable', message: expect.stringContaining('role is immutable') }),
  ]);
  const reordered = clone(PUBLISHER) as any;
  reordered.spec.resourceRef = { name: 'falco-gke-audit', kind: 'PubSubTopic', apiVersion: 'pubsub.cnrm.cloud.google.com/v1beta1' };
  expect(immutableFieldChanges(PUBLISHER, reordered)).toEqual([]);
});
