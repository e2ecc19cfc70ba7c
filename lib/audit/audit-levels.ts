// The audit vocabulary the AuditSink and the audit Policy share (audit.k8s.io and auditregistration.k8s.io use the same words).

/** How much of each request an audit event carries. */
export enum AuditLevel {
  NONE = 'None',
  METADATA = 'Metadata',
  REQUEST = 'Request',
  REQUEST_RESPONSE = 'RequestResponse',
}

/** When in a request's life an event is emitted. */
export enum AuditStage {
  REQUEST_RECEIVED = 'RequestReceived',
  RESPONSE_STARTED = 'ResponseStarted',
  RESPONSE_COMPLETE = 'ResponseComplete',
  PANIC = 'Panic',
}
