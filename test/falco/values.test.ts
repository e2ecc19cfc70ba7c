import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { checkFalcoValues, FALCO_CHART_DEFAULTS, FALCO_VALUES_SCHEMA, loadFalcoValues, resolveFalcoValues, SECRET_VALUES } from '../../lib/falco';
import { urlCredentials } from '../../lib/falco/values';
import { CHART_VERSION } from '../../lib/falco/chart-names';
import { STABLE_CHART_VERSION } from '../../lib/falco/stable-falco-1.1.1-values';
import { fixture } from './helpers';
import { errorOf } from '../errors';

function tmpValues(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-values-'));
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** The interfaces a file of lib/falco/ declares, by name, parsed with the TypeScript compiler API. */
function interfacesOf(name: string): Map<string, ts.InterfaceDeclaration> {
  const file = path.join(__dirname, '../../lib/falco', name);
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  return interfaces;
}

describe('chart 1.1.1 defaults', () => {
  test('resolve to the chart defaults when nothing is given', () => {
    expect(resolveFalcoValues({})).toEqual(FALCO_CHART_DEFAULTS);
    expect(FALCO_CHART_DEFAULTS.image.tag).toBe('0.19.0');
    expect(FALCO_CHART_DEFAULTS.falco.webserver).toEqual({
      enabled: true,
      listenPort: 8765,
      k8sAuditEndpoint: '/k8s-audit',
      sslEnabled: false,
      sslCertificate: '/etc/falco/falco.pem',
    });
  });

  test('every leaf of the defaults is in the schema, and every schema key has a default', () => {
    const leaves: string[] = [];
    const walk = (o: any, p: string[]) => {
      for (const [k, v] of Object.entries(o)) {
        const key = [...p, k].join('.');
        leaves.push(key);
        if (FALCO_VALUES_SCHEMA[key] === 'section') walk(v, [...p, k]);
      }
    };
    walk(FALCO_CHART_DEFAULTS, []);
    expect(leaves.sort()).toEqual(Object.keys(FALCO_VALUES_SCHEMA).sort());
  });

  test('the defaults pass their own schema', () => {
    expect(() => checkFalcoValues(JSON.parse(JSON.stringify(FALCO_CHART_DEFAULTS)))).not.toThrow();
  });
});

describe('one source for the chart 1.1.1 values', () => {
  const SHARED_CHART = path.resolve(__dirname, '../../../shared/reference/charts/stable-falco-1.1.1');
  const shared = fs.existsSync(SHARED_CHART);
  (shared ? test : test.skip)(
    shared
      ? 'lib/falco/stable-falco-1.1.1-values.ts is what scripts/gen-chart-values.js makes from ../shared'
      : `lib/falco/stable-falco-1.1.1-values.ts is not compared with a fresh generation: ${SHARED_CHART} is missing`,
    () => {
      const { generateStable } = require('../../scripts/gen-chart-values.js');
      expect(fs.readFileSync(path.join(__dirname, '../../lib/falco/stable-falco-1.1.1-values.ts'), 'utf8')).toBe(generateStable(SHARED_CHART));
    },
  );

  test('the vendored values are the chart version the legacy shape labels its objects with', () => {
    expect(STABLE_CHART_VERSION).toBe(CHART_VERSION);
  });

  /**
   * The keys of FalcoChartValues and the interfaces it names, read from values.ts with the TypeScript compiler API:
   * dotted path -> the property's type as written (a section: `section`).
   */
  function interfaceKeys(): Record<string, string> {
    const interfaces = interfacesOf('values.ts');
    const out: Record<string, string> = {};
    const walk = (members: ts.NodeArray<ts.TypeElement>, prefix: string) => {
      for (const member of members) {
        if (!ts.isPropertySignature(member) || !member.type) throw new Error(`${prefix}: not a property: ${member.getText()}`);
        const key = prefix + (member.name as ts.Identifier).text;
        const named = ts.isTypeReferenceNode(member.type) ? interfaces.get(member.type.typeName.getText()) : undefined;
        out[key] = named ? 'section' : member.type.getText();
        if (named) walk(named.members, `${key}.`);
      }
    };
    walk(interfaces.get('FalcoChartValues')!.members, '');
    return out;
  }

  /** The TypeScript type a key of each schema type is written with. */
  const TS_TYPES: Record<string, string[]> = {
    section: ['section'],
    string: ['string'],
    'nullable-string': ['string'],
    boolean: ['boolean'],
    integer: ['number'],
    port: ['number'],
    number: ['number'],
    'string-list': ['string[]'],
    'string-map': ['Record<string, string>'],
    'scalar-map': ['Record<string, string | number | boolean>'],
    object: ['Record<string, unknown>'],
    'object-list': ['Record<string, unknown>[]'],
  };

  test('the documented interfaces (FalcoChartValues and the ones it names) have exactly the keys of the schema, each typed as the schema says', () => {
    const keys = interfaceKeys();
    expect(Object.keys(keys).sort()).toEqual(Object.keys(FALCO_VALUES_SCHEMA).sort());
    const mistyped = Object.entries(keys).filter(([k, t]) => !TS_TYPES[FALCO_VALUES_SCHEMA[k]]?.includes(t));
    expect(mistyped.map(([k, t]) => `${k}: ${t} for ${FALCO_VALUES_SCHEMA[k]}`)).toEqual([]);
  });
});

describe('the values interfaces are ready for jsii (Python, Go and Java cdk8s apps; issue 11)', () => {
  /** The names lib/index.ts exports. */
  const indexSource = ts.createSourceFile(
    'index.ts',
    fs.readFileSync(path.join(__dirname, '../../lib/index.ts'), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const exported = new Set(
    indexSource.statements.flatMap((st) =>
      ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements.map((e) => e.name.text) : [],
    ),
  );

  /** What jsii refuses in a member: an inline object type, a readonly array, null, an index signature it is not told to ignore. */
  function jsiiProblems(member: ts.TypeElement): string[] {
    const problems: string[] = [];
    if (ts.isIndexSignatureDeclaration(member)) {
      const ignored = ts.getJSDocTags(member).some((t) => t.tagName.text === 'jsii' && String(t.comment).trim() === 'ignore');
      return ignored ? [] : ['an index signature without @jsii ignore'];
    }
    const visit = (node: ts.Node) => {
      if (ts.isTypeLiteralNode(node)) problems.push('an inline object type');
      else if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) problems.push('a readonly array');
      else if (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword) problems.push('null');
      node.forEachChild(visit);
    };
    if (ts.isPropertySignature(member) && member.type) visit(member.type);
    return problems;
  }

  test.each([
    ['values.ts', 'FalcoChartValues'],
    ['chart-values.ts', 'FalcosecurityChartValues'],
  ])('%s: %s and every interface it reaches are exported by lib/index.ts and have nothing jsii refuses', (file, root) => {
    const interfaces = interfacesOf(file);
    const reached = new Set<string>();
    const reach = (name: string) => {
      if (reached.has(name)) return;
      reached.add(name);
      interfaces.get(name)!.forEachChild(function refs(node: ts.Node): void {
        if (ts.isTypeReferenceNode(node) && interfaces.has(node.typeName.getText())) reach(node.typeName.getText());
        node.forEachChild(refs);
      });
    };
    reach(root);
    expect(reached.size).toBeGreaterThan(5);
    expect([...reached].filter((name) => !exported.has(name))).toEqual([]);
    const problems = [...reached].flatMap((name) =>
      interfaces.get(name)!.members.flatMap((m) => jsiiProblems(m).map((p) => `${name}.${m.name?.getText() ?? '[index]'}: ${p}`)),
    );
    expect(problems).toEqual([]);
  });
});

describe('merging like Helm', () => {
  test('mappings merge key by key, lists replace, null keeps the default', () => {
    const v = resolveFalcoValues({
      resources: { limits: { cpu: '500m' } },
      falco: { rulesFile: ['/etc/falco/rules.d'], webserver: { listenPort: 9000 }, jsonOutput: null as any },
      tolerations: [],
    });
    expect(v.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1024Mi' } });
    expect(v.falco.rulesFile).toEqual(['/etc/falco/rules.d']);
    expect(v.falco.webserver.listenPort).toBe(9000);
    expect(v.falco.webserver.k8sAuditEndpoint).toBe('/k8s-audit');
    expect(v.falco.jsonOutput).toBe(false);
    expect(v.tolerations).toEqual([]);
  });

  test('the defaults are not changed by a merge', () => {
    resolveFalcoValues({ customRules: { 'a.yaml': 'x' }, nodeSelector: { a: 'b' } });
    expect(FALCO_CHART_DEFAULTS.customRules).toEqual({});
    expect(FALCO_CHART_DEFAULTS.nodeSelector).toEqual({});
  });
});

describe('loadFalcoValues', () => {
  test('reads every realistic fixture', () => {
    for (const f of [
      'ebpf.yaml',
      'custom-rules.yaml',
      'json-http-output.yaml',
      'integrations.yaml',
      'renamed-release.yaml',
      'plugin.yaml',
      'gcscc.yaml',
    ]) {
      expect(() => loadFalcoValues(fixture(f))).not.toThrow();
    }
    expect(loadFalcoValues(fixture('ebpf.yaml')).ebpf?.enabled).toBe(true);
  });

  test('an unknown key names its path, file, line and a suggestion', () => {
    const e = errorOf(() => loadFalcoValues(fixture('bad-key.yaml')));
    expect(e.location).toEqual({ file: fixture('bad-key.yaml'), field: 'falco.webserver.listen_port', line: 7 });
    expect(e.message).toBe(
      `${fixture('bad-key.yaml')}:7: falco.webserver.listen_port: unknown key "falco.webserver.listen_port" for the stable/falco 1.1.x values; ` +
        'did you mean "falco.webserver.listenPort"?; known keys here: enabled, listenPort, k8sAuditEndpoint, sslEnabled, sslCertificate',
    );
  });

  test('a mistyped value names its path, file, line and the expected type', () => {
    const e = errorOf(() => loadFalcoValues(fixture('bad-type.yaml')));
    expect(e.message).toBe(
      `${fixture('bad-type.yaml')}:4: falco.webserver.listenPort: expected a port number (an integer from 1 to 65535), got the string "8765"`,
    );
  });

  test('a bad list item is located at the item', () => {
    const e = errorOf(() => loadFalcoValues(fixture('bad-list-item.yaml')));
    expect(e.message).toBe(`${fixture('bad-list-item.yaml')}:3: extraArgs[1]: expected a string (an item of a list of strings), got number 42`);
  });

  test.each([
    ['rbac:\n  create: "yes"\n', 2, 'rbac.create: expected a boolean (true or false), got the string "yes"'],
    ['falco:\n  syscallEventDrops:\n    rate: fast\n', 3, 'falco.syscallEventDrops.rate: expected a number, got the string "fast"'],
    ['fakeEventGenerator:\n  replicas: 1.5\n', 2, 'fakeEventGenerator.replicas: expected a non-negative integer, got number 1.5'],
    ['nodeSelector:\n  disk: 3\n', 2, 'nodeSelector.disk: expected a string (a value of a mapping of strings to strings), got number 3'],
    [
      'daemonset:\n  env:\n    A: [1]\n',
      3,
      'daemonset.env.A: expected a string, number or boolean (a value of a mapping of names to strings, numbers or booleans), got a list',
    ],
    ['tolerations:\n  - NoSchedule\n', 2, 'tolerations[0]: expected a mapping (an item of a list of mappings), got the string "NoSchedule"'],
    ['image: falcosecurity/falco:0.19.0\n', 1, 'image: expected a mapping, got the string "falcosecurity/falco:0.19.0"'],
    ['falcoo:\n  jsonOutput: true\n', 1, 'unknown key "falcoo" for the stable/falco 1.1.x values; did you mean "falco"?'],
    ['customRules:\n  a.yaml:\n    - rule: x\n', 2, 'customRules.a.yaml: expected a string (a value of a mapping of strings to strings), got a list'],
  ])('%j is refused at line %d', (text, line, message) => {
    const file = tmpValues(text);
    const e = errorOf(() => loadFalcoValues(file));
    expect(e.location.line).toBe(line);
    expect(e.message).toContain(message);
    expect(e.message.startsWith(`${file}:${line}: `)).toBe(true);
  });

  test('a file that is not a mapping is refused', () => {
    const file = tmpValues('- a\n- b\n');
    expect(() => loadFalcoValues(file)).toThrow(/values must be a mapping of chart keys, got a list/);
  });

  test('values given in code are checked too', () => {
    expect(() => resolveFalcoValues({ falco: { webserver: { listenPort: 0 } } })).toThrow(
      'falco.webserver.listenPort: expected a port number (an integer from 1 to 65535), got number 0',
    );
    expect(() => resolveFalcoValues({ nope: true } as any)).toThrow(/unknown key "nope"/);
  });
});

describe('values the chart treats as secrets', () => {
  const CHART_TEMPLATES = path.resolve(__dirname, '../../../shared/reference/charts/stable-falco-1.1.1/templates');
  const testIfChart = fs.existsSync(CHART_TEMPLATES) ? test : test.skip;

  testIfChart("every value the chart puts in its Secret, and gcscc's token (in its ConfigMap), is a secret value here", () => {
    const secret = fs.readFileSync(path.join(CHART_TEMPLATES, 'secret.yaml'), 'utf8');
    const inSecret = [...secret.matchAll(/\.Values\.([\w.]+) \| b64enc/g)].map((m) => m[1]);
    expect(inSecret.length).toBe(4);
    const configMap = fs.readFileSync(path.join(CHART_TEMPLATES, 'configmap.yaml'), 'utf8');
    expect(configMap).toContain("'Authorization: {{ .Values.integrations.gcscc.webhookAuthenticationToken }}'");
    expect(Object.keys(SECRET_VALUES).sort()).toEqual([...inSecret, 'integrations.gcscc.webhookAuthenticationToken'].sort());
  });

  test.each(Object.keys(SECRET_VALUES))(
    'a literal %s is refused at its line, naming the Secret key and existingSecret, never the value',
    (dotted) => {
      const [, section, key] = dotted.split('.');
      const file = tmpValues(`integrations:\n  ${section}:\n    ${key}: s3cr3t-VALUE\n`);
      const e = errorOf(() => loadFalcoValues(file));
      expect(e.location).toEqual({ file, field: dotted, line: 3 });
      expect(e.message).toContain(`: ${dotted}: refused: a literal `);
      expect(e.message).toContain(`with the key ${SECRET_VALUES[dotted].key} `);
      expect(e.message).toContain(`name it in integrations.${section}.existingSecret`);
      expect(e.message).not.toContain('s3cr3t');
      // in code too, without a file
      expect(() => resolveFalcoValues({ integrations: { [section]: { [key]: 's3cr3t-VALUE' } } } as any)).toThrow(
        new RegExp(`^${dotted.replace(/\./g, '\\.')}: refused`),
      );
    },
  );

  test("empty values and the chart's published gcscc token are no secrets", () => {
    expect(() => checkFalcoValues(JSON.parse(JSON.stringify(FALCO_CHART_DEFAULTS)))).not.toThrow();
    expect(() =>
      checkFalcoValues({
        integrations: { snsOutput: { aws_access_key_id: '', aws_secret_access_key: '' }, pubsubOutput: { credentialsData: '', projectID: '' } },
      }),
    ).not.toThrow();
    expect(FALCO_CHART_DEFAULTS.integrations.gcscc.webhookAuthenticationToken).toBe('b27511f86e911f20b9e0f9c8104b4ec4');
  });

  test('a mistyped secret is described by its kind only', () => {
    expect(() => checkFalcoValues({ integrations: { gcscc: { webhookAuthenticationToken: 4242424242 } } })).toThrow(
      /^integrations\.gcscc\.webhookAuthenticationToken: expected a string, got a number$/,
    );
  });

  test('existingSecret must be a Secret name', () => {
    expect(() => checkFalcoValues({ integrations: { pubsubOutput: { existingSecret: 'GCP Keys' } } })).toThrow(
      /^integrations\.pubsubOutput\.existingSecret: secret name "GCP Keys" /,
    );
    expect(() => checkFalcoValues({ integrations: { pubsubOutput: { existingSecret: 'gcp-pubsub' } } })).not.toThrow();
  });
});

describe('messages bound what they echo', () => {
  test('a whole document that is not a mapping is described by its kind, not its text', () => {
    const file = tmpValues('eyJhbGciOiJSUzI1NiJ9.c2VjcmV0\n');
    expect(() => loadFalcoValues(file)).toThrow(/values must be a mapping of chart keys, got a string of 29 characters$/);
  });

  test('a long string and a long unknown key are cut', () => {
    const long = 'x'.repeat(10_000);
    const e1 = errorOf(() => checkFalcoValues({ rbac: { create: long } } as any));
    expect(e1.message).toBe(`rbac.create: expected a boolean (true or false), got the string "${'x'.repeat(97)}..."`);
    const e2 = errorOf(() => checkFalcoValues({ [long]: 1 }));
    expect(e2.message).toContain(`unknown key "${'x'.repeat(97)}..."`);
    expect(e2.message.length).toBeLessThan(700);
  });

  test('an image tag longer than a Docker tag can be is refused before its text reaches a message', () => {
    const e = errorOf(() => checkFalcoValues({ image: { tag: `0.19.0-${'a'.repeat(5000)}` } }));
    expect(e.message).toMatch(/^image\.tag: an image tag has at most 128 characters, got the string "0\.19\.0-a+\.\.\." \(5007 characters\)$/);
  });
});

describe("credentials in URLs (user info before the '@' of the authority)", () => {
  test('a password, a user alone, none; ${VAR} references are no literal', () => {
    // 'mailto:a:b@h': guessing, libcurl takes a scheme only before ":/" (curl lib/urlapi.c Curl_is_absolute_url): user "mailto" (issue 23)
    for (const url of ['https://a:b@h/x', 'http://user:p@ss@proxy:3128', 'nats://u:pw@nats:4222', ' https://a:b@h', 'mailto:a:b@h'])
      expect({ url, c: urlCredentials(url) }).toEqual({ url, c: 'password' });
    for (const url of ['nats://t0ken@nats:4222', 'https://user@h/']) expect({ url, c: urlCredentials(url) }).toEqual({ url, c: 'user' });
    for (const url of [
      'https://h/x@y',
      'https://h?q=a:b@c',
      'https://h#a:b@c',
      'http://some.url',
      'https://user:@h',
      'https://:${P}@h',
      'https://${U}:${P}@h',
      5,
      undefined,
    ]) {
      expect({ url, c: urlCredentials(url) }).toEqual({ url, c: undefined });
    }
  });
  test('stable/falco values: refused at the key, the URL never shown', () => {
    const e = errorOf(() => checkFalcoValues({ falco: { httpOutput: { url: 'https://alice:Pa55word@hooks.example.com' } } }));
    expect(e.message).toMatch(/^falco\.httpOutput\.url: refused: this URL carries a password before its '@'/);
    expect(e.message).not.toMatch(/Pa55word|alice/);
    expect(() =>
      checkFalcoValues({
        integrations: { natsOutput: { natsUrl: 'nats://nats.nats-io.svc.cluster.local:4222' } },
        proxy: { httpProxy: 'http://p:3128' },
      }),
    ).not.toThrow();
  });
});
