import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Falco, FalcoProps, loadFalcoValues } from '../../lib/falco';
import { KubernetesVersion } from '../../lib/core/kubernetes-version';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export interface Synthed {
  readonly falco: Falco;
  readonly objects: any[];
  find(kind: string, name?: string): any;
}

/** Synthesizes one Falco in a Chart without a namespace and returns its manifests. */
export function synthFalco(props: Partial<FalcoProps> & { valuesFile?: string; k8s?: string } = {}): Synthed {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  const { valuesFile, k8s, ...rest } = props;
  const falco = new Falco(chart, 'falco', {
    kubernetesVersion: KubernetesVersion.of(k8s ?? '1.18.2'),
    ...rest,
    ...(valuesFile ? { values: loadFalcoValues(fixture(valuesFile)) } : {}),
  });
  const objects = Testing.synth(chart);
  return {
    falco,
    objects,
    find(kind: string, name?: string) {
      const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
      if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
      return found[0];
    },
  };
}

export function container(obj: any, name: string): any {
  const spec = obj.spec.template.spec;
  const c = [...spec.containers, ...(spec.initContainers ?? [])].find((x: any) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}
