/*
 * The pull plugins' init_config and open_params against their PluginConfig structs (schemas/managed, generated from
 * ../shared/reference/managed by scripts/gen-managed-schemas.js): the keys and defaults the structs give, the values the
 * issue's Falco side writes, and the mistakes the plugins' READMEs and users make, each caught.
 */
import {
  managedPluginApi,
  managedPluginKeys,
  managedPluginOpenParams,
  managedPluginReleases,
  pluginApiViolations,
  pluginEnvReferences,
  validatePluginInitConfig,
  validatePluginOpenParams,
} from '../../../lib/validation/managed';

const rules = (vs: { rule: string }[]) => vs.map((v) => v.rule);

describe('the keys come from the Go structs', () => {
  test.each([
    ['k8saudit-eks', '0.12.0', ['profile', 'region', 'buffer_size', 'shift', 'polling_interval', 'use_async', 'max_event_size']],
    ['k8saudit-eks', '0.10.0', ['profile', 'region', 'buffer_size', 'shift', 'polling_interval', 'use_async']],
    [
      'k8saudit-gke',
      '0.9.0',
      [
        'project_id',
        'credentials_file',
        'num_goroutines',
        'max_outstanding_messages',
        'fetch_cluster_metadata',
        'cache_expiration',
        'use_async',
        'max_event_size',
      ],
    ],
    [
      'k8saudit-aks',
      '0.6.0',
      [
        'event_hub_namespace_connection_string',
        'event_hub_name',
        'blob_storage_connection_string',
        'blob_storage_container_name',
        'rate_limit_events_per_second',
        'rate_limit_burst',
        'maxEventSize',
      ],
    ],
  ] as const)('%s %s', (plugin, version, keys) => {
    expect(managedPluginKeys(plugin, version)!.map((k) => k.key)).toEqual(keys);
  });

  test('types, defaults and units as the code applies them', () => {
    const eks = Object.fromEntries(managedPluginKeys('k8saudit-eks', '0.12.0')!.map((k) => [k.key, k]));
    expect(eks.shift).toMatchObject({
      type: 'integer',
      minimum: 0,
      unit: 'nanoseconds',
      default: { value: 1, unit: 'seconds', when: 'the value is 0' },
    });
    expect(eks.polling_interval).toMatchObject({ unit: 'seconds', default: { value: 5, unit: 'seconds' } });
    expect(eks.buffer_size.default.value).toBe(200);
    expect(eks.use_async.default.value).toBe(true);
    expect(eks.region.default.env).toEqual(['AWS_REGION', 'AWS_DEFAULT_REGION']);
    expect(eks.max_event_size).toMatchObject({ since: '0.10.1', default: { value: 262144 } });
    const aks = Object.fromEntries(managedPluginKeys('k8saudit-aks', '0.6.0')!.map((k) => [k.key, k]));
    expect(aks.rate_limit_events_per_second.default.value).toBe(100);
    expect(aks.rate_limit_burst.default.value).toBe(200);
    expect(aks.maxEventSize.default.value).toBe(262144);
    const gke = Object.fromEntries(managedPluginKeys('k8saudit-gke', '0.9.0')!.map((k) => [k.key, k]));
    expect(gke.cache_expiration).toMatchObject({ unit: 'minutes', default: { value: 10 } });
    expect(gke.max_outstanding_messages.default.value).toBe(1000);
  });

  test('releases are the CHANGELOG headings: k8saudit-eks has no 0.3.0', () => {
    expect(managedPluginReleases('k8saudit-eks')).toContain('0.2.1');
    expect(managedPluginReleases('k8saudit-eks')).not.toContain('0.3.0');
    expect(managedPluginKeys('k8saudit-eks', '0.3.0')).toBeUndefined();
  });

  test('open_params: the EKS cluster name, the GKE subscription ID, ignored by AKS', () => {
    expect(managedPluginOpenParams('k8saudit-eks')).toMatchObject({
      required: true,
      error: "cluster name can't be empty",
      logGroup: '/aws/eks/<cluster>/cluster',
    });
    expect(managedPluginOpenParams('k8saudit-gke')).toMatchObject({ meaning: 'the Pub/Sub subscription ID', required: true });
    expect(managedPluginOpenParams('k8saudit-aks')).toMatchObject({ meaning: 'ignored', required: false });
  });
});

