import { UserError } from '../core/errors';
import { echo, quote } from '../core/util';
import { AuditLevel, AuditStage } from './audit-levels';

const LEVELS: readonly string[] = Object.values(AuditLevel);
const STAGES: readonly string[] = Object.values(AuditStage);

/** A group and its resources, as in `audit.k8s.io/v1` `GroupResources`. */
export interface AuditGroupResources {
  /** API group; `""` is the core group. @default "" (core) */
  readonly group?: string;
  /** Resources (`pods`, `pods/log`, `pods/status`). @default - every resource of the group */
  readonly resources?: string[];
  /** Object names. @default - every object */
  readonly resourceNames?: string[];
}

/** One rule of an `audit.k8s.io/v1` Policy; the first rule that matches a request decides its level. */
export interface AuditPolicyRule {
  /** The level for requests the rule matches. */
  readonly level: AuditLevel | `${AuditLevel}`;
  /** User names the rule applies to. @default - every user */
  readonly users?: string[];
  /** Groups the rule applies to. @default - every group */
  readonly userGroups?: string[];
  /** Verbs (`get`, `list`, `watch`, `create`, ...). @default - every verb */
  readonly verbs?: string[];
  /** Resources the rule applies to. @default - every resource */
  readonly resources?: AuditGroupResources[];
  /** Namespaces (`""` for cluster-scoped objects). @default - every namespace */
  readonly namespaces?: string[];
  /** Non-resource URL paths; `*` only as the last character. @default - every path */
  readonly nonResourceURLs?: string[];
  /** Stages not to record for requests the rule matches. @default - the policy's omitStages */
  readonly omitStages?: (AuditStage | `${AuditStage}`)[];
}

/** Options for any policy preset. */
export interface AuditPolicyOptions {
  /**
   * Stages never recorded. `RequestReceived` duplicates what `ResponseComplete` says.
   * @default ['RequestReceived']
   */
  readonly omitStages?: (AuditStage | `${AuditStage}`)[];
}

const RULE_KEYS = ['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages'];
const GROUP_RESOURCE_KEYS = ['group', 'resources', 'resourceNames'];

/**
 * The audit `Policy` file the API server reads (`--audit-policy-file`) for its log and static webhook
 * backends. The first matching rule decides the level of each request, so narrow rules come first.
 */
export class AuditPolicy {
  /**
   * The default: as small as Falco's k8saudit rules allow, shaped like Kubernetes' GCE policy
   * (kubernetes/kubernetes cluster/gce/gci/configure-helper.sh `create-master-audit-policy`): noisy
   * system traffic dropped, credentials at `Metadata`, bodies only where a rule reads them, and a
   * `Metadata` catch-all (unknown groups and CRDs included). In order (first match wins):
   *
   * 1. `Metadata` for Secrets, ConfigMaps, TokenReviews (`authentication.k8s.io`) and service account
   *    token requests (`serviceaccounts/token`): their bodies hold credentials (CIS 3.2.2, GCE). GCE puts
   *    this rule after its `None` rules; it is first here so not even a `None` rule hides a Secret read
   *    from Falco's Secret rules. It costs one rule: `Create/Modify Configmap With Private Credentials`
   *    reads the ConfigMap body, so it cannot fire (README, "What Falco's k8saudit rules need").
   * 2. `None` for GCE's high-volume, low-risk system traffic: kube-proxy watching endpoints and services
   *    (and endpointslices, their successor), kubelets and nodes getting nodes, control-plane leader
   *    election on endpoints (GCE) and on leases (its successor) and node heartbeats on leases,
   *    `system:apiserver` getting namespaces, controller managers reading `metrics.k8s.io` (HPA). Each
   *    names a `system:` identity, which Falco's `Disallowed K8s User` skips (`non_system_user`).
   * 3. `None` for health, version and API document URLs (GCE's `/healthz*`, `/version`, `/swagger*`, and
   *    their successors `/livez*`, `/readyz*`, `/openapi*`) and for Events (GCE, for performance).
   * 4. `RequestResponse` for pod creates: the pod rules read the pod spec from the request
   *    (`ka.req.pod.*`) and print the pod's name from the response (`ka.resp.name`: a generated name
   *    exists only there).
   * 5. `Request` for the other writes whose body a rule reads: service, Role/ClusterRole, (Cluster)RoleBinding
   *    and Ingress creates, ephemeral container updates (`ka.req.service.type`, `ka.req.role.rules`,
   *    `ka.req.binding.*`, `requestObject/spec/tls`, `requestObject/ephemeralContainers`).
   * 6. `Metadata` for everything else (GCE's last rule): every other rule reads only the user, verb,
   *    object reference, URI, response code and authorization annotations.
   *
   * `RequestReceived` is omitted (every request is recorded again at `ResponseComplete`; GCE omits it on
   * every rule, the same as a policy-level `omitStages`: apiserver pkg/audit/policy/checker.go:34-36
   * @ v0.30.0). `ResponseStarted` is kept: `Attach/Exec Pod` matches only that stage.
   */
  public static hardened(options: AuditPolicyOptions = {}): AuditPolicy {
    return new AuditPolicy(hardenedRules(), options);
  }

