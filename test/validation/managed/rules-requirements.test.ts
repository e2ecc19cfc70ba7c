/*
 * Rules and plugins as a pair, decided as Falco decides it (falco_engine.cpp check_plugin_requirements @ 0.44.1):
 * the pins the issue asks for pass, an unsatisfiable pair and a floating ref are caught, and the GKE overlay is the
 * vendored upstream file with its own requirements.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  FALCO_ENGINE_VERSIONS,
  gkeOverlay,
  gkeOverlayFor,
  rulesFileRequirements,
  rulesReleases,
  rulesRequirementViolations,
  rulesRequirementsSatisfied,
} from '../../../lib/validation/managed';

const rules = (vs: { rule: string }[]) => vs.map((v) => v.rule);
const SHARED = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'managed', 'rules');

describe('the vendored requirements', () => {
  test('0.16 and 0.17 need k8saudit-eks 0.4.0, 0.18 needs 0.12.0; json 0.7.0 and engine 15 (0.15.0) always', () => {
    expect(rulesReleases('k8saudit-rules')).toEqual(['0.16.0', '0.17.0', '0.18.0']);
    for (const v of ['0.16.0', '0.17.0', '0.18.0']) {
      const data = rulesFileRequirements('k8saudit-rules', v)!;
      expect(data.engine).toBe('0.15.0');
      expect(data.requirements[1]).toEqual([{ name: 'json', version: '0.7.0' }]);
    }
    const eks = (v: string) => rulesFileRequirements('k8saudit-rules', v)!.requirements[0].find((a) => a.name === 'k8saudit-eks')!.version;
    expect([eks('0.16.0'), eks('0.17.0'), eks('0.18.0')]).toEqual(['0.4.0', '0.4.0', '0.12.0']);
  });

  test('0.16.1 has the same file as 0.16.0', () => {
    expect(rulesFileRequirements('k8saudit-rules', '0.16.1')).toBe(rulesFileRequirements('k8saudit-rules', '0.16.0'));
  });
});

describe('satisfiable pairs pass', () => {
  test.each([
    [['k8saudit-rules:0.18.0'], { 'k8saudit-eks': '0.12.0', json: '0.7.4' }, '0.44.1'],
    [['k8saudit-rules:0.18.0'], { 'k8saudit-aks': '0.6.0', json: '0.7.4' }, '0.41.3'],
    [['k8saudit-rules:0.16'], { 'k8saudit-eks': '0.9.0', json: '0.7.0' }, '0.38.2'],
    [['k8saudit-rules:0.17.0', 'k8saudit-gke-overlay:0.9.0'], { 'k8saudit-gke': '0.9.0', json: '0.7.4' }, '0.42.1'],
    [['k8saudit-rules:0.16.1', 'k8saudit-gke-overlay:0.8.0'], { 'k8saudit-gke': '0.6.0', json: '0.7.3' }, '0.37.1'],
  ])('%j with %j on Falco %s', (r, plugins, falco) => {
    expect(rulesRequirementViolations({ rules: r, plugins, falco })).toEqual([]);
    expect(rulesRequirementsSatisfied({ rules: r, plugins, falco })).toBe(true);
  });
});

describe('unsatisfiable pairs are caught', () => {
  test('rules 0.18 with k8saudit-eks 0.11.0 (the floating-ref trap of the EKS README)', () => {
    const problems = rulesRequirementViolations({ rules: ['k8saudit-rules:0.18.0'], plugins: { 'k8saudit-eks': '0.11.0', json: '0.7.4' } });
    expect(problems).toEqual([
      expect.objectContaining({ path: 'rules[0]', rule: 'rules.plugin-too-old', message: expect.stringContaining('needs k8saudit-eks >= 0.12.0') }),
    ]);
    expect(rulesRequirementsSatisfied({ rules: ['k8saudit-rules:0.18.0'], plugins: { 'k8saudit-eks': '0.11.0', json: '0.7.4' } })).toBe(false);
  });

  test('a floating k8saudit-rules:0 (or no tag, or latest) next to pinned plugins', () => {
    for (const ref of ['k8saudit-rules:0', 'k8saudit-rules:latest', 'k8saudit-rules:']) {
      expect(rules(rulesRequirementViolations({ rules: [ref], plugins: { 'k8saudit-eks': '0.12.0', json: '0.7.4' } }))).toEqual([
        'rules.floating-ref',
      ]);
    }
  });

  test('no json plugin; no audit plugin at all', () => {
    expect(rules(rulesRequirementViolations({ rules: ['k8saudit-rules:0.16.0'], plugins: { 'k8saudit-eks': '0.12.0' } }))).toEqual([
      'rules.plugin-missing',
    ]);
    expect(rulesRequirementViolations({ rules: ['k8saudit-rules:0.16.0'], plugins: { json: '0.7.0' } })[0].message).toContain(
      'needs one of k8saudit (>= 0.7.0), k8saudit-aks (>= 0.1.0), k8saudit-eks (>= 0.4.0), k8saudit-gke (>= 0.1.0), k8saudit-ovh (>= 0.1.0) loaded',
    );
  });

  test('the first loaded alternative decides, as in Falco: k8saudit 0.17 next to k8saudit-eks 0.12 fails rules 0.18', () => {
    const problems = rulesRequirementViolations({
      rules: ['k8saudit-rules:0.18.0'],
      plugins: { 'k8saudit-eks': '0.12.0', k8saudit: '0.17.0', json: '0.7.4' },
    });
    expect(problems[0].message).toContain('needs k8saudit >= 0.18.0');
  });

  test('a different major is not compatible', () => {
    expect(rules(rulesRequirementViolations({ rules: ['k8saudit-rules:0.16.0'], plugins: { 'k8saudit-eks': '1.0.0', json: '0.7.0' } }))).toEqual([
      'rules.plugin-too-old',
    ]);
  });

  test('the GKE overlay 0.9.0 needs k8saudit-gke 0.9.0 and engine 0.31.0 (Falco 0.37+)', () => {
    const old = rulesRequirementViolations({
      rules: ['k8saudit-gke-overlay:0.9.0'],
      plugins: { 'k8saudit-gke': '0.8.0', json: '0.7.4' },
      falco: '0.36.2',
    });
    expect(rules(old)).toEqual(['rules.plugin-too-old', 'rules.engine-too-old']);
    expect(old[1].message).toContain('needs engine 0.31.0 (required_engine_version 0.31.0, line 19), but Falco 0.36.2 has 0.26.0');
  });

  test('unknown refs, releases and Falco versions are reported, not guessed', () => {
    expect(rules(rulesRequirementViolations({ rules: ['k8saudit-rules:0.11.0'], plugins: {} }))).toEqual(['rules.unknown-release']);
    expect(rules(rulesRequirementViolations({ rules: ['falco-rules:3.0.0'], plugins: {} }))).toEqual(['rules.unknown']);
    expect(
      rules(rulesRequirementViolations({ rules: ['k8saudit-rules:0.16.0'], plugins: { 'k8saudit-eks': '0.12.0', json: '0.7.0' }, falco: '0.45.0' })),
    ).toEqual(['rules.unknown-falco']);
  });
});

describe('Falco engine versions', () => {
  test('integer engine versions before 0.37, semver after; 15 arrives with 0.33', () => {
    expect(FALCO_ENGINE_VERSIONS['0.32.2']).toBe('0.13.0');
    expect(FALCO_ENGINE_VERSIONS['0.33.0']).toBe('0.15.0');
    expect(FALCO_ENGINE_VERSIONS['0.37.0']).toBe('0.31.0');
    expect(
      rules(rulesRequirementViolations({ rules: ['k8saudit-rules:0.16.0'], plugins: { k8saudit: '0.7.0', json: '0.7.0' }, falco: '0.32.2' })),
    ).toEqual(['rules.engine-too-old']);
  });
});

describe('the GKE overlay, vendored as custom rules', () => {
  test('which overlay a plugin release can load', () => {
    expect(gkeOverlayFor('0.9.0')).toBe('0.9.0');
    expect(gkeOverlayFor('0.8.0')).toBe('0.8.0');
    expect(gkeOverlayFor('0.1.1')).toBe('0.8.0');
  });

  test('the text is the upstream file, byte for byte, with its licence header', () => {
    const overlay = gkeOverlay('0.9.0')!;
    expect(overlay.text).toContain('SPDX-License-Identifier: Apache-2.0');
    expect(overlay.text).toContain('- rule: Disallowed K8s User');
    expect(crypto.createHash('sha256').update(overlay.text).digest('hex')).toBe(overlay.sha256);
    expect(gkeOverlay('0.7.0')).toBeUndefined();
  });

  (fs.existsSync(SHARED) ? test : test.skip)('and equal to ../shared', () => {
    for (const v of ['0.8.0', '0.9.0']) {
      expect(gkeOverlay(v)!.text).toBe(fs.readFileSync(path.join(SHARED, `k8saudit-gke-v${v}`, 'k8s_audit_rules_gke.yaml'), 'utf8'));
    }
  });
});
