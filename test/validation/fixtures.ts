/* A realistic, valid object set: what the project emits for a legacy Falco with dynamic auditing. */
import { ValidationItem } from '../../lib/validation';

export type Obj = Record<string, any>;

export const NS = 'falco';
export const RANGE = '10.96.0.0/12';

export function daemonSet(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'falco', namespace: NS, labels: { app: 'falco', release: 'falco' } },
    spec: {
      selector: { matchLabels: { app: 'falco', role: 'security' } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'falco', role: 'security' }, annotations: { 'checksum/config': 'abc123' } },
        spec: {
          serviceAccountName: 'falco',
          tolerations: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }],
          containers: [
            {
              name: 'falco',
              image: 'docker.io/falcosecurity/falco:0.19.0',
              args: ['/usr/bin/falco', '--cri', '/host/run/containerd/containerd.sock', '-K', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
              securityContext: { privileged: true },
              ports: [{ name: 'audit', containerPort: 8765, protocol: 'TCP' }],
              resources: { limits: { cpu: '200m', memory: '1024Mi' }, requests: { cpu: '100m', memory: '512Mi' } },
              volumeMounts: [
                { name: 'dev-fs', mountPath: '/host/dev' },
                { name: 'proc-fs', mountPath: '/host/proc', readOnly: true },
                { name: 'config-volume', mountPath: '/etc/falco' },
              ],
            },
          ],
          volumes: [
            { name: 'dev-fs', hostPath: { path: '/dev' } },
            { name: 'proc-fs', hostPath: { path: '/proc', type: 'Directory' } },
            { name: 'config-volume', configMap: { name: 'falco', items: [{ key: 'falco.yaml', path: 'falco.yaml' }] } },
          ],
        },
      },
    },
  };
}

export function service(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'falco', namespace: NS, labels: { app: 'falco' } },
    spec: { clusterIP: '10.96.0.100', selector: { app: 'falco' }, ports: [{ protocol: 'TCP', port: 8765, targetPort: 8765 }] },
  };
}

export function clusterRole(): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'falco', labels: { app: 'falco' } },
    rules: [
      {
        apiGroups: ['extensions', ''],
        resources: ['nodes', 'namespaces', 'pods', 'replicationcontrollers', 'services', 'events', 'configmaps'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: ['get', 'list', 'watch'] },
      { nonResourceURLs: ['/healthz', '/healthz/*'], verbs: ['get'] },
    ],
  };
}

export function clusterRoleBinding(): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'falco' },
    subjects: [{ kind: 'ServiceAccount', name: 'falco', namespace: NS }],
    roleRef: { kind: 'ClusterRole', name: 'falco', apiGroup: 'rbac.authorization.k8s.io' },
  };
}

export function auditSink(): Obj {
  return {
    apiVersion: 'auditregistration.k8s.io/v1alpha1',
    kind: 'AuditSink',
    metadata: { name: 'falco' },
    spec: {
      policy: { level: 'RequestResponse', stages: ['ResponseComplete', 'ResponseStarted'] },
      webhook: { throttle: { qps: 10, burst: 15 }, clientConfig: { url: 'http://10.96.0.100:8765/k8s-audit' } },
    },
  };
}

export function staticPod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-apiserver', namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' } },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-cluster-critical',
      containers: [
        {
          name: 'kube-apiserver',
          image: 'k8s.gcr.io/kube-apiserver:v1.18.2',
          command: ['kube-apiserver', '--advertise-address=10.0.0.10', '--service-cluster-ip-range=10.96.0.0/12', '--audit-dynamic-configuration'],
          livenessProbe: { httpGet: { host: '10.0.0.10', path: '/healthz', port: 6443, scheme: 'HTTPS' }, failureThreshold: 8 },
          volumeMounts: [{ name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true }],
        },
      ],
      volumes: [{ name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' } }],
    },
  };
}

export function auditPolicy(): Obj {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      { level: 'None', nonResourceURLs: ['/healthz*', '/version'] },
      { level: 'RequestResponse' },
    ],
  };
}

export function webhookKubeconfig(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'falco', cluster: { server: 'http://10.96.0.100:8765/k8s-audit' } }],
    contexts: [{ name: 'default', context: { cluster: 'falco', user: '' } }],
    'current-context': 'default',
    users: [],
    preferences: {},
  };
}

/** The whole set, as `validateAll` takes it; `withSink` adds the AuditSink (1.13-1.18 only). */
export function legacySet(withSink = true): ValidationItem[] {
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'falco', namespace: NS } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco', namespace: NS }, data: { 'falco.yaml': 'webserver:\n  enabled: true\n' } },
    clusterRole(),
    clusterRoleBinding(),
    service(),
    daemonSet(),
    ...(withSink ? [auditSink()] : []),
  ];
  return [
    ...objects.map((o) => ({ source: `${o.kind} ${o.metadata.name}`, object: o })),
    { source: 'node/kube-apiserver.yaml', object: staticPod() },
    { source: 'node/audit-policy.yaml', object: auditPolicy() },
    { source: 'node/audit-webhook.kubeconfig', object: webhookKubeconfig() },
  ];
}
