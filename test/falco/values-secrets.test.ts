import { generateKeyPairSync } from 'crypto';
import { CHART_9_DEFAULTS } from '../../lib/falco/chart-9.1.0-values';
import { checkChartValues } from '../../lib/falco/chart-values';
import { STABLE_CHART_DEFAULTS } from '../../lib/falco/stable-falco-1.1.1-values';
import { checkFalcoValues } from '../../lib/falco/values';
import { chartUrlUse, chartValuesSecrets, stableUrlUse, stableValuesSecrets } from '../../lib/falco/values-secrets';
import { UserError } from '../../lib/core/errors';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_LINE = KEY.split('\n')[1];

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

/** Every leaf of a defaults tree: its path (`*` for list items) and value. */
function leaves(value: unknown, path: string[] = []): [string[], unknown][] {
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, [...path, '*']));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [[path, value]];
}

describe('the URL fields are listed explicitly, from the charts', () => {
  /** A key named like a URL, a proxy or a webhook, or a default that is a URL: each is a URL field, or no URL for a reason. */
  const urlLike = ([path, value]: [string[], unknown]) =>
    /url|proxy|webhook/i.test(path[path.length - 1]) || (typeof value === 'string' && value.includes('://'));

  test('stable/falco 1.1.1: every URL-like key of values.yaml is a URL field or named here as none', () => {
    const notUrls: Record<string, string> = {
      'proxy.noProxy': 'a list of hosts (no_proxy), no URL',
      'integrations.gcscc.webhookAuthenticationToken': 'a token: refused as a literal secret (SECRET_VALUES)',
    };
    const fields = leaves(STABLE_CHART_DEFAULTS)
      .filter(urlLike)
      .map(([p]) => p.join('.'))
      .filter((p) => !(p in notUrls));
    expect(fields.map((p) => [p, stableUrlUse(p.split('.'))])).toEqual([
      ['proxy.httpProxy', 'url'],
      ['proxy.httpsProxy', 'url'],
      ['falco.httpOutput.url', 'url'],
      ['integrations.gcscc.webhookUrl', 'url'],
      ['integrations.natsOutput.natsUrl', 'url'],
    ]);
    expect(stableUrlUse(['falco', 'programOutput', 'program'])).toBe('command');
    expect(stableUrlUse(['daemonset', 'env', 'HTTPS_PROXY'])).toBe('url');
    expect(stableUrlUse(['daemonset', 'env', 'TZ'])).toBeUndefined();
  });

  test('falcosecurity/falco 9.1.0: every URL-like key of values.yaml is a URL field, and the env variables that hold URLs', () => {
    const fields = leaves(CHART_9_DEFAULTS)
      .filter(urlLike)
      .map(([p]) => p.map((k) => (k === '*' ? '0' : k)));
    expect(fields.map((p) => [p.join('.'), chartUrlUse(CHART_9_DEFAULTS, p)])).toEqual([
      ['falcoctl.config.indexes.0.url', 'url'],
      ['falcoctl.config.artifact.follow.falcoversions', 'url'],
      ['falco.http_output.url', 'url'],
      ['falco.program_output.program', 'command'],
    ]);
    expect(chartUrlUse({}, ['falcoctl', 'config', 'registry', 'auth', 'oauth', 0, 'tokenURL'])).toBe('url');
    expect(chartUrlUse({}, ['falcoctl', 'config', 'driver', 'repos', 0])).toBe('url');
    const env = (name: string) => ({ extra: { env: [{ name, value: 'x' }] } });
    expect(chartUrlUse(env('http_proxy'), ['extra', 'env', 0, 'value'])).toBe('url');
    expect(chartUrlUse(env('ALL_PROXY'), ['extra', 'env', 0, 'value'])).toBe('url');
    expect(chartUrlUse(env('FALCOCTL_INDEXES'), ['extra', 'env', 0, 'value'])).toBe('url-list');
    expect(chartUrlUse(env('NO_PROXY'), ['extra', 'env', 0, 'value'])).toBeUndefined();
    expect(chartUrlUse(env('http_proxy'), ['extra', 'env', 0, 'name'])).toBeUndefined();
  });
});

describe('the library refuses them too (values given as objects)', () => {
  test('falcosecurity/falco: a key in an annotation, before any other problem of the values', () => {
    const e = errorOf(() => checkChartValues({ podAnnotations: { a: KEY }, unknownKey: 1 }));
    expect(e.message).toMatch(/^podAnnotations\.a: refused: this value holds a private key \(a PEM "PRIVATE KEY" block\): the values are rendered/);
    expect(e.message).not.toContain(KEY_LINE);
  });

  test('stable/falco: a key in customRules, a scheme-less proxy URL with a password (without a file: in the order of the keys)', () => {
    const e = errorOf(() =>
      checkFalcoValues({ customRules: { 'r.yaml': `- list: x\n  items: []\n${KEY}` }, proxy: { httpProxy: 'u:pw@proxy:3128' } }),
    );
    expect(e.message).toBe(
      [
        'the values have 2 problems:',
        `  - customRules.r.yaml: ${stableValuesSecrets({ customRules: { 'r.yaml': `- list: x\n  items: []\n${KEY}` } })[0].message}`,
        "  - proxy.httpProxy: refused: this URL carries a password before its '@', which would be written into the pod's http_proxy environment variable in the DaemonSet in the output, which is meant for Git; use a proxy that admits the cluster's nodes or pods without credentials in the URL (by source address)",
      ].join('\n'),
    );
  });

  test("falcoctl's settings: the chart's own refusals of certs.* keep their message; the skipped secret keys too", () => {
    expect(chartValuesSecrets({ certs: { server: { key: KEY } } })).toEqual([]);
    expect(stableValuesSecrets({ integrations: { pubsubOutput: { credentialsData: KEY } } }, ['integrations.pubsubOutput.credentialsData'])).toEqual(
      [],
    );
    expect(errorOf(() => checkChartValues({ certs: { server: { key: KEY } } })).message).toMatch(/certs\.server\.key: holds a certificate or key/);
  });

  test('falcoctl\'s string forms in the file: driver.repos as "<url>;<url>", indexes as "<name>,<url>;..." (never quoted by a type error)', () => {
    const values = { falcoctl: { config: { driver: { repos: 'https://a:Dr1ver@x;https://y' }, indexes: 'corp,https://c:Ind3x@i/index.yaml' } } };
    expect(chartValuesSecrets(values).map((p) => p.path.join('.'))).toEqual(['falcoctl.config.driver.repos', 'falcoctl.config.indexes']);
    const e = errorOf(() => checkChartValues(values));
    expect(e.message).toMatch(/falcoctl\.config\.indexes: refused: this URL carries a password before its '@'.*FALCOCTL_INDEXES/);
    expect(e.message).not.toMatch(/Dr1ver|Ind3x|expected a list/);
  });

  test('a list where a URL belongs: its items are checked before the type error could quote them', () => {
    const e = errorOf(() => checkFalcoValues({ proxy: { httpProxy: ['u:Pr0xy@proxy:3128'] } }));
    expect(e.message).toMatch(/^proxy\.httpProxy\[0\]: refused: this URL carries a password/);
    expect(e.message).not.toContain('Pr0xy');
  });

  test('one problem per key: a key in a registry password is reported once', () => {
    const found = chartValuesSecrets({ falcoctl: { config: { registry: { auth: { basic: [{ registry: 'r', user: 'u', password: KEY }] } } } } });
    expect(found.map((p) => p.path.join('.'))).toEqual(['falcoctl.config.registry.auth.basic.0.password']);
  });
});
