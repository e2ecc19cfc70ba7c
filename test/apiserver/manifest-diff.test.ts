/**
 * The patched kube-apiserver.yaml is reviewed as a diff against the manifest on the node: for every sample manifest
 * (the fixtures and the examples) and every backend it takes, `diff input output` must show the change the plan lists
 * and nothing else: the skip marker line, one line per flag item added, one changed line per flag rewritten in place,
 * the lines of the mounts and volumes added, and (mirror pod dumps) the lines of the fields the cleanup removes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import * as YAML from 'yaml';
import { ApiServerAuditBackend, ApiServerCommandLine, ApiServerPlan, KubeApiServerManifest, StaticPodManifest } from '../../lib/apiserver';
import { flagItem, FlagChange } from '../../lib/apiserver/flags';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';
import { ARGOCD_SKIP_MARKER } from '../../lib/core/node-file';
import { dumpYaml, YamlPath } from '../../lib/core/yaml';
import { changedLines, Hunk, lineDiff, linesOf } from '../line-diff';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const SAMPLES = [
  ...fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join('test', 'apiserver', 'fixtures', f)),
  ...fs
    .readdirSync(path.join(ROOT, 'examples'))
    .sort()
    .map((d) => path.join('examples', d, 'kube-apiserver.yaml')),
].filter((f) => fs.existsSync(path.join(ROOT, f)));
const SERVER = 'http://10.96.0.50:8765/k8s-audit';

/** Every (sample, backend) the patcher accepts; the hyperkube 1.10 sample is patched as 1.13, as its test does. */
const CASES: [string, 'webhook' | 'dynamic'][] = SAMPLES.flatMap((file) => {
  const version = versionOf(file);
  return version.supportsDynamicAuditing
    ? [
        [file, 'webhook'],
        [file, 'dynamic'],
      ]
    : [[file, 'webhook']];
}) as [string, 'webhook' | 'dynamic'][];

function versionOf(file: string): KubernetesVersion {
  return file.includes('hyperkube-v1.10') ? KubernetesVersion.of('1.13.0') : StaticPodManifest.fromFile(path.join(ROOT, file)).imageVersion();
}

/** Patches `text` (shown as `name`) as the sample `file` is patched. */
function patch(text: string, file: string, backend: 'webhook' | 'dynamic', name = file) {
  const manifest = StaticPodManifest.fromString(text, name);
  const k = new KubeApiServerManifest(Testing.chart(), 'ApiServer', {
    manifest,
    backend: backend === 'dynamic' ? ApiServerAuditBackend.dynamic() : ApiServerAuditBackend.webhook({ server: SERVER }),
    kubernetesVersion: versionOf(file),
  });
  return { manifest, k, text: k.manifestFile.toYaml() };
}

/** The lines a mapping takes in block style: one per key, plus those of nested mappings. */
function blockLines(obj: Record<string, unknown>): number {
  return Object.values(obj).reduce<number>((n, v) => n + 1 + (v !== null && typeof v === 'object' ? blockLines(v as Record<string, unknown>) : 0), 0);
}

const FLAG_LINE = /^\s*-\s+["']?--([^=\s"']+)/;
const itemOf = (line: string): string => (yaml.load(line) as string[])[0];

/** The input lines a field takes in block YAML: its key line and every line under it (an indentless list too). */
function fieldLines(lines: string[], line: number): number[] {
  const indent = (l: string) => l.length - l.trimStart().length;
  const keyIndent = indent(lines[line - 1]);
  const out = [line - 1];
  for (let i = line; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() !== '' && (indent(l) < keyIndent || (indent(l) === keyIndent && !l.trimStart().startsWith('- ')))) break;
    out.push(i);
  }
  return out;
}

/** The field paths of the mirror pod cleanups (`metadata.uid`, `metadata.annotations["k"]`, `status`). */
function cleanupPath(cleanup: string): YamlPath | undefined {
  const m = /^([a-zA-Z.]+)(?:\["(.+)"\])?$/.exec(cleanup);
  return m ? [...m[1].split('.'), ...(m[2] !== undefined ? [m[2]] : [])] : undefined;
}

/** What the plan says the change is: flag items appended, flags rewritten in place, mounts and volumes added. */
function expectedChange(before: ApiServerCommandLine, plan: ApiServerPlan) {
  const flagChanges = [...plan.flagsAdded, ...plan.flagsChanged];
  const inPlace = (f: FlagChange) => before.has(f.flag) && (f.key !== undefined || f.action === 'changed');
  const rewritten = [...new Set(flagChanges.filter(inPlace).map((f) => f.flag))];
  const newItems = flagChanges.filter((f) => !inPlace(f)).map((f) => (f.key !== undefined ? `--${f.flag}=${f.key}=${f.to}` : flagItem(f)));
  const mounts = plan.mountsAdded.map((m) =>
    m.readOnly ? { mountPath: m.mountPath, name: m.name, readOnly: true } : { mountPath: m.mountPath, name: m.name },
  );
  const volumes = plan.volumesAdded.map((v) => ({ hostPath: { path: v.hostPath, type: v.type }, name: v.name }));
  const lines = 1 + newItems.length + 2 * rewritten.length + [...mounts, ...volumes].reduce((n, o) => n + blockLines(o), 0);
  return { flagChanges, rewritten, newItems, mounts, volumes, lines };
}

