import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { loadYaml } from '../lib/core/yaml';
import { doubleQuoted, editYamlText, NotEditableInPlace, plainIsSafe } from '../lib/core/yaml-edit';
import { lineDiff, linesOf } from './line-diff';

const read = (text: string) => loadYaml(text, { file: 't.yaml', what: 'test document' }).value;
/** Edits `text` so that it reads as `change(copy of what it reads as)`. */
function edit(text: string, change: (doc: any) => void): string {
  const before = read(text);
  const after = JSON.parse(JSON.stringify(before));
  change(after);
  const out = editYamlText(text, before, after);
  expect(read(out)).toEqual(after);
  return out;
}
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('appending to a block list', () => {
  test('keeps comments, blank lines and the list indentation and dash, inserting after the last item', () => {
    const text = lines(
      '# header',
      'spec:',
      '  command:',
      '      -   kube-apiserver   # the binary',
      '',
      '      -   --v=2',
      '  # after the list',
      '  image: x',
    );
    expect(edit(text, (d) => d.spec.command.push('--audit-log-maxage=30', 'yes'))).toBe(
      lines(
        '# header',
        'spec:',
        '  command:',
        '      -   kube-apiserver   # the binary',
        '',
        '      -   --v=2',
        '      -   --audit-log-maxage=30',
        '      -   "yes"',
        '  # after the list',
        '  image: x',
      ),
    );
  });

  test('quotes new items like the last item: double, single, or plain where YAML allows it', () => {
    expect(edit(lines('a:', '- "--x=1"'), (d) => d.a.push('--y=2'))).toBe(lines('a:', '- "--x=1"', '- "--y=2"'));
    expect(edit(lines('a:', "- '--x=1'"), (d) => d.a.push("it's"))).toBe(lines('a:', "- '--x=1'", "- 'it''s'"));
    const plain = edit(lines('a:', '- x'), (d) => d.a.push('on', '1.5', 'a: b', '#c', '-', '', 'http://h:1/p', 'k=v,w', '10.96.0.0/12'));
    expect(plain).toBe(
      lines('a:', '- x', '- "on"', '- "1.5"', '- "a: b"', '- "#c"', '- "-"', '- ""', '- http://h:1/p', '- k=v,w', '- "10.96.0.0/12"'),
    );
  });

  test('mappings as items take the style of the list and of the document', () => {
    const text = lines('spec:', '    volumes:', '      - name: a', '        hostPath:', '            path: /a');
    expect(edit(text, (d) => d.spec.volumes.push({ hostPath: { path: '/b', type: 'DirectoryOrCreate' }, name: 'b' }))).toBe(
      `${text}${lines('      - hostPath:', '            path: /b', '            type: DirectoryOrCreate', '        name: b')}`,
    );
  });

  test('a file without a final line break and with CRLF line endings keeps both', () => {
    expect(edit('a:\n- x', (d) => d.a.push('z'))).toBe('a:\n- x\n- z');
    expect(edit('a:\r\n- x\r\nb: 1\r\n', (d) => d.a.push('z'))).toBe('a:\r\n- x\r\n- z\r\nb: 1\r\n');
  });
});

describe('keys', () => {
  test("new keys go after the last key, a new list in the document's list indentation", () => {
    const indentless = lines('c:', '  name: x', '  ports:', '  - 1', '  image: y   # last');
    expect(edit(indentless, (d) => (d.c.volumeMounts = [{ mountPath: '/m', name: 'm', readOnly: true }]))).toBe(
      `${indentless}${lines('  volumeMounts:', '  - mountPath: /m', '    name: m', '    readOnly: true')}`,
    );
    const indented = lines('c:', '  ports:', '    - 1', '  image: y');
    expect(edit(indented, (d) => (d.c.args = ['--a']))).toBe(`${indented}${lines('  args:', '    - --a')}`);
  });

  test('a null value becomes the list in place', () => {
    expect(edit(lines('s:', '  volumes:', '  x: 1'), (d) => (d.s.volumes = [{ name: 'v' }]))).toBe(
      lines('s:', '  volumes:', '  - name: v', '  x: 1'),
    );
    expect(edit(lines('s:', '  volumes: ~ # none yet'), (d) => (d.s.volumes = ['a']))).toBe(lines('s:', '  volumes:', '  - a # none yet'));
  });

  test('removed keys lose their lines, nothing else', () => {
    const text = lines(
      'metadata:',
      '  annotations:',
      '    keep: 1',
      '    drop: 2',
      '  uid: abc',
      '  refs:',
      '  - a: 1',
      '    b: 2',
      '  name: n',
      'status:',
      '  phase: Running',
    );
    expect(
      edit(text, (d) => {
        delete d.metadata.annotations.drop;
        delete d.metadata.uid;
        delete d.metadata.refs;
        delete d.status;
      }),
    ).toBe(lines('metadata:', '  annotations:', '    keep: 1', '  name: n'));
  });

  test('removed first keys of a list item mapping let the first kept key move up behind the dash', () => {
    const text = lines('items:', '- uid: 1', '  owner:', '    a: 1', '  name: x', '  keep: 2');
    expect(
      edit(text, (d) => {
        delete d.items[0].uid;
        delete d.items[0].owner;
      }),
    ).toBe(lines('items:', '- name: x', '  keep: 2'));
  });

  test('a changed scalar is rewritten in place in its own quoting', () => {
    const text = lines('c:', '- "--feature-gates=A=true"   # gates', "- '--mode=blocking'", '- --v=2', 'n: kube-apiserver-cp-1');
    expect(
      edit(text, (d) => {
        d.c[0] = '--feature-gates=A=true,DynamicAuditing=true';
        d.c[1] = '--mode=batch';
        d.c[2] = '--v=3';
        d.n = 'kube-apiserver';
      }),
    ).toBe(lines('c:', '- "--feature-gates=A=true,DynamicAuditing=true"   # gates', "- '--mode=batch'", '- --v=3', 'n: kube-apiserver'));
  });
});

