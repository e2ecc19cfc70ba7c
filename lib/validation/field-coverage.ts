import { apiVersionOf, child, isObject, kindOf } from '../core/util';
import { ValidationItem, Violation } from './violation';

/*
 * What the tool does with each field a values file can reach in an emitted object: the API server's rules it applies
 * (each with the function and line it follows) or its refusal of the field. scripts/gen-reachable-fields.js finds the
 * reachable fields (it synthesizes values that set every key and expands what lands in Kubernetes data over the
 * Kubernetes schema) and fails on a field this table does not cover; docs/reachable-fields.md is its output.
 */

/** One check the API server makes on a field, as this tool applies it. */
export interface FieldRule {
  /** The semantic rule that applies it (a function of `SEMANTIC_RULES`), or `schema` for the strict schema's type and bounds. */
  readonly rule: string;
  /** Where the API server makes the check: function and file:line at a release. */
  readonly source: string;
  /** What is checked, in a few words. */
  readonly checks: string;
}

/** How a group of fields is covered: the rules that check them, or why the tool refuses them. */
export interface FieldCoverage {
  /**
   * Field path patterns, each a run of path segments (`env[].valueFrom`, `volumes[].secret.defaultMode`) that may sit
   * anywhere in a field's path; a pattern covers the fields below it too. `[]` is a list item, `{}` a map entry.
   */
  readonly fields: readonly string[];
  /** The kinds (`apiVersion/kind`) it applies to. @default - every kind */
  readonly kinds?: readonly string[];
  /** The checks the tool applies. @default - none */
  readonly rules?: readonly FieldRule[];
  /** Set when the tool refuses the fields: why, as the message says it. @default - accepted */
  readonly refused?: string;
}

/** A function of pkg/apis/core/validation/validation.go at v1.30.0 and its line there. */
const core = (fn: string, line: number) => `${fn} (validation.go:${line})`;
/** A function of staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go at v1.30.0 and its line. */
const util = (fn: string, line: number) => `${fn} (util/validation.go:${line})`;
/** A function of pkg/apis/core/v1/defaults.go at v1.30.0 and its line. */
const defaults = (fn: string, line: number) => `${fn} (defaults.go:${line})`;

/** A rule, by the semantic rule that applies it. */
const by = (rule: string, checks: string, ...sources: string[]): FieldRule => ({ rule, checks, source: sources.join(', ') });
/** The strict schema alone: the API server's function for the field's parent has no other check for it. */
const typeOnly = (fn: string, line: number): FieldRule => ({
  rule: 'schema',
  checks: 'the type (an integer: its int32 or int64 range)',
  source: `${core(fn, line)} has no other check for it`,
});

const NOT_CHECKED = 'this tool does not check';
const LATER = `${NOT_CHECKED} it: it came after Kubernetes 1.30, whose validation rules this tool follows`;
const WINDOWS = `${NOT_CHECKED} Windows options: the Falco it renders runs on Linux nodes`;
const VOLUME_TYPES = 'configMap, secret, emptyDir, projected, downwardAPI, csi, nfs and persistentVolumeClaim';

/** The volume types the tool refuses: the in-tree storage plugins, generic ephemeral volumes and image volumes. */
const REFUSED_VOLUMES = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'iscsi',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
  'ephemeral',
  'image',
];

