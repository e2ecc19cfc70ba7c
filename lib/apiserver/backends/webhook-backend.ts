import * as path from 'path';
import { AuditPolicy } from '../../audit/audit-policy';
import { validateWebhookServerUrl, WebhookKubeconfig } from '../../audit/webhook-kubeconfig';
import { UserError } from '../../core/errors';
import { GoDuration } from '../../core/go-duration';
import type { AuditDelivery } from '../../audit/audit-delivery';
import { cut, echo } from '../../core/util';
import type { AuditBackendPlugin, AuditBackendTarget, MountNeed, NodeFileSpec } from '../api-server-audit-backend';
import { checkAuditFolder, checkAuditLogFile, DEFAULT_AUDIT_DIRECTORY, DEFAULT_AUDIT_LOG } from '../audit-folders';

/** The file names of the policy and the webhook kubeconfig inside the audit directory. */
const AUDIT_POLICY_FILE = 'audit-policy.yaml';
const AUDIT_KUBECONFIG_FILE = 'audit-webhook-kubeconfig.yaml';

/** How the API server hands events to the webhook. */
export type AuditWebhookMode = 'batch' | 'blocking' | 'blocking-strict';
const MODES: readonly AuditWebhookMode[] = ['batch', 'blocking', 'blocking-strict'];

/** The audit log backend (`--audit-log-*`), kept alongside the webhook as CIS asks. */
export interface AuditLogOptions {
  /** The log file inside the API server container (`-` for stdout). @default '/var/log/kubernetes/audit/audit.log' */
  readonly path?: string;
  /** Days to keep rotated files. @default 30 */
  readonly maxAge?: number;
  /** Rotated files to keep. @default 10 */
  readonly maxBackup?: number;
  /** Megabytes before rotation. @default 100 */
  readonly maxSize?: number;
}

/**
 * The static audit webhook backend's settings, everything but where events go. Declared once: `FalcoAudit`'s
 * `webhook` prop and the config file's `audit.webhook` are these settings (a new option is added here).
 */
export interface AuditWebhookOptions {
  /**
   * Base64 PEM CA bundle that signs the server's certificate (an https server).
   * @default - the host's system roots
   */
  readonly certificateAuthorityData?: string;
  /**
   * The audit Policy written to the node; not written when the manifest already names its own policy file.
   * @default AuditPolicy.hardened()
   */
  readonly policy?: AuditPolicy;
  /** `--audit-webhook-mode`. batch drops events when its buffer overflows; blocking* slow requests down. @default 'batch' */
  readonly mode?: AuditWebhookMode;
  /** `--audit-webhook-batch-max-wait` (Go duration), written in batch mode only. @default '30s' */
  readonly batchMaxWait?: string;
  /** `--audit-webhook-initial-backoff` (Go duration). @default '10s' */
  readonly initialBackoff?: string;
  /**
   * The audit log backend beside the webhook (CIS 1.2.16-1.2.19), or `false` to leave it out.
   * @default - on, with the CIS values of DEFAULT_AUDIT_LOG
   */
  readonly auditLog?: false | AuditLogOptions;
  /** The directory (on the node and in the container) for the policy and kubeconfig. @default '/etc/kubernetes/audit' */
  readonly directory?: string;
  /**
   * Replace an audit webhook the manifest already configures (`--audit-webhook-config-file` naming another file).
   * kube-apiserver has one static webhook, so replacing it cuts off whatever consumed it (a SIEM, say).
   * @default false - an existing webhook is an error
   */
  readonly replaceExistingWebhook?: boolean;
}

/** Options of the static audit webhook backend: its settings and the server events go to. */
export interface WebhookBackendOptions extends AuditWebhookOptions {
  /** The URL the API server posts events to (absolute http/https, no user info, query or fragment). */
  readonly server: string;
}

