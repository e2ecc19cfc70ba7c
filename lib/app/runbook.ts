import * as path from 'path';
import { AuditBackend, FalcoAudit } from '../falco-audit';
import { FalcoShape } from '../falco';
import { sh } from '../apiserver/targets/shell';

/**
 * The rule every generation of Falco's Kubernetes audit rules enables by default and that any operator can set off:
 * "Attach/Exec Pod" (k8s_audit_rules.yaml of stable/falco 1.1.1's Falco 0.19 and of k8saudit 0.7.0, 0.11.0 and
 * 0.16.1, falcosecurity/plugins plugins/k8saudit/rules/k8s_audit_rules.yaml:365-372 @ plugins/k8saudit/v0.16.1). It
 * matches the ResponseStarted stage, which the AuditSink default stages and every policy preset here keep. Up to
 * k8saudit 0.11 it matches only `create` (a POST: SPDY exec); kubectl 1.30+ execs over WebSocket, a GET, unless
 * KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, so the check sets that.
 */
const CHECK_RULE = { name: 'Attach/Exec Pod', output: 'Attach/Exec to pod (user=' };

/**
 * The ordered procedure an operator follows for one cluster: prerequisites, the cluster objects, the control plane's
 * files as its distribution takes them (kubeadm: what the manifest names first, the manifest last: the kubelet restarts
 * the API server on its change), then checks that the API server is back and that an audit event reaches Falco. Where
 * applying the files creates the cluster (kind, minikube), the cluster objects come after. One line per step or command.
 * @param outdir where this cluster's files were written, as the user sees it (`dist`, `dist/prod`)
 */
export function runbook(audit: FalcoAudit, outdir: string): string[] {
  const controlPlane = audit.controlPlane;
  const apply = controlPlane._applySteps(path.posix.join(outdir, 'node'));
  if (controlPlane._applyCreatesCluster) {
    const after = 'after the cluster is up: the API server has run with the change from its start';
    const steps = [...apply, prerequisitesStep(audit), clusterStep(audit, outdir, after), ...checkSteps(audit)];
    return numbered(steps);
  }
  const steps: string[][] = [prerequisitesStep(audit)];
  // dynamic: the AuditSink kind exists only once the patched API server runs; webhook: Falco first, so the
  // restarted API server has someone to send to
  if (audit.backend === AuditBackend.WEBHOOK)
    steps.push(clusterStep(audit, outdir, 'before the node files: the API server sends events as soon as it restarts'));
  steps.push(...apply);
  if (audit.backend === AuditBackend.DYNAMIC) {
    steps.push(
      clusterStep(
        audit,
        outdir,
        'after the manifest: the AuditSink kind exists only once the patched API server serves auditregistration.k8s.io/v1alpha1',
      ),
    );
  }
  steps.push(...checkSteps(audit));
  return numbered(steps);
}

/** Steps as numbered lines, their commands indented under them. */
function numbered(steps: readonly string[][]): string[] {
  return steps.flatMap((lines, i) => [`${i + 1}. ${lines[0]}`, ...lines.slice(1).map((l) => `   ${l}`)]);
}

/** The namespace and the Secrets the operator creates before anything is applied. */
function prerequisitesStep(audit: FalcoAudit): string[] {
  const falco = audit.falco;
  const ns = falco.namespace;
  const secrets: string[] = [];
  if (falco.webserverTlsSecret && falco.values) {
    const host = new URL(audit.url).hostname.replace(/^\[|\]$/g, '');
    secrets.push(
      `kubectl -n ${ns} create secret generic ${falco.webserverTlsSecret} --from-file=falco.pem=<certificate and key in one PEM>` +
        ` (Falco reads the key falco.pem at ${falco.values.falco.webserver.sslCertificate}; the certificate must name what the API server ` +
        `calls, ${audit.auditSink?.apiObject.toJson().spec?.webhook?.clientConfig?.service ? `DNS:${falco.serviceName}.${ns}.svc` : `IP:${host}`}, in its subjectAltName)`,
    );
  }
  const integrations = (falco.values?.integrations ?? {}) as unknown as Record<string, { enabled?: boolean; existingSecret?: string | null }>;
  for (const [name, i] of Object.entries(integrations)) {
    if (i.enabled && i.existingSecret)
      secrets.push(`the Secret ${i.existingSecret} in ${ns} for integrations.${name} (see the README's security notes for its keys)`);
  }
  return [
    `prerequisites: the namespace ${ns} (kubectl create namespace ${ns}, or Argo CD's CreateNamespace=true sync option)` +
      (secrets.length ? ', and:' : ''),
    ...secrets.map((s) => `  ${s}`),
  ];
}

