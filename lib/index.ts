// The public API: re-exports only.
export * from './errors';
export * from './kubernetes-version';
export * from './node-file';
export * from './yaml';
export * from './cluster-scoped';
export * from './audit/audit-endpoint';
export * from './audit/falco-audit-sink';
export * from './audit/falco-audit';
export * from './apiserver';
export * from './falco';
export * from './validation';
export { renderOutput, writeOutput, CLUSTER_DIR, NODE_DIR } from './app/output';
export type { OutputFile } from './app/output';
export { loadConfigFile, DEFAULT_CONFIG_FILE } from './config/config-file';
export type { ConfigFile, ClusterSettings } from './config/config-file';
