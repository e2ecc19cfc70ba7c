import { kindOf } from '../../core/util';
import { Violation } from '../violation';
import {
  validateBlobContainer,
  validateBlobService,
  validateDiagnosticSetting,
  validateEventHub,
  validateEventHubsAuthorizationRule,
  validateEventHubsNamespace,
  validateStorageAccount,
} from './aks-objects';
import { CloudObjectOptions, checkCloudObject } from './cloud-object';
import { validateAckCluster, validateIamRole, validatePodIdentityAssociation } from './eks-objects';
import {
  validateIamPolicyMember,
  validateIamServiceAccount,
  validateLoggingLogSink,
  validatePubSubSubscription,
  validatePubSubTopic,
} from './gke-objects';

/** Each cloud kind's validator, by kind (the kinds' names do not clash across the three controllers). */
const BY_KIND: Readonly<Record<string, (object: unknown, options: CloudObjectOptions) => Violation[]>> = Object.freeze({
  Cluster: validateAckCluster,
  PodIdentityAssociation: validatePodIdentityAssociation,
  Role: validateIamRole,
  PubSubTopic: validatePubSubTopic,
  PubSubSubscription: validatePubSubSubscription,
  LoggingLogSink: validateLoggingLogSink,
  IAMPolicyMember: validateIamPolicyMember,
  IAMServiceAccount: validateIamServiceAccount,
  DiagnosticSetting: validateDiagnosticSetting,
  Namespace: validateEventHubsNamespace,
  NamespacesEventhub: validateEventHub,
  NamespacesAuthorizationRule: validateEventHubsAuthorizationRule,
  StorageAccount: validateStorageAccount,
  StorageAccountsBlobService: validateBlobService,
  StorageAccountsBlobServicesContainer: validateBlobContainer,
});

/**
 * Validates any cloud object of the managed-cluster feed with its kind's validator (with the kind's default options:
 * a Cluster as a whole object, no policy scope). An object of another kind is an `unknown-kind` violation.
 */
export function validateCloudObject(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const validate = BY_KIND[kindOf(object)];
  return validate ? validate(object, options) : checkCloudObject(object, kindOf(object) || 'a cloud kind', options).violations;
}