const SERVICE = ['v1/Service'];
const CONTAINERS = ['containers[]', 'initContainers[]'];
const inContainers = (...fields: string[]) => CONTAINERS.flatMap((c) => fields.map((f) => `${c}.${f}`));
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** Object metadata and the ConfigMaps' data. */
const METADATA: FieldCoverage[] = [
  {
    fields: ['metadata.name'],
    rules: [
      by(
        'checkObjectName',
        "the name's format for its kind",
        core('ValidateObjectMeta', 368),
        core('ValidateServiceName', 256),
        core('ValidateServiceAccountName', 287),
      ),
    ],
  },
  {
    fields: ['metadata.namespace'],
    rules: [by('checkObjectName', 'a DNS-1123 label', core('ValidateObjectMeta', 368), core('ValidateNamespaceName', 266))],
  },
  {
    fields: ['metadata.labels', 'spec.selector.matchLabels', 'spec.template.metadata.labels'],
    rules: [by('checkLabels', 'label keys and values', util('IsQualifiedName', 42), util('IsValidLabelValue', 166))],
  },
  {
    fields: ['spec.selector'],
    kinds: SERVICE,
    rules: [by('checkLabels', 'label keys and values', core('ValidateService', 5496), util('IsQualifiedName', 42), util('IsValidLabelValue', 166))],
  },
  {
    fields: ['spec.selector.matchLabels', 'spec.template.metadata.labels'],
    rules: [by('checkWorkloadSelector', 'the selector selects the template (apps ValidateDeploymentSpec, ValidateDaemonSetSpec)')],
  },
  {
    fields: ['metadata.annotations', 'spec.template.metadata.annotations'],
    rules: [by('checkAnnotations', 'keys are qualified names, 256 KiB in all', core('ValidateAnnotations', 127), util('IsQualifiedName', 42))],
  },
  {
    fields: ['spec.template.metadata.annotations'],
    rules: [
      by(
        'checkPodAnnotations',
        'the deletion cost; the mirror, tolerations, seccomp and AppArmor annotations refused',
        core('ValidatePodSpecificAnnotations', 157),
      ),
    ],
  },
  { fields: ['spec.template.metadata.name'], rules: [typeOnly('ValidatePodTemplateSpec', 5962)] },
  {
    fields: ['data'],
    kinds: ['v1/ConfigMap'],
    rules: [by('checkConfigData', 'keys are config keys, 1 MiB in all', core('ValidateConfigMap', 6640), util('IsConfigMapKey', 462))],
  },
  {
    fields: ['roleRef.name', 'subjects[].name'],
    rules: [by('checkRbacBinding', 'what the binding refers to (pkg/apis/rbac/validation, not vendored in ../shared)')],
  },
  { fields: ['imagePullSecrets[].name'], kinds: ['v1/ServiceAccount'], rules: [typeOnly('ValidateServiceAccount', 6525)] },
];

/** The workloads' own fields. */
const WORKLOAD: FieldCoverage[] = [
  {
    fields: ['spec.replicas', 'spec.revisionHistoryLimit'],
    rules: [by('checkWorkloadCounts', 'not negative (apps ValidateDeploymentSpec: ValidateNonnegativeField)', core('ValidateNonnegativeField', 329))],
  },
  {
    fields: ['spec.updateStrategy'],
    rules: [
      by(
        'checkDaemonSetUpdateStrategy',
        'the type, maxUnavailable and maxSurge (apps ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet)',
      ),
    ],
  },
  {
    fields: ['spec.template.spec.hostNetwork'],
    rules: [by('checkContainerPorts', 'host ports equal container ports with it', core('validatePodHostNetworkDeps', 3792))],
  },
];

/** The pod spec's scheduling, identity and security fields. */
const POD: FieldCoverage[] = [
  {
    fields: ['spec.serviceAccountName', 'spec.priorityClassName', 'spec.nodeSelector'],
    rules: [
      by(
        'checkPodSpecNames',
        'names are DNS-1123 subdomains, the node selector a label set',
        core('ValidatePodSpec', 4160),
        core('ValidatePriorityClassName', 301),
      ),
    ],
  },
  { fields: ['spec.imagePullSecrets[].name'], rules: [typeOnly('validateImagePullSecrets', 3827)] },
  {
    fields: ['tolerations[]'],
    rules: [by('checkTolerations', 'key, operator, value, effect, tolerationSeconds with NoExecute', core('ValidateTolerations', 3939))],
  },
  {
    fields: ['affinity'],
    rules: [
      by(
        'checkAffinity',
        'node selector terms, weights, pod affinity terms',
        core('validateAffinity', 3840),
        core('ValidateNodeSelectorRequirement', 4368),
        core('ValidateNodeFieldSelectorRequirement', 4398),
        core('ValidatePreferredSchedulingTerms', 4542),
        core('validatePodAffinityTerm', 4556),
      ),
    ],
  },
  {
    fields: [
      'affinity.*.*[].matchLabelKeys',
      'affinity.*.*[].mismatchLabelKeys',
      'affinity.*.*[].podAffinityTerm.matchLabelKeys',
      'affinity.*.*[].podAffinityTerm.mismatchLabelKeys',
    ],
    refused: `${NOT_CHECKED} matchLabelKeys and mismatchLabelKeys of pod affinity terms`,
  },
  {
    fields: [
      'spec.securityContext.runAsUser',
      'spec.securityContext.runAsGroup',
      'spec.securityContext.fsGroup',
      'spec.securityContext.supplementalGroups',
      'spec.securityContext.fsGroupChangePolicy',
    ],
    rules: [
      by(
        'checkSecurityContexts',
        'ids 0 to 2147483647, the change policy',
        core('validatePodSpecSecurityContext', 4912),
        util('IsValidUserID', 316),
        util('IsValidGroupID', 308),
        core('validateFSGroupChangePolicy', 3702),
      ),
    ],
  },
  { fields: ['spec.securityContext.runAsNonRoot', 'spec.securityContext.seLinuxOptions'], rules: [typeOnly('validatePodSpecSecurityContext', 4912)] },
  {
    fields: ['spec.securityContext.sysctls[]'],
    rules: [by('checkSysctls', 'names, once each', core('validateSysctls', 4875), core('IsValidSysctlName', 4868))],
  },
  { fields: ['spec.securityContext.sysctls[].value'], rules: [typeOnly('validateSysctls', 4875)] },
  {
    fields: ['securityContext.seccompProfile', 'securityContext.appArmorProfile'],
    rules: [
      by(
        'checkSecurityProfiles',
        'the type and the local profile',
        core('validateSeccompProfileField', 4647),
        core('ValidateAppArmorProfileField', 4711),
      ),
    ],
  },
  { fields: ['securityContext.windowsOptions'], refused: WINDOWS },
  { fields: ['spec.securityContext.seLinuxChangePolicy', 'spec.securityContext.supplementalGroupsPolicy'], refused: LATER },
];

