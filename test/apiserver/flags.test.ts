import * as fc from 'fast-check';
import { ApiServerCommandLine, parseMapFlagValue } from '../../lib/apiserver/flags';
import { UserError } from '../../lib/core/errors';

const parse = (command?: string[], args?: string[]) => ApiServerCommandLine.parse({ command, args });

describe('launch forms', () => {
  test.each([
    [['kube-apiserver', '--a=1'], undefined, 'binary', 'kube-apiserver', 'command'],
    [['/usr/local/bin/kube-apiserver', '--a=1'], undefined, 'binary', '/usr/local/bin/kube-apiserver', 'command'],
    [['/hyperkube', 'apiserver', '--a=1'], undefined, 'hyperkube', '/hyperkube apiserver', 'command'],
    [['/hyperkube', 'kube-apiserver', '--a=1'], undefined, 'hyperkube', '/hyperkube kube-apiserver', 'command'],
    [['kube-apiserver'], ['--a=1'], 'binary', 'kube-apiserver', 'args'],
    [
      ['/go-runner'],
      ['--log-file=/var/log/kube-apiserver.log', '--also-stdout', '/usr/local/bin/kube-apiserver', '--a=1'],
      'go-runner',
      '/usr/local/bin/kube-apiserver',
      'args',
    ],
    [undefined, ['--a=1'], 'image-entrypoint', '(image entrypoint)', 'args'],
  ] as const)('%j %j', (command, args, form, binary, appendTo) => {
    const cl = parse(command as any, args as any);
    expect(cl.form).toBe(form);
    expect(cl.binary).toBe(binary);
    expect(cl.appendTo).toBe(appendTo);
    expect(cl.get('a')).toBe('1');
    cl.set('b', '2');
    const out = cl.render();
    expect((out[appendTo] as string[]).slice(-1)).toEqual(['--b=2']);
  });

  test('go-runner flags before the binary are never read as kube-apiserver flags', () => {
    const cl = parse(
      ['/go-runner'],
      ['--log-file=/var/log/kube-apiserver.log', '--also-stdout', '/usr/local/bin/kube-apiserver', '--secure-port=443'],
    );
    expect(cl.has('log-file')).toBe(false);
    expect(cl.has('also-stdout')).toBe(false);
    cl.set('log-file', '/x');
    expect(cl.render().args).toEqual([
      '--log-file=/var/log/kube-apiserver.log',
      '--also-stdout',
      '/usr/local/bin/kube-apiserver',
      '--secure-port=443',
      '--log-file=/x',
    ]);
  });

  test('--name value in two items, bare booleans, underscores', () => {
    const cl = parse(['kube-apiserver', '--secure-port', '6443', '--anonymous-auth', '--service_cluster_ip_range=10.0.0.0/16']);
    expect(cl.flags).toEqual([
      { name: 'secure-port', value: '6443', form: 'separate' },
      { name: 'anonymous-auth', value: undefined, form: 'bare' },
      { name: 'service-cluster-ip-range', value: '10.0.0.0/16', form: 'equals' },
    ]);
    expect(cl.get('anonymous-auth')).toBe('true');
    expect(cl.set('secure-port', '443')).toEqual({ flag: 'secure-port', action: 'changed', from: '6443', to: '443' });
    expect(cl.set('service-cluster-ip-range', '10.1.0.0/16').action).toBe('changed');
    expect(cl.render().command).toEqual(['kube-apiserver', '--secure-port', '443', '--anonymous-auth', '--service_cluster_ip_range=10.1.0.0/16']);
  });

  test('not kube-apiserver is refused with what was expected', () => {
    expect(() => parse(['/bin/etcd', '--a=1'])).toThrow(
      /does not start kube-apiserver in a form this tool can read \(command\/args begin \["\/bin\/etcd","--a=1"\]\)/,
    );
    expect(() => ApiServerCommandLine.parse({ command: ['kube-apiserver', 5] })).toThrow(/item 1 is 5 \(quote it in YAML\)/);
    expect(() => parse(['kube-apiserver', '--', '--a=1'])).toThrow(
      'has a "--" end-of-flags marker after kube-apiserver: anything after it is not a flag, and flags added after it would be ignored; remove it',
    );
  });
});