describe('init_config the Falco side writes passes', () => {
  test.each([
    ['k8saudit-eks', '0.12.0', { region: 'eu-west-1', polling_interval: 10, use_async: false, buffer_size: 500 }],
    ['k8saudit-eks', '0.9.0', { region: 'us-east-1', shift: 1000000000 }],
    ['k8saudit-gke', '0.9.0', { project_id: 'my-project', use_async: false, max_event_size: 8000000 }],
    [
      'k8saudit-aks',
      '0.6.0',
      {
        event_hub_namespace_connection_string: '${EH_CONN}',
        event_hub_name: 'aks-audit',
        blob_storage_connection_string: '${BLOB_CONN}',
        blob_storage_container_name: 'falco-checkpoints',
        maxEventSize: 1048576,
      },
    ],
  ] as const)('%s %s', (plugin, version, config) => {
    expect(validatePluginInitConfig(plugin, version, config)).toEqual([]);
    expect(validatePluginInitConfig(plugin, version, JSON.stringify(config))).toEqual([]);
  });
});

describe('mutations are caught', () => {
  test("the GKE README's keys the struct does not have (set_cluster_labels, maxout_stand_messages)", () => {
    const problems = validatePluginInitConfig('k8saudit-gke', '0.9.0', {
      project_id: 'p-123456',
      set_cluster_labels: true,
      maxout_stand_messages: 500,
    });
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['set_cluster_labels', 'plugin.unknown-key'],
      ['maxout_stand_messages', 'plugin.unknown-key'],
    ]);
    expect(problems[0].message).toContain('the plugin ignores unknown keys, so it would do nothing');
    expect(problems[1].message).toContain('did you mean "max_outstanding_messages"?');
  });

  test("AKS's snake_case max_event_size: the struct key is camelCase maxEventSize", () => {
    const problems = validatePluginInitConfig('k8saudit-aks', '0.6.0', {
      event_hub_namespace_connection_string: '${EH}',
      event_hub_name: 'h',
      blob_storage_connection_string: '${BLOB}',
      blob_storage_container_name: 'c',
      max_event_size: 1048576,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'max_event_size',
        rule: 'plugin.unknown-key',
        message: expect.stringContaining('did you mean "maxEventSize"?'),
      }),
    ]);
  });

  test('EKS max_event_size before 0.10.1, when the struct did not have it', () => {
    expect(rules(validatePluginInitConfig('k8saudit-eks', '0.10.0', { max_event_size: 1 }))).toEqual(['plugin.unknown-key']);
    expect(validatePluginInitConfig('k8saudit-eks', '0.10.1', { max_event_size: 1 })).toEqual([]);
  });

  test('wrong JSON types: a duration string for shift, a negative unsigned, a string boolean', () => {
    const problems = validatePluginInitConfig('k8saudit-eks', '0.12.0', { shift: '10s', buffer_size: -1, use_async: 'false' });
    expect(problems.map((p) => `${p.path}: ${p.rule}`)).toEqual(['buffer_size: schema.range', 'shift: schema.type', 'use_async: schema.type']);
  });

  test('a key the plugin cannot start without', () => {
    const problems = validatePluginInitConfig('k8saudit-gke', '0.9.0', { use_async: false });
    expect(problems).toEqual([
      expect.objectContaining({ path: 'project_id', rule: 'schema.required', message: expect.stringContaining('ErrEmptyProjectID') }),
    ]);
    expect(rules(validatePluginInitConfig('k8saudit-gke', '0.9.0', { project_id: '' }))).toEqual(['schema.length']);
  });

  test('a literal connection string is refused, and not echoed', () => {
    const secret = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0';
    const problems = validatePluginInitConfig('k8saudit-aks', '0.6.0', {
      event_hub_namespace_connection_string: secret,
      event_hub_name: 'h',
      blob_storage_connection_string: '${BLOB}',
      blob_storage_container_name: 'c',
    });
    expect(rules(problems)).toEqual(['secret.literal']);
    expect(JSON.stringify(problems)).not.toContain('c2VjcmV0');
  });

  test('the env vars the connection strings come from, for the Falco side to set from the Secret', () => {
    expect(
      pluginEnvReferences({
        event_hub_namespace_connection_string: '${EH_CONN}',
        event_hub_name: 'h',
        blob_storage_connection_string: '${BLOB_CONN}',
      }),
    ).toEqual({
      event_hub_namespace_connection_string: 'EH_CONN',
      blob_storage_connection_string: 'BLOB_CONN',
    });
  });

  test('an unknown or unvendored release', () => {
    expect(validatePluginInitConfig('k8saudit-eks', '0.3.0', {})[0]).toMatchObject({
      rule: 'plugin.unknown-release',
      message: expect.stringContaining('has no release "0.3.0"'),
    });
    expect(validatePluginInitConfig('k8saudit-gke', '0.10.0', {})[0].message).toContain('newer than the vendored 0.9.0');
  });

  test('not a mapping', () => {
    expect(rules(validatePluginInitConfig('k8saudit-eks', '0.12.0', 'region: x'))).toEqual(['plugin.init-config']);
    expect(rules(validatePluginInitConfig('k8saudit-eks', '0.12.0', ['x']))).toEqual(['schema.type']);
  });
});

