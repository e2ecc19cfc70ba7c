import { DEFAULT_MAX_BYTES, dumpYaml, loadYaml } from '../lib/core/yaml';

const load = (text: string) => loadYaml(text, { file: 'in.yaml', what: 'manifest' });

describe('loadYaml', () => {
  test('parses one document, YAML or JSON', () => {
    expect(load('a: 1\nb: [x]\n').value).toEqual({ a: 1, b: ['x'] });
    expect(load('{"a": {"b": 2}}').value).toEqual({ a: { b: 2 } });
    expect(load('---\na: 1\n').value).toEqual({ a: 1 });
  });

  test('locates fields by line', () => {
    const doc = load('spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    command:\n    - kube-apiserver\n');
    expect(doc.locate(['spec', 'containers', 1, 'command'])).toEqual({ file: 'in.yaml', field: 'spec.containers[1].command', line: 6 });
    expect(doc.locate(['spec', 'containers', 0, 'image']).line).toBe(4);
    // a missing field points at its nearest existing parent
    expect(doc.locate(['spec', 'containers', 0, 'nope']).line).toBe(3);
  });

  test.each([
    ['malformed YAML with line and column', 'a: 1\nb: [\n', /^in\.yaml:3:1: manifest is not valid YAML: unexpected end of the stream/],
    ['a bad indent', 'a:\n  b: 1\n c: 2\n', /^in\.yaml:3:\d+: manifest is not valid YAML/],
    ['duplicate keys', 'a: 1\nb: 2\na: 3\n', /^in\.yaml:3:\d+: manifest is not valid YAML: duplicated mapping key/],
    ['an empty file', '', /^in\.yaml: manifest is empty$/],
    ['only comments', '# nothing\n', /manifest is empty/],
    ['several documents', 'a: 1\n---\nb: 2\n', /holds 2 YAML documents; expected exactly one/],
    ['a self-referencing alias', 'a: &x [1, *x]\n', /refers to itself|not valid YAML/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => load(text)).toThrow(message);
  });

  test('refuses a billion-laughs alias bomb quickly and in bounded memory', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const start = Date.now();
    expect(() => load(levels.join('\n') + '\n')).toThrow(/expands to more than 200000 nodes through YAML aliases/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  test('refuses input far larger than any real manifest', () => {
    const big = 'a: "' + 'x'.repeat(DEFAULT_MAX_BYTES) + '"\n';
    expect(() => load(big)).toThrow(/larger than 1048576 bytes/);
  });
});

describe('dumpYaml', () => {
  test('keeps key order, writes no anchors, and is byte-stable', () => {
    const shared = { x: 1 };
    const value = { b: shared, a: shared, long: 'y'.repeat(200) };
    const text = dumpYaml(value);
    expect(text).toBe(dumpYaml(JSON.parse(JSON.stringify(value))));
    expect(text.indexOf('b:')).toBeLessThan(text.indexOf('a:'));
    expect(text).not.toMatch(/[&*]ref/);
    expect(text.split('\n').some((l) => l.length > 200)).toBe(true);
  });
});

describe('scalars as Kubernetes reads them', () => {
  test('a leading-zero integer is YAML 1.1 octal, as the kubelet and kubectl read it (0644 is 420)', () => {
    expect(load('mode: 0644\nneg: -010\nplain: 10\nzero: 0\nquoted: "0644"\nexplicit: 0o644\n').value).toEqual({
      mode: 420,
      neg: -8,
      plain: 10,
      zero: 0,
      quoted: '0644',
      explicit: 420,
    });
  });
  test('an unquoted date stays the string it is written as', () => {
    expect(load('since: 2021-01-01\n').value).toEqual({ since: '2021-01-01' });
  });
});
