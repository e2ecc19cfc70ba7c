export * from './values';
export * from './falco-version';
export * from './falco-releases';
export * from './falcoctl-refs';
export * from './falco';
export * from './differences';
export { chartFullname, chartName, CHART_NAME, CHART_VERSION } from './chart-names';
export { legacyFalcoConfig, pluginFalcoConfig, falcoctlConfig } from './falco-config';
export type { K8sAuditListener, FalcoctlArtifacts } from './falco-config';
