import { Construct } from 'constructs';
import { UserError } from '../../core/errors';
import { NodeFile } from '../../core/node-file';
import { planMessage, PlanMessageCode } from '../../core/plan-message';
import { Violation } from '../../validation';
import { AuditFileDefaults } from '../api-server-audit-backend';
import { ApiServerPlan } from '../api-server-plan';
import { argOf, bindAudit, Binding, OwnFlag } from './binding';
import { DistributionTarget } from './distribution-target';
import { installLine } from './shell';
import { Distribution, TargetBuildProps } from './target-spec';

/** The drop-in's name: `99-` sorts it after the user's drop-ins, so a later file without `+` cannot replace our items. */
export const DROP_IN_NAME = '99-falco-audit.yaml';

/** How one Rancher distribution (k3s, RKE2) takes the API server's flags from a `config.yaml.d` drop-in. */
export interface DropInDistribution {
  readonly distribution: Distribution;
  /** `k3s` or `RKE2`, for messages. */
  readonly name: string;
  /** The folder of `config.yaml` and `config.yaml.d/`. */
  readonly configDir: string;
  /** The systemd unit of a server. */
  readonly service: string;
  readonly defaults: AuditFileDefaults;
  readonly ownFlags?: readonly OwnFlag[];
  /** The policy goes in the distribution's own `audit-policy-file` option (RKE2), not in `kube-apiserver-arg`. */
  readonly nativePolicyOption: boolean;
  /** The distribution's validator of a drop-in. */
  readonly validate: (config: unknown, source: string) => Violation[];
  /** Notes for the plan. */
  readonly notes: readonly string[];
}

/**
 * k3s and RKE2: the audit flags as `kube-apiserver-arg+:` items of a drop-in in `config.yaml.d/`, which append to the
 * user's own list (a key without `+` would replace it: k3s-io/docs docs/installation/configuration.md L121,
 * rancher/rke2-docs docs/install/configuration.md), and the policy and kubeconfig as files on the server.
 */
export class ConfigDropInTarget extends DistributionTarget {
  public readonly distribution: Distribution;
  public readonly plan: ApiServerPlan;
  /** The drop-in, as the distribution reads it. */
  public readonly dropIn: Record<string, unknown>;
  public readonly dropInFile: NodeFile;
  private readonly binding: Binding;

  constructor(
    scope: Construct,
    id: string,
    props: TargetBuildProps,
    private readonly settings: DropInDistribution,
  ) {
    super(scope, id, props);
    this.distribution = settings.distribution;
    this.binding = bindAudit(props.backend, {
      distribution: settings.name,
      version: props.version,
      defaults: settings.defaults,
      placement: { kind: 'host' },
      ownFlags: settings.ownFlags,
    });
    this.nodeFiles(this.binding.files);
    this.dropIn = this.render();
    this.dropInFile = this.file({
      id: 'DropIn',
      role: 'config-drop-in',
      fileName: DROP_IN_NAME,
      nodePath: `${settings.configDir}/config.yaml.d/${DROP_IN_NAME}`,
      document: this.dropIn,
      description: `the ${settings.name} config drop-in with the audit flags (kube-apiserver-arg+ appends to your own list)`,
    });
    this.warnings.push(
      planMessage(
        PlanMessageCode.KUBE_APISERVER_ARG_REPLACES,
        `a --kube-apiserver-arg on the ${settings.service} service's command line (or in its environment) replaces the whole list the ` +
          'config files build, ours included (k3s-io/docs docs/installation/configuration.md L117): keep the API server flags in config files',
      ),
    );
    const own = settings.ownFlags?.[0];
    if (own && this.backendKind === 'webhook' && !this.binding.flagChanges.some((f) => f.flag === 'audit-log-path')) {
      this.warnings.push(
        planMessage(
          PlanMessageCode.DISTRIBUTION_AUDIT_LOG,
          `audit.webhook.auditLog is off, but ${settings.name} writes the audit log itself whenever audit-policy-file is set (${own.source})`,
        ),
      );
    }
    this.plan = this.makePlan(this.binding, settings.notes);
  }

  private render(): Record<string, unknown> {
    const args: string[] = [];
    const doc: Record<string, unknown> = {};
    for (const change of this.binding.emitted) {
      if (change.key !== undefined) throw new Error(`${this.settings.name} drop-in: map flag --${change.flag} is not written by this target`);
      if (this.settings.nativePolicyOption && change.flag === 'audit-policy-file') doc['audit-policy-file'] = change.to;
      else args.push(argOf(change));
    }
    if (args.length > 0) doc['kube-apiserver-arg+'] = args;
    if (Object.keys(doc).length === 0) throw new UserError(`nothing to write for ${this.settings.name}: the audit backend set no flags`);
    return doc;
  }

  public _restartCheck(): string[] {
    return [`  systemctl is-active ${this.settings.service}   (active, on every server)`];
  }

  public _distributionViolations(): Violation[] {
    return this.settings.validate(this.dropIn, `node/${this.dropInFile.fileName}`);
  }

  public _applySteps(nodeDir: string): string[][] {
    const others = this.files.filter((f) => f !== this.dropInFile);
    const logPath = this.binding.flagChanges.find((f) => f.flag === 'audit-log-path')?.to;
    return [
      [
        `on every ${this.settings.name} server, place the files (root:root, 0600), the drop-in last:`,
        ...others.map((f) => installLine(nodeDir, f)),
        ...(logPath && logPath.startsWith('/') ? [`  install -d -o root -g root -m 0700 ${logPath.replace(/\/[^/]+$/, '')}`] : []),
        installLine(nodeDir, this.dropInFile),
      ],
      [
        `restart ${this.settings.name}, one server at a time (the drop-in is read at start); first check that the service's ` +
          'command line has no --kube-apiserver-arg, which would replace the list:',
        `  systemctl cat ${this.settings.service} | grep -e --kube-apiserver-arg   (no output)`,
        `  systemctl restart ${this.settings.service}`,
      ],
    ];
  }
}
