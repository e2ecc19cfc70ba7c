export * from './errors';
export * from './kubernetes-version';
export * from './node-file';
export * from './yaml';
export * from './audit/audit-endpoint';
export * from './cluster-scoped';