/** `kubectl rollout status` names the workload by its kind in lower case. */
function workloadKind(audit: FalcoAudit): string {
  return audit.falco.workload.kind === 'DaemonSet' ? 'daemonset' : 'deployment';
}

/** Applying the cluster objects and waiting for Falco's rollout; `why` says why it comes where it does. */
function clusterStep(audit: FalcoAudit, outdir: string, why: string): string[] {
  const falco = audit.falco;
  const cluster = `${path.posix.join(outdir, 'cluster')}/`;
  return [
    `apply ${cluster} (Argo CD syncs it; or kubectl apply -f ${sh(cluster)}), ${why}`,
    `  kubectl -n ${falco.namespace} rollout status ${workloadKind(audit)}/${falco.workload.name}`,
  ];
}

/**
 * Beyond the source's wait, the time the exec's event needs to be served, sent, read by Falco and written to its log,
 * and kubectl to read it back: a margin, not a measured bound.
 */
const ALERT_MARGIN_SECONDS = 15;
/** How often the check looks again. */
const ALERT_RETRY_SECONDS = 5;

/** How long the check looks for the alert: the source's delivery wait plus the margin. */
function alertSeconds(audit: FalcoAudit): number {
  return audit.auditDelivery.maxDelaySeconds + ALERT_MARGIN_SECONDS;
}

/** Why the check waits, and how long. */
function alertWait(audit: FalcoAudit): string {
  return `for up to ${alertSeconds(audit)}s, as ${audit.auditDelivery.setBy}`;
}

/** `command` retried every few seconds (at most 60 times, however long the wait) until it succeeds or the time is up. */
function retried(audit: FalcoAudit, command: string): string {
  const every = Math.max(ALERT_RETRY_SECONDS, Math.ceil(alertSeconds(audit) / 60));
  return `for try in $(seq ${Math.ceil(alertSeconds(audit) / every)}); do ${command} && break; sleep ${every}; done`;
}

/** The checks that the API server came back and that an audit event reaches Falco. */
function checkSteps(audit: FalcoAudit): string[][] {
  const falco = audit.falco;
  const ns = falco.namespace;
  const selector = Object.entries(falco.podSelector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [
    [
      'check the API server came back with the change:',
      ...audit.controlPlane._restartCheck(),
      // /readyz and /livez replace /healthz from 1.16 (kubernetes.io docs/reference/using-api/health-checks); before, /healthz
      audit.kubernetesVersion.isAtLeast(16)
        ? `  kubectl get --raw='/readyz?verbose'   (ends with "readyz check passed")`
        : `  kubectl get --raw='/healthz?verbose'   (ends with "healthz check passed")`,
    ],
    [
      `check an audit event reaches Falco: trigger the default rule "${CHECK_RULE.name}" and look for its alert ${alertWait(audit)}`,
      `  KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false kubectl -n ${ns} exec ${workloadKind(audit)}/${falco.workload.name} -c falco -- /usr/bin/falco --version`,
      // every pod's log: the Service spreads the API server's events over all of Falco's pods
      `  ${retried(audit, `kubectl -n ${ns} logs -l ${sh(selector)} -c falco --prefix --tail=-1 | grep '${CHECK_RULE.output}'`)}`,
      ...(falco.shape === FalcoShape.PLUGIN || audit.backend === AuditBackend.WEBHOOK
        ? []
        : ['  (no alert: check the AuditSink with kubectl get auditsink -o yaml, and the API server log for failed audit webhook calls)']),
    ],
  ];
}