/** The containers' fields. */
const CONTAINER: FieldCoverage[] = [
  {
    fields: inContainers('name'),
    rules: [
      by(
        'checkContainerNames',
        'DNS-1123 labels, unique in the pod',
        core('validateContainerCommon', 3541),
        core('validateContainers', 3613),
        core('validateInitContainers', 3475),
      ),
    ],
  },
  {
    fields: inContainers('image', 'imagePullPolicy'),
    rules: [
      by('checkContainerImage', 'an image; Always, IfNotPresent or Never', core('validateContainerCommon', 3541), core('validatePullPolicy', 3340)),
    ],
  },
  {
    fields: inContainers(
      'args',
      'command',
      'workingDir',
      'stdin',
      'stdinOnce',
      'tty',
      'terminationMessagePath',
      'env[].value',
      'ports[].hostIP',
      'volumeMounts[].readOnly',
    ),
    rules: [typeOnly('validateContainerCommon', 3541)],
  },
  {
    fields: inContainers('terminationMessagePolicy'),
    rules: [by('checkTerminationMessagePolicy', 'File or FallbackToLogsOnError', core('validateContainerCommon', 3541))],
  },
  {
    fields: inContainers('env[].name'),
    rules: [by('checkContainerEnv', 'environment variable names, once each', core('ValidateEnv', 2578), util('IsEnvVarName', 428))],
  },
  {
    fields: inContainers('env[].valueFrom'),
    rules: [
      by(
        'checkEnvSources',
        'one source, no value beside it, each source as the API reads it',
        core('validateEnvVarValueFrom', 2627),
        core('validateObjectFieldSelector', 2668),
        core('validateContainerResourceFieldSelector', 2713),
        core('validateContainerResourceDivisor', 2811),
        core('validateConfigMapKeySelector', 2839),
        core('validateSecretKeySelector', 2857),
        defaults('SetDefaults_ObjectFieldSelector', 398),
      ),
    ],
  },
  {
    fields: inContainers(
      'env[].valueFrom.configMapKeyRef.optional',
      'env[].valueFrom.secretKeyRef.optional',
      'envFrom[].configMapRef.optional',
      'envFrom[].secretRef.optional',
    ),
    rules: [typeOnly('validateContainerCommon', 3541)],
  },
  { fields: inContainers('env[].valueFrom.fileKeyRef'), refused: LATER },
  {
    fields: inContainers('envFrom[]'),
    rules: [
      by(
        'checkEnvFrom',
        'one source with a name, the prefix',
        core('ValidateEnvFrom', 2738),
        core('validateConfigMapEnvSource', 2773),
        core('validateSecretEnvSource', 2785),
      ),
    ],
  },
  {
    fields: inContainers('resources.limits', 'resources.requests'),
    rules: [
      by(
        'checkResourceQuantities',
        'resource names, quantities, requests within limits, hugepages',
        core('ValidateResourceRequirements', 6700),
        core('validateContainerResourceName', 6337),
        core('ValidateResourceQuantityValue', 6960),
        core('validateResourceQuantityHugePageValue', 6802),
      ),
    ],
  },
  { fields: inContainers('resources.claims'), refused: `${NOT_CHECKED} resource claims (the pod has no resourceClaims for them to name)` },
  { fields: inContainers('resizePolicy'), refused: `${NOT_CHECKED} resizePolicy` },
  { fields: inContainers('restartPolicyRules', 'lifecycle.stopSignal'), refused: LATER },
  { fields: inContainers('volumeDevices'), refused: `${NOT_CHECKED} volumeDevices (block volumes)` },
  {
    fields: inContainers('securityContext.allowPrivilegeEscalation', 'securityContext.privileged', 'securityContext.capabilities.add'),
    rules: [by('checkPrivilegedEscalation', 'no escalation ban beside privileged or CAP_SYS_ADMIN', core('ValidateSecurityContext', 7191))],
  },
  {
    fields: inContainers('securityContext.runAsUser', 'securityContext.runAsGroup'),
    rules: [
      by(
        'checkSecurityContexts',
        'ids 0 to 2147483647',
        core('ValidateSecurityContext', 7191),
        util('IsValidUserID', 316),
        util('IsValidGroupID', 308),
      ),
    ],
  },
  {
    fields: inContainers('securityContext.procMount'),
    rules: [
      by(
        'checkSecurityProfiles',
        'Default, or Unmasked with hostUsers false',
        core('ValidateProcMountType', 7532),
        core('ValidateSecurityContext', 7191),
      ),
    ],
  },
  {
    fields: inContainers(
      'securityContext.capabilities.drop',
      'securityContext.readOnlyRootFilesystem',
      'securityContext.runAsNonRoot',
      'securityContext.seLinuxOptions',
    ),
    rules: [typeOnly('ValidateSecurityContext', 7191)],
  },
  {
    fields: inContainers('ports[]'),
    rules: [
      by(
        'checkContainerPorts',
        'port numbers, IANA names once each, the protocol',
        core('validateContainerPorts', 2539),
        util('IsValidPortName', 333),
        util('IsValidPortNum', 283),
      ),
    ],
  },
  {
    fields: inContainers('volumeMounts[].name', 'volumeMounts[].mountPath'),
    rules: [by('checkVolumeMounts', 'a volume of the pod, a mount path once', core('ValidateVolumeMounts', 2895))],
  },
  {
    fields: inContainers('volumeMounts[].subPath', 'volumeMounts[].subPathExpr'),
    rules: [
      by('checkVolumeMountSubPaths', 'relative, no .., not both', core('ValidateVolumeMounts', 2895), core('validateLocalDescendingPath', 1265)),
    ],
  },
  {
    fields: inContainers('volumeMounts[].mountPropagation', 'volumeMounts[].recursiveReadOnly', 'volumeMounts[].readOnly'),
    rules: [
      by(
        'checkVolumeMountOptions',
        'the values, Bidirectional only privileged, recursive read-only with readOnly',
        core('validateMountPropagation', 1294),
        core('validateMountRecursiveReadOnly', 1325),
      ),
    ],
  },
  {
    fields: inContainers(...PROBES, 'lifecycle'),
    rules: [
      by(
        'checkProbes',
        'one handler, each as its check wants it, no negative count',
        core('validateProbe', 3096),
        core('validateLivenessProbe', 3057),
        core('validateReadinessProbe', 3070),
        core('validateStartupProbe', 3083),
        core('validateLifecycle', 3324),
        core('validateHandler', 3275),
        core('validateHTTPGetAction', 3236),
        core('ValidatePortNumOrName', 3253),
        core('validateSleepAction', 3158),
        defaults('SetDefaults_Probe', 248),
      ),
    ],
  },
  {
    fields: [
      'initContainers[].restartPolicy',
      'containers[].restartPolicy',
      ...PROBES.map((p) => `initContainers[].${p}`),
      'initContainers[].lifecycle',
    ],
    rules: [
      by(
        'checkInitContainers',
        'init containers: restartPolicy Always, probes and hooks only then',
        core('validateInitContainers', 3475),
        core('validateInitContainerRestartPolicy', 3115),
        core('validateContainers', 3613),
      ),
    ],
  },
  {
    fields: inContainers(
      ...PROBES.flatMap((p) => [`${p}.httpGet.host`, `${p}.httpGet.httpHeaders[].value`, `${p}.tcpSocket.host`, `${p}.grpc.service`]),
      'lifecycle.*.httpGet.host',
      'lifecycle.*.httpGet.httpHeaders[].value',
      'lifecycle.*.tcpSocket.host',
    ),
    rules: [typeOnly('validateHandler', 3275)],
  },
];

