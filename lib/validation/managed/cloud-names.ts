import { managedIndex } from './managed-data';

/*
 * Names and identifiers the cloud APIs check, each from a source named beside it. Each function returns the problems,
 * empty when the value is valid. Where no source gives a format, the check says only what is certain and no more.
 * Paths under reference/ are in ../shared/reference/managed.
 */

/** Problems of `value` against a length range and a pattern (`expect` words the pattern). */
function shape(value: string, o: { min?: number; max?: number; re?: RegExp; expect?: string }): string[] {
  const out: string[] = [];
  if (o.min !== undefined && value.length < o.min) out.push(`must be at least ${o.min} characters long`);
  if (o.max !== undefined && value.length > o.max) out.push(`must be at most ${o.max} characters long`);
  if (o.re && !o.re.test(value)) out.push(`must be ${o.expect}`);
  return out;
}

/**
 * An EKS cluster name: alphanumerics, '-' and '_', starting alphanumeric, at most 100 characters (the EKS API's rule as
 * the ACK Cluster CRD documents it: reference/eks/ack-eks-controller-v1.20.0/eks.services.k8s.aws_clusters.yaml:264-270).
 */
export function eksClusterNameProblems(name: string): string[] {
  return shape(name, { min: 1, max: 100, re: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/, expect: "alphanumerics, '-' and '_', starting with an alphanumeric" });
}

/**
 * An IAM role name: `[\w+=,.@-]+` (reference/eks/ack-iam-controller-v1.8.1/iam.services.k8s.aws_roles.yaml:112), 1 to 64
 * characters (IAM API CreateRole, RoleName "Length Constraints: Minimum length of 1. Maximum length of 64.",
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
 */
export function iamRoleNameProblems(name: string): string[] {
  return shape(name, { min: 1, max: 64, re: /^[\w+=,.@-]+$/, expect: "alphanumerics and '_+=,.@-' only" });
}

/**
 * An AWS region. No reference gives a format; the region is a DNS label of the CloudWatch Logs endpoint the plugin
 * calls (`logs.<region>.amazonaws.com`, https://docs.aws.amazon.com/general/latest/gr/cwl_region.html), so only that
 * is checked: 1 to 63 letters, digits and '-', not starting or ending with '-'.
 */
export function awsRegionProblems(region: string): string[] {
  return shape(region, { min: 1, max: 63, re: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, expect: "a DNS label: letters, digits and '-'" });
}

/**
 * An AWS account ID: exactly 12 digits ("The regex pattern for an account ID string requires exactly 12 digits.",
 * AWS Organizations API DescribeAccount, https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html).
 */
export function awsAccountIdProblems(id: string): string[] {
  return /^\d{12}$/.test(id) ? [] : ['must be exactly 12 digits'];
}

/**
 * An IAM role ARN, `arn:<partition>:iam::<account>:role/<path><name>` (IAM identifiers, "IAM ARNs",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns); the account and the
 * name are checked as above, the partition only for its form.
 */
export function iamRoleArnProblems(arn: string): string[] {
  const m = /^arn:([a-z][a-z-]*):iam::([^:]*):role\/(.+)$/.exec(arn);
  if (!m) return ['must be an IAM role ARN: arn:<partition>:iam::<account-id>:role/<name>'];
  const name = m[3].slice(m[3].lastIndexOf('/') + 1);
  return [...awsAccountIdProblems(m[2]).map((p) => `account ID ${p}`), ...iamRoleNameProblems(name).map((p) => `role name ${p}`)];
}

/**
 * An OIDC issuer URL for an IAM OIDC provider (IRSA): `https://`, a host, an optional path, no query or fragment ("The
 * URL must begin with https:// ... path components are allowed but query parameters are not", AWS CDK
 * OpenIdConnectProviderProps.url, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_eks.OpenIdConnectProviderProps.html).
 */
export function oidcIssuerUrlProblems(url: string): string[] {
  if (!url.startsWith('https://')) return ['must begin with https://'];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return ['must be a URL'];
  }
  const out: string[] = [];
  if (parsed.search || url.includes('?')) out.push('must not have a query');
  if (parsed.hash || url.includes('#')) out.push('must not have a fragment');
  return out;
}

/**
 * A Google Cloud project ID: 6 to 30 lowercase letters, digits or '-', starting with a letter (gcloud projects create,
 * https://cloud.google.com/sdk/gcloud/reference/projects/create), no trailing '-' (Resource Manager Project.projectId,
 * https://cloud.google.com/resource-manager/reference/rest/v3/projects).
 */
export function gcpProjectIdProblems(id: string): string[] {
  return shape(id, {
    min: 6,
    max: 30,
    re: /^[a-z][a-z0-9-]*[a-z0-9]$/,
    expect: "lowercase letters, digits and '-', starting with a letter, not ending with '-'",
  });
}

