/**
 * The codes of the plan's warnings and notes are one table (PlanMessageCode): unique, kebab-case, each documented
 * and each emitted somewhere in lib/, so that the table is the whole list. (That every emitted warning or note has a
 * code of the table: the type says so, and test/app/cli.test.ts checks it on every example's --plan-json.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { PlanMessageCode } from '../../lib/core/plan-message';

const LIB = path.join(__dirname, '..', '..', 'lib');
const SOURCE = fs.readFileSync(path.join(LIB, 'core', 'plan-message.ts'), 'utf8');

function libSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? libSources(p) : e.name.endsWith('.ts') && e.name !== 'plan-message.ts' ? [fs.readFileSync(p, 'utf8')] : [];
  });
}

test('every code is unique and kebab-case', () => {
  const codes = Object.values(PlanMessageCode);
  expect(new Set(codes).size).toBe(codes.length);
  for (const code of codes) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
});

test('every code is documented: a warning or a note, and what it is about', () => {
  for (const member of Object.keys(PlanMessageCode)) {
    expect(SOURCE).toMatch(new RegExp(`/\\*\\* (Warning|Note): [^\\n]+\\*/\\n\\s+${member} = '`));
  }
});

test('every code is emitted somewhere in lib/ (the table holds no code nothing uses)', () => {
  const lib = libSources(LIB).join('\n');
  const unused = Object.keys(PlanMessageCode).filter((member) => !lib.includes(`PlanMessageCode.${member}`));
  expect(unused).toEqual([]);
});