describe('flow collections and JSON', () => {
  test('a one-line flow list gets items on the same line, quoted where flow needs it', () => {
    expect(edit(lines('command: [kube-apiserver, --v=2]'), (d) => d.command.push('--a=b,c', '--d'))).toBe(
      lines('command: [kube-apiserver, --v=2, "--a=b,c", --d]'),
    );
    expect(edit(lines('m: []'), (d) => d.m.push({ mountPath: '/x', name: 'x' }))).toBe(lines('m: [{mountPath: /x, name: x}]'));
  });

  test.each([2, 4])('JSON indented by %i stays JSON laid out the same', (step) => {
    const doc = { spec: { containers: [{ command: ['kube-apiserver'], name: 'k' }], volumes: [], nodeName: 'n' }, status: { phase: 'x' } };
    const text = `${JSON.stringify(doc, null, step)}\n`;
    const after = JSON.parse(text);
    after.spec.containers[0].command.push('--a');
    after.spec.containers[0].volumeMounts = [{ mountPath: '/m', name: 'm', readOnly: true }];
    after.spec.volumes.push({ hostPath: { path: '/m', type: 'DirectoryOrCreate' }, name: 'm' });
    delete after.spec.nodeName;
    delete after.status;
    expect(editYamlText(text, JSON.parse(text), after)).toBe(`${JSON.stringify(after, null, step)}\n`);
  });

  test('removing the first keys of a JSON object keeps it JSON', () => {
    const text = `${JSON.stringify({ a: 1, b: 2, c: 3, d: 4 }, null, 2)}\n`;
    const after = { c: 3 };
    expect(editYamlText(text, JSON.parse(text), after)).toBe(`${JSON.stringify(after, null, 2)}\n`);
  });
});

describe('what is not edited in place', () => {
  test.each([
    ['an alias where the change goes', lines('x: &c [a]', 'c: *c'), (d: any) => d.c.push('b'), 'c is a YAML alias'],
    ['an anchored node that changes', lines('c: &c [a]', 'x: *c'), (d: any) => d.c.push('b'), 'c has a YAML anchor'],
    ['a merge key in a changed mapping', lines('b: &b {x: 1}', 'c:', '  <<: *b', '  y: 2'), (d: any) => (d.c.z = 3), 'not plain keys'],
    [
      'a block scalar that changes',
      lines('c:', '- |', '  kube-apiserver --v=2'),
      (d: any) => (d.c[0] = 'kube-apiserver --v=3'),
      'c[0] is a block scalar',
    ],
    ['items removed', lines('c:', '- a', '- b'), (d: any) => d.c.pop(), 'items of c would be removed'],
  ])('%s', (_name, text, change, reason) => {
    const before = read(text);
    const after = JSON.parse(JSON.stringify(before));
    change(after);
    expect(() => editYamlText(text, before, after)).toThrow(NotEditableInPlace);
    expect(() => editYamlText(text, before, after)).toThrow(reason);
  });

  test('an unchanged document is returned as it is, aliases and all', () => {
    const text = lines('x: &c [a]', 'c: *c   # same');
    expect(editYamlText(text, read(text), read(text))).toBe(text);
  });
});

describe('plain scalars', () => {
  test.each([
    ['--audit-log-path=/var/log/a.log', true, true],
    ['/etc/kubernetes/audit', true, true],
    ['DirectoryOrCreate', true, true],
    ['exec /usr/local/bin/kube-apiserver --v=2', true, true],
    ['--a=b,c', true, false],
    ['http://10.0.0.1:8765/k8s-audit', true, false],
    ['yes', false, false],
    ['Off', false, false],
    ['~', false, false],
    ['0644', false, false],
    ['1:20', false, false],
    ['.5', false, false],
    ['-1', false, false],
    ['2021-01-01', false, false],
    ['a #b', false, false],
    ['a:', false, false],
    [' a', false, false],
    ['a\u2028b', false, false],
    ['*x', false, false],
    ['- x', false, false],
  ])('%j: plain in block %s, in flow %s', (s, block, flow) => {
    expect([plainIsSafe(s, false), plainIsSafe(s, true)]).toEqual([block, flow]);
  });

  test('double quoting escapes what YAML 1.1 readers would take as a line break', () => {
    expect(doubleQuoted('a\u2028b\u0085"')).toBe('"a\\u2028b\\u0085\\""');
    expect(read(`x: ${doubleQuoted('a\u2028b\u0085"\\\t')}\n`)).toEqual({ x: 'a\u2028b\u0085"\\\t' });
  });
});

