/*
 * Time budget (FACTS.md section 10): a 100-cluster run must take under 3 s in total. Validation of
 * ~10 objects per cluster has to be a small part of that. Bounds are loose (shared 2-core CI);
 * the measured numbers are printed.
 */
import { KubernetesVersion } from '../../lib/kubernetes-version';
import { validateAll } from '../../lib/validation';
import { legacySet, RANGE } from './fixtures';

test('cold first validation and 100 repeated clusters stay well inside the budget', () => {
  const v = KubernetesVersion.of('1.18.2');
  const t0 = process.hrtime.bigint();
  expect(validateAll(legacySet(), v, { serviceClusterIPRange: RANGE })).toEqual([]);
  const cold = Number(process.hrtime.bigint() - t0) / 1e6;

  const clusters = Array.from({ length: 100 }, (_, i) => ({ set: legacySet(i % 2 === 0), version: KubernetesVersion.of(`1.${13 + (i % 6)}`) }));
  const t1 = process.hrtime.bigint();
  for (const c of clusters) expect(validateAll(c.set, c.version, { serviceClusterIPRange: RANGE })).toEqual([]);
  const hundred = Number(process.hrtime.bigint() - t1) / 1e6;

  // eslint-disable-next-line no-console
  console.log(`validation: cold (load validators + 10 objects) ${cold.toFixed(1)} ms; 100 clusters x 10 objects ${hundred.toFixed(1)} ms`);
  expect(cold).toBeLessThan(1000);
  expect(hundred).toBeLessThan(1500);
});
