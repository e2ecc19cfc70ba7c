/*
 * Failing cases of the rules that follow the API server's field checks (issue 14, section 3), in the form of
 * semantic-rules.test.ts's table (which runs them, and checks every rule has some). Passing cases, version
 * differences and the helpers are in api-server-rules.test.ts.
 */
import * as V from '../../lib/validation';
import { SemanticRule } from '../../lib/validation';
import { auditSink, clusterRoleBinding, daemonSet, NS, Obj } from './fixtures';

interface FailCase {
  readonly title: string;
  readonly build: () => Obj;
  readonly expected: string[];
  readonly version?: string;
}

const C = 'spec.template.spec.containers[0]';
/** The fixture DaemonSet with its pod spec (and first container) edited. */
const pod = (edit: (spec: Obj, container: Obj) => void) => () => {
  const d = daemonSet();
  edit(d.spec.template.spec, d.spec.template.spec.containers[0]);
  return d;
};
const configMap = (data: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'falco-rules', namespace: NS },
  data,
});

export const API_SERVER_RULE_CASES: [SemanticRule, () => Obj, FailCase[]][] = [
  [
    V.checkHostPathTypes,
    daemonSet,
    [
      {
        title: "a hostPath with a '..' element",
        build: pod((spec) => {
          spec.volumes[0].hostPath.path = '/var/run/../../etc';
        }),
        expected: [
          `DaemonSet falco: spec.template.spec.volumes[0].hostPath.path: hostPath path "/var/run/../../etc" must not contain '..' (host-path)`,
        ],
      },
    ],
  ],
  [
    V.checkVolumeMounts,
    daemonSet,
    [
      {
        title: 'two mounts at one path, a mount without a path',
        build: pod((_s, c) => {
          c.volumeMounts.push({ name: 'dev-fs', mountPath: '/etc/falco' }, { name: 'dev-fs' });
        }),
        expected: [
          `DaemonSet falco: ${C}.volumeMounts[3].mountPath: mountPath "/etc/falco" of container "falco" is already used by volumeMounts[2]; mount paths must be unique (volume-mounts)`,
          `DaemonSet falco: ${C}.volumeMounts[4].mountPath: volume mount 4 of container "falco" needs a mountPath (volume-mounts)`,
        ],
      },
    ],
  ],
  [
    V.checkVolumeMountSubPaths,
    daemonSet,
    [
      {
        title: 'a subPath that steps out of the volume, an absolute subPathExpr, both on one mount (validateLocalDescendingPath)',
        build: pod((_s, c) => {
          c.volumeMounts[2].subPath = '../z';
          c.volumeMounts[1].subPathExpr = '/$(POD_NAME)/a/..';
          c.volumeMounts[0].subPath = 'x';
          c.volumeMounts[0].subPathExpr = '$(POD_NAME)';
        }),
        expected: [
          `DaemonSet falco: ${C}.volumeMounts[0].subPathExpr: subPathExpr and subPath are mutually exclusive: set one (volume-mount-subpath)`,
          `DaemonSet falco: ${C}.volumeMounts[1].subPathExpr: subPathExpr "/$(POD_NAME)/a/.." must be a relative path (inside the volume) (volume-mount-subpath)`,
          `DaemonSet falco: ${C}.volumeMounts[1].subPathExpr: subPathExpr "/$(POD_NAME)/a/.." must not contain '..' (volume-mount-subpath)`,
          `DaemonSet falco: ${C}.volumeMounts[2].subPath: subPath "../z" must not contain '..' (volume-mount-subpath)`,
        ],
      },
    ],
  ],
  [
    V.checkSecurityContexts,
    daemonSet,
    [
      {
        title: 'ids outside 0..2147483647 in the pod and a container, an unknown fsGroupChangePolicy',
        build: pod((s, c) => {
          s.securityContext = {
            runAsUser: -1,
            runAsGroup: 2147483648,
            fsGroup: -5,
            supplementalGroups: [0, 4294967296],
            fsGroupChangePolicy: 'Sometimes',
          };
          c.securityContext = { runAsUser: 2147483648, runAsGroup: -1 };
        }),
        expected: [
          'DaemonSet falco: spec.template.spec.securityContext.runAsUser: runAsUser -1 must be between 0 and 2147483647, inclusive (security-context)',
          'DaemonSet falco: spec.template.spec.securityContext.runAsGroup: runAsGroup 2147483648 must be between 0 and 2147483647, inclusive (security-context)',
          'DaemonSet falco: spec.template.spec.securityContext.fsGroup: fsGroup -5 must be between 0 and 2147483647, inclusive (security-context)',
          'DaemonSet falco: spec.template.spec.securityContext.supplementalGroups[1]: supplementalGroups item 4294967296 must be between 0 and 2147483647, inclusive (security-context)',
          'DaemonSet falco: spec.template.spec.securityContext.fsGroupChangePolicy: fsGroupChangePolicy "Sometimes" must be one of OnRootMismatch, Always (security-context)',
          `DaemonSet falco: ${C}.securityContext.runAsUser: runAsUser 2147483648 must be between 0 and 2147483647, inclusive (security-context)`,
          `DaemonSet falco: ${C}.securityContext.runAsGroup: runAsGroup -1 must be between 0 and 2147483647, inclusive (security-context)`,
        ],
      },
    ],
  ],
  [
    V.checkConfigData,
    () => configMap({ 'rules.yaml': '- rule: x' }),
    [
      {
        title: "keys that step out of the mounted folder ('../../etc/passwd', '..', '.') or are too long",
        build: () => configMap({ '../../etc/passwd': 'x', '..': 'x', '.': 'x', ['a'.repeat(305)]: 'x' }),
        expected: [
          `ConfigMap falco-rules: data["../../etc/passwd"]: ConfigMap key "../../etc/passwd" must consist of alphanumerics, '-', '_' or '.' (config-data)`,
          `ConfigMap falco-rules: data["../../etc/passwd"]: ConfigMap key "../../etc/passwd" must not start with '..' (config-data)`,
          `ConfigMap falco-rules: data[".."]: ConfigMap key ".." must not be '..' (config-data)`,
          `ConfigMap falco-rules: data["."]: ConfigMap key "." must not be '.' (config-data)`,
          `ConfigMap falco-rules: data.${'a'.repeat(305)}: ConfigMap key "${'a'.repeat(76)}... must be no more than 253 characters (config-data)`,
        ],
      },
      {
        title: 'more than 1 MiB of data, a key in both data and binaryData',
        build: () => ({ ...configMap({ big: 'x'.repeat(1024 * 1024), both: 'x' }), binaryData: { both: 'eA==' } }),
        expected: [
          'ConfigMap falco-rules: binaryData.both: key "both" is in both data and binaryData (config-data)',
          'ConfigMap falco-rules: data: ConfigMap data totals 1048578 bytes, more than the 1048576 (1 MiB) the API server stores (config-data)',
        ],
      },
    ],
  ],
  [
    V.checkContainerEnv,
    daemonSet,
    [
      {
        title: "names with '=' or a newline, a name starting with a digit (before 1.32), a repeated name",
        build: pod((_s, c) => {
          c.env = [
            { name: 'A=B', value: 'x' },
            { name: 'A\nB', value: 'x' },
            { name: '1A', value: 'x' },
            { name: 'TZ', value: 'UTC' },
            { name: 'TZ', value: 'x' },
          ];
        }),
        expected: [
          `DaemonSet falco: ${C}.env[0].name: environment variable name "A=B" must consist of letters, digits, '_', '-' or '.', and must not start with a digit (Kubernetes 1.18.2; from 1.32 any printable ASCII but '=' is accepted) (env)`,
          `DaemonSet falco: ${C}.env[1].name: environment variable name "A\\nB" must consist of letters, digits, '_', '-' or '.', and must not start with a digit (Kubernetes 1.18.2; from 1.32 any printable ASCII but '=' is accepted) (env)`,
          `DaemonSet falco: ${C}.env[2].name: environment variable name "1A" must consist of letters, digits, '_', '-' or '.', and must not start with a digit (Kubernetes 1.18.2; from 1.32 any printable ASCII but '=' is accepted) (env)`,
          `DaemonSet falco: ${C}.env[4].name: environment variable "TZ" of container "falco" is also env[3]; a name may appear once (server-side apply refuses duplicates) (env)`,
        ],
      },
      {
        title: "on 1.32 a name with '=' or a newline still fails",
        version: '1.32.0',
        build: pod((_s, c) => {
          c.env = [{ name: 'A=B', value: 'x' }, { name: 'A\nB', value: 'x' }, { name: '' }];
        }),
        expected: [
          `DaemonSet falco: ${C}.env[0].name: environment variable name "A=B" must consist only of printable ASCII characters other than '=' (env)`,
          `DaemonSet falco: ${C}.env[1].name: environment variable name "A\\nB" must consist only of printable ASCII characters other than '=' (env)`,
          `DaemonSet falco: ${C}.env[2].name: environment variable 2 of container "falco" needs a name (env)`,
        ],
      },
    ],
  ],
  [
    V.checkContainerImage,
    daemonSet,
    [
      {
        title: 'an unknown pull policy, an image with a trailing space',
        build: pod((_s, c) => {
          c.imagePullPolicy = 'Sometimes';
          c.image = 'docker.io/falcosecurity/falco:0.19.0 ';
        }),
        expected: [
          `DaemonSet falco: ${C}.image: image "docker.io/falcosecurity/falco:0.19.0 " must not have leading or trailing whitespace (container-image)`,
          `DaemonSet falco: ${C}.imagePullPolicy: imagePullPolicy "Sometimes" must be one of Always, IfNotPresent, Never (container-image)`,
        ],
      },
    ],
  ],
  [
    V.checkPodSpecNames,
    daemonSet,
    [
      {
        title: 'a priority class and a service account that are not DNS subdomains, a bad node selector key and a long value',
        build: pod((spec) => {
          spec.priorityClassName = 'Bad_Name';
          spec.serviceAccountName = '../x';
          spec.nodeSelector = { 'bad key!': 'x', ok: 'v'.repeat(70) };
        }),
        expected: [
          "DaemonSet falco: spec.template.spec.serviceAccountName: serviceAccountName \"../x\" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (pod-spec)",
          "DaemonSet falco: spec.template.spec.priorityClassName: priorityClassName \"Bad_Name\" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (pod-spec)",
          "DaemonSet falco: spec.template.spec.nodeSelector[\"bad key!\"]: nodeSelector key \"bad key!\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (pod-spec)",
          `DaemonSet falco: spec.template.spec.nodeSelector.ok: nodeSelector value "${'v'.repeat(70)}" must be no more than 63 characters (pod-spec)`,
        ],
      },
    ],
  ],
  [
    V.checkResourceQuantities,
    daemonSet,
    [
      {
        title: 'a negative request, a request above its limit, an unknown resource name',
        build: pod((_s, c) => {
          c.resources = { requests: { cpu: '-1', memory: '2Gi', gpu: '1' }, limits: { memory: '1024Mi' } };
        }),
        expected: [
          `DaemonSet falco: ${C}.resources.requests.cpu: requests.cpu "-1" must be greater than or equal to 0 (resource-quantities)`,
          `DaemonSet falco: ${C}.resources.requests.gpu: "gpu" is not a container resource: use cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as example.com/gpu (resource-quantities)`,
          `DaemonSet falco: ${C}.resources.requests.memory: requests.memory "2Gi" must be less than or equal to the memory limit "1024Mi" (resource-quantities)`,
        ],
      },
      {
        title: 'extended resources and hugepages: whole numbers, limits equal to requests, hugepages with cpu or memory',
        build: pod((_s, c) => {
          c.resources = { requests: { 'example.com/gpu': '0.5', 'hugepages-2Mi': '2Mi' }, limits: { 'hugepages-2Mi': '4Mi' } };
        }),
        expected: [
          `DaemonSet falco: ${C}.resources.requests["example.com/gpu"]: requests.example.com/gpu "0.5" must be a whole number (an extended resource) (resource-quantities)`,
          `DaemonSet falco: ${C}.resources.requests["example.com/gpu"]: requests.example.com/gpu needs a limit equal to it: example.com/gpu cannot be overcommitted (resource-quantities)`,
          `DaemonSet falco: ${C}.resources.requests.hugepages-2Mi: requests.hugepages-2Mi "2Mi" must be equal to the hugepages-2Mi limit "4Mi": hugepages-2Mi cannot be overcommitted (resource-quantities)`,
          `DaemonSet falco: ${C}.resources: hugepages require a cpu or memory request or limit as well (resource-quantities)`,
        ],
      },
      {
        title: 'from 1.21, a hugepages limit that is no whole number of pages, or a page size that is no size',
        version: '1.21.0',
        build: pod((_s, c) => {
          c.resources = {
            limits: { memory: '1Gi', 'hugepages-2Mi': '3Mi', 'hugepages-1Gi': '1Gi', 'hugepages-big': '4Mi' },
            requests: { 'hugepages-2Mi': '3Mi', 'hugepages-1Gi': '1Gi', 'hugepages-big': '4Mi' },
          };
        }),
        expected: [
          `DaemonSet falco: ${C}.resources.limits.hugepages-2Mi: limits.hugepages-2Mi "3Mi" is not a positive integer multiple of the page size "2Mi" (Kubernetes 1.21+) (resource-quantities)`,
          `DaemonSet falco: ${C}.resources.limits.hugepages-big: limits.hugepages-big "4Mi" is not a positive integer multiple of the page size "big" (Kubernetes 1.21+) (resource-quantities)`,
        ],
      },
    ],
  ],
  [
    V.checkTolerations,
    daemonSet,
    [
      {
        title: 'a key that is not a label key, an Equal value that is not a label value',
        build: pod((spec) => {
          spec.tolerations = [
            { key: 'bad key!', operator: 'Exists' },
            { key: 'a', value: 'v'.repeat(64) },
          ];
        }),
        expected: [
          "DaemonSet falco: spec.template.spec.tolerations[0].key: key \"bad key!\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (tolerations)",
          `DaemonSet falco: spec.template.spec.tolerations[1].value: value "${'v'.repeat(64)}" must be no more than 63 characters (tolerations)`,
        ],
      },
    ],
  ],
  [
    V.checkAffinity,
    daemonSet,
    [
      {
        title: 'node affinity: no terms, a bad key, a bad operator, values where none belong, a weight of 0',
        build: pod((spec) => {
          spec.affinity = {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] },
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 0,
                  preference: {
                    matchExpressions: [
                      { key: 'bad key!', operator: 'Near', values: ['a'] },
                      { key: 'a', operator: 'Exists', values: ['x'] },
                      { key: 'b', operator: 'Gt', values: [] },
                    ],
                  },
                },
              ],
            },
          };
        }),
        expected: [
          'DaemonSet falco: spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: required node affinity needs at least one node selector term (affinity)',
          'DaemonSet falco: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: weight 0 must be in the range 1-100 (affinity)',
          "DaemonSet falco: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key: key \"bad key!\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (affinity)",
          'DaemonSet falco: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].operator: operator "Near" is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt (affinity)',
          'DaemonSet falco: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[1].values: operator Exists takes no values (affinity)',
          'DaemonSet falco: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[2].values: operator Gt takes exactly one value (affinity)',
        ],
      },
      {
        title: 'pod anti-affinity: no topology key, a bad selector, a bad namespace',
        build: pod((spec) => {
          spec.affinity = {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'bad key!': 'x' } }, namespaces: ['Falco'] }],
            },
          };
        }),
        expected: [
          'DaemonSet falco: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: topologyKey is required and must not be empty (affinity)',
          "DaemonSet falco: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels[\"bad key!\"]: label key \"bad key!\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (affinity)",
          'DaemonSet falco: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespaces[0]: namespace "Falco" must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit (affinity)',
        ],
      },
    ],
  ],
  [
    V.checkDaemonSetUpdateStrategy,
    daemonSet,
    [
      {
        title: 'type Recreate (a Deployment strategy)',
        build: () => {
          const d = daemonSet();
          d.spec.updateStrategy = { type: 'Recreate' };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.updateStrategy.type: DaemonSet updateStrategy type "Recreate" must be RollingUpdate or OnDelete (Recreate is a Deployment strategy) (update-strategy)',
        ],
      },
      {
        title: 'maxUnavailable 0 and maxSurge 0 (1.22+)',
        version: '1.22.0',
        build: () => {
          const d = daemonSet();
          d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable cannot be 0 when maxSurge is 0: no pod could ever be replaced (update-strategy)',
        ],
      },
      {
        title: 'maxUnavailable 0 before 1.22',
        build: () => {
          const d = daemonSet();
          d.spec.updateStrategy = { rollingUpdate: { maxUnavailable: '0%' } };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable cannot be 0 (Kubernetes 1.18.2): no pod could ever be replaced (update-strategy)',
        ],
      },
      {
        title: 'maxSurge beside the default maxUnavailable (1.22+), a bad percent',
        version: '1.25.0',
        build: () => {
          const d = daemonSet();
          d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.updateStrategy.rollingUpdate.maxSurge: maxSurge 1 may not be set when maxUnavailable is non-zero (1, the default); set maxUnavailable: 0 to surge (update-strategy)',
        ],
      },
      {
        title: 'a percent above 100%, a string that is no percent',
        version: '1.25.0',
        build: () => {
          const d = daemonSet();
          d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 'many' } };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable "150%" must not be greater than 100% (update-strategy)',
          'DaemonSet falco: spec.updateStrategy.rollingUpdate.maxSurge: maxSurge "many" must be a whole number or a percent such as \'25%\' (update-strategy)',
        ],
      },
    ],
  ],
  [
    V.checkRbacBinding,
    clusterRoleBinding,
    [
      {
        title: 'a ServiceAccount subject whose name is no DNS subdomain',
        build: () => {
          const b = clusterRoleBinding();
          b.subjects[0].name = '../x';
          return b;
        },
        expected: [
          "ClusterRoleBinding falco: subjects[0].name: ServiceAccount subject name \"../x\" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (rbac-binding)",
        ],
      },
    ],
  ],
  [
    V.checkAuditSinkThrottle,
    auditSink,
    [
      {
        title: 'a qps of 1e30 (an int64 cannot hold it; it would be written 1e+30)',
        build: () => {
          const s = auditSink();
          s.spec.webhook.throttle.qps = 1e30;
          return s;
        },
        expected: [
          'AuditSink falco: spec.webhook.throttle.qps: throttle qps must be a whole number up to 9007199254740991 (an int64), got 1e+30 (audit-sink-throttle)',
        ],
      },
    ],
  ],
];
