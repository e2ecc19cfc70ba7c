/**
 * Every object Falco emits is valid for the target Kubernetes version: a strict structural check
 * (unknown fields, types, required fields) against the OpenAPI definitions in ../shared/k8s-schemas,
 * the way kubeconform's strict mode treats them. Skips with a message when ../shared is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { synthFalco } from './helpers';

const SCHEMAS = path.resolve(__dirname, '../../../shared/k8s-schemas');
const have = fs.existsSync(path.join(SCHEMAS, 'v1.18.0.json'));
if (!have) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED schema checks of Falco objects: ${SCHEMAS} not found (../shared is missing)`);
}

type Defs = Record<string, any>;
const cache = new Map<number, { defs: Defs; byGvk: Map<string, string> }>();

function schemas(minor: number) {
  let s = cache.get(minor);
  if (!s) {
    const defs: Defs = JSON.parse(fs.readFileSync(path.join(SCHEMAS, `v1.${Math.max(minor, 14)}.0.json`), 'utf8')).definitions;
    const byGvk = new Map<string, string>();
    for (const [name, d] of Object.entries(defs)) {
      for (const g of d['x-kubernetes-group-version-kind'] ?? []) {
        byGvk.set(`${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`, name);
      }
    }
    s = { defs, byGvk };
    cache.set(minor, s);
  }
  return s;
}

function check(defs: Defs, schema: any, value: any, at: string, out: string[]): void {
  if (schema.$ref) {
    check(defs, defs[schema.$ref.replace('#/definitions/', '')], value, at, out);
    return;
  }
  if (schema.oneOf) {
    if (!['string', 'number'].includes(typeof value)) out.push(`${at}: expected int-or-string`);
    return;
  }
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.push(`${at}: expected an object`);
      return;
    }
    for (const req of schema.required ?? []) if (!(req in value)) out.push(`${at}.${req}: required`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties) {
        const p = schema.properties[k];
        if (!p) out.push(`${at}.${k}: unknown field`);
        else check(defs, p, v, `${at}.${k}`, out);
      } else if (schema.additionalProperties) {
        check(defs, schema.additionalProperties, v, `${at}.${k}`, out);
      }
    }
  } else if (type === 'array') {
    if (!Array.isArray(value)) out.push(`${at}: expected an array`);
    else value.forEach((item, i) => check(defs, schema.items, item, `${at}[${i}]`, out));
  } else if (type === 'string') {
    if (typeof value !== 'string') out.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'integer') {
    if (!Number.isInteger(value)) out.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
  } else if (type === 'number') {
    if (typeof value !== 'number') out.push(`${at}: expected a number`);
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
  }
}

function violations(objects: any[], minor: number): string[] {
  const { defs, byGvk } = schemas(minor);
  const out: string[] = [];
  for (const o of objects) {
    const def = byGvk.get(`${o.apiVersion}/${o.kind}`);
    if (!def) {
      out.push(`${o.kind}/${o.metadata.name}: ${o.apiVersion} ${o.kind} is not served by 1.${minor}`);
      continue;
    }
    check(defs, defs[def], o, `${o.kind}/${o.metadata.name}`, out);
  }
  return out;
}

const CASES: [string, any][] = [
  ['chart defaults', {}],
  ['ebpf.yaml', { valuesFile: 'ebpf.yaml' }],
  ['custom-rules.yaml', { valuesFile: 'custom-rules.yaml' }],
  ['json-http-output.yaml', { valuesFile: 'json-http-output.yaml', service: { nodePort: 30765, clusterIP: '10.96.0.10' } }],
  ['integrations.yaml', { valuesFile: 'integrations.yaml' }],
  ['renamed-release.yaml without PSP', { valuesFile: 'renamed-release.yaml', releaseName: 'security', namespace: 'runtime-security' }],
  ['plugin 0.35.1', { values: { image: { tag: '0.35.1' } } }],
  ['plugin.yaml (0.37.1)', { valuesFile: 'plugin.yaml', service: { nodePort: 30007 } }],
];
const MINORS = [13, 16, 18, 19, 22, 25, 30, 35];

(have ? describe : describe.skip)('every emitted object is valid for the target version (strict)', () => {
  test.each(CASES.flatMap(([name, props]) => MINORS.map((m) => [name, m, props] as [string, number, any])))('%s on 1.%d', (name, minor, props) => {
    let s;
    try {
      s = synthFalco({ ...props, k8s: `1.${minor}.0` });
    } catch (e) {
      // The PSP fixture is refused on 1.25+; that refusal is tested in falco.test.ts.
      expect(String(e)).toMatch(/PodSecurityPolicy/);
      expect(minor).toBeGreaterThanOrEqual(25);
      return;
    }
    expect(violations(s.objects, minor)).toEqual([]);
  });

  test('the check catches an unknown field and a removed API version', () => {
    const s = synthFalco({ values: { podSecurityPolicy: { create: true } }, k8s: '1.18' });
    const ds = s.find('DaemonSet');
    ds.spec.template.spec.setHostnameAsFQDN = false;
    expect(violations(s.objects, 18)).toEqual(['DaemonSet/falco.spec.template.spec.setHostnameAsFQDN: unknown field']);
    expect(violations([s.find('PodSecurityPolicy')], 25)).toEqual(['PodSecurityPolicy/falco: policy/v1beta1 PodSecurityPolicy is not served by 1.25']);
  });
});