/**
 * kube-apiserver reads --audit-log-maxage, -maxbackup and -maxsize as a Go `int` (pflag IntVar: strconv.ParseInt,
 * 64 bits; apiserver pkg/server/options/audit.go) and refuses negatives. Above 2^53 a JavaScript number is no longer
 * exact and from 1e21 it prints as 1e+21, which the flag parser refuses, so the bound is Number.MAX_SAFE_INTEGER.
 */
function checkCount(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new UserError(`must be a whole number of 0 or more, got ${echo(value)}`, { field });
  if (!Number.isSafeInteger(value)) {
    throw new UserError(
      `must be at most ${Number.MAX_SAFE_INTEGER} (kube-apiserver reads it as a Go int, and a larger number is written as ${String(value)}), got ${echo(value)}`,
      { field },
    );
  }
  return value;
}

/** `value` when it is a Go duration kube-apiserver takes (see `GoDuration`), `fallback` when it is unset. */
function checkDuration(value: string | undefined, fallback: string, field: string): string {
  return value === undefined ? fallback : GoDuration.parse(value, { field }).toString();
}

interface ResolvedWebhook {
  readonly kubeconfig: WebhookKubeconfig;
  readonly policy: AuditPolicy;
  readonly mode: AuditWebhookMode;
  readonly batchMaxWait: string;
  readonly initialBackoff: string;
  /** `path` is undefined when the options leave it to the target's default. */
  readonly auditLog: false | (Omit<Required<AuditLogOptions>, 'path'> & { readonly path?: string });
  /** Undefined when the options leave it to the target's default. */
  readonly directory?: string;
  readonly replaceExistingWebhook: boolean;
}

/** The log backend would append events to the policy or the kubeconfig, which kube-apiserver reads at start. */
function checkLogClash(logPath: string | undefined, directory: string, field: string): void {
  const clash = [AUDIT_POLICY_FILE, AUDIT_KUBECONFIG_FILE].find((f) => logPath === `${directory}/${f}`);
  if (clash) {
    throw new UserError(
      `${JSON.stringify(logPath)} is the audit ${clash === AUDIT_POLICY_FILE ? 'policy' : 'webhook kubeconfig'} file; ` +
        'the log backend would append events to it and kube-apiserver would not start again; give the log a file of its own',
      { field },
    );
  }
}

/**
 * How late the static webhook's events arrive. In batch mode the buffered backend sends a batch when it holds
 * --audit-webhook-batch-max-size events or when --audit-webhook-batch-max-wait has passed (k8s.io/apiserver
 * plugin/pkg/audit/buffered/buffered.go:201-211 collectEvents @ kubernetes-1.30.0; default 30 s, pkg/server/options/audit.go:60);
 * blocking and blocking-strict send each event as the request is served, with no buffer (audit.go:393-401 wrapBackend).
 */
function webhookDelivery(mode: AuditWebhookMode, batchMaxWait: string): AuditDelivery {
  if (mode !== 'batch') return { maxDelaySeconds: 0, setBy: `the webhook sends each event as the request is served (${mode} mode does not batch)` };
  const nanos = GoDuration.parse(batchMaxWait).nanoseconds;
  return {
    maxDelaySeconds: Number((nanos + 999_999_999n) / 1_000_000_000n),
    setBy: `the webhook sends events in batches up to ${batchMaxWait} apart (--audit-webhook-batch-max-wait)`,
  };
}

/**
 * The static webhook backend: `--audit-policy-file` with its Policy file, `--audit-webhook-*` with the
 * WebhookKubeconfig file, hostPath mounts of the audit directory, and the `--audit-log-*` flags with a
 * writable mount of the log's folder. Options are checked when it is made.
 */
export class WebhookBackend implements AuditBackendPlugin {
  public readonly kind = 'webhook' as const;
  /** How late an event may reach the webhook: the batch wait in batch mode, none in the blocking modes (`webhookDelivery`). */
  public readonly delivery: AuditDelivery;
  private readonly resolved: ResolvedWebhook;

