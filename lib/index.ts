// The public API, and only it: re-exports. Helpers used between the folders stay behind their own index files.

// The whole job, and its parts
export { FalcoAudit, AuditBackend, DEFAULT_SERVICE_CLUSTER_IP_RANGE } from './falco-audit';
export { PlanMessageCode } from './core/plan-message';
export type { PlanMessage } from './core/plan-message';
export type { FalcoAuditProps, FalcoAuditFalcoOptions, FalcoAuditSinkOptions, FalcoAuditWebhookOptions } from './falco-audit';
export { FalcoAuditSink } from './audit/falco-audit-sink';
export { AuditLevel, AuditStage } from './audit/audit-levels';
export type { AuditSinkOptions, FalcoAuditSinkProps, AuditSinkServiceReference } from './audit/falco-audit-sink';
// the typed AuditSink class FalcoAuditSink.apiObject is (generated offline from the 1.18 schema), as cdk8s-plus exports its k8s
export * as auditregistration from '../imports/auditregistration.k8s.io';
export { auditUrl } from './audit/audit-endpoint';
export type { AuditEndpoint } from './audit/audit-endpoint';
export type { AuditDelivery, IAuditSource } from './audit/audit-delivery';
export { AuditPolicy } from './audit/audit-policy';
export type { AuditPolicyRule, AuditGroupResources, AuditPolicyOptions } from './audit/audit-policy';
export { WebhookKubeconfig } from './audit/webhook-kubeconfig';
export type { WebhookKubeconfigProps } from './audit/webhook-kubeconfig';

// The kube-apiserver static pod
export { StaticPodManifest } from './apiserver/static-pod-manifest';
export { KubeadmControlPlaneFile } from './apiserver/kubeadm-control-plane-file';
export {
  KubeApiServerManifest,
  ApiServerAuditBackend,
  KUBE_APISERVER_MANIFEST_PATH,
  DEFAULT_AUDIT_LOG,
  DEFAULT_AUDIT_DIRECTORY,
} from './apiserver/kube-apiserver-manifest';
export type {
  KubeApiServerManifestProps,
  AuditWebhookOptions,
  WebhookBackendOptions,
  AuditLogOptions,
  AuditWebhookMode,
  JsonPatchOperation,
} from './apiserver/kube-apiserver-manifest';
export { ApiServerPlan } from './apiserver/api-server-plan';
export type { ApiServerPlanProps, PlannedVolume, PlannedMount, PlannedFile } from './apiserver/api-server-plan';
export { ApiServerCommandLine } from './apiserver/flags';
export type { ContainerCommandFields, FlagChange, ParsedFlag, RenderedCommandLine } from './apiserver/flags';

// The control planes: kubeadm's static pod and the distributions (lib/apiserver/targets/)
export { ControlPlane, Distribution } from './apiserver/targets';
export type {
  IControlPlaneTarget,
  ControlPlaneSettings,
  KubeadmControlPlaneOptions,
  KindControlPlaneOptions,
  K3sControlPlaneOptions,
  TalosControlPlaneOptions,
  ClusterApiControlPlaneOptions,
  K0sControlPlaneOptions,
} from './apiserver/targets';