describe('on random documents in random layouts', () => {
  const leaf = fc.oneof(
    fc.constantFrom('x', '--a=b', 'yes', '1', '', 'a: b', 'k=v,w', '/p', '#', "it's", 'on'),
    fc.integer({ min: -5, max: 5 }),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
    list: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    map: fc.dictionary(fc.constantFrom('a', 'b', 'name', 'volumes', 'x-y'), tie('node'), { minKeys: 1, maxKeys: 3 }),
  }));
  const docArb = fc.dictionary(fc.constantFrom('spec', 'metadata', 'status', 'k'), value.map, { minKeys: 1, maxKeys: 4 });
  const layout = fc.record({
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    json: fc.boolean(),
    quote: fc.constantFrom<'PLAIN' | 'QUOTE_DOUBLE'>('PLAIN', 'QUOTE_DOUBLE'),
    comments: fc.boolean(),
  });

  /** The lists and mappings of a document, as paths. */
  function containers(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; list: boolean }[] {
    if (v === null || typeof v !== 'object') return [];
    const here = { path, list: Array.isArray(v) };
    const children = Array.isArray(v)
      ? v.flatMap((x, i) => containers(x, [...path, i]))
      : Object.entries(v).flatMap(([k, x]) => containers(x, [...path, k]));
    return [here, ...children];
  }
  const at = (doc: any, path: (string | number)[]) => path.reduce((o, p) => o[p], doc);

  test('appends keep every line of the input and read back as the change', () => {
    fc.assert(
      fc.property(docArb, layout, fc.array(fc.tuple(fc.nat(), leaf, value.map), { minLength: 1, maxLength: 4 }), (doc, l, appends) => {
        let text = l.json
          ? `${JSON.stringify(doc, null, l.indent)}\n`
          : YAML.stringify(doc, { indent: l.indent, indentSeq: l.indentSeq, defaultStringType: l.quote, lineWidth: 0 });
        if (l.comments && !l.json) text = text.replace(/\n(\s*)(- )?([a-z-]+):/g, (m, sp, dash, k) => (dash ? m : `\n${sp}# about ${k}\n${sp}${k}:`));
        const before = read(text);
        const after = JSON.parse(JSON.stringify(before));
        const targets = containers(after);
        for (const [n, item, obj] of appends) {
          const t = targets[n % targets.length];
          const c = at(after, t.path);
          if (t.list) c.push(item);
          else for (const [k, v] of Object.entries(obj)) if (!(k in c)) c[k] = v;
        }
        const out = editYamlText(text, before, after);
        expect(read(out)).toEqual(after);
        // no line of the input is lost (in JSON, the line before an addition gains a comma)
        const noComma = (t: string) => linesOf(t).map((x) => (l.json ? x.replace(/,$/, '') : x));
        expect(lineDiff(noComma(text), noComma(out)).flatMap((h) => h.removed)).toEqual([]);
        expect(editYamlText(out, after, after)).toBe(out);
      }),
      { numRuns: 300, seed: 20250101 },
    );
  });

  test('changed scalars and removed keys read back as the change', () => {
    let edited = 0;
    fc.assert(
      fc.property(docArb, layout, fc.array(fc.tuple(fc.nat(), fc.nat(), leaf), { minLength: 1, maxLength: 4 }), (doc, l, changes) => {
        const text = l.json
          ? `${JSON.stringify(doc, null, l.indent)}\n`
          : YAML.stringify(doc, { indent: l.indent, indentSeq: l.indentSeq, defaultStringType: l.quote, lineWidth: 0 });
        const before = read(text);
        const after = JSON.parse(JSON.stringify(before));
        for (const [n, m, v] of changes) {
          const maps = containers(after).filter((c) => !c.list);
          const c = at(after, maps[n % maps.length].path);
          const keys = Object.keys(c);
          const k = keys[m % keys.length];
          if (m % 3 === 0 && keys.length > 1) delete c[k];
          else if (c[k] === null || typeof c[k] !== 'object') c[k] = v;
        }
        let out: string;
        try {
          out = editYamlText(text, before, after);
        } catch (err) {
          // only a mapping that would lose every key is refused here
          expect(err).toBeInstanceOf(NotEditableInPlace);
          expect((err as NotEditableInPlace).reason).toMatch(/^every key of .* would be removed$/);
          return;
        }
        expect(read(out)).toEqual(after);
        edited++;
      }),
      { numRuns: 300, seed: 20250102 },
    );
    expect(edited).toBeGreaterThan(250);
  });
});
