import { arr, isObject, obj, show } from '../../core/util';
import { Violation } from '../violation';
import {
  azureResourceIdProblems,
  blobContainerNameProblems,
  eventHubNameProblems,
  eventHubsNamespaceNameProblems,
  storageAccountNameProblems,
} from './cloud-names';
import { CloudObjectOptions, Report, checkCloudObject, cloudName, nameViolations } from './cloud-object';

/*
 * The Azure side of the AKS audit feed as Azure Service Operator v2 objects. No ASO CRD is in the references: the
 * schemas come from ASO's structure.txt (DiagnosticSetting, the Event Hubs kinds) or, for storage, from the upstream
 * samples' fields only (scripts/gen-managed-schemas.js). An ASO object's name in Azure is `spec.azureName`, else
 * `metadata.name`. Files under reference/ are in ../shared/reference/managed/aks.
 */

/**
 * The AKS diagnostic log categories that carry the audit log: `kube-audit` (every request) and `kube-audit-admin` (the
 * same without get and list) ("AKS provides two log categories for collecting audit logs, kube-audit and
 * kube-audit-admin", PSRule for Azure Azure.AKS.AuditAdmin, https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.AKS.AuditAdmin/).
 */
export const AKS_AUDIT_CATEGORIES: readonly string[] = Object.freeze(['kube-audit', 'kube-audit-admin']);

/**
 * ASO's references: `armId` "is mutually exclusive with Group, Kind, Namespace and Name" (the armId description of its
 * CRDs, e.g. insights.azure.com_diagnosticsettings.yaml @ 289c45c7); one of the two must name the resource.
 */
function referenceViolations(spec: unknown, report: Report, at = 'spec'): void {
  if (!isObject(spec)) return;
  for (const [key, value] of Object.entries(spec)) {
    const path = `${at}.${key}`;
    if ((key === 'owner' || key.endsWith('Reference')) && isObject(value)) {
      const named = ['group', 'kind', 'name'].filter((k) => value[k] !== undefined);
      if (value.armId !== undefined && named.length > 0) report(path, 'aso.reference', `armId excludes ${named.join(', ')}: set one or the other`);
      if (value.armId === undefined && value.name === undefined) report(path, 'aso.reference', 'must name the resource: armId or name');
    } else if (isObject(value)) {
      referenceViolations(value, report, path);
    }
  }
}

/** The checks every ASO kind gets: the schema, the references, and the Azure name's rules. */
function checkAso(object: unknown, kind: string, options: CloudObjectOptions, names?: { rule: (n: string) => string[]; what: string }) {
  const check = checkCloudObject(object, kind, options);
  if (!check.kind) return check;
  referenceViolations(obj(object).spec, check.report);
  if (names) nameViolations(check, cloudName(object, 'azureName'), names.rule, names.what);
  return check;
}

/** The owner of a diagnostic setting that streams a cluster's logs: the AKS ManagedCluster. */
function ownerIsCluster(owner: Record<string, unknown>): boolean {
  if (typeof owner.armId === 'string') return azureResourceIdProblems(owner.armId, 'Microsoft.ContainerService/managedClusters').length === 0;
  // containerservice.azure.com_managedclusters.yaml is ASO's CRD of the kind (v2/config/crd/bases)
  return owner.group === 'containerservice.azure.com' && owner.kind === 'ManagedCluster';
}

/** The audit feed's diagnostic setting: the cluster as owner, an Event Hub as destination, one audit category. */
function diagnosticFeedViolations(spec: Record<string, unknown>, report: Report): void {
  if (!ownerIsCluster(obj(spec.owner)))
    report('spec.owner', 'aks.diagnostic-owner', 'must be the AKS ManagedCluster (containerservice.azure.com) whose audit log Falco reads');
  if (spec.eventHubAuthorizationRuleReference === undefined)
    report('spec.eventHubAuthorizationRuleReference', 'aks.diagnostic-destination', 'must be set: k8saudit-aks reads an Event Hub');
  if (typeof spec.eventHubName !== 'string') {
    report(
      'spec.eventHubName',
      'aks.diagnostic-destination',
      "must name the hub k8saudit-aks reads (its event_hub_name): without it Azure picks the namespace's default hub",
    );
  }
  const audit: string[] = [];
  arr(spec.logs).forEach((entry, i) => {
    const log = obj(entry);
    if (log.enabled !== true) return;
    if (typeof log.category === 'string' && AKS_AUDIT_CATEGORIES.includes(log.category)) return void audit.push(log.category);
    const what = log.category !== undefined ? `category ${show(log.category)}` : `categoryGroup ${show(log.categoryGroup)}`;
    report(
      `spec.logs[${i}]`,
      'aks.audit-category',
      `${what} is not an AKS audit category (${AKS_AUDIT_CATEGORIES.join(', ')}); other records are not audit events (k8saudit-aks skips them from 0.5.1, k8sauditaks.go:201-209)`,
      log.category ?? log.categoryGroup,
    );
  });
  if (audit.length === 0) report('spec.logs', 'aks.audit-category', `must enable kube-audit or kube-audit-admin: nothing else carries the audit log`);
  if (audit.length > 1)
    report(
      'spec.logs',
      'aks.audit-category',
      `enables ${audit.join(' and ')}: kube-audit-admin is a subset of kube-audit, so every write would reach Falco twice`,
    );
}