/** The pod's volumes. */
const VOLUMES: FieldCoverage[] = [
  {
    fields: ['volumes[].name'],
    rules: [
      by(
        'checkVolumes',
        'DNS-1123 labels, once each, at most one source (none: an emptyDir)',
        core('ValidateVolumes', 388),
        core('validateVolumeSource', 487),
        defaults('SetDefaults_Volume', 66),
      ),
    ],
  },
  {
    fields: [
      'volumes[].emptyDir.sizeLimit',
      'volumes[].secret',
      'volumes[].configMap',
      'volumes[].downwardAPI',
      'volumes[].projected',
      'volumes[].nfs',
      'volumes[].persistentVolumeClaim',
      'volumes[].csi',
    ],
    rules: [
      by(
        'checkVolumeSources',
        'names, modes, local paths, sources, the driver',
        core('validateVolumeSource', 487),
        core('validateSecretVolumeSource', 899),
        core('validateConfigMapVolumeSource', 918),
        core('validateKeyToPath', 937),
        core('validateDownwardAPIVolumeSource', 1073),
        core('validateProjectionSources', 1087),
        core('validateNFSVolumeSource', 961),
        core('validatePersistentClaimVolumeSource', 953),
        core('validateCSIVolumeSource', 1704),
        core('ValidateCSIDriverName', 1663),
        core('ValidateLocalNonReservedPath', 1354),
      ),
    ],
  },
  {
    fields: [
      'volumes[].emptyDir.medium',
      'volumes[].secret.optional',
      'volumes[].configMap.optional',
      'volumes[].projected.sources[].secret.optional',
      'volumes[].projected.sources[].configMap.optional',
      'volumes[].projected.sources[].serviceAccountToken.audience',
      'volumes[].nfs.readOnly',
      'volumes[].persistentVolumeClaim.readOnly',
      'volumes[].csi.fsType',
      'volumes[].csi.readOnly',
      'volumes[].csi.volumeAttributes',
    ],
    rules: [typeOnly('validateVolumeSource', 487)],
  },
  {
    fields: ['volumes[].hostPath'],
    rules: [
      by(
        'checkHostPathTypes',
        'a path without .., a known type',
        core('validateHostPathVolumeSource', 743),
        core('validateHostPathType', 1252),
        core('validatePathNoBacksteps', 1280),
      ),
    ],
  },
  { fields: ['volumes[].projected.sources[].clusterTrustBundle'], refused: `${NOT_CHECKED} clusterTrustBundle projections` },
  { fields: ['volumes[].projected.sources[].podCertificate'], refused: LATER },
  ...REFUSED_VOLUMES.map((type) => ({ fields: [`volumes[].${type}`], refused: `${NOT_CHECKED} ${type} volumes: use one of ${VOLUME_TYPES}` })),
];

