/*
 * Failing cases of the rules added for every field a values file can reach (issue 23, "no silent pass-through"), in the
 * form of semantic-rules.test.ts's table (which runs them, and checks every rule has some). Each defect the issue lists
 * is one case here; values-reach.test.ts shows the same refusals at the values file's line.
 */
import * as V from '../../lib/validation';
import { SemanticRule } from '../../lib/validation';
import { daemonSet, NS, Obj, service } from './fixtures';

interface FailCase {
  readonly title: string;
  readonly build: () => Obj;
  readonly expected: string[];
  readonly version?: string;
}

const P = 'spec.template.spec';
const C = `${P}.containers[0]`;
const I = `${P}.initContainers[0]`;
/** The fixture DaemonSet with its pod spec (and first container) edited. */
const pod = (edit: (spec: Obj, container: Obj) => void) => () => {
  const d = daemonSet();
  edit(d.spec.template.spec, d.spec.template.spec.containers[0]);
  return d;
};
/** The fixture DaemonSet with an init container. */
const withInit = (init: Obj) =>
  pod((spec) => {
    spec.initContainers = [{ name: 'init', image: 'busybox', ...init }];
  });
/** The fixture Service with its spec edited. */
const svc = (edit: (spec: Obj) => void) => () => {
  const s = service();
  edit(s.spec);
  return s;
};
/** The fixture DaemonSet with one more volume. */
const volume = (v: Obj) =>
  pod((spec) => {
    spec.volumes.push({ name: 'extra', ...v });
  });
const deployment = (spec: Obj): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'falco', namespace: NS },
  spec: {
    selector: { matchLabels: { app: 'falco' } },
    template: { metadata: { labels: { app: 'falco' } }, spec: { containers: [{ name: 'falco', image: 'falco' }] } },
    ...spec,
  },
});