  /** One rule: `Metadata` for every request (who did what to which object, never a body). */
  public static metadataOnly(options: AuditPolicyOptions = {}): AuditPolicy {
    return new AuditPolicy([{ level: AuditLevel.METADATA }], options);
  }

  /**
   * Your own rules, checked as the API server checks them: a known level, known stages, resources
   * or non-resource URLs but not both, `*` only at the end of a URL, no unknown fields.
   */
  public static custom(rules: AuditPolicyRule[], options: AuditPolicyOptions = {}): AuditPolicy {
    if (!Array.isArray(rules) || rules.length === 0) {
      throw new UserError('audit policy needs at least one rule (a policy without rules records nothing)');
    }
    rules.forEach((rule, i) => checkRule(rule, `rules[${i}]`));
    return new AuditPolicy(rules, options);
  }

  /** The rules, first match wins. */
  public readonly rules: AuditPolicyRule[];
  /** Stages never recorded. */
  public readonly omitStages: string[];

  private constructor(rules: AuditPolicyRule[], options: AuditPolicyOptions) {
    const omit = options.omitStages ?? [AuditStage.REQUEST_RECEIVED];
    checkStages(omit, 'omitStages');
    this.rules = rules.map((r) => JSON.parse(JSON.stringify(r)));
    this.omitStages = [...omit];
  }

  /** The `audit.k8s.io/v1` Policy document. */
  public toDocument(): Record<string, unknown> {
    const doc: Record<string, unknown> = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy' };
    if (this.omitStages.length > 0) doc.omitStages = [...this.omitStages];
    doc.rules = this.rules.map((r) => {
      const out: Record<string, unknown> = { level: r.level };
      for (const key of RULE_KEYS.slice(1)) {
        const v = (r as unknown as Record<string, unknown>)[key];
        if (v !== undefined) out[key] = JSON.parse(JSON.stringify(v));
      }
      return out;
    });
    return doc;
  }
}

function checkStages(stages: unknown, field: string): void {
  if (!Array.isArray(stages)) throw new UserError(`must be a list of stages (${STAGES.join(', ')})`, { field });
  stages.forEach((s, i) => {
    if (!STAGES.includes(s as string)) {
      throw new UserError(`unknown audit stage ${echo(s)}; use one of ${STAGES.join(', ')}`, { field: `${field}[${i}]` });
    }
  });
}

function checkStrings(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new UserError(`must be a list of strings, got ${echo(value)}`, { field });
  const bad = value.findIndex((v) => typeof v !== 'string');
  if (bad >= 0) throw new UserError(`must be a list of strings, but item ${bad} is ${echo(value[bad])}`, { field });
}

