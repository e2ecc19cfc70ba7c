/*
 * The AKS cloud side as Azure Service Operator v2 objects. No ASO CRD is vendored: DiagnosticSetting and the Event Hubs
 * kinds are checked against schemas parsed from ASO's structure.txt, the storage kinds against their samples' fields.
 * The upstream list-form samples pass (the mapping-form DiagnosticSetting sample fails, as the references say), objects of
 * the issue shape pass, and an unknown field, a wrong enum, the feed's rules and Azure's names are caught.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  validateBlobContainer,
  validateCloudObject,
  validateDiagnosticSetting,
  validateEventHub,
  validateEventHubsAuthorizationRule,
  validateEventHubsNamespace,
  validateStorageAccount,
} from '../../../lib/validation/managed';

const rules = (vs: { path: string; rule: string }[]) => vs.map((v) => `${v.path}: ${v.rule}`);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const meta = (name: string) => ({ name, namespace: 'falco-cloud' });

const SAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'managed', 'aks', 'aso-samples');
const present = fs.existsSync(SAMPLES);
if (!present) console.warn(`aks-objects.test.ts: the upstream samples are skipped, ${SAMPLES} is missing`);
const sample = (rel: string) => YAML.parse(fs.readFileSync(path.join(SAMPLES, rel), 'utf8'));

const NAMESPACE = {
  apiVersion: 'eventhub.azure.com/v20240101',
  kind: 'Namespace',
  metadata: meta('falco-aks-audit'),
  spec: { location: 'westeurope', owner: { name: 'aks-rg' }, sku: { name: 'Standard', tier: 'Standard' } },
};
const HUB = {
  apiVersion: 'eventhub.azure.com/v20240101',
  kind: 'NamespacesEventhub',
  metadata: meta('aks-audit'),
  spec: { owner: { name: 'falco-aks-audit' }, partitionCount: 2, messageRetentionInDays: 1 },
};
const LISTEN_RULE = {
  apiVersion: 'eventhub.azure.com/v20240101',
  kind: 'NamespacesAuthorizationRule',
  metadata: meta('falco-listen'),
  spec: {
    owner: { name: 'falco-aks-audit' },
    rights: ['Listen'],
    operatorSpec: { secrets: { primaryConnectionString: { name: 'falco-aks-audit', key: 'eventhub-connection-string' } } },
  },
};
const DIAGNOSTIC = {
  apiVersion: 'insights.azure.com/v1api20210501preview',
  kind: 'DiagnosticSetting',
  metadata: meta('falco-aks-audit'),
  spec: {
    owner: { group: 'containerservice.azure.com', kind: 'ManagedCluster', name: 'prod-aks' },
    eventHubAuthorizationRuleReference: {
      armId:
        '/subscriptions/0000/resourceGroups/aks-rg/providers/Microsoft.EventHub/namespaces/falco-aks-audit/authorizationRules/RootManageSharedAccessKey',
    },
    eventHubName: 'aks-audit',
    logs: [{ category: 'kube-audit-admin', enabled: true }],
  },
};
const ACCOUNT = {
  apiVersion: 'storage.azure.com/v20250601',
  kind: 'StorageAccount',
  metadata: meta('falcocheckpoints'),
  spec: { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, owner: { name: 'aks-rg' }, accessTier: 'Hot' },
};
const BLOB_SERVICE = {
  apiVersion: 'storage.azure.com/v20250601',
  kind: 'StorageAccountsBlobService',
  metadata: meta('falcocheckpoints'),
  spec: { owner: { name: 'falcocheckpoints' } },
};
const CONTAINER = {
  apiVersion: 'storage.azure.com/v20250601',
  kind: 'StorageAccountsBlobServicesContainer',
  metadata: meta('falco-checkpoints'),
  spec: { owner: { name: 'falcocheckpoints' } },
};
const ALL = [NAMESPACE, HUB, LISTEN_RULE, DIAGNOSTIC, ACCOUNT, BLOB_SERVICE, CONTAINER];

(present ? describe : describe.skip)('the upstream samples', () => {
  test.each([
    'eventhub/v20240101/v20240101_namespace.yaml',
    'eventhub/v20240101/v20240101_namespaceseventhub.yaml',
    'eventhub/v20240101/v20240101_namespacesauthorizationrule.yaml',
    'eventhub/v1api20240101/v1api20240101_namespacesauthorizationrule.yaml',
    'insights/v1api20210501preview/v1api20210501preview_diagnosticsetting.yaml',
    'storage/v20250601/v20250601_storageaccount.yaml',
    'storage/v20250601/v20250601_storageaccountsblobservice.yaml',
    'storage/v20250601/v20250601_storageaccountsblobservicescontainer.yaml',
  ])('%s passes its schema', (rel) => {
    expect(validateCloudObject(sample(rel), { forFalco: false })).toEqual([]);
  });

  test('the older mapping-form DiagnosticSetting sample fails: spec.logs is a list in structure.txt', () => {
    expect(validateDiagnosticSetting(sample('insights/v1api/v1api20210501preview_diagnosticsetting.yaml'), { forFalco: false })).toEqual([
      expect.objectContaining({ path: 'spec.logs', rule: 'schema.type', message: expect.stringContaining('must be of type array') }),
    ]);
  });

  test('as the audit feed, the samples fall short: local auth off, Listen and Send, a storage destination', () => {
    expect(rules(validateEventHubsNamespace(sample('eventhub/v20240101/v20240101_namespace.yaml')))).toEqual([
      'spec.disableLocalAuth: aks.local-auth',
    ]);
    expect(rules(validateEventHubsAuthorizationRule(sample('eventhub/v20240101/v20240101_namespacesauthorizationrule.yaml')))).toEqual([
      'spec.rights: aks.rights',
      'spec.operatorSpec.secrets: aks.secret-export',
    ]);
    expect(rules(validateEventHubsAuthorizationRule(sample('eventhub/v1api20240101/v1api20240101_namespacesauthorizationrule.yaml')))).toEqual([
      'spec.rights: aks.rights',
      'spec.operatorSpec.secrets.primaryKey: aks.secret-export',
    ]);
    expect(rules(validateDiagnosticSetting(sample('insights/v1api20210501preview/v1api20210501preview_diagnosticsetting.yaml')))).toEqual([
      'spec.owner: aks.diagnostic-owner',
      'spec.eventHubAuthorizationRuleReference: aks.diagnostic-destination',
      'spec.eventHubName: aks.diagnostic-destination',
      'spec.logs[0]: aks.audit-category',
      'spec.logs: aks.audit-category',
    ]);
  });
});

describe('objects of the issue shape pass', () => {
  test.each(ALL.map((o) => [o.kind, o]))('%s', (_kind, object) => {
    expect(validateCloudObject(object)).toEqual([]);
  });

  test('the older API version name of the Event Hubs kinds, and an ARM ID owner', () => {
    expect(validateCloudObject({ ...LISTEN_RULE, apiVersion: 'eventhub.azure.com/v1api20240101' })).toEqual([]);
    const diagnostic = clone(DIAGNOSTIC) as any;
    diagnostic.spec.owner = { armId: '/subscriptions/0000/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/prod-aks' };
    expect(validateDiagnosticSetting(diagnostic)).toEqual([]);
  });
});

describe('mutations are caught', () => {
  test.each(ALL.map((o) => [o.kind, o]))('an unknown field in a %s', (_kind, object) => {
    const o = clone(object) as any;
    o.spec.resourceGroup = 'aks-rg';
    const expected = o.kind.startsWith('Storage') ? 'sample-schema.unknown-field' : 'schema.unknown-field';
    expect(rules(validateCloudObject(o))).toEqual([`spec.resourceGroup: ${expected}`]);
  });

  test('a DiagnosticSetting category that is not an audit category, both audit categories, a mapping for logs', () => {
    const wrong = clone(DIAGNOSTIC) as any;
    wrong.spec.logs = [{ category: 'kube-audits', enabled: true }];
    expect(validateDiagnosticSetting(wrong)).toEqual([
      expect.objectContaining({ path: 'spec.logs[0]', rule: 'aks.audit-category', value: 'kube-audits' }),
      expect.objectContaining({
        path: 'spec.logs',
        rule: 'aks.audit-category',
        message: expect.stringContaining('must enable kube-audit or kube-audit-admin'),
      }),
    ]);
    const both = clone(DIAGNOSTIC) as any;
    both.spec.logs = [
      { category: 'kube-audit', enabled: true },
      { category: 'kube-audit-admin', enabled: true },
    ];
    expect(validateDiagnosticSetting(both)[0].message).toContain('every write would reach Falco twice');
    const group = clone(DIAGNOSTIC) as any;
    group.spec.logs = [{ categoryGroup: 'allLogs', enabled: true }];
    expect(rules(validateDiagnosticSetting(group))).toEqual(['spec.logs[0]: aks.audit-category', 'spec.logs: aks.audit-category']);
  });

  test('enums from structure.txt: rights, sku name', () => {
    const rule = clone(LISTEN_RULE) as any;
    rule.spec.rights = ['Read'];
    expect(validateEventHubsAuthorizationRule(rule, { forFalco: false })).toEqual([
      expect.objectContaining({ path: 'spec.rights[0]', rule: 'schema.enum', message: 'must be one of "Listen", "Manage", "Send", not "Read"' }),
    ]);
    const ns = clone(NAMESPACE) as any;
    ns.spec.sku.name = 'Free';
    expect(rules(validateEventHubsNamespace(ns))).toEqual(['spec.sku.name: schema.enum']);
  });

  test('the rule Falco reads with: more than Listen, no connection string exported', () => {
    const rule = clone(LISTEN_RULE) as any;
    rule.spec.rights = ['Listen', 'Manage', 'Send'];
    rule.spec.operatorSpec = {};
    expect(rules(validateEventHubsAuthorizationRule(rule))).toEqual(['spec.rights: aks.rights', 'spec.operatorSpec.secrets: aks.secret-export']);
  });

  test('references: armId with a name, or neither', () => {
    const d = clone(DIAGNOSTIC) as any;
    d.spec.eventHubAuthorizationRuleReference.name = 'root';
    d.spec.owner = {};
    expect(rules(validateDiagnosticSetting(d))).toEqual([
      'spec.owner: aso.reference',
      'spec.eventHubAuthorizationRuleReference: aso.reference',
      'spec.owner: aks.diagnostic-owner',
    ]);
  });

  test('Azure names: namespace, hub, storage account, container', () => {
    expect(validateEventHubsNamespace({ ...NAMESPACE, metadata: meta('ns-1') }).map((v) => v.message)).toEqual([
      '"ns-1" is not a valid Event Hubs namespace name: must be at least 6 characters long',
      expect.stringContaining('"ns-1" is not a valid Event Hubs namespace name: must be of the form ^[a-zA-Z][a-zA-Z0-9-]{6,50}[a-zA-Z0-9]$'),
    ]);
    expect(rules(validateEventHubsNamespace({ ...NAMESPACE, spec: { ...NAMESPACE.spec, azureName: '1falco-audit' } }))).toEqual([
      'spec.azureName: schema.pattern',
      'spec.azureName: cloud.name',
    ]);
    expect(rules(validateEventHub({ ...HUB, spec: { ...HUB.spec, azureName: 'h'.repeat(257) } }))).toEqual([
      'spec.azureName: schema.length',
      'spec.azureName: cloud.name',
    ]);
    expect(rules(validateStorageAccount({ ...ACCOUNT, metadata: meta('falco-checkpoints') }))).toEqual(['metadata.name: cloud.name']);
    expect(rules(validateBlobContainer({ ...CONTAINER, metadata: meta('falco--checkpoints') }))).toEqual(['metadata.name: cloud.name']);
  });

  test('numbers below the structure.txt minimums', () => {
    const hub = clone(HUB) as any;
    hub.spec.partitionCount = 0;
    expect(rules(validateEventHub(hub))).toEqual(['spec.partitionCount: schema.range']);
  });
});