describe('diff input output shows exactly the change, on every sample manifest', () => {
  test('the samples are there', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(10);
    expect(CASES.length).toBeGreaterThan(SAMPLES.length);
  });

  test.each(CASES)('%s, %s backend', (file, backend) => {
    const input = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const { manifest, k, text } = patch(input, file, backend);
    const plan = k.plan;
    const before = manifest.commandLine;
    const inLines = linesOf(input);
    const hunks = lineDiff(inLines, linesOf(text));

    const { flagChanges, rewritten, newItems, mounts, volumes } = expectedChange(before, plan);
    const removedFields = plan.cleanups.map(cleanupPath).filter((p): p is YamlPath => p !== undefined);
    const renamed = plan.cleanups.some((c) => c.startsWith('the node name suffix of metadata.name'));
    const expectedRemoved = new Set(removedFields.flatMap((p) => fieldLines(inLines, manifest.locate(p).line!)));

    // 1. the marker is the first line, added
    expect(hunks[0]).toEqual({ at: 0, removed: [], added: [ARGOCD_SKIP_MARKER] });
    const rest: Hunk[] = hunks.slice(1);

    // 2. flags: every removed flag line is a flag rewritten in place, next to its new text; added ones are the new items
    const addedItems: string[] = [];
    const rewrittenSeen: string[] = [];
    const structural: unknown[] = [];
    const removedOther: number[] = [];
    const renameLines: string[] = [];
    for (const h of rest) {
      const removedFlags = h.removed.filter((l) => FLAG_LINE.test(l));
      const addedFlags = h.added.filter((l) => FLAG_LINE.test(l));
      for (const l of removedFlags) {
        const name = FLAG_LINE.exec(l)![1];
        expect(rewritten).toContain(name);
        const now = addedFlags.find((a) => FLAG_LINE.exec(a)![1] === name);
        expect(now).toBeDefined();
        // the new text is the old item with the planned values merged in
        for (const f of flagChanges.filter((c) => c.flag === name))
          expect(itemOf(now!)).toContain(f.key !== undefined ? `${f.key}=${f.to}` : `=${f.to}`);
        addedFlags.splice(addedFlags.indexOf(now!), 1);
        rewrittenSeen.push(name);
      }
      addedItems.push(...addedFlags.map(itemOf));
      h.removed.forEach((l, i) => {
        if (!FLAG_LINE.test(l)) removedOther.push(h.at + i);
      });
      // 3. the other added lines are whole list items (mounts, volumes) or the renamed metadata.name
      const others = h.added.filter((l) => !FLAG_LINE.test(l));
      const items = others.filter((l) => {
        if (renamed && /^\s*name: kube-apiserver$/.test(l) && h.removed.some((r) => /^\s*name: kube-apiserver-/.test(r))) {
          renameLines.push(l);
          return false;
        }
        return true;
      });
      if (items.length > 0) {
        const indent = Math.min(...items.map((l) => l.length - l.trimStart().length));
        const parsed = yaml.load(items.map((l) => l.slice(indent)).join('\n'));
        expect(Array.isArray(parsed)).toBe(true);
        structural.push(...(parsed as unknown[]));
      }
    }
    expect(addedItems).toEqual(newItems);
    expect(rewrittenSeen.sort()).toEqual([...rewritten].sort());
    expect(structural).toEqual([...mounts, ...volumes]);

    // 4. nothing else is removed than the cleaned fields' lines (and the renamed name line)
    const renameRemoved = renamed ? inLines.findIndex((l) => /^\s*name: kube-apiserver-/.test(l)) : -1;
    expect(removedOther.filter((i) => i !== renameRemoved)).toEqual([...expectedRemoved].sort((a, b) => a - b));
    expect(renameLines).toHaveLength(renamed ? 1 : 0);

    // 5. changed lines = change lines
    expect(changedLines(hunks)).toBe(expectedChange(before, plan).lines + expectedRemoved.size + (renamed ? 2 : 0));

    // the text is the pod the object model holds, and patching it again changes no byte
    expect(yaml.load(text)).toEqual(k.pod);
    expect(patch(text, file, backend).text).toBe(text);
  });

  test('the 1.28 sample and the default example: a handful of lines instead of a re-serialized file', () => {
    const count = (file: string, backend: 'webhook' | 'dynamic') => {
      const input = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const { k, text } = patch(input, file, backend);
      const rewrittenWhole = `${ARGOCD_SKIP_MARKER}\n${dumpYaml(k.pod)}`;
      return [changedLines(lineDiff(linesOf(input), linesOf(text))), changedLines(lineDiff(linesOf(input), linesOf(rewrittenWhole)))];
    };
    // marker + 5 flags + a 3-line mount + a 4-line volume
    expect(count('test/apiserver/fixtures/23-kubeadm-v1.28.2-audit-devsecaiops.yaml', 'webhook')).toEqual([13, expect.any(Number)]);
    // marker + 3 flags
    expect(count('examples/default/kube-apiserver.yaml', 'dynamic')).toEqual([4, expect.any(Number)]);
    expect(count('test/apiserver/fixtures/23-kubeadm-v1.28.2-audit-devsecaiops.yaml', 'webhook')[1]).toBeGreaterThan(100);
  });
});

