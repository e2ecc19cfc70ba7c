import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { NodePortRange } from '../../lib/core/node-port-range';
import * as V from '../../lib/validation';
import { RuleContext, SemanticRule, ValidationItem } from '../../lib/validation';
import { API_SERVER_RULE_CASES } from './api-server-rule-cases';
import { FIELD_RULE_CASES } from './field-rule-cases';
import { auditPolicy, auditSink, clusterRole, clusterRoleBinding, daemonSet, legacySet, NS, Obj, RANGE, service, staticPod } from './fixtures';

const V118 = KubernetesVersion.of('1.18.2');

function ctx(items: ValidationItem[], version = V118, range: string | undefined = RANGE): RuleContext {
  return { version, items, serviceClusterIPRange: range };
}

function item(object: Obj): ValidationItem {
  return { source: `${object.kind} ${object.metadata?.name ?? ''}`.trim(), object };
}

/** Runs rule on `object` in the realistic set (with `object` replacing its namesake) and formats. */
function run(rule: SemanticRule, object: Obj, version = V118, range: string | undefined = RANGE, keepNamesake = false): string[] {
  const target = item(object);
  const others = legacySet().filter((i) => keepNamesake || i.source !== target.source);
  return rule(target, ctx([...others, target], version, range)).map(V.formatViolation);
}

interface Case {
  readonly title: string;
  readonly build: () => Obj;
  readonly expected: string[];
  readonly version?: string;
  readonly range?: string;
  /** Keep the object of the same name from the realistic set beside the built one. */
  readonly keepNamesake?: boolean;
}

