import { UserErrors } from '../core/errors';
import { KubernetesVersion } from '../core/kubernetes-version';
import { ServiceIPRange } from '../core/service-ip-range';
import { checkAuditPolicyRules } from './rules/audit-policy-rules';
import {
  checkAuditSinkClientConfig,
  checkAuditSinkLevel,
  checkAuditSinkService,
  checkAuditSinkStages,
  checkAuditSinkThrottle,
} from './rules/audit-sink-rules';
import {
  checkAnnotations,
  checkDuplicateObjects,
  checkLabels,
  checkNamespaceScope,
  checkObjectName,
  checkWorkloadSelector,
} from './rules/metadata-rules';
import { checkConfigData } from './rules/config-data-rules';
import {
  checkAffinity,
  checkContainerEnv,
  checkContainerImage,
  checkContainerNames,
  checkContainerPorts,
  checkHostPathTypes,
  checkPodSpecNames,
  checkPrivilegedEscalation,
  checkResourceQuantities,
  checkSecurityContexts,
  checkTolerations,
  checkVolumeMounts,
  checkVolumeMountSubPaths,
  checkVolumes,
} from './rules/pod-rules';
import { checkDaemonSetUpdateStrategy, checkWorkloadCounts } from './rules/workload-rules';
import { checkEnvFrom, checkEnvSources } from './rules/env-rules';
import { checkVolumeMountOptions, checkVolumeSources } from './rules/volume-rules';
import { checkInitContainers, checkProbes, checkTerminationMessagePolicy } from './rules/container-rules';
import { checkPodAnnotations, checkSecurityProfiles, checkSysctls } from './rules/security-rules';
import { checkServiceSpec } from './rules/service-spec-rules';
import { checkRbacBinding, checkRbacReadOnly, checkRbacRuleShape } from './rules/rbac-rules';
import { checkServiceClusterIP, checkServicePorts, checkServiceSelectsPods } from './rules/service-rules';
import { validateManifest } from './schema-validation';
import { formatViolation, RuleContext, SemanticRule, ValidationContext, ValidationItem, Violation } from './violation';

/** Every semantic rule `validateAll` applies, in the order it applies them. */
export const SEMANTIC_RULES: readonly SemanticRule[] = [
  checkObjectName,
  checkNamespaceScope,
  checkDuplicateObjects,
  checkLabels,
  checkAnnotations,
  checkWorkloadSelector,
  checkPrivilegedEscalation,
  checkContainerNames,
  checkVolumes,
  checkVolumeSources,
  checkVolumeMounts,
  checkVolumeMountSubPaths,
  checkVolumeMountOptions,
  checkHostPathTypes,
  checkSecurityContexts,
  checkSecurityProfiles,
  checkSysctls,
  checkPodAnnotations,
  checkContainerPorts,
  checkResourceQuantities,
  checkTolerations,
  checkContainerEnv,
  checkEnvSources,
  checkEnvFrom,
  checkContainerImage,
  checkInitContainers,
  checkProbes,
  checkTerminationMessagePolicy,
  checkPodSpecNames,
  checkAffinity,
  checkDaemonSetUpdateStrategy,
  checkWorkloadCounts,
  checkConfigData,
  checkServicePorts,
  checkServiceSpec,
  checkServiceClusterIP,
  checkServiceSelectsPods,
  checkAuditSinkLevel,
  checkAuditSinkStages,
  checkAuditSinkThrottle,
  checkAuditSinkClientConfig,
  checkAuditSinkService,
  checkRbacReadOnly,
  checkRbacRuleShape,
  checkRbacBinding,
  checkAuditPolicyRules,
];

/**
 * Validates a set of objects for one Kubernetes version: each against the strict schema of its kind
 * for that minor, then every semantic rule (which may look across the set: a Service must select
 * pods in it). Returns every violation, in item order; empty when all is valid.
 */
export function validateAll(items: readonly ValidationItem[], version: KubernetesVersion, context: ValidationContext = {}): Violation[] {
  const ruleContext: RuleContext = { ...context, version, items };
  const out: Violation[] = [];
  if (context.serviceClusterIPRange !== undefined) {
    // A bad range would otherwise be reported once per Service; say it once.
    const problem = ServiceIPRange.problemOf(context.serviceClusterIPRange);
    if (problem) return [{ source: 'serviceClusterIPRange', path: '', rule: 'cluster-ip', message: problem, value: context.serviceClusterIPRange }];
  }
  for (const item of items) {
    out.push(...validateManifest(item.object, version, item.source));
    for (const rule of SEMANTIC_RULES) out.push(...rule(item, ruleContext));
  }
  return out;
}

/** Like `validateAll`, but throws a `UserErrors` listing every violation (one line each) when there is any. */
export function assertValid(items: readonly ValidationItem[], version: KubernetesVersion, context: ValidationContext = {}): void {
  const violations = validateAll(items, version, context);
  if (violations.length > 0) {
    throw new UserErrors(`${violations.length} problem(s) in the output for Kubernetes ${version}:`, violations.map(formatViolation));
  }
}