  constructor(options: WebhookBackendOptions) {
    validateWebhookServerUrl(options.server, 'server');
    const mode = options.mode ?? 'batch';
    if (!MODES.includes(mode)) throw new UserError(`unknown audit webhook mode ${echo(mode)}; use one of ${MODES.join(', ')}`, { field: 'mode' });
    let auditLog: ResolvedWebhook['auditLog'] = false;
    if (options.auditLog !== false) {
      const log = options.auditLog ?? {};
      auditLog = {
        path: log.path === '-' || log.path === undefined ? log.path : checkAuditLogFile(log.path, 'auditLog.path'),
        maxAge: checkCount(log.maxAge, DEFAULT_AUDIT_LOG.maxAge, 'auditLog.maxAge'),
        maxBackup: checkCount(log.maxBackup, DEFAULT_AUDIT_LOG.maxBackup, 'auditLog.maxBackup'),
        maxSize: checkCount(log.maxSize, DEFAULT_AUDIT_LOG.maxSize, 'auditLog.maxSize'),
      };
    }
    const directory = options.directory === undefined ? undefined : checkAuditFolder(options.directory, 'directory');
    // with the static pod's defaults; a target with folders of its own checks again when it binds
    checkLogClash(auditLog ? (auditLog.path ?? DEFAULT_AUDIT_LOG.path) : undefined, directory ?? DEFAULT_AUDIT_DIRECTORY, 'auditLog.path');
    this.resolved = {
      kubeconfig: new WebhookKubeconfig({ server: options.server, certificateAuthorityData: options.certificateAuthorityData }),
      policy: options.policy ?? AuditPolicy.hardened(),
      mode,
      batchMaxWait: checkDuration(options.batchMaxWait, '30s', 'batchMaxWait'),
      initialBackoff: checkDuration(options.initialBackoff, '10s', 'initialBackoff'),
      auditLog,
      directory,
      replaceExistingWebhook: options.replaceExistingWebhook ?? false,
    };
    this.delivery = webhookDelivery(mode, this.resolved.batchMaxWait);
  }

  /** Writes the webhook's flags and mounts; returns the Policy and WebhookKubeconfig files. */
  public bind(target: AuditBackendTarget): NodeFileSpec[] {
    const w = this.resolved;
    const directory = w.directory ?? target.defaults?.directory ?? DEFAULT_AUDIT_DIRECTORY;
    const logPath = w.auditLog ? (w.auditLog.path ?? target.defaults?.auditLogPath ?? DEFAULT_AUDIT_LOG.path) : undefined;
    if (target.defaults) checkLogClash(logPath, directory, 'webhook.auditLog.path');
    const policyPath = `${directory}/${AUDIT_POLICY_FILE}`;
    const kubeconfigPath = `${directory}/${AUDIT_KUBECONFIG_FILE}`;
    const needs: MountNeed[] = [];
    const writePolicy = this.applyPolicy(target, policyPath, directory, needs);
    this.applyWebhookConfig(target, kubeconfigPath, directory, needs);
    this.applyAuditLog(target, logPath, needs);
    const hostPaths = target.mount(needs);
    const out: NodeFileSpec[] = [];
    if (writePolicy) {
      out.push({
        id: 'Policy',
        fileName: 'audit-policy.yaml',
        nodePath: hostPaths.get(policyPath),
        document: w.policy.toDocument(),
        description: 'the audit policy named by --audit-policy-file',
      });
    }
    if (hostPaths.has(kubeconfigPath)) {
      out.push({
        id: 'WebhookKubeconfig',
        fileName: 'audit-webhook-kubeconfig.yaml',
        nodePath: hostPaths.get(kubeconfigPath),
        document: w.kubeconfig.toDocument(),
        description: `the audit webhook kubeconfig named by --audit-webhook-config-file (server ${w.kubeconfig.server})`,
      });
    }
    return out;
  }

