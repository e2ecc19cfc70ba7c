#!/usr/bin/env node
/*
 * Generates imports/auditregistration.k8s.io.ts, the typed AuditSink class, offline.
 *
 * `cdk8s import k8s` downloads its schema, and AuditSink is gone from every schema after 1.18. CRD
 * imports read local files, so this wraps the AuditSink definition of the local 1.18 schema in a
 * CRD-shaped document and runs `cdk8s import` on it.
 *
 * Usage: npm run gen:imports [-- path/to/v1.18.0.json]   (default: ../shared/k8s-schemas/v1.18.0.json)
 * Never edit imports/ by hand; re-run this instead.
 */
'use strict';
const { requireInput } = require('./require-input');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const yaml = require('js-yaml');

const root = path.resolve(__dirname, '..');
const schemaFile = path.resolve(process.argv[2] || path.join(root, '..', 'shared', 'k8s-schemas', 'v1.18.0.json'));
requireInput('gen-imports', schemaFile, 'the Kubernetes 1.18 OpenAPI schema (k8s-schemas/v1.18.0.json)');
const PREFIX = 'io.k8s.api.auditregistration.v1alpha1.';

const doc = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
const definitions = doc.definitions || doc;

/** Inlines every $ref (a CRD schema may not use them) and keeps only structural keywords. */
function inline(schema) {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    return inline({ ...definitions[name], description: schema.description || definitions[name].description });
  }
  const out = {};
  if (schema.description) out.description = schema.description;
  if (schema.type) out.type = schema.type;
  if (schema.format && schema.format !== 'byte') out.format = schema.format;
  if (schema.enum) out.enum = schema.enum;
  if (schema.required) out.required = schema.required;
  if (schema.properties) {
    out.properties = {};
    for (const key of Object.keys(schema.properties).sort()) out.properties[key] = inline(schema.properties[key]);
  }
  if (schema.items) out.items = inline(schema.items);
  return out;
}

const auditSink = definitions[`${PREFIX}AuditSink`];
if (!auditSink) throw new Error(`${schemaFile} has no ${PREFIX}AuditSink definition`);

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'auditsinks.auditregistration.k8s.io' },
  spec: {
    group: 'auditregistration.k8s.io',
    scope: 'Cluster',
    names: { kind: 'AuditSink', plural: 'auditsinks', singular: 'auditsink', listKind: 'AuditSinkList' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            description: auditSink.description,
            type: 'object',
            properties: { spec: inline(auditSink.properties.spec) },
          },
        },
      },
    ],
  },
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-imports-'));
const crdFile = path.join(work, 'auditsink-crd.yaml');
fs.writeFileSync(crdFile, yaml.dump(crd, { noRefs: true, lineWidth: -1 }));
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
execFileSync(cli, ['import', crdFile, '--language', 'typescript', '--output', path.join(root, 'imports'), '--no-save', '--no-check-upgrade'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
});
fs.rmSync(work, { recursive: true, force: true });
console.log(`generated imports/ from ${path.relative(root, schemaFile)}`);