/** A Service's spec. */
const SERVICE_SPEC: FieldCoverage[] = [
  {
    fields: [
      'spec.type',
      'spec.ports[]',
      'spec.sessionAffinity',
      'spec.sessionAffinityConfig',
      'spec.externalIPs',
      'spec.externalName',
      'spec.clusterIPs',
      'spec.ipFamilies',
      'spec.ipFamilyPolicy',
    ],
    kinds: SERVICE,
    rules: [
      by(
        'checkServiceSpec',
        'the type and what it allows, ports, affinity, IP families, external IPs',
        core('ValidateService', 5496),
        core('validateServicePort', 5693),
        core('validateClientIPAffinityConfig', 3167),
        core('ValidateServiceClusterIPsRelatedFields', 7752),
        core('ValidateNonSpecialIP', 7147),
        defaults('SetDefaults_Service', 97),
      ),
    ],
  },
  {
    fields: [
      'spec.externalTrafficPolicy',
      'spec.healthCheckNodePort',
      'spec.internalTrafficPolicy',
      'spec.loadBalancerSourceRanges',
      'spec.allocateLoadBalancerNodePorts',
      'spec.loadBalancerClass',
    ],
    kinds: SERVICE,
    rules: [
      by(
        'checkServiceSpec',
        'only for the types that take them, the values',
        core('ValidateService', 5496),
        core('validateServiceExternalTrafficPolicy', 5737),
        core('validateServiceInternalTrafficFieldsValue', 5788),
        core('validateLoadBalancerClassField', 8002),
        util('IsValidCIDR', 383),
      ),
    ],
  },
  {
    fields: ['spec.ports[].port', 'spec.ports[].targetPort', 'spec.ports[].nodePort', 'spec.ports[].name'],
    kinds: SERVICE,
    rules: [
      by('checkServicePorts', 'port numbers, the node port range, names once each', core('validateServicePort', 5693), util('IsValidPortNum', 283)),
    ],
  },
  {
    fields: ['spec.clusterIP', 'spec.clusterIPs'],
    kinds: SERVICE,
    rules: [by('checkServiceClusterIP', "addresses in the cluster's service range", util('IsValidIP', 354))],
  },
  { fields: ['spec.loadBalancerIP', 'spec.publishNotReadyAddresses'], kinds: SERVICE, rules: [typeOnly('ValidateService', 5496)] },
  { fields: ['spec.trafficDistribution'], kinds: SERVICE, refused: `${NOT_CHECKED} trafficDistribution` },
  { fields: ['spec.ipFamily', 'spec.topologyKeys'], kinds: SERVICE, refused: `${NOT_CHECKED} it: only older Kubernetes releases have it` },
];

