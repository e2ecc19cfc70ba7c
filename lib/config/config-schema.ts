/**
 * The JSON schema of `falco-audit.yaml`. ajv checks it, so every unknown key, wrong type and bad enum value is
 * reported with its path (and the loader adds the line).
 */

const auditSink = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    level: { enum: ['None', 'Metadata', 'Request', 'RequestResponse'] },
    stages: { type: 'array', items: { enum: ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] } },
    throttle: {
      type: 'object',
      additionalProperties: false,
      properties: { qps: { type: 'integer' }, burst: { type: 'integer' } },
    },
  },
};

const policyRule = {
  type: 'object',
  additionalProperties: false,
  required: ['level'],
  properties: {
    level: { enum: ['None', 'Metadata', 'Request', 'RequestResponse'] },
    users: { type: 'array', items: { type: 'string' } },
    userGroups: { type: 'array', items: { type: 'string' } },
    verbs: { type: 'array', items: { type: 'string' } },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          group: { type: 'string' },
          resources: { type: 'array', items: { type: 'string' } },
          resourceNames: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    namespaces: { type: 'array', items: { type: 'string' } },
    nonResourceURLs: { type: 'array', items: { type: 'string' } },
    omitStages: { type: 'array', items: { enum: ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] } },
  },
};

const webhook = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['batch', 'blocking', 'blocking-strict'] },
    batchMaxWait: { type: 'string' },
    initialBackoff: { type: 'string' },
    policy: {
      'x-expected': '"hardened", "metadata" or a mapping with rules',
      oneOf: [
        { enum: ['hardened', 'metadata'] },
        { type: 'object', additionalProperties: false, required: ['rules'], properties: { rules: { type: 'array', items: policyRule } } },
      ],
    },
    auditLog: {
      'x-expected': 'false or a mapping with path, maxAge, maxBackup, maxSize',
      oneOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            path: { type: 'string' },
            maxAge: { type: 'integer' },
            maxBackup: { type: 'integer' },
            maxSize: { type: 'integer' },
          },
        },
      ],
    },
    directory: { type: 'string' },
    certificateAuthority: { type: 'string' },
  },
};

const cluster = {
  type: 'object',
  additionalProperties: false,
  required: ['apiServer'],
  properties: {
    name: { type: 'string' },
    kubernetesVersion: { type: 'string' },
    apiServer: {
      type: 'object',
      additionalProperties: false,
      required: ['manifest'],
      properties: {
        manifest: { type: 'string' },
        serviceClusterIPRange: { type: 'string' },
      },
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      properties: {
        backend: { enum: ['auto', 'dynamic', 'webhook'] },
        auditSink,
        webhook,
      },
    },
    falco: {
      type: 'object',
      additionalProperties: false,
      properties: {
        releaseName: { type: 'string' },
        namespace: { type: 'string' },
        values: { type: 'string' },
        clusterIP: { type: 'string' },
        nodePort: { type: 'integer' },
      },
    },
  },
};

/** One cluster: the keys at the top level of a single-cluster config, or of each `clusters:` item. */
export const CLUSTER_SCHEMA = cluster;

/** A fleet: `clusters:` with a `name` each. */
export const FLEET_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['clusters'],
  properties: {
    clusters: { type: 'array', minItems: 1, items: { ...cluster, required: ['name', 'apiServer'] } },
  },
};
