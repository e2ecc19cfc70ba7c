import { UserError } from '../../core/errors';
import type { AuditDelivery } from '../../audit/audit-delivery';
import type { AuditBackendPlugin, AuditBackendTarget, NodeFileSpec } from '../api-server-audit-backend';

/**
 * Dynamic audit configuration (Kubernetes 1.13-1.18): `--audit-dynamic-configuration`, `DynamicAuditing=true` in
 * `--feature-gates`, `auditregistration.k8s.io/v1alpha1=true` in `--runtime-config`. No node files.
 */
export class DynamicBackend implements AuditBackendPlugin {
  public readonly kind = 'dynamic' as const;
  /**
   * An AuditSink's events go to its webhook in batches, at most 30 s apart, a wait no flag or field sets (k8s.io/apiserver
   * plugin/pkg/audit/dynamic/defaults.go:29 `defaultBatchMaxWait = 30 * time.Second` @ kubernetes-1.13.0 and
   * kubernetes-1.18.0, the BatchConfig every AuditSink's buffered backend gets, factory.go applyBufferedOpts; the only
   * flag is --audit-dynamic-configuration, pkg/server/options/audit.go:613-616 @ kubernetes-1.18.0).
   */
  public readonly delivery: AuditDelivery = {
    maxDelaySeconds: 30,
    setBy: "an AuditSink's events go in batches up to 30s apart (fixed in kube-apiserver)",
  };

  /** Sets the three flags; refuses an API server too new for dynamic auditing. */
  public bind(target: AuditBackendTarget): NodeFileSpec[] {
    if (!target.version.supportsDynamicAuditing) {
      throw new UserError(
        `the dynamic audit backend needs Kubernetes 1.13-1.18, but this API server runs ${target.version}: ` +
          'DynamicAuditing and auditregistration.k8s.io were removed in 1.19 and kube-apiserver would refuse to start; ' +
          'use the webhook backend (ApiServerAuditBackend.webhook / backend: webhook) instead',
      );
    }
    const cl = target.commandLine;
    target.flagChanges.push(cl.set('audit-dynamic-configuration', true));
    target.flagChanges.push(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true'));
    target.flagChanges.push(cl.setMapKey('runtime-config', 'auditregistration.k8s.io/v1alpha1', 'true'));
    return [];
  }
}