/** The coverage of every reachable field (docs/reachable-fields.md lists them). */
export const FIELD_COVERAGE: readonly FieldCoverage[] = Object.freeze([...METADATA, ...WORKLOAD, ...POD, ...CONTAINER, ...VOLUMES, ...SERVICE_SPEC]);

/** A path's segments: `spec.volumes[].secret` -> ['spec', 'volumes[]', 'secret']. */
function segments(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

/** A pattern segment matches a path segment of the same name, the list's or map's (`claims` matches `claims[]`) too. */
function segmentMatches(pattern: string, segment: string): boolean {
  return pattern === '*' || pattern === segment || pattern === segment.replace(/(\[\]|\{\})+$/, '');
}

/** Whether `pattern`'s segments appear as a run in `path`'s (a `*` segment matches any one). */
export function patternCovers(pattern: string, path: string): boolean {
  const p = segments(pattern);
  const s = segments(path);
  for (let start = 0; start + p.length <= s.length; start++) {
    if (p.every((seg, i) => segmentMatches(seg, s[start + i]))) return true;
  }
  return false;
}

/** The rules and refusal that cover a field of an object of `kind` (`apps/v1/Deployment`). */
export function fieldCoverage(kind: string, path: string): { rules: FieldRule[]; refused?: string } {
  const rules: FieldRule[] = [];
  let refused: string | undefined;
  for (const entry of FIELD_COVERAGE) {
    if (entry.kinds && !entry.kinds.includes(kind)) continue;
    if (!entry.fields.some((f) => patternCovers(f, path))) continue;
    rules.push(...(entry.rules ?? []));
    if (entry.refused !== undefined && refused === undefined) refused = entry.refused;
  }
  return refused === undefined ? { rules } : { rules, refused };
}

/**
 * The fields of an object that the tool refuses (the entries of {@link FIELD_COVERAGE} with `refused`), each one a
 * violation at its path, the field below not walked. For the objects that values files fill, before any is emitted.
 */
export function refusedFields(item: ValidationItem): Violation[] {
  const kind = `${apiVersionOf(item.object)}/${kindOf(item.object)}`;
  const out: Violation[] = [];
  const walk = (value: unknown, path: string, pattern: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, child(path, i), `${pattern}[]`));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      const field = pattern === '' ? key : `${pattern}.${key}`;
      const { refused } = fieldCoverage(kind, field);
      if (refused === undefined) walk(v, child(path, key), field);
      else
        out.push({
          source: item.source,
          path: child(path, key),
          rule: 'unsupported-field',
          message: `is not accepted: ${refused}; remove it`,
          value: v,
        });
    }
  };
  walk(item.object, '', '');
  return out;
}
