export type { AuditDelivery, IAuditSource } from './audit-delivery';
export * from './audit-endpoint';
export * from './audit-policy';
export * from './audit-levels';
export { FalcoAuditSink } from './falco-audit-sink';
export type { AuditSinkOptions, FalcoAuditSinkProps, AuditSinkServiceReference } from './falco-audit-sink';
export * from './pem';
export * from './webhook-kubeconfig';
export * from './routable-address';