/**
 * An ASO `DiagnosticSetting` (insights.azure.com/v1api20210501preview): the structure.txt schema (`logs` is a list;
 * the mapping-form sample fails) and (`forFalco`) the audit feed: owned by the ManagedCluster, streaming exactly one of
 * kube-audit, kube-audit-admin to a named Event Hub.
 */
export function validateDiagnosticSetting(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkAso(object, 'DiagnosticSetting', options);
  if (check.kind && options.forFalco !== false) diagnosticFeedViolations(obj(obj(object).spec), check.report);
  return check.violations;
}

/**
 * An Event Hubs `Namespace`: the schema, the namespace name (structure.txt:11-14) and (`forFalco`) local auth kept on:
 * k8saudit-aks connects with SAS connection strings only (k8sauditaks.go:128, 140-145), which `disableLocalAuth: true`
 * turns off (the upstream sample sets it).
 */
export function validateEventHubsNamespace(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkAso(object, 'Namespace', options, { rule: eventHubsNamespaceNameProblems, what: 'Event Hubs namespace name' });
  if (check.kind && options.forFalco !== false && obj(obj(object).spec).disableLocalAuth === true) {
    check.report(
      'spec.disableLocalAuth',
      'aks.local-auth',
      'must not be true: it disables the SAS connection strings, the only credentials k8saudit-aks takes',
      true,
    );
  }
  return check.violations;
}

/** A `NamespacesEventhub`: the schema (partitionCount and messageRetentionInDays at least 1) and the hub name. */
export function validateEventHub(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  return checkAso(object, 'NamespacesEventhub', options, { rule: eventHubNameProblems, what: 'event hub name' }).violations;
}

/**
 * A `NamespacesAuthorizationRule`: the schema (rights among Listen, Manage, Send) and (`forFalco`) the rule Falco uses:
 * Listen only (the plugin only receives: a consumer client and a processor, k8sauditaks.go:140-156), and the namespace
 * connection string exported into a Secret (`operatorSpec.secrets`), with no key Falco does not read.
 */
export function validateEventHubsAuthorizationRule(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  const check = checkAso(object, 'NamespacesAuthorizationRule', options);
  if (!check.kind || options.forFalco === false) return check.violations;
  const spec = obj(obj(object).spec);
  const rights = arr(spec.rights);
  if (rights.length !== 1 || rights[0] !== 'Listen')
    check.report('spec.rights', 'aks.rights', `must be exactly [Listen], not ${show(rights)}: Falco only reads`, rights);
  const secrets = obj(obj(spec.operatorSpec).secrets);
  if (secrets.primaryConnectionString === undefined && secrets.secondaryConnectionString === undefined) {
    check.report(
      'spec.operatorSpec.secrets',
      'aks.secret-export',
      'must export primaryConnectionString (or secondaryConnectionString) into the Secret Falco reads',
    );
  }
  for (const key of ['primaryKey', 'secondaryKey']) {
    if (secrets[key] !== undefined)
      check.report(`spec.operatorSpec.secrets.${key}`, 'aks.secret-export', `exports ${key}, which Falco does not read: leave it out`);
  }
  return check.violations;
}

/** A `StorageAccount` (v20250601): the samples' fields only (no structure.txt) and the account name (3-24, a-z0-9). */
export function validateStorageAccount(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  return checkAso(object, 'StorageAccount', options, { rule: storageAccountNameProblems, what: 'storage account name' }).violations;
}

/** A `StorageAccountsBlobService` (v20250601): the sample's fields only. */
export function validateBlobService(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  return checkAso(object, 'StorageAccountsBlobService', options).violations;
}

/** A `StorageAccountsBlobServicesContainer` (v20250601): the sample's fields only, and the container name. */
export function validateBlobContainer(object: unknown, options: CloudObjectOptions = {}): Violation[] {
  return checkAso(object, 'StorageAccountsBlobServicesContainer', options, { rule: blobContainerNameProblems, what: 'blob container name' })
    .violations;
}