/**
 * A Pub/Sub topic or subscription ID: starts with a letter; letters, digits and `-_.~+%`; 3 to 255 characters; not
 * starting with "goog" (google/pubsub/v1/pubsub.proto, Topic.name and Subscription.name, googleapis/googleapis).
 */
export function pubSubNameProblems(name: string): string[] {
  const out = shape(name, { min: 3, max: 255, re: /^[A-Za-z][A-Za-z0-9\-_.~+%]*$/, expect: 'a letter, then letters, digits and -_.~+%' });
  if (/^goog/i.test(name)) out.push('must not start with "goog"');
  return out;
}

/**
 * A Google service account ID (the part of the email before '@'): 6 to 30 characters matching `[a-z]([-a-z0-9]*[a-z0-9])`
 * (IAM CreateServiceAccountRequest.account_id, https://googleapis.dev/dotnet/Google.Apis.Iam.v1/latest/api/Google.Apis.Iam.v1.Data.CreateServiceAccountRequest.html).
 */
export function gcpServiceAccountIdProblems(id: string): string[] {
  return shape(id, {
    min: 6,
    max: 30,
    re: /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/,
    expect: "lowercase letters, digits and '-', starting with a letter, not ending with '-'",
  });
}

/**
 * A Cloud Logging sink ID: at most 100 letters, digits, '_', '-' and '.', the first alphanumeric (Logging API v2
 * LogSink.name, https://pub.dev/documentation/googleapis/latest/logging_v2/LogSink/name.html; the LoggingLogSink CRD
 * words its exclusion names the same: reference/gke/k8s-config-connector-v1.155.1/...logginglogsinks...yaml:232-235).
 */
export function loggingSinkNameProblems(name: string): string[] {
  return shape(name, {
    min: 1,
    max: 100,
    re: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    expect: "letters, digits, '_', '-' and '.', starting with a letter or digit",
  });
}

/**
 * An Azure resource ID as ASO accepts one (the `armId` pattern of its references, v2/config/crd/bases/*.yaml @ 289c45c7,
 * case-insensitive). With `type` (`Microsoft.ContainerService/managedClusters`), the ID must name a resource of that
 * provider type in a resource group: `/subscriptions/<id>/resourceGroups/<group>/providers/<type>/<name>`, the ARM URI
 * of such a resource (e.g. ManagedClusters_Get).
 */
export function azureResourceIdProblems(id: string, type?: string): string[] {
  const arm =
    /^(?:(?:\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?)?\/providers\/[^/]+\/[^/]+\/[^/]+(?:\/[^/]+\/[^/]+)*|\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?)$/i;
  if (!arm.test(id)) return ['must be an Azure resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>'];
  if (!type) return [];
  const m = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(id);
  return m && m[1].toLowerCase() === type.toLowerCase() ? [] : [`must be the ID of a ${type} resource in a resource group`];
}

/** The AzureName rules structure.txt gives a kind (schemas/managed/index.json). */
function azureNameProblems(key: string, name: string): string[] {
  const rules = managedIndex().kinds[key]?.azureName;
  if (!rules) return [];
  const re = rules.pattern ? new RegExp(rules.pattern) : undefined;
  return shape(name, { min: rules.minLength, max: rules.maxLength, re, expect: `of the form ${rules.pattern} (${rules.source})` });
}

/**
 * An Event Hubs namespace name: ASO's AzureName rules, MinLength 6, MaxLength 50, Pattern
 * `^[a-zA-Z][a-zA-Z0-9-]{6,50}[a-zA-Z0-9]$` (reference/aks/aso-types/eventhub/v20240101/structure.txt:11-14); the pattern
 * alone needs 8 characters, so the effective range is 8 to 50.
 */
export function eventHubsNamespaceNameProblems(name: string): string[] {
  return azureNameProblems('eventhub.azure.com/v20240101/Namespace', name);
}

/** An event hub name: 1 to 256 characters (reference/aks/aso-types/eventhub/v20240101/structure.txt:194-196). */
export function eventHubNameProblems(name: string): string[] {
  return azureNameProblems('eventhub.azure.com/v20240101/NamespacesEventhub', name);
}

/**
 * A storage account name: 3 to 24 lowercase letters or digits (PSRule for Azure, Azure.Storage.Name, "Between 3 and 24
 * characters long. Lowercase letters or numbers.", https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.Name/).
 */
export function storageAccountNameProblems(name: string): string[] {
  return shape(name, { min: 3, max: 24, re: /^[a-z0-9]+$/, expect: 'lowercase letters and digits only' });
}

/**
 * A blob container name: 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, every
 * '-' between letters or digits (Naming and Referencing Containers, Blobs, and Metadata, "Container names",
 * https://learn.microsoft.com/rest/api/storageservices/Naming-and-Referencing-Containers--Blobs--and-Metadata).
 */
export function blobContainerNameProblems(name: string): string[] {
  return shape(name, { min: 3, max: 63, re: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, expect: "lowercase letters, digits and single '-' between them" });
}
