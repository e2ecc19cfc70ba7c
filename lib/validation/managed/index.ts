// Validators of the managed-cluster audit feed (EKS, GKE, AKS): the pull plugins' settings, the rules they load, and
// the cloud objects for ACK, Config Connector and Azure Service Operator. Not exported from lib/index.ts yet.
export * from './plugin-config';
export * from './rules-requirements';
export * from './cloud-names';
export { immutableFieldChanges } from './cloud-object';
export type { CloudObjectOptions } from './cloud-object';
export * from './eks-objects';
export * from './gke-objects';
export * from './aks-objects';
export { validateCloudObject } from './validate-cloud-object';
export type { ManagedPluginKey, ManagedKeyDefault, ManagedOpenParams, RulesFileData, RequiredPlugin } from './managed-data';