describe('sh -c', () => {
  test('a plain exec string is patched in place, whitespace kept', () => {
    const text = 'exec /usr/local/bin/kube-apiserver  --secure-port=443\n  --feature-gates=A=true \n';
    const cl = parse(['/bin/sh', '-c', text]);
    expect(cl.form).toBe('shell');
    expect(cl.render().command).toEqual(['/bin/sh', '-c', text]);
    cl.setMapKey('feature-gates', 'DynamicAuditing', 'true');
    cl.set('audit-policy-file', '/etc/kubernetes/audit/audit-policy.yaml');
    const out = cl.render().command!;
    expect(out[2]).toBe(
      'exec /usr/local/bin/kube-apiserver  --secure-port=443\n  --feature-gates=A=true,DynamicAuditing=true --audit-policy-file=/etc/kubernetes/audit/audit-policy.yaml \n',
    );
    const again = parse(out);
    expect(again.setMapKey('feature-gates', 'DynamicAuditing', 'true').action).toBe('kept');
    expect(again.set('audit-policy-file', '/etc/kubernetes/audit/audit-policy.yaml').action).toBe('kept');
    expect(again.render().command).toEqual(out);
  });

  test.each([
    ['/usr/local/bin/kube-apiserver --v=2 1>>/var/log/kube-apiserver.log 2>&1', '">"'],
    ['kube-apiserver --etcd-servers=$ETCD', '"$"'],
    ["kube-apiserver --x='a b'", '"\'"'],
    ['kube-apiserver --a=1; echo done', '";"'],
  ])('shell syntax is refused: %s', (text, ch) => {
    expect(() => parse(['/bin/sh', '-c', text])).toThrow(UserError);
    expect(() => parse(['/bin/sh', '-c', text])).toThrow(
      new RegExp(`shell syntax \\(${ch.replace(/[$'"]/g, (c) => `\\${c}`)}\\).*convert it to list form`),
    );
  });

  test('a shell string that does not start kube-apiserver is refused', () => {
    expect(() => parse(['sh', '-c', 'sleep 5 && kube-apiserver'])).toThrow(/shell syntax/);
    expect(() => parse(['sh', '-c', 'run-apiserver --a=1'])).toThrow(/does not start kube-apiserver directly; convert it to list form/);
    expect(() => parse(['/bin/bash', '-x'])).toThrow(/not as "\/bin\/bash -c <command>"/);
  });

  test('values the shell would interpret are not written into a shell string', () => {
    const cl = parse(['/bin/sh', '-c', 'kube-apiserver --a=1']);
    expect(() => cl.set('audit-log-path', '/var/log/a b.log')).toThrow(
      /holds characters the shell would interpret; convert the command to list form/,
    );
  });
});

