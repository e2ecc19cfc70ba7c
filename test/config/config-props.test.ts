import * as path from 'path';
import * as ts from 'typescript';
import { configField } from '../../lib/app/run-app';

/**
 * Each option is declared once, as a prop; the config file offers it under the same name or under the name the app's
 * one rename table (RENAMED_PROPS, seen through configField) gives it. This reads the props interfaces with the
 * TypeScript compiler (inherited members included) and the config's JSON schema, and checks both ways: every prop has
 * its config key, and every config key sets a prop. A new backend option added to AuditWebhookOptions but not to
 * schemas/src/falco-audit-config.json (or the reverse) fails here.
 */
const ROOT = path.join(__dirname, '..', '..');
const schema = require(path.join(ROOT, 'schemas', 'src', 'falco-audit-config.json'));

const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], { strict: true, noEmit: true });
const checker = program.getTypeChecker();
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!)!);

/** The property names of an exported interface, its inherited ones included. */
function propsOf(name: string): string[] {
  const symbol = exported.find((s) => s.name === name);
  if (!symbol) throw new Error(`${name} is not exported from lib/index.ts`);
  const type = checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  return checker
    .getPropertiesOfType(type)
    .map((p) => p.name)
    .sort();
}

/** The keys the config schema allows at a dotted path of a cluster (`audit.webhook`). */
function configKeys(dotted: string): string[] {
  let node = schema.definitions.cluster;
  for (const key of dotted ? dotted.split('.') : []) node = node.properties[key];
  return Object.keys(node.properties).sort();
}

/** The config keys (first segment under `configSection`) that the props of `prefix` map to. */
function mappedKeys(props: string[], prefix: string, configSection: string): string[] {
  return [
    ...new Set(
      props.map((p) => {
        const field = configField(prefix ? `${prefix}.${p}` : p);
        const under = configSection ? field.slice(configSection.length + 1) : field;
        if (configSection && !field.startsWith(`${configSection}.`)) throw new Error(`${prefix}.${p} maps to ${field}, outside ${configSection}`);
        return under.split('.')[0];
      }),
    ),
  ].sort();
}

test.each([
  ['FalcoAuditWebhookOptions', 'webhook', 'audit.webhook'],
  ['FalcoAuditSinkOptions', 'auditSink', 'audit.auditSink'],
  ['FalcoAuditFalcoOptions', 'falco', 'falco'],
  ['K8sAuditOptions', 'falco.k8sAudit', 'falco.k8sAudit'],
  ['AuditLogOptions', 'webhook.auditLog', ''],
])('every prop of %s is a config key of its section, and every key there sets a prop', (iface, prefix, section) => {
  // AuditLogOptions is a oneOf branch (false, or the mapping) in the schema
  const keys =
    section === ''
      ? Object.keys(schema.definitions.cluster.properties.audit.properties.webhook.properties.auditLog.oneOf[1].properties).sort()
      : configKeys(section);
  const mapped = section === '' ? propsOf(iface) : mappedKeys(propsOf(iface), prefix, section);
  expect(mapped).toEqual(keys);
});

test("FalcoAuditProps: each prop is a config key (the sections apart: they are checked above), and the cluster's keys all set props", () => {
  const props = propsOf('FalcoAuditProps');
  const fields = props.map((p) => configField(p));
  // every prop names a key of the config schema
  for (const field of fields) {
    const [head, ...rest] = field.split('.');
    expect(configKeys('')).toContain(head);
    if (rest.length > 0) expect(configKeys(head)).toContain(rest[0]);
  }
  // and every key of the cluster's mapping is a prop's (name only names a fleet's output folder); the control plane's
  // settings (ControlPlane.of) are keys of apiServer
  const controlPlane = propsOf('ControlPlaneSettings').map((p) => configField(`controlPlane.${p}`));
  for (const field of controlPlane) expect(field).toMatch(/^apiServer\.\w+$/);
  const reached = new Set([...fields, ...controlPlane].flatMap((f) => [f, f.split('.')[0]]));
  const unreached = [
    ...configKeys('').map((k) => k),
    ...configKeys('apiServer').map((k) => `apiServer.${k}`),
    ...configKeys('audit').map((k) => `audit.${k}`),
  ]
    .filter((k) => !reached.has(k))
    .filter((k) => !['apiServer', 'audit'].includes(k));
  expect(unreached).toEqual(['name']);
});

test('FalcoctlOptions: the config offers image and refs; indexes only through a falcosecurity/falco values file (falcoctl.config.indexes)', () => {
  expect(propsOf('FalcoctlOptions')).toEqual(['image', 'indexes', 'refs']);
  expect(configKeys('falco.falcoctl')).toEqual(['image', 'refs']);
});