function checkRule(rule: AuditPolicyRule, field: string): void {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw new UserError(`audit policy rule must be an object, got ${echo(rule)}`, { field });
  }
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.includes(key)) {
      throw new UserError(`unknown audit policy rule field ${quote(key)}; known fields: ${RULE_KEYS.join(', ')}`, { field: `${field}.${key}` });
    }
  }
  if (!LEVELS.includes(rule.level as string)) {
    throw new UserError(`unknown audit level ${echo(rule.level)}; use one of ${LEVELS.join(', ')}`, { field: `${field}.level` });
  }
  for (const key of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs']) {
    checkStrings((rule as unknown as Record<string, unknown>)[key], `${field}.${key}`);
  }
  if (rule.omitStages !== undefined) checkStages(rule.omitStages, `${field}.omitStages`);
  if (rule.resources !== undefined) {
    if (!Array.isArray(rule.resources)) throw new UserError('must be a list of {group, resources, resourceNames}', { field: `${field}.resources` });
    rule.resources.forEach((gr, j) => {
      const f = `${field}.resources[${j}]`;
      if (gr === null || typeof gr !== 'object') throw new UserError(`must be an object, got ${echo(gr)}`, { field: f });
      for (const key of Object.keys(gr)) {
        if (!GROUP_RESOURCE_KEYS.includes(key))
          throw new UserError(`unknown field ${quote(key)}; known fields: ${GROUP_RESOURCE_KEYS.join(', ')}`, { field: `${f}.${key}` });
      }
      if (gr.group !== undefined && typeof gr.group !== 'string')
        throw new UserError(`group must be a string, got ${echo(gr.group)}`, { field: `${f}.group` });
      checkStrings(gr.resources, `${f}.resources`);
      checkStrings(gr.resourceNames, `${f}.resourceNames`);
      // the API server: resourceNames need resources; "*/status" style wildcards only as a whole segment
      if (gr.resourceNames && gr.resourceNames.length > 0 && (!gr.resources || gr.resources.length === 0)) {
        throw new UserError('resourceNames need resources to name', { field: `${f}.resourceNames` });
      }
    });
  }
  if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) {
    if (rule.resources && rule.resources.length > 0) {
      throw new UserError('a rule cannot match both resources and nonResourceURLs; split it into two rules', { field });
    }
    if (rule.namespaces && rule.namespaces.length > 0) {
      throw new UserError('a rule cannot match both namespaces and nonResourceURLs; split it into two rules', { field });
    }
    rule.nonResourceURLs.forEach((url, j) => {
      if (url === '*') return;
      const star = url.indexOf('*');
      if (!url.startsWith('/') || (star >= 0 && star !== url.length - 1)) {
        throw new UserError(`non-resource URL ${quote(url)} must be "*" or start with "/", with "*" only as its last character`, {
          field: `${field}.nonResourceURLs[${j}]`,
        });
      }
    });
  }
}

// GCE: kubernetes/kubernetes cluster/gce/gci/configure-helper.sh create-master-audit-policy
// (stored copy at commit b574b11f6b28f06e17333bb110e9374db3259bad)

/** The rules of `AuditPolicy.hardened`, built fresh per call, in order (first match wins). */
function hardenedRules(): AuditPolicyRule[] {
  return [
    ...credentialRules(),
    ...nodeAndProxyRules(),
    ...controlPlaneRules(),
    ...urlAndEventRules(),
    ...bodyRules(),
    { level: AuditLevel.METADATA },
  ];
}

/** The control-plane identities GCE's system-traffic rules name. */
const CONTROL_PLANE = ['system:kube-controller-manager', 'system:cloud-controller-manager', 'system:kube-scheduler'];