describe('the samples in other layouts get the same change, in their layout', () => {
  const layouts: [string, YAML.ToStringOptions, boolean][] = [
    ['4-space indented lists, double quotes', { indent: 4, indentSeq: true, defaultStringType: 'QUOTE_DOUBLE' }, false],
    ['indented lists, CRLF', { indent: 2, indentSeq: true }, true],
    ['3-space, single quotes, CRLF', { indent: 3, indentSeq: false, defaultStringType: 'QUOTE_SINGLE' }, true],
  ];
  const cases = CASES.filter(([file]) => !file.includes('mirror-pod')).flatMap(([file, backend]) =>
    layouts.map(([name, options, crlf]) => [file, backend, name, options, crlf] as const),
  );
  test.each(cases)('%s, %s backend, %s', (file, backend, _name, options, crlf) => {
    const raw = yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    let input = `# a comment that stays\n${YAML.stringify(raw, { ...options, lineWidth: 0 })}`;
    if (crlf) input = input.replace(/\n/g, '\r\n');
    const { manifest, k, text } = patch(input, file, backend, 'layout.yaml');
    const strip = (t: string) => linesOf(t).map((l) => l.replace(/\r$/, ''));
    const hunks = lineDiff(strip(input), strip(text));
    const { rewritten, lines } = expectedChange(manifest.commandLine, k.plan);
    for (const l of hunks.flatMap((h) => h.removed)) expect(rewritten).toContain(FLAG_LINE.exec(l)?.[1]);
    expect(changedLines(hunks)).toBe(lines);
    if (crlf) expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(yaml.load(text)).toEqual(k.pod);
    expect(patch(text, file, backend, 'layout.yaml').text).toBe(text);
  });
});

describe('JSON manifests stay JSON', () => {
  const jsonCases = CASES.filter(([file]) => file.includes('fixtures'));
  test.each(jsonCases)('%s as 2-space JSON, %s backend', (file, backend) => {
    const doc = StaticPodManifest.fromFile(path.join(ROOT, file)).document;
    const raw = yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const input = `${JSON.stringify(raw, null, 2)}\n`;
    const { k, text } = patch(input, file, backend, 'm.json');
    const [marker, ...body] = linesOf(text);
    expect(marker).toBe(ARGOCD_SKIP_MARKER);
    expect(JSON.parse(body.join('\n'))).toEqual(k.pod);
    expect(k.pod.metadata).toEqual(doc.metadata);
    // commas aside (the item before an addition gains one), lines are only added or, for a flag rewritten in
    // place, changed; mirror pod cleanups remove lines
    const rewritten = [...k.plan.flagsChanged, ...k.plan.flagsAdded].filter((f) => f.key !== undefined || f.action === 'changed').map((f) => f.flag);
    const noComma = (lines: string[]) => lines.map((l) => l.replace(/,$/, ''));
    for (const h of lineDiff(noComma(linesOf(input)), noComma(body))) {
      for (const l of h.removed) {
        const flag = /^\s*"--([^="]+)/.exec(l)?.[1];
        const explained = flag !== undefined && rewritten.includes(flag) && h.added.some((a) => a.trimStart().startsWith(`"--${flag}=`));
        expect({ line: l, explained: explained || k.plan.cleanups.length > 0 }).toEqual({ line: l, explained: true });
      }
    }
    expect(patch(text, file, backend, 'again.json').text).toBe(text);
  });

  test('the command line of a JSON manifest reads as before plus the new flags', () => {
    const file = 'test/apiserver/fixtures/10-kubeadm-v1.18.2-danil.yaml';
    const raw = yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8')) as any;
    const { k, text } = patch(`${JSON.stringify(raw, null, 2)}\n`, file, 'dynamic', 'm.json');
    const lines = linesOf(text);
    const last = raw.spec.containers[0].command.length;
    const at = lines.indexOf(`          "${raw.spec.containers[0].command[last - 1]}",`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '          "--audit-dynamic-configuration",',
      '          "--feature-gates=DynamicAuditing=true",',
      '          "--runtime-config=auditregistration.k8s.io/v1alpha1=true"',
    ]);
    expect(ApiServerCommandLine.parse((k.pod as any).spec.containers[0]).get('audit-dynamic-configuration')).toBe('true');
  });
});