const cases: [SemanticRule, () => Obj, Case[]][] = [
  [
    V.checkPrivilegedEscalation,
    daemonSet,
    [
      {
        title: 'privileged with allowPrivilegeEscalation false (the cdk8s-plus default)',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = false;
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.containers[0].securityContext: container "falco" sets privileged: true with allowPrivilegeEscalation: false, which the API server refuses; drop allowPrivilegeEscalation or set it to true (privileged-escalation)',
        ],
      },
    ],
  ],
  [
    V.checkResourceQuantities,
    daemonSet,
    [
      {
        title: 'a request that is not a quantity',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.containers[0].resources = { requests: { cpu: 'lots', memory: '512Mi' }, limits: { cpu: 0.5 } };
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.containers[0].resources.requests.cpu: requests.cpu "lots" is not a quantity such as 100m, 0.5 or 512Mi (resource-quantities)',
        ],
      },
    ],
  ],
  [
    V.checkTolerations,
    daemonSet,
    [
      {
        title: 'a bad effect, a bad operator, a value with Exists, seconds without NoExecute',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.tolerations = [
            { key: 'a', effect: 'Sometimes' },
            { key: 'b', operator: 'Maybe' },
            { key: 'c', operator: 'Exists', value: 'x' },
            { key: 'd', effect: 'NoSchedule', tolerationSeconds: 30 },
            { operator: 'Equal', value: 'x' },
          ];
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.tolerations[0].effect: effect "Sometimes" must be one of NoSchedule, PreferNoSchedule, NoExecute (or empty for all) (tolerations)',
          'DaemonSet falco: spec.template.spec.tolerations[1].operator: operator "Maybe" must be Exists or Equal (tolerations)',
          'DaemonSet falco: spec.template.spec.tolerations[2].value: value "x" must be empty when the operator is Exists (tolerations)',
          'DaemonSet falco: spec.template.spec.tolerations[3].tolerationSeconds: tolerationSeconds applies to the NoExecute effect only (tolerations)',
          'DaemonSet falco: spec.template.spec.tolerations[4]: a toleration with operator Equal needs a key (tolerations)',
        ],
      },
    ],
  ],
  [
    V.checkWorkloadSelector,
    daemonSet,
    [
      {
        title: 'selector does not match the template labels',
        build: () => {
          const d = daemonSet();
          d.spec.selector.matchLabels.role = 'falco';
          return d;
        },
        expected: [
          'DaemonSet falco: spec.selector: selector "app=falco,role=falco" does not match the template labels (app=falco,role=security) (workload-selector)',
        ],
      },
      {
        title: 'an empty selector',
        build: () => {
          const d = daemonSet();
          d.spec.selector = {};
          return d;
        },
        expected: ['DaemonSet falco: spec.selector: empty selector is invalid for a DaemonSet: it would select every pod (workload-selector)'],
      },
      {
        title: 'matchExpressions that exclude the template, and a bad operator',
        build: () => {
          const d = daemonSet();
          d.spec.selector.matchExpressions = [
            { key: 'role', operator: 'NotIn', values: ['security'] },
            { key: 'app', operator: 'Equals', values: ['falco'] },
          ];
          return d;
        },
        expected: [
          'DaemonSet falco: spec.selector.matchExpressions[1].operator: operator "Equals" is not one of In, NotIn, Exists, DoesNotExist (workload-selector)',
          'DaemonSet falco: spec.selector: selector "app=falco,role=security,role notin (security),app Equals (falco)" does not match the template labels (app=falco,role=security) (workload-selector)',
        ],
      },
    ],
  ],
  [
    V.checkServiceSelectsPods,
    service,
    [
      {
        title: 'a selector that selects no Falco pod',
        build: () => {
          const s = service();
          s.spec.selector = { app: 'falcon' };
          return s;
        },
        expected: [
          'Service falco: spec.selector: selector {"app":"falcon"} selects no pod in namespace "falco" among the objects validated with it (service-selector)',
        ],
      },
      {
        title: 'pods in another namespace are not selected',
        build: () => {
          const s = service();
          s.metadata.namespace = 'monitoring';
          return s;
        },
        expected: [
          'Service falco: spec.selector: selector {"app":"falco"} selects no pod in namespace "monitoring" among the objects validated with it (service-selector)',
        ],
      },
      {
        title: 'an empty selector (the cdk8s-plus default)',
        build: () => {
          const s = service();
          s.spec.selector = {};
          return s;
        },
        expected: [
          'Service falco: spec.selector: the Service has no selector, so it sends traffic to no pod; select the Falco pods (service-selector)',
        ],
      },
      {
        title: 'a numeric targetPort that no container declares',
        build: () => {
          const s = service();
          s.spec.ports[0].targetPort = 9765;
          return s;
        },
        expected: [
          'Service falco: spec.ports[0].targetPort: target port 9765/TCP is not a container port of the selected pods (audit=8765/TCP) (service-selector)',
        ],
      },
      {
        title: 'a named targetPort that no container declares',
        build: () => {
          const s = service();
          s.spec.ports[0].targetPort = 'k8s-audit';
          return s;
        },
        expected: [
          'Service falco: spec.ports[0].targetPort: target port "k8s-audit"/TCP is not a container port of the selected pods (audit=8765/TCP) (service-selector)',
        ],
      },
      {
        title: 'no targetPort: the port itself must be a container port, with the same protocol',
        build: () => {
          const s = service();
          delete s.spec.ports[0].targetPort;
          s.spec.ports[0].protocol = 'UDP';
          return s;
        },
        expected: [
          'Service falco: spec.ports[0].port: target port 8765/UDP is not a container port of the selected pods (audit=8765/TCP) (service-selector)',
        ],
      },
    ],
  ],
  [
    V.checkNamespaceScope,
    clusterRole,
    [
      {
        title: 'a ClusterRole with the namespace a Chart stamps on it',
        build: () => {
          const r = clusterRole();
          r.metadata.namespace = NS;
          return r;
        },
        expected: [
          'ClusterRole falco: metadata.namespace: ClusterRole is cluster-scoped and must not have a namespace, got "falco" (namespace-scope)',
        ],
      },
      {
        title: 'a namespaced Service without a namespace',
        build: () => {
          const s = service();
          delete s.metadata.namespace;
          return s;
        },
        expected: ['Service falco: metadata.namespace: Service is namespaced and needs an explicit metadata.namespace (namespace-scope)'],
      },
    ],
  ],
  [
    V.checkDuplicateObjects,
    service,
    [
      {
        title: 'a second Service named falco in the same namespace',
        build: () => service(),
        keepNamesake: true,
        expected: [
          'Service falco: metadata.name: another Service with the same name and namespace is in the output (Service falco); one would overwrite the other (duplicate-object)',
        ],
      },
    ],
  ],
  [
    V.checkObjectName,
    service,
    [
      {
        title: 'a Service name that is a subdomain but not a DNS-1035 label',
        build: () => {
          const s = service();
          s.metadata.name = 'falco.audit';
          return s;
        },
        expected: [
          'Service falco.audit: metadata.name: Service name "falco.audit" must be a DNS-1035 label: lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (object-name)',
        ],
      },
      {
        title: 'a DaemonSet name with capitals and a bad namespace',
        build: () => {
          const d = daemonSet();
          d.metadata.name = 'Falco';
          d.metadata.namespace = 'falco_ns';
          return d;
        },
        expected: [
          "DaemonSet Falco: metadata.name: DaemonSet name \"Falco\" must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (object-name)",
          'DaemonSet Falco: metadata.namespace: namespace "falco_ns" must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit (object-name)',
        ],
      },
      {
        title: 'an RBAC name with a slash, and a missing name',
        build: () => {
          const r = clusterRole();
          r.metadata.name = 'falco/read';
          return r;
        },
        expected: ["ClusterRole falco/read: metadata.name: ClusterRole name \"falco/read\" may not contain '/' or '%' (object-name)"],
      },
      {
        title: 'no name at all',
        build: () => {
          const s = service();
          delete s.metadata.name;
          return s;
        },
        expected: ['Service: metadata.name: Service has no metadata.name; the project always names its objects (object-name)'],
      },
    ],
  ],
  [
    V.checkLabels,
    daemonSet,
    [
      {
        title: 'bad label keys and values in metadata, template and selector',
        build: () => {
          const d = daemonSet();
          d.metadata.labels['app.kubernetes.io/'] = 'x';
          d.metadata.labels.version = '0.19.0+build';
          d.spec.template.metadata.labels['-role'] = 'security';
          d.spec.selector.matchLabels['a/b/c'] = 'x';
          return d;
        },
        expected: [
          'DaemonSet falco: metadata.labels["app.kubernetes.io/"]: label key "app.kubernetes.io/": name part must be non-empty (labels)',
          "DaemonSet falco: metadata.labels.version: label value \"0.19.0+build\" must be empty or consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (labels)",
          "DaemonSet falco: spec.template.metadata.labels[\"-role\"]: label key \"-role\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (labels)",
          'DaemonSet falco: spec.selector.matchLabels["a/b/c"]: selector key "a/b/c": must be a qualified name: an optional DNS subdomain prefix and \'/\', then a name (labels)',
        ],
      },
      {
        title: 'a label value longer than 63 characters on a Service selector',
        build: () => {
          const s = service();
          s.spec.selector.app = 'f'.repeat(64);
          return s;
        },
        expected: [`Service falco: spec.selector.app: selector value "${'f'.repeat(64)}" must be no more than 63 characters (labels)`],
      },
    ],
  ],
  [
    V.checkAnnotations,
    daemonSet,
    [
      {
        title: 'a bad annotation key and annotations over 256 KiB',
        build: () => {
          const d = daemonSet();
          d.metadata.annotations = { 'checksum config': 'x', big: 'x'.repeat(256 * 1024) };
          return d;
        },
        expected: [
          "DaemonSet falco: metadata.annotations[\"checksum config\"]: annotation key \"checksum config\": name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric (annotations)",
          'DaemonSet falco: metadata.annotations: annotations total 262163 bytes, more than the 262144 the API allows (annotations)',
        ],
      },
    ],
  ],
  [
    V.checkVolumeMounts,
    daemonSet,
    [
      {
        title: 'a mount of a volume the pod does not have',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.containers[0].volumeMounts.push({ name: 'rules', mountPath: '/etc/falco/rules.d' });
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.containers[0].volumeMounts[3].name: container "falco" mounts volume "rules", which is not in the pod\'s volumes (dev-fs, proc-fs, config-volume) (volume-mounts)',
        ],
      },
    ],
  ],
  [
    V.checkVolumes,
    daemonSet,
    [
      {
        // a volume with no source is valid: the API server makes it an emptyDir (SetDefaults_Volume)
        title: 'duplicate and badly named volumes, a volume with two sources and one with no name (one with no source passes)',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.volumes.push(
            { name: 'dev-fs', emptyDir: {} },
            { name: 'Rules_d', emptyDir: {}, hostPath: { path: '/x' } },
            { name: 'empty' },
            { hostPath: { path: '/y' } },
          );
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.volumes[3].name: duplicate volume name "dev-fs" (volumes)',
          'DaemonSet falco: spec.template.spec.volumes[4].name: volume name "Rules_d" must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit (volumes)',
          'DaemonSet falco: spec.template.spec.volumes[4]: volume "Rules_d" may not specify more than one volume type, got emptyDir, hostPath (volumes)',
          'DaemonSet falco: spec.template.spec.volumes[6]: volume has no name (volumes)',
        ],
      },
    ],
  ],
  [
    V.checkContainerNames,
    daemonSet,
    [
      {
        title: 'an init container named like a container, and a bad name',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.initContainers = [
            { name: 'falco', image: 'falcoctl' },
            { name: 'falco_ctl', image: 'falcoctl' },
          ];
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.initContainers[1].name: container name "falco_ctl" must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit (container-names)',
          'DaemonSet falco: spec.template.spec.containers[0].name: duplicate container name "falco" (also at spec.template.spec.initContainers[0].name) (container-names)',
        ],
      },
    ],
  ],
  [
    V.checkContainerPorts,
    daemonSet,
    [
      {
        title: 'ports out of range and bad or duplicate port names',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.containers[0].ports = [
            { name: 'k8s-audit-webserver', containerPort: 0 },
            { name: 'audit', containerPort: 8765, hostPort: 70000 },
            { name: 'audit', containerPort: 8766 },
          ];
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.containers[0].ports[0].containerPort: containerPort 0 must be between 1 and 65535 (port-range)',
          'DaemonSet falco: spec.template.spec.containers[0].ports[0].name: port name "k8s-audit-webserver" must be no more than 15 characters (port-range)',
          'DaemonSet falco: spec.template.spec.containers[0].ports[1].hostPort: hostPort 70000 must be between 1 and 65535 (or 0 for none) (port-range)',
          'DaemonSet falco: spec.template.spec.containers[0].ports[2].name: duplicate port name "audit" in container "falco" (port-range)',
        ],
      },
      {
        title: 'a hostPort different from containerPort on the host network',
        build: () => {
          const d = daemonSet();
          d.spec.template.spec.hostNetwork = true;
          d.spec.template.spec.containers[0].ports[0].hostPort = 18765;
          return d;
        },
        expected: [
          'DaemonSet falco: spec.template.spec.containers[0].ports[0].hostPort: hostPort 18765 must equal containerPort 8765 when hostNetwork is true (port-range)',
        ],
      },
    ],
  ],
  [
    V.checkServicePorts,
    service,
    [
      {
        title: 'service ports out of range, a bad targetPort name, unnamed ports in a multi-port Service',
        build: () => {
          const s = service();
          s.spec.ports = [
            { port: 70000, targetPort: 'Audit' },
            { port: 8765, nodePort: -1, targetPort: 0 },
          ];
          return s;
        },
        expected: [
          'Service falco: spec.ports[0].port: port 70000 must be between 1 and 65535 (port-range)',
          'Service falco: spec.ports[0].targetPort: targetPort name "Audit" must contain only lowercase letters, digits and \'-\' (port-range)',
          'Service falco: spec.ports[0].name: every port needs a name when a Service has more than one (port-range)',
          'Service falco: spec.ports[1].nodePort: nodePort -1 is outside the service node port range 30000-32767 (--service-node-port-range) (port-range)',
          'Service falco: spec.ports[1].targetPort: targetPort 0 must be between 1 and 65535 (port-range)',
          'Service falco: spec.ports[1].name: every port needs a name when a Service has more than one (port-range)',
        ],
      },
    ],
  ],
  [
    V.checkHostPathTypes,
    staticPod,
    [
      {
        title: 'an unknown hostPath type and an empty path',
        build: () => {
          const p = staticPod();
          p.spec.volumes[0].hostPath = { path: ' ', type: 'Dir' };
          return p;
        },
        expected: [
          'Pod kube-apiserver: spec.volumes[0].hostPath.type: hostPath type "Dir" is not one of DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice (or empty) (host-path)',
          'Pod kube-apiserver: spec.volumes[0].hostPath.path: hostPath path must not be empty (host-path)',
        ],
      },
    ],
  ],
  [
    V.checkServiceClusterIP,
    service,
    [
      {
        title: 'a cluster IP outside the service range',
        build: () => {
          const s = service();
          s.spec.clusterIP = '10.112.0.5';
          return s;
        },
        expected: ['Service falco: spec.clusterIP: cluster IP 10.112.0.5 is outside the service cluster IP range 10.96.0.0/12 (cluster-ip)'],
      },
      {
        title: 'the first IP of the range, reserved for the kubernetes Service',
        build: () => {
          const s = service();
          s.spec.clusterIP = '10.96.0.1';
          return s;
        },
        expected: [
          'Service falco: spec.clusterIP: cluster IP 10.96.0.1 is the first address of 10.96.0.0/12, which the API server reserves for the kubernetes Service (cluster-ip)',
        ],
      },
      {
        title: 'an IPv6 clusterIPs entry with no IPv6 range, and a placeholder without a range',
        build: () => {
          const s = service();
          s.spec.clusterIPs = ['10.96.0.100', 'fd00::10'];
          return s;
        },
        expected: [
          'Service falco: spec.clusterIPs[1]: cluster IP fd00::10 is ipv6 but the service cluster IP range "10.96.0.0/12" has no ipv6 CIDR (cluster-ip)',
        ],
      },
      {
        title: 'a placeholder when no range is known',
        build: () => {
          const s = service();
          s.spec.clusterIP = '<ip>';
          return s;
        },
        range: '',
        expected: ['Service falco: spec.clusterIP: cluster IP "<ip>" is not an IPv4 or IPv6 address (cluster-ip)'],
      },
    ],
  ],
  [
    V.checkAuditSinkLevel,
    auditSink,
    [
      {
        title: 'a missing and an unknown level',
        build: () => {
          const a = auditSink();
          a.spec.policy.level = 'Everything';
          return a;
        },
        expected: [
          'AuditSink falco: spec.policy.level: policy level "Everything" is not one of None, Metadata, Request, RequestResponse (audit-sink-level)',
        ],
      },
      {
        title: 'no level',
        build: () => {
          const a = auditSink();
          delete a.spec.policy.level;
          return a;
        },
        expected: [
          'AuditSink falco: spec.policy.level: policy level is required: one of None, Metadata, Request, RequestResponse (audit-sink-level)',
        ],
      },
    ],
  ],
  [
    V.checkAuditSinkStages,
    auditSink,
    [
      {
        title: 'no stages with level RequestResponse, and an unknown stage',
        build: () => {
          const a = auditSink();
          a.spec.policy.stages = [];
          return a;
        },
        expected: [
          'AuditSink falco: spec.policy.stages: stages must not be empty when the level is RequestResponse; e.g. [ResponseComplete, ResponseStarted] (audit-sink-stages)',
        ],
      },
      {
        title: 'an unknown stage',
        build: () => {
          const a = auditSink();
          a.spec.policy.stages = ['ResponseComplete', 'Done'];
          return a;
        },
        expected: [
          'AuditSink falco: spec.policy.stages[1]: stage "Done" is not one of RequestReceived, ResponseStarted, ResponseComplete, Panic (audit-sink-stages)',
        ],
      },
    ],
  ],
  [
    V.checkAuditSinkThrottle,
    auditSink,
    [
      {
        title: 'qps and burst not greater than zero',
        build: () => {
          const a = auditSink();
          a.spec.webhook.throttle = { qps: 0, burst: -1 };
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.throttle.qps: throttle qps must be greater than zero, got 0 (audit-sink-throttle)',
          'AuditSink falco: spec.webhook.throttle.burst: throttle burst must be greater than zero, got -1 (audit-sink-throttle)',
        ],
      },
    ],
  ],
  [
    V.checkAuditSinkClientConfig,
    auditSink,
    [
      {
        title: 'both url and service',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig.service = { name: 'falco', namespace: NS };
          return a;
        },
        expected: ['AuditSink falco: spec.webhook.clientConfig: exactly one of url or service is required, got both (audit-sink-client-config)'],
      },
      {
        title: 'neither',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig = {};
          return a;
        },
        expected: ['AuditSink falco: spec.webhook.clientConfig: exactly one of url or service is required, got neither (audit-sink-client-config)'],
      },
      {
        title: 'a url with user info, a query and a fragment',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig.url = 'http://falco:secret@10.96.0.100:8765/k8s-audit?x=1#top';
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.clientConfig.url: user information is not permitted in the url "http://falco:secret@10.96.0.100:8765/k8s-audit?x=1#top" (audit-sink-client-config)',
          'AuditSink falco: spec.webhook.clientConfig.url: query parameters are not permitted in the url "http://falco:secret@10.96.0.100:8765/k8s-audit?x=1#top" (audit-sink-client-config)',
          'AuditSink falco: spec.webhook.clientConfig.url: fragments are not permitted in the url "http://falco:secret@10.96.0.100:8765/k8s-audit?x=1#top" (audit-sink-client-config)',
        ],
      },
      {
        title: 'a url that is not a url',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig.url = '<falco-service-cluster-ip>:8765/k8s-audit';
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.clientConfig.url: url "<falco-service-cluster-ip>:8765/k8s-audit" is not a valid absolute URL; desired format: http(s)://host[:port][/path] (audit-sink-client-config)',
        ],
      },
    ],
  ],
  [
    V.checkAuditSinkService,
    () => {
      const a = auditSink();
      a.spec.webhook.clientConfig = { service: { name: 'falco', namespace: NS, port: 8765, path: '/k8s-audit' } };
      return a;
    },
    [
      {
        title: 'a path segment that is not a DNS-1123 subdomain',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig = { service: { name: 'falco', namespace: NS, path: '/k8s_audit' } };
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.clientConfig.service.path: path "/k8s_audit": segment[0] "k8s_audit" must be a DNS-1123 subdomain: lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit (audit-sink-service)',
        ],
      },
      {
        title: 'a port on 1.14',
        version: '1.14.3',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig = { service: { name: 'falco', namespace: NS, port: 8765 } };
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.clientConfig.service.port: service port is not supported before Kubernetes 1.15 (target 1.14.3); the API server always calls port 443 (audit-sink-service)',
        ],
      },
      {
        title: 'no name or namespace, a port out of range, a path without a leading slash',
        build: () => {
          const a = auditSink();
          a.spec.webhook.clientConfig = { service: { port: 0, path: 'k8s-audit' } };
          return a;
        },
        expected: [
          'AuditSink falco: spec.webhook.clientConfig.service.name: service name is required (audit-sink-service)',
          'AuditSink falco: spec.webhook.clientConfig.service.namespace: service namespace is required (audit-sink-service)',
          'AuditSink falco: spec.webhook.clientConfig.service.port: service port 0 must be between 1 and 65535 (audit-sink-service)',
          'AuditSink falco: spec.webhook.clientConfig.service.path: path "k8s-audit" must start with a \'/\' (audit-sink-service)',
        ],
      },
    ],
  ],
  [
    V.checkRbacReadOnly,
    clusterRole,
    [
      {
        title: 'write verbs and wildcards',
        build: () => {
          const r = clusterRole();
          r.rules[0].verbs = ['get', 'update'];
          r.rules[2].verbs = ['*'];
          return r;
        },
        expected: [
          'ClusterRole falco: rules[0].verbs[1]: verb "update" is not read-only: Falco\'s rules may only use get, list and watch (or use of named PodSecurityPolicies) (rbac-read-only)',
          'ClusterRole falco: rules[2].verbs[0]: verb "*" is not read-only: Falco\'s nonResourceURLs rules may only use get (rbac-read-only)',
        ],
      },
      {
        title: 'use on every PodSecurityPolicy (no resourceNames), or more than use on a named one',
        build: () => {
          const r = clusterRole();
          r.rules.push({ apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'] });
          r.rules.push({ apiGroups: ['policy'], resources: ['podsecuritypolicies'], resourceNames: ['falco'], verbs: ['use', 'update'] });
          return r;
        },
        expected: [
          'ClusterRole falco: rules[3].verbs[0]: verb "use" is not read-only: Falco\'s rules may only use get, list and watch (or use of named PodSecurityPolicies) (rbac-read-only)',
          'ClusterRole falco: rules[4].verbs[1]: verb "update" is not read-only: Falco\'s PodSecurityPolicy rule may only use use (rbac-read-only)',
        ],
      },
    ],
  ],
  [
    V.checkRbacRuleShape,
    clusterRole,
    [
      {
        title: 'no verbs, no apiGroups, and resources mixed with nonResourceURLs',
        build: () => {
          const r = clusterRole();
          r.rules[0].verbs = [];
          delete r.rules[1].apiGroups;
          r.rules[2].resources = ['pods'];
          return r;
        },
        expected: [
          'ClusterRole falco: rules[0].verbs: verbs must not be empty (rbac-rule-shape)',
          'ClusterRole falco: rules[1].apiGroups: resource rules need apiGroups (use "" for the core group) (rbac-rule-shape)',
          'ClusterRole falco: rules[2]: a rule cannot apply to both resources and nonResourceURLs; split it in two (rbac-rule-shape)',
        ],
      },
    ],
  ],
  [
    V.checkRbacBinding,
    clusterRoleBinding,
    [
      {
        title: 'a ClusterRoleBinding to a Role, a wrong apiGroup, a subject without namespace',
        build: () => {
          const b = clusterRoleBinding();
          b.roleRef = { kind: 'Role', name: 'falco', apiGroup: 'rbac' };
          delete b.subjects[0].namespace;
          return b;
        },
        expected: [
          'ClusterRoleBinding falco: roleRef.kind: a ClusterRoleBinding can only reference ClusterRole, not "Role" (rbac-binding)',
          'ClusterRoleBinding falco: roleRef.apiGroup: roleRef apiGroup must be rbac.authorization.k8s.io, not "rbac" (rbac-binding)',
          'ClusterRoleBinding falco: subjects[0].namespace: ServiceAccount subject "falco" needs a namespace (rbac-binding)',
        ],
      },
    ],
  ],
  [
    V.checkAuditPolicyRules,
    auditPolicy,
    [
      {
        title: 'resources with nonResourceURLs, a wildcard in the middle, resourceNames without resources',
        build: () => {
          const p = auditPolicy();
          p.rules[1].resources = [{ group: '', resourceNames: ['falco'] }];
          p.rules[1].nonResourceURLs = ['/api*/v1', 'healthz'];
          return p;
        },
        expected: [
          'Policy: rules[1]: a rule cannot apply to both regular resources and nonResourceURLs (audit-policy-rules)',
          'Policy: rules[1].nonResourceURLs[0]: non-resource URL "/api*/v1" may only use \'*\' as its final character (audit-policy-rules)',
          'Policy: rules[1].nonResourceURLs[1]: non-resource URL "healthz" must start with \'/\' (audit-policy-rules)',
          'Policy: rules[1].resources[0]: resourceNames require resources (audit-policy-rules)',
        ],
      },
    ],
  ],
  // the API server's field checks (issue 14): api-server-rule-cases.ts
  ...API_SERVER_RULE_CASES,
  // every field a values file reaches (issue 23): field-rule-cases.ts
  ...FIELD_RULE_CASES,
];

describe.each(cases.map(([rule, valid, list]) => [rule.name, rule, valid, list] as const))('%s', (_name, rule, valid, list) => {
  test('passes on the valid object', () => {
    expect(run(rule, valid())).toEqual([]);
  });
  test.each(list.map((c) => [c.title, c] as const))('fails: %s', (_title, c) => {
    const version = c.version ? KubernetesVersion.of(c.version) : V118;
    expect(run(rule, c.build(), version, c.range === undefined ? RANGE : c.range || undefined, c.keepNamesake)).toEqual(c.expected);
  });
});

test('every rule validateAll applies has failing and passing cases here', () => {
  const covered = new Set(cases.map(([rule]) => rule));
  expect(V.SEMANTIC_RULES.filter((r) => !covered.has(r)).map((r) => r.name)).toEqual([]);
});

test('rules never throw on garbage', () => {
  const garbage: unknown[] = [
    null,
    7,
    'x',
    [],
    {},
    { kind: 'DaemonSet', spec: 5 },
    { kind: 'Service', spec: { ports: 'x', selector: [] } },
    { kind: 'AuditSink', spec: { webhook: { clientConfig: { url: 5, service: 'x' } }, policy: [] } },
    { kind: 'ClusterRole', rules: [null, 'x', { verbs: 'get' }] },
    { kind: 'Pod', metadata: { labels: 'x', annotations: [] }, spec: { containers: [null, { ports: [null], volumeMounts: 'x' }], volumes: [null] } },
  ];
  const items = garbage.map((object, i) => ({ source: `g${i}`, object }));
  for (const rule of V.SEMANTIC_RULES) for (const i of items) expect(() => rule(i, ctx(items))).not.toThrow();
  expect(() => V.validateAll(items, V118, { serviceClusterIPRange: RANGE })).not.toThrow();
});

describe('nodePort and the service node port range', () => {
  const nodePortService = (nodePort: number) => {
    const s = service();
    Object.assign(s.spec, { type: 'NodePort', clusterIP: undefined });
    delete s.spec.clusterIP;
    s.spec.ports[0].nodePort = nodePort;
    return item(s);
  };
  const check = (nodePort: number, serviceNodePortRange?: string) =>
    V.checkServicePorts(nodePortService(nodePort), { version: V118, items: [], serviceNodePortRange }).map(V.formatViolation);

  test('inside the default range passes, outside fails', () => {
    expect(check(30765)).toEqual([]);
    expect(check(8765)).toEqual([
      'Service falco: spec.ports[0].nodePort: nodePort 8765 is outside the service node port range 30000-32767 (--service-node-port-range) (port-range)',
    ]);
  });

  test('a custom range from the API server flag', () => {
    expect(check(8765, '8000-9000')).toEqual([]);
    expect(check(30765, '8000-9000')).toHaveLength(1);
    expect(check(30765, 'ports')).toEqual([
      'Service falco: spec.ports[0].nodePort: service node port range "ports" is not a range such as 30000-32767 (port-range)',
    ]);
  });

  test('NodePortRange (the range the port rule checks against)', () => {
    const parse = (text: string) => {
      const range = NodePortRange.tryParse(text);
      return range && { min: range.min, max: range.max };
    };
    expect(parse('30000-32767')).toEqual({ min: 30000, max: 32767 });
    expect(parse('30000')).toEqual({ min: 30000, max: 30000 });
    expect(parse('32767-30000')).toBeUndefined();
    expect(parse('0-70000')).toBeUndefined();
    // kube-apiserver's other forms: min+offset, and empty for the default
    expect(parse('30000+2767')).toEqual({ min: 30000, max: 32767 });
    expect(parse('')).toEqual({ min: 30000, max: 32767 });
    expect(parse('30000+40000')).toBeUndefined();
  });
});

test('deeply nested or cyclic data does not crash validation', () => {
  const deep: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NS } };
  let cur: Obj = {};
  const root = cur;
  for (let i = 0; i < 100000; i++) {
    cur.a = { b: null };
    cur = cur.a;
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'x', cluster: { server: 'http://x', extensions: [{ name: 'e', extension: root }] } }],
  };
  const cyclic: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', namespace: NS } };
  cyclic.metadata.self = cyclic;
  const items = [item(deep), { source: 'kubeconfig', object: config }, item(cyclic)];
  const found = V.validateAll(items, V118).map(V.formatViolation);
  expect(found).toEqual(['ConfigMap y: metadata.self: unknown field "self": not in the Kubernetes 1.18 v1 ConfigMap schema (schema.unknown-field)']);
});