  /** `--audit-policy-file`: ours, unless the manifest names its own policy (kept, and checked to be mounted); true when ours is written. */
  private applyPolicy(target: AuditBackendTarget, policyPath: string, directory: string, needs: MountNeed[]): boolean {
    const existingPolicy = target.commandLine.get('audit-policy-file');
    if (existingPolicy !== undefined && existingPolicy !== policyPath) {
      target.flagChanges.push({
        flag: 'audit-policy-file',
        action: 'kept',
        from: existingPolicy,
        to: existingPolicy,
        reason: "the operator's policy is kept and ours is not written; make sure it records what Falco needs",
      });
      const mounted = target.isReadable(existingPolicy);
      if (!mounted)
        target.notes.push(
          `the operator's policy file ${cut(existingPolicy)} is on no hostPath mount of the container: kube-apiserver cannot read it`,
        );
      return false;
    }
    target.flagChanges.push(target.commandLine.set('audit-policy-file', policyPath));
    needs.push({ path: policyPath, writable: false, directory, volumeName: 'falco-audit', location: { field: 'webhook.directory' } });
    return true;
  }

  /** `--audit-webhook-config-file` and the webhook's mode and backoff flags; another webhook is refused unless it may be replaced. */
  private applyWebhookConfig(target: AuditBackendTarget, kubeconfigPath: string, directory: string, needs: MountNeed[]): void {
    const w = this.resolved;
    const cl = target.commandLine;
    const existingWebhook = cl.get('audit-webhook-config-file');
    if (existingWebhook !== undefined && existingWebhook !== kubeconfigPath && !w.replaceExistingWebhook) {
      throw new UserError(
        `the manifest already sends audit events to a webhook (--audit-webhook-config-file=${cut(existingWebhook)}); kube-apiserver ` +
          'has one static webhook, so pointing it at Falco would cut that consumer off. Set replaceExistingWebhook ' +
          '(config: audit.webhook.replaceExisting: true) to replace it, or use a different setup for Falco',
        target.locateFlag('audit-webhook-config-file'),
      );
    }
    target.flagChanges.push(cl.set('audit-webhook-config-file', kubeconfigPath));
    needs.push({
      path: kubeconfigPath,
      writable: false,
      directory,
      volumeName: 'falco-audit',
      location: { field: 'webhook.directory' },
    });
    target.flagChanges.push(cl.set('audit-webhook-mode', w.mode));
    if (w.mode === 'batch') {
      target.flagChanges.push(cl.set('audit-webhook-batch-max-wait', w.batchMaxWait));
    }
    target.flagChanges.push(cl.set('audit-webhook-initial-backoff', w.initialBackoff));
  }

  /** The `--audit-log-*` flags (the operator's values kept) and a writable mount for the log file in effect. */
  private applyAuditLog(target: AuditBackendTarget, ourPath: string | undefined, needs: MountNeed[]): void {
    const w = this.resolved;
    if (!w.auditLog || ourPath === undefined) return;
    const cl = target.commandLine;
    const keep = "kept the operator's value";
    const log: [string, string][] = [
      ['audit-log-path', ourPath],
      ['audit-log-maxage', String(w.auditLog.maxAge)],
      ['audit-log-maxbackup', String(w.auditLog.maxBackup)],
      ['audit-log-maxsize', String(w.auditLog.maxSize)],
    ];
    for (const [flag, value] of log) {
      target.flagChanges.push(cl.ensure(flag, value, `${keep}; ours would be ${value}`));
    }
    const logPath = cl.get('audit-log-path');
    if (logPath && logPath !== '-' && path.posix.isAbsolute(logPath)) {
      // ours, or the operator's flag kept from the manifest
      const location = logPath === ourPath ? { field: 'webhook.auditLog.path' } : target.locateFlag('audit-log-path');
      needs.push({ path: logPath, writable: true, directory: path.posix.dirname(logPath), volumeName: 'audit-log', location });
    }
  }
}