describe('map flags merge like kube-apiserver', () => {
  test('repeated flags merge; last value per key wins; runtime-config item without = is true', () => {
    const cl = parse(['kube-apiserver', '--feature-gates=A=true,B=false', '--runtime-config=api/all', '--feature-gates=B=true', '--runtime-config=']);
    expect([...cl.mapValue('feature-gates')]).toEqual([
      ['A', 'true'],
      ['B', 'true'],
    ]);
    expect([...cl.mapValue('runtime-config')]).toEqual([['api/all', 'true']]);
  });

  test('a conflicting value is replaced where it is in effect and reported', () => {
    const cl = parse(['kube-apiserver', '--feature-gates=DynamicAuditing=false,Other=true', '--x=1']);
    expect(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true')).toEqual({
      flag: 'feature-gates',
      key: 'DynamicAuditing',
      action: 'changed',
      from: 'false',
      to: 'true',
    });
    expect(cl.render().command).toEqual(['kube-apiserver', '--feature-gates=DynamicAuditing=true,Other=true', '--x=1']);
  });

  test('the key is added to the last occurrence, keeping other keys', () => {
    const cl = parse(['kube-apiserver', '--feature-gates=A=true', '--feature-gates=B=true', '--runtime-config=']);
    expect(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true').action).toBe('added');
    expect(cl.setMapKey('runtime-config', 'auditregistration.k8s.io/v1alpha1', 'true').action).toBe('added');
    expect(cl.render().command).toEqual([
      'kube-apiserver',
      '--feature-gates=A=true',
      '--feature-gates=B=true,DynamicAuditing=true',
      '--runtime-config=auditregistration.k8s.io/v1alpha1=true',
    ]);
  });

  test('true, True, 1 and a bare runtime-config key already mean true', () => {
    const cl = parse(['kube-apiserver', '--feature-gates=DynamicAuditing=True', '--runtime-config=auditregistration.k8s.io/v1alpha1']);
    expect(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true').action).toBe('kept');
    expect(cl.setMapKey('runtime-config', 'auditregistration.k8s.io/v1alpha1', 'true').action).toBe('kept');
  });

  test('an overridden earlier value is left alone when the last one is right', () => {
    const cmd = ['kube-apiserver', '--feature-gates=DynamicAuditing=false', '--feature-gates=DynamicAuditing=true'];
    const cl = parse(cmd);
    expect(cl.setMapKey('feature-gates', 'DynamicAuditing', 'true').action).toBe('kept');
    expect(cl.render().command).toEqual(cmd);
  });

  test('a feature gate without a value is the error kube-apiserver would give', () => {
    const cl = ApiServerCommandLine.parse(
      { command: ['kube-apiserver', '--feature-gates=DynamicAuditing'] },
      { file: 'm.yaml', field: 'spec.containers[0]', line: 9 },
    );
    expect(() => cl.setMapKey('feature-gates', 'DynamicAuditing', 'true')).toThrow(
      'm.yaml:9: spec.containers[0]: --feature-gates item "DynamicAuditing" has no value; kube-apiserver refuses it (write DynamicAuditing=true or DynamicAuditing=false)',
    );
  });
});

describe('scalar flags', () => {
  test('a duplicated flag: the last (effective) occurrence is changed, the earlier one stays', () => {
    const cl = parse(['kube-apiserver', '--audit-webhook-mode=blocking', '--a=1', '--audit-webhook-mode=blocking-strict']);
    expect(cl.set('audit-webhook-mode', 'batch')).toEqual({ flag: 'audit-webhook-mode', action: 'changed', from: 'blocking-strict', to: 'batch' });
    expect(cl.render().command).toEqual(['kube-apiserver', '--audit-webhook-mode=blocking', '--a=1', '--audit-webhook-mode=batch']);
  });

  test('ensure keeps the operator value and says why', () => {
    const cl = parse(['kube-apiserver', '--audit-log-maxage=3']);
    expect(cl.ensure('audit-log-maxage', '30', 'kept the operator value')).toEqual({
      flag: 'audit-log-maxage',
      action: 'kept',
      from: '3',
      to: '3',
      reason: 'kept the operator value',
    });
    expect(cl.ensure('audit-log-maxsize', '100')).toEqual({ flag: 'audit-log-maxsize', action: 'added', to: '100' });
  });

  test('a bare boolean is added bare, and a false one is switched on', () => {
    const a = parse(['kube-apiserver']);
    a.set('audit-dynamic-configuration', true);
    expect(a.render().command).toEqual(['kube-apiserver', '--audit-dynamic-configuration']);
    const b = parse(['kube-apiserver', '--audit-dynamic-configuration=false']);
    expect(b.set('audit-dynamic-configuration', true).action).toBe('changed');
    expect(b.render().command).toEqual(['kube-apiserver', '--audit-dynamic-configuration=true']);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests against an independent reference model of kube-apiserver's flag parsing.

/** Reference: kube-apiserver's view of an argv after the binary (pflag + ConfigurationMap / featuregate.Set). */
function referenceModel(argv: string[]): { scalars: Map<string, string>; maps: Map<string, Map<string, string>> } {
  const scalars = new Map<string, string>();
  const maps = new Map<string, Map<string, string>>([
    ['feature-gates', new Map()],
    ['runtime-config', new Map()],
  ]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    let name: string;
    let value: string;
    if (a.includes('=')) {
      name = a.slice(2, a.indexOf('='));
      value = a.slice(a.indexOf('=') + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      name = a.slice(2);
      value = argv[++i];
    } else {
      name = a.slice(2);
      value = 'true';
    }
    name = name.split('_').join('-');
    const m = maps.get(name);
    if (m) {
      for (const part of value.split(',')) {
        const s = part.trim();
        if (s === '') continue;
        const eq = s.indexOf('=');
        if (eq < 0) m.set(s, 'true');
        else m.set(s.slice(0, eq).trim(), s.slice(eq + 1).trim());
      }
    } else {
      scalars.set(name, value);
    }
  }
  return { scalars, maps };
}

const goTrue = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const boolText = fc.constantFrom('true', 'false', 'True', 'False', '1', '0');
const fgItem = fc.tuple(fc.constantFrom('A', 'B', 'DynamicAuditing'), boolText, fc.constantFrom('', ' ')).map(([k, v, sp]) => `${sp}${k}=${v}`);
const rcItem = fc.oneof(
  fc.tuple(fc.constantFrom('api/all', 'auditregistration.k8s.io/v1alpha1', 'x.io/v1'), boolText).map(([k, v]) => `${k}=${v}`),
  fc.constantFrom('auditregistration.k8s.io/v1alpha1', 'x.io/v1', ''),
);
const scalarName = fc.constantFrom('secure-port', 'audit-webhook-mode', 'audit_webhook_mode', 'v', 'etcd-servers');
const safeValue = fc.stringMatching(/^[a-z0-9./:]{1,8}$/);
const flagItems = fc.oneof(
  fc.array(fgItem, { maxLength: 3 }).map((items) => [`--feature-gates=${items.join(',')}`]),
  fc.array(rcItem, { maxLength: 3 }).map((items) => [`--runtime-config=${items.join(',')}`]),
  fc
    .array(fgItem, { minLength: 1, maxLength: 2 })
    .map((items) => ['--feature-gates', items.join(',').trim()])
    .filter(([, v]) => !v.startsWith('-')),
  fc.tuple(scalarName, safeValue).map(([n, v]) => [`--${n}=${v}`]),
  fc.tuple(scalarName, safeValue).map(([n, v]) => [`--${n}`, v]),
  fc.constantFrom(['--anonymous-auth'], ['--audit-dynamic-configuration'], ['--audit-dynamic-configuration=false']),
);
const argvArb = fc.array(flagItems, { maxLength: 8 }).map((groups) => groups.flat());
const formArb = fc.constantFrom('kubeadm', 'hyperkube', 'args', 'go-runner');

function container(form: string, argv: string[]): { command?: string[]; args?: string[] } {
  switch (form) {
    case 'kubeadm':
      return { command: ['kube-apiserver', ...argv] };
    case 'hyperkube':
      return { command: ['/hyperkube', 'apiserver', ...argv] };
    case 'args':
      return { command: ['/usr/local/bin/kube-apiserver'], args: argv };
    default:
      return { command: ['/go-runner'], args: ['--log-file=/var/log/kube-apiserver.log', '/usr/local/bin/kube-apiserver', ...argv] };
  }
}
function argvOf(form: string, c: { command?: string[]; args?: string[] }): string[] {
  switch (form) {
    case 'kubeadm':
      return c.command!.slice(1);
    case 'hyperkube':
      return c.command!.slice(2);
    case 'args':
      return c.args!;
    default:
      return c.args!.slice(2);
  }
}
const sameBool = (a: string, b: string) => goTrue.includes(a) === goTrue.includes(b);

describe('properties', () => {
  test('parse/render round-trips every form exactly', () => {
    fc.assert(
      fc.property(formArb, argvArb, (form, argv) => {
        const c = container(form, argv);
        expect(ApiServerCommandLine.parse(c).render()).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  test('the model reads the same effective values as the reference', () => {
    fc.assert(
      fc.property(argvArb, (argv) => {
        const cl = parse(['kube-apiserver', ...argv]);
        const ref = referenceModel(argv);
        for (const [name, value] of ref.scalars) expect(cl.get(name)).toBe(value);
        expect([...cl.mapValue('feature-gates')]).toEqual([...ref.maps.get('feature-gates')!]);
        expect([...cl.mapValue('runtime-config')]).toEqual([...ref.maps.get('runtime-config')!]);
      }),
      { numRuns: 300 },
    );
  });

  test('setting map keys: the key takes effect, every other key and every other flag item is unchanged, and it is idempotent', () => {
    fc.assert(
      fc.property(
        formArb,
        argvArb,
        fc.constantFrom('feature-gates', 'runtime-config'),
        fc.constantFrom('true', 'false'),
        (form, argv, flag, value) => {
          const key = flag === 'feature-gates' ? 'DynamicAuditing' : 'auditregistration.k8s.io/v1alpha1';
          const before = referenceModel(argv);
          const cl = ApiServerCommandLine.parse(container(form, argv));
          const change = cl.setMapKey(flag, key, value);
          const out = cl.render();
          const after = referenceModel(argvOf(form, out));
          expect(sameBool(after.maps.get(flag)!.get(key)!, value)).toBe(true);
          for (const [k, v] of before.maps.get(flag)!) if (k !== key) expect(after.maps.get(flag)!.get(k)).toBe(v);
          expect([...after.scalars]).toEqual([...before.scalars]);
          const other = (a: string[]) => a.filter((x, i) => !x.startsWith(`--${flag}`) && !(i > 0 && a[i - 1] === `--${flag}`));
          expect(other(argvOf(form, out))).toEqual(other(argv));
          if (change.action === 'kept') expect(out).toEqual(container(form, argv));
          // again: nothing changes
          const again = ApiServerCommandLine.parse(out);
          expect(again.setMapKey(flag, key, value).action).toBe('kept');
          expect(again.render()).toEqual(out);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('setting a scalar: effective value right, other flags untouched, at most one item added, idempotent', () => {
    fc.assert(
      fc.property(formArb, argvArb, scalarName, safeValue, (form, argv, name, value) => {
        const cl = ApiServerCommandLine.parse(container(form, argv));
        cl.set(name, value);
        const out = cl.render();
        const outArgv = argvOf(form, out);
        const before = referenceModel(argv);
        const after = referenceModel(outArgv);
        const norm = name.split('_').join('-');
        expect(after.scalars.get(norm)).toBe(value);
        for (const [k, v] of before.scalars) if (k !== norm) expect(after.scalars.get(k)).toBe(v);
        expect(outArgv.length - argv.length).toBeLessThanOrEqual(1);
        const again = ApiServerCommandLine.parse(out);
        expect(again.set(name, value).action).toBe('kept');
        expect(again.render()).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });

  test('sh -c strings round-trip exactly and patch like the list form', () => {
    const word = fc.oneof(
      fc.tuple(scalarName, safeValue).map(([n, v]) => `--${n}=${v}`),
      fgItem.map((i) => `--feature-gates=${i.trim()}`),
    );
    const space = fc.constantFrom(' ', '  ', '\n', ' \n  ', '\t');
    const text = fc
      .tuple(fc.boolean(), fc.array(fc.tuple(space, word), { maxLength: 6 }), fc.constantFrom('', ' ', '\n'))
      .map(([exec, parts, tail]) => `${exec ? 'exec ' : ''}/usr/local/bin/kube-apiserver${parts.map(([s, w]) => s + w).join('')}${tail}`);
    fc.assert(
      fc.property(text, (t) => {
        const c = { command: ['/bin/sh', '-c', t] };
        expect(ApiServerCommandLine.parse(c).render()).toEqual(c);
        const cl = ApiServerCommandLine.parse(c);
        cl.setMapKey('feature-gates', 'DynamicAuditing', 'true');
        cl.set('audit-webhook-mode', 'batch');
        const out = cl.render();
        const words = out
          .command![2].trim()
          .split(/\s+/)
          .filter((w) => w !== 'exec')
          .slice(1);
        const ref = referenceModel(words);
        expect(sameBool(ref.maps.get('feature-gates')!.get('DynamicAuditing')!, 'true')).toBe(true);
        expect(ref.scalars.get('audit-webhook-mode')).toBe('batch');
        const again = ApiServerCommandLine.parse(out);
        again.setMapKey('feature-gates', 'DynamicAuditing', 'true');
        again.set('audit-webhook-mode', 'batch');
        expect(again.render()).toEqual(out);
      }),
      { numRuns: 200 },
    );
  });
});

test('parseMapFlagValue trims and skips empty items', () => {
  expect(parseMapFlagValue('runtime-config', ' a/v1 , ,b/v1=false,')).toEqual([
    { key: 'a/v1', value: 'true' },
    { key: 'b/v1', value: 'false' },
  ]);
});
