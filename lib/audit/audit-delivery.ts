/** How late an audit event may reach Falco from its source: what a check that looks for one must wait for. */
export interface AuditDelivery {
  /** The longest an event waits at its source before it is sent, in whole seconds; 0 when each is sent as it happens. */
  readonly maxDelaySeconds: number;
  /** What sets that wait, in words for the runbook (the flag, or the source's fixed setting). */
  readonly setBy: string;
}

/**
 * A source of audit events for Falco: the API server's static webhook backend, an AuditSink (dynamic backend), and
 * later other sources (a cloud provider's log delivery), each saying how late its events may arrive. (`I`: a behaviour
 * classes implement, as jsii names them.)
 */
export interface IAuditSource {
  /** How late an event may reach Falco. */
  readonly delivery: AuditDelivery;
}