// Falco
export {
  Falco,
  DEFAULT_FALCOCTL_IMAGE,
  DEFAULT_FALCOCTL_REFS,
  DEFAULT_FALCOCTL_INDEXES,
  DEFAULT_K8SAUDIT_PORT,
  DEFAULT_K8SAUDIT_PATH,
  PLUGIN_SHAPE_RESOURCES,
} from './falco/falco';
export type { FalcoOptions, FalcoProps, FalcoServiceOptions, K8sAuditOptions, FalcoctlOptions } from './falco/falco';
export type { FalcoctlIndex } from './falco/shapes/falco-config';
export { loadFalcoValues, FALCO_CHART_DEFAULTS } from './falco/values/values';
export type {
  FalcoChartValues,
  FalcoImageValues,
  FalcoSocketValues,
  FalcoRbacValues,
  FalcoPodSecurityPolicyValues,
  FalcoServiceAccountValues,
  FalcoFakeEventGeneratorValues,
  FalcoDaemonSetValues,
  FalcoProxyValues,
  FalcoEbpfValues,
  FalcoEbpfSettingsValues,
  FalcoAuditLogValues,
  FalcoDynamicBackendValues,
  FalcoConfigValues,
  FalcoSyscallEventDropsValues,
  FalcoOutputsValues,
  FalcoSyslogOutputValues,
  FalcoFileOutputValues,
  FalcoStdoutOutputValues,
  FalcoWebserverValues,
  FalcoProgramOutputValues,
  FalcoHttpOutputValues,
  FalcoIntegrationsValues,
  FalcoGcsccValues,
  FalcoNatsOutputValues,
  FalcoSnsOutputValues,
  FalcoPubsubOutputValues,
  LoadFalcoValuesOptions,
} from './falco/values/values';
export { FalcoChart, loadFalcosecurityValues, loadFalcoValuesFile, detectFalcoChart, CHART_VALUES_SCHEMA } from './falco/values/chart-values';
export { FalcoValues } from './falco/values/falco-values';
export type { FalcoValuesFileOptions } from './falco/values/falco-values';
export type {
  FalcosecurityChartValues,
  ChartImageValues,
  ChartFalcoctlContainerValues,
  ChartFalcoctlMountsValues,
  ChartServiceValues,
  ChartFalcoYamlValues,
  ChartServiceAccountValues,
  ChartRbacValues,
  ChartControllerValues,
  ChartControllerDeploymentValues,
  ChartDriverValues,
  ChartCollectorsValues,
  ChartMountsValues,
  ChartExtraValues,
  ChartCertsValues,
  ChartFalcoctlValues,
  ChartFalcoctlArtifactValues,
  ChartMetricsValues,
  ChartServiceMonitorValues,
  ChartFalcosidekickValues,
  ChartResponseActionsValues,
  ChartSccValues,
  LoadedFalcoValues,
} from './falco/values/chart-values';
export { CHART_9_VERSION, CHART_9_APP_VERSION, CHART_9_DEFAULTS } from './falco/values/chart-9.1.0-values';
export { parseK8sAuditOpenParams } from './falco/sources/k8saudit-open-params';
export type { K8sAuditOpenParams } from './falco/sources/k8saudit-open-params';
export { FalcoVersion, FalcoShape } from './falco/releases/falco-version';
export { FALCO_RELEASES, NEWEST_FALCO_RELEASE, HostRootHandling, ProbeStyle, ArtifactSource } from './falco/releases/falco-releases';
export type { FalcoRelease } from './falco/releases/falco-releases';
export { parseFalcoctlRef, requiredPluginApi } from './falco/releases/falcoctl-refs';
export type { FalcoctlRef, FalcoctlRefVersion } from './falco/releases/falcoctl-refs';
export { DIFFERENCES, PLUGIN_SHAPE_DIFFERENCES, PLUGIN_SHAPE_OMISSIONS, CHART_VALUES_DIFFERENCES } from './falco/releases/differences';
export type { FalcoDifference } from './falco/releases/differences';

// Versions, node files, validation, errors, output
export { KubernetesVersion } from './core/kubernetes-version';
export type { KubeadmPatchSupport } from './core/kubernetes-version';
export { NodeFile, ARGOCD_SKIP_MARKER } from './core/node-file';
export type { NodeFileProps } from './core/node-file';
export { validateAll, assertValid } from './validation/validate-all';
export { formatViolation } from './validation/violation';
export type { Violation, ValidationItem, ValidationContext } from './validation/violation';
export { UserError, UserErrors, isUserError } from './core/errors';
export type { ErrorLocation } from './core/errors';
export { OutputFolder, renderOutput, writeOutput, CLUSTER_DIR, NODE_DIR, OUTPUT_MARKER } from './app/output';
export type { OutputFile, ProtectedPath, WriteOutputOptions } from './app/output';