describe('open_params', () => {
  test('valid', () => {
    expect(validatePluginOpenParams('k8saudit-eks', '0.12.0', 'prod-eu_1')).toEqual([]);
    expect(validatePluginOpenParams('k8saudit-gke', '0.9.0', 'falco-gke-audit-sub')).toEqual([]);
    expect(validatePluginOpenParams('k8saudit-aks', '0.6.0', '')).toEqual([]);
  });

  test.each([
    ['k8saudit-eks', '', "cluster name can't be empty"],
    ['k8saudit-eks', '-bad', 'starting with an alphanumeric'],
    ['k8saudit-gke', '', 'must not be empty'],
    ['k8saudit-gke', 'file://test/pods_create.json', 'a test mode'],
    ['k8saudit-gke', 'projects/p/subscriptions/s', 'a letter, then letters'],
    ['k8saudit-gke', 'goog-sub', 'must not start with "goog"'],
  ] as const)('%s %j', (plugin, value, message) => {
    expect(validatePluginOpenParams(plugin, plugin === 'k8saudit-eks' ? '0.12.0' : '0.9.0', value)[0].message).toContain(message);
  });
});

describe('plugin API: sdk 0.8.3 builds need 3.11 (Falco 0.41.3+)', () => {
  test.each([
    ['k8saudit-eks', '0.9.0', '3.0.0'],
    ['k8saudit-eks', '0.10.0', '3.11.0'],
    ['k8saudit-eks', '0.1.0', '2.0.0'],
    ['k8saudit-gke', '0.6.0', '3.0.0'],
    ['k8saudit-gke', '0.7.0', '3.11.0'],
    ['k8saudit-aks', '0.3.0', '3.0.0'],
    ['k8saudit-aks', '0.4.0', '3.11.0'],
  ] as const)('%s %s needs %s', (plugin, version, api) => {
    expect(managedPluginApi(plugin, version)).toBe(api);
  });

  test('a framework too old, or of another major, is refused', () => {
    expect(pluginApiViolations('k8saudit-eks', '0.12.0', '3.11.0')).toEqual([]);
    expect(pluginApiViolations('k8saudit-eks', '0.9.0', '3.2.0')).toEqual([]);
    expect(pluginApiViolations('k8saudit-eks', '0.12.0', '3.10.0')[0].message).toMatch(/needs plugin API 3\.11\.0 .* provides 3\.10\.0/);
    expect(rules(pluginApiViolations('k8saudit-eks', '0.1.0', '3.12.0'))).toEqual(['plugin.api']);
  });
});