/** `Metadata` for credential-bearing objects, first so no `None` rule hides a Secret read (rule 1 of `hardened`). */
function credentialRules(): AuditPolicyRule[] {
  return [
    {
      level: AuditLevel.METADATA,
      resources: [
        { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
        { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
      ],
    },
  ];
}

/** `None` for kube-proxy watches and kubelet / node reads of nodes (GCE system traffic, rule 2 of `hardened`). */
function nodeAndProxyRules(): AuditPolicyRule[] {
  return [
    {
      level: AuditLevel.NONE,
      users: ['system:kube-proxy'],
      verbs: ['watch'],
      resources: [
        { group: '', resources: ['endpoints', 'services', 'services/status'] },
        { group: 'discovery.k8s.io', resources: ['endpointslices'] },
      ],
    },
    {
      level: AuditLevel.NONE,
      users: ['kubelet'], // GCE: the legacy kubelet identity
      verbs: ['get'],
      resources: [{ group: '', resources: ['nodes', 'nodes/status'] }],
    },
    {
      level: AuditLevel.NONE,
      userGroups: ['system:nodes'],
      verbs: ['get'],
      resources: [{ group: '', resources: ['nodes', 'nodes/status'] }],
    },
  ];
}

/** `None` for control-plane leader election, node heartbeats, namespace and metrics reads (GCE system traffic, rule 2 of `hardened`). */
function controlPlaneRules(): AuditPolicyRule[] {
  return [
    {
      level: AuditLevel.NONE,
      users: [...CONTROL_PLANE, 'system:serviceaccount:kube-system:endpoint-controller'],
      verbs: ['get', 'update'],
      namespaces: ['kube-system'],
      resources: [{ group: '', resources: ['endpoints'] }],
    },
    {
      // leader election moved from endpoints to leases; the API server keeps its identity lease too
      level: AuditLevel.NONE,
      users: [...CONTROL_PLANE, 'system:apiserver'],
      verbs: ['get', 'list', 'watch', 'update'],
      resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
    },
    {
      // node heartbeats (kube-node-lease) and controllers' leader election
      level: AuditLevel.NONE,
      userGroups: ['system:nodes', 'system:serviceaccounts'],
      verbs: ['get', 'list', 'watch', 'update'],
      resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
    },
    {
      level: AuditLevel.NONE,
      users: ['system:apiserver'],
      verbs: ['get'],
      resources: [{ group: '', resources: ['namespaces', 'namespaces/status', 'namespaces/finalize'] }],
    },
    {
      level: AuditLevel.NONE,
      users: ['system:kube-controller-manager', 'system:cloud-controller-manager'],
      verbs: ['get', 'list'],
      resources: [{ group: 'metrics.k8s.io' }],
    },
  ];
}

/** `None` for health, version and API document URLs and for Events (rule 3 of `hardened`). */
function urlAndEventRules(): AuditPolicyRule[] {
  return [
    {
      level: AuditLevel.NONE,
      nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/openapi*', '/swagger*'],
    },
    {
      level: AuditLevel.NONE,
      resources: [
        { group: '', resources: ['events'] },
        { group: 'events.k8s.io', resources: ['events'] },
      ],
    },
  ];
}

/** `RequestResponse` / `Request` for the writes whose body a Falco rule reads (rules 4 and 5 of `hardened`). */
function bodyRules(): AuditPolicyRule[] {
  return [
    {
      level: AuditLevel.REQUEST_RESPONSE,
      verbs: ['create'],
      resources: [{ group: '', resources: ['pods'] }],
    },
    {
      // the rules match the resource name in any group; ingresses left extensions in 1.22
      level: AuditLevel.REQUEST,
      verbs: ['create'],
      resources: [
        { group: '', resources: ['services'] },
        { group: 'rbac.authorization.k8s.io', resources: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] },
        { group: 'networking.k8s.io', resources: ['ingresses'] },
        { group: 'extensions', resources: ['ingresses'] },
      ],
    },
    {
      level: AuditLevel.REQUEST,
      verbs: ['update', 'patch'],
      resources: [{ group: '', resources: ['pods/ephemeralcontainers'] }],
    },
  ];
}