export const FIELD_RULE_CASES: [SemanticRule, () => Obj, FailCase[]][] = [
  [
    V.checkEnvSources,
    daemonSet,
    [
      {
        title: 'value beside valueFrom, two sources, none, a bad fieldPath, a subscript on another field, apiVersion v2',
        build: pod((_s, c) => {
          c.env = [
            { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } },
            { name: 'C', valueFrom: {} },
            { name: 'D', valueFrom: { fieldRef: { fieldPath: 'spec.nodename' } } },
            { name: 'E', valueFrom: { fieldRef: { fieldPath: "metadata.name['x']" } } },
            { name: 'F', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } },
            { name: 'G', valueFrom: { fieldRef: { fieldPath: "metadata.labels['Bad Key']" } } },
          ];
        }),
        expected: [
          `DaemonSet falco: ${C}.env[0].valueFrom: environment variable "A" sets both value and valueFrom; keep one (env-value-from)`,
          `DaemonSet falco: ${C}.env[1].valueFrom: valueFrom of "B" names fieldRef and secretKeyRef; it takes one source (env-value-from)`,
          `DaemonSet falco: ${C}.env[2].valueFrom: valueFrom of "C" must name one source: fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef (env-value-from)`,
          `DaemonSet falco: ${C}.env[3].valueFrom.fieldRef.fieldPath: fieldPath "spec.nodename" is not supported here: use one of metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs (env-value-from)`,
          `DaemonSet falco: ${C}.env[4].valueFrom.fieldRef.fieldPath: fieldPath "metadata.name['x']": only metadata.labels and metadata.annotations take a ['key'] subscript (env-value-from)`,
          `DaemonSet falco: ${C}.env[5].valueFrom.fieldRef.apiVersion: fieldRef apiVersion "v2" is not supported: the downward API reads v1 pods (env-value-from)`,
          `DaemonSet falco: ${C}.env[6].valueFrom.fieldRef.fieldPath: fieldPath "metadata.labels['Bad Key']": key "Bad Key": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (env-value-from)`,
        ],
      },
      {
        title: 'a resource the downward API does not expose, a divisor it does not take, key selectors without key or with a bad name',
        build: pod((_s, c) => {
          c.env = [
            { name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
            { name: 'B', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '2' } } },
            { name: 'C', valueFrom: { configMapKeyRef: { name: 'Bad_Name', key: 'k' } } },
            { name: 'D', valueFrom: { secretKeyRef: { name: 's' } } },
          ];
        }),
        expected: [
          `DaemonSet falco: ${C}.env[0].valueFrom.resourceFieldRef.resource: resource "limits.gpu" is not one of limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage (or requests./limits.hugepages-<size>) (env-value-from)`,
          `DaemonSet falco: ${C}.env[1].valueFrom.resourceFieldRef.divisor: divisor "2" for limits.cpu must be one of 1m, 1 (as written: the API server compares the canonical form) (env-value-from)`,
          `DaemonSet falco: ${C}.env[2].valueFrom.configMapKeyRef.name: configMapKeyRef name "Bad_Name" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (env-value-from)`,
          `DaemonSet falco: ${C}.env[3].valueFrom.secretKeyRef.key: secretKeyRef needs a key (env-value-from)`,
        ],
      },
    ],
  ],
  [
    V.checkEnvFrom,
    daemonSet,
    [
      {
        title: 'no source, a bad name, both sources, a prefix that is no variable name',
        build: pod((_s, c) => {
          c.envFrom = [
            { prefix: 'X_' },
            { configMapRef: { name: 'Bad_Name' } },
            { configMapRef: { name: 'a' }, secretRef: { name: 'b' } },
            { prefix: '1X', secretRef: { name: 's' } },
          ];
        }),
        expected: [
          `DaemonSet falco: ${C}.envFrom[0]: envFrom must name a configMapRef or a secretRef (env-from)`,
          `DaemonSet falco: ${C}.envFrom[1].configMapRef.name: configMapRef name "Bad_Name" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (env-from)`,
          `DaemonSet falco: ${C}.envFrom[2]: envFrom names both configMapRef and secretRef; it takes one (env-from)`,
          `DaemonSet falco: ${C}.envFrom[3].prefix: prefix "1X" must consist of letters, digits, '_', '-' or '.', and must not start with a digit (env-from)`,
        ],
      },
    ],
  ],
  [
    V.checkInitContainers,
    daemonSet,
    [
      {
        title: 'an init container with liveness and startup probes',
        build: withInit({ livenessProbe: { exec: { command: ['true'] } }, startupProbe: { exec: { command: ['true'] } } }),
        expected: [
          `DaemonSet falco: ${I}.livenessProbe: init container "init": livenessProbe may not be set for init containers without restartPolicy: Always (init-containers)`,
          `DaemonSet falco: ${I}.startupProbe: init container "init": startupProbe may not be set for init containers without restartPolicy: Always (init-containers)`,
        ],
      },
      {
        title: 'an init container with restartPolicy Never, a regular container with one',
        build: () => {
          const d = withInit({ restartPolicy: 'Never' })();
          d.spec.template.spec.containers[0].restartPolicy = 'Always';
          return d;
        },
        expected: [
          `DaemonSet falco: ${I}.restartPolicy: init container "init": restartPolicy "Never" is not supported: the only value is Always (a sidecar) (init-containers)`,
          `DaemonSet falco: ${C}.restartPolicy: container "falco": restartPolicy is for init containers only (init-containers)`,
        ],
      },
    ],
  ],
  [
    V.checkProbes,
    daemonSet,
    [
      {
        title: 'no handler, two handlers, negative counts, successThreshold 2 on liveness, a grace period on readiness, port 0, a bad header',
        build: pod((_s, c) => {
          c.livenessProbe = { periodSeconds: -1, successThreshold: 2 };
          c.readinessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 8765 }, terminationGracePeriodSeconds: 5 };
          c.startupProbe = { httpGet: { port: 0, scheme: 'FTP', httpHeaders: [{ name: 'X Bad', value: 'v' }] } };
        }),
        expected: [
          `DaemonSet falco: ${C}.livenessProbe: must name a handler: exec, httpGet, tcpSocket, grpc (probes)`,
          `DaemonSet falco: ${C}.livenessProbe.periodSeconds: periodSeconds -1 must be greater than or equal to 0 (probes)`,
          `DaemonSet falco: ${C}.livenessProbe.successThreshold: successThreshold 2 must be 1 for a livenessProbe (probes)`,
          `DaemonSet falco: ${C}.readinessProbe.tcpSocket: names exec and tcpSocket; a handler takes one type (probes)`,
          `DaemonSet falco: ${C}.readinessProbe.terminationGracePeriodSeconds: must not be set for readiness probes (probes)`,
          `DaemonSet falco: ${C}.startupProbe.httpGet.port: port 0 must be between 1 and 65535 (probes)`,
          `DaemonSet falco: ${C}.startupProbe.httpGet.scheme: scheme "FTP" must be HTTP or HTTPS (probes)`,
          `DaemonSet falco: ${C}.startupProbe.httpGet.httpHeaders[0].name: header name "X Bad" must be letters, digits and '-' (probes)`,
        ],
      },
      {
        title: 'a sidecar with an exec probe without command, a preStop sleep beyond the grace period',
        build: () => {
          const d = withInit({ restartPolicy: 'Always', livenessProbe: { exec: {} } })();
          d.spec.template.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 31 } } };
          return d;
        },
        expected: [
          `DaemonSet falco: ${I}.livenessProbe.exec.command: exec needs a command (probes)`,
          `DaemonSet falco: ${C}.lifecycle.preStop.sleep.seconds: sleep seconds 31 must be greater than 0 and at most the pod's terminationGracePeriodSeconds (30) (probes)`,
        ],
      },
    ],
  ],
  [
    V.checkTerminationMessagePolicy,
    daemonSet,
    [
      {
        title: 'a policy the API does not know',
        build: pod((_s, c) => {
          c.terminationMessagePolicy = 'Always';
        }),
        expected: [
          `DaemonSet falco: ${C}.terminationMessagePolicy: terminationMessagePolicy "Always" must be File or FallbackToLogsOnError (termination-message)`,
        ],
      },
    ],
  ],
  [
    V.checkVolumeSources,
    daemonSet,
    [
      {
        title: "items at '../' paths, defaultMode 4096, a secret without secretName",
        build: volume({
          secret: {
            defaultMode: 4096,
            items: [
              { key: 'k', path: '../escape' },
              { key: 'k', path: '/abs', mode: -1 },
            ],
          },
        }),
        expected: [
          `DaemonSet falco: ${P}.volumes[3].secret.secretName: a secret volume needs secretName (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].secret.defaultMode: 4096 must be a file mode between 0 and 0777 (octal; 511 in decimal), both inclusive (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].secret.items[0].path: path "../escape" must not contain '..' (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].secret.items[1].path: path "/abs" must be a relative path (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].secret.items[1].mode: -1 must be a file mode between 0 and 0777 (octal; 511 in decimal), both inclusive (volume-source)`,
        ],
      },
      {
        title: 'a sizeLimit that is no quantity',
        build: volume({ emptyDir: { sizeLimit: 'lots' } }),
        expected: [
          `DaemonSet falco: ${P}.volumes[3].emptyDir.sizeLimit: sizeLimit "lots" must be a quantity of zero or more, such as 64Mi (volume-source)`,
        ],
      },
      {
        title: 'two sources in one projection, duplicate paths, a token of a minute, a downward file with two refs',
        build: volume({
          projected: {
            sources: [
              { secret: { name: 's', items: [{ key: 'k', path: 'p' }] }, configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } },
              { serviceAccountToken: { path: 'token', expirationSeconds: 60 } },
              {
                downwardAPI: {
                  items: [
                    { path: 'n', fieldRef: { fieldPath: 'metadata.name' }, resourceFieldRef: { containerName: 'falco', resource: 'limits.cpu' } },
                  ],
                },
              },
            ],
          },
        }),
        expected: [
          `DaemonSet falco: ${P}.volumes[3].projected.sources[0]: a projected source names secret and configMap; each source takes one (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].projected.sources[0].configMap.items[0].path: path "p" is also the path of ${P}.volumes[3].projected.sources[0].secret.items[0]; the files of a projected volume need their own paths (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].projected.sources[1].serviceAccountToken.expirationSeconds: expirationSeconds 60 must be from 600 (10 minutes) to 4294967296 (2^32) (volume-source)`,
          `DaemonSet falco: ${P}.volumes[3].projected.sources[2].downwardAPI.items[0]: fieldRef and resourceFieldRef can not be specified simultaneously (volume-source)`,
        ],
      },
      {
        title: 'a relative NFS path, a CSI driver name that is no DNS subdomain, a claim without name',
        build: pod((spec) => {
          spec.volumes.push(
            { name: 'nfs', nfs: { server: 'nas', path: 'exports/falco' } },
            { name: 'csi', csi: { driver: 'Bad_Driver!' } },
            { name: 'pvc', persistentVolumeClaim: {} },
          );
        }),
        expected: [
          `DaemonSet falco: ${P}.volumes[3].nfs.path: nfs path "exports/falco" must be an absolute path (volume-source)`,
          `DaemonSet falco: ${P}.volumes[4].csi.driver: csi driver "Bad_Driver!" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (volume-source)`,
          `DaemonSet falco: ${P}.volumes[5].persistentVolumeClaim.claimName: a persistentVolumeClaim volume needs a claimName (volume-source)`,
        ],
      },
    ],
  ],
  [
    V.checkVolumeMountOptions,
    daemonSet,
    [
      {
        title: 'Bidirectional propagation in an unprivileged container, an unknown propagation, recursive read-only without readOnly',
        build: pod((_s, c) => {
          c.securityContext = { runAsNonRoot: true };
          c.volumeMounts[0].mountPropagation = 'Bidirectional';
          c.volumeMounts[1].mountPropagation = 'Both';
          c.volumeMounts[2].recursiveReadOnly = 'Enabled';
        }),
        expected: [
          `DaemonSet falco: ${C}.volumeMounts[0].mountPropagation: Bidirectional mount propagation is available only to privileged containers (volume-mount-options)`,
          `DaemonSet falco: ${C}.volumeMounts[1].mountPropagation: mountPropagation "Both" must be one of None, HostToContainer, Bidirectional (volume-mount-options)`,
          `DaemonSet falco: ${C}.volumeMounts[2].recursiveReadOnly: recursiveReadOnly "Enabled" needs readOnly: true (volume-mount-options)`,
        ],
      },
    ],
  ],
  [
    V.checkSysctls,
    daemonSet,
    [
      {
        title: 'sysctl names that are none, one set twice',
        build: pod((spec) => {
          spec.securityContext = {
            sysctls: [
              { name: 'Net.IPv4.ip_forward', value: '1' },
              { name: 'kernel..shm', value: '1' },
              { name: 'net.core.somaxconn', value: '1' },
              { name: 'net.core.somaxconn', value: '2' },
            ],
          };
        }),
        expected: [
          `DaemonSet falco: ${P}.securityContext.sysctls[0].name: sysctl name "Net.IPv4.ip_forward" must have at most 253 characters of lowercase letters, digits, '-' and '_' in segments joined by '.' or '/' (net.ipv4.ip_local_port_range) (sysctls)`,
          `DaemonSet falco: ${P}.securityContext.sysctls[1].name: sysctl name "kernel..shm" must have at most 253 characters of lowercase letters, digits, '-' and '_' in segments joined by '.' or '/' (net.ipv4.ip_local_port_range) (sysctls)`,
          `DaemonSet falco: ${P}.securityContext.sysctls[3].name: sysctl "net.core.somaxconn" is set twice (sysctls)`,
        ],
      },
    ],
  ],
  [
    V.checkSecurityProfiles,
    daemonSet,
    [
      {
        title: 'Localhost seccomp without a profile, a profile beside RuntimeDefault, padded AppArmor, procMount Unmasked',
        build: pod((spec, c) => {
          spec.securityContext = { seccompProfile: { type: 'Localhost' }, appArmorProfile: { type: 'Localhost', localhostProfile: ' falco ' } };
          c.securityContext = { privileged: true, seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'x.json' }, procMount: 'Unmasked' };
        }),
        expected: [
          `DaemonSet falco: ${P}.securityContext.seccompProfile.localhostProfile: a Localhost seccompProfile needs a localhostProfile (the profile file, relative to the kubelet's seccomp folder) (security-profiles)`,
          `DaemonSet falco: ${P}.securityContext.appArmorProfile.localhostProfile: localhostProfile " falco " must not be padded with whitespace (security-profiles)`,
          `DaemonSet falco: ${C}.securityContext.seccompProfile.localhostProfile: localhostProfile can only be set when the seccompProfile type is Localhost (security-profiles)`,
          `DaemonSet falco: ${C}.securityContext.procMount: procMount Unmasked needs the pod's hostUsers: false (security-profiles)`,
        ],
      },
    ],
  ],
  [
    V.checkPodAnnotations,
    daemonSet,
    [
      {
        title: 'a seccomp annotation, a deletion cost with a plus sign',
        build: () => {
          const d = daemonSet();
          Object.assign(d.spec.template.metadata.annotations, {
            'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default',
            'controller.kubernetes.io/pod-deletion-cost': '+5',
          });
          return d;
        },
        expected: [
          `DaemonSet falco: spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]: annotation "seccomp.security.alpha.kubernetes.io/pod" is not accepted here: the seccomp annotations are deprecated: set podSecurityContext.seccompProfile instead (pod-annotations)`,
          `DaemonSet falco: spec.template.metadata.annotations["controller.kubernetes.io/pod-deletion-cost"]: the pod deletion cost "+5" must be a 32-bit integer, written without '+' or leading zeros (pod-annotations)`,
        ],
      },
    ],
  ],
  [
    V.checkServiceSpec,
    service,
    [
      {
        title: 'type Bogus, port name Web, a protocol the API does not know',
        build: svc((spec) => {
          spec.type = 'Bogus';
          spec.ports[0].name = 'Web';
          spec.ports[0].protocol = 'HTTP';
        }),
        expected: [
          'Service falco: spec.type: Service type "Bogus" must be one of ClusterIP, NodePort, LoadBalancer, ExternalName (service-spec)',
          'Service falco: spec.ports[0].protocol: protocol "HTTP" must be one of TCP, UDP, SCTP (service-spec)',
          'Service falco: spec.ports[0].name: Service port name "Web" must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit (service-spec)',
        ],
      },
      {
        title: 'externalTrafficPolicy on a ClusterIP, affinity timeout 90000, externalIPs [not-an-ip, 127.0.0.1], a nodePort on a ClusterIP',
        build: svc((spec) => {
          spec.externalTrafficPolicy = 'Local';
          spec.sessionAffinity = 'ClientIP';
          spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 90000 } };
          spec.externalIPs = ['not-an-ip', '127.0.0.1'];
          spec.ports[0].nodePort = 30007;
        }),
        expected: [
          'Service falco: spec.ports[0].nodePort: nodePort may not be used when the type is ClusterIP (service-spec)',
          'Service falco: spec.sessionAffinityConfig.clientIP.timeoutSeconds: timeoutSeconds 90000 must be greater than 0 and at most 86400 (a day) (service-spec)',
          'Service falco: spec.externalIPs[0]: external IP "not-an-ip" must be a valid IP address, such as 10.9.8.7 or 2001:db8::ffff (service-spec)',
          'Service falco: spec.externalIPs[1]: external IP "127.0.0.1" may not be in the loopback range (127.0.0.0/8, ::1/128) (service-spec)',
        ],
      },
      {
        title: 'load balancer fields on a NodePort, IP families that do not fit',
        build: svc((spec) => {
          spec.type = 'NodePort';
          spec.loadBalancerSourceRanges = ['10.0.0.0/8', 'nope'];
          spec.clusterIPs = ['10.96.0.101'];
          spec.ipFamilies = ['IPv6', 'IPv7'];
          spec.ipFamilyPolicy = 'Both';
          spec.externalTrafficPolicy = 'Somewhere';
          spec.healthCheckNodePort = 30100;
        }),
        expected: [
          'Service falco: spec.clusterIPs: clusterIPs[0] "10.96.0.101" must match clusterIP "10.96.0.100" (service-spec)',
          'Service falco: spec.ipFamilies[1]: ipFamily "IPv7" must be IPv4 or IPv6 (service-spec)',
          'Service falco: spec.ipFamilyPolicy: ipFamilyPolicy "Both" must be one of SingleStack, PreferDualStack, RequireDualStack (service-spec)',
          'Service falco: spec.clusterIPs[0]: clusterIPs[0] "10.96.0.101" is not an IPv6 address, as ipFamilies[0] says (service-spec)',
          'Service falco: spec.loadBalancerSourceRanges[1]: "nope" must be a CIDR such as 10.0.0.0/8 (service-spec)',
          'Service falco: spec.loadBalancerSourceRanges: loadBalancerSourceRanges may only be used when the type is LoadBalancer (service-spec)',
          'Service falco: spec.externalTrafficPolicy: externalTrafficPolicy "Somewhere" must be Cluster or Local (service-spec)',
          'Service falco: spec.healthCheckNodePort: healthCheckNodePort may only be set when the type is LoadBalancer and externalTrafficPolicy is Local (service-spec)',
        ],
      },
    ],
  ],
  [
    V.checkWorkloadCounts,
    () => deployment({ replicas: 1 }),
    [
      {
        title: 'negative replicas and history',
        build: () => deployment({ replicas: -1, revisionHistoryLimit: -2 }),
        expected: [
          'Deployment falco: spec.replicas: replicas -1 must be greater than or equal to 0 (workload-counts)',
          'Deployment falco: spec.revisionHistoryLimit: revisionHistoryLimit -2 must be greater than or equal to 0 (workload-counts)',
        ],
      },
    ],
  ],
];
