/** The fenced blocks and commands of README.md and docs/, for the tests that hold the docs to the product. */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');

/** README.md and every markdown file under docs/, as paths relative to the root. */
export function docFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  walk('docs');
  return ['README.md', ...out];
}

export interface Block {
  /** The markdown file, relative to the root. */
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** The first word of the info string ('' for none). */
  readonly lang: string;
  /** The block's text, with its final newline. */
  readonly text: string;
}

/** The fenced blocks of a markdown file, in order. */
export function blocksOf(file: string): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: a fenced block that is never closed`);
    blocks.push({ file, line: start + 1, lang: open[1], text: body.map((l) => `${l}\n`).join('') });
  }
  return blocks;
}

/** Every fenced block of README.md and docs/. */
export function allBlocks(): Block[] {
  return docFiles().flatMap(blocksOf);
}

/** The commands of a shell block: one a line, `\` continuations joined, comments and blank lines left out. */
export function commandsOf(block: Block): string[] {
  return block.text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** The first shell block of `file` whose commands start with `first`: a documented command sequence, as written. */
export function documentedCommands(file: string, first: string): string[] {
  const block = blocksOf(file).find((b) => b.lang === 'sh' && commandsOf(b)[0] === first);
  if (!block) throw new Error(`${file} has no sh block starting with ${first}`);
  return commandsOf(block);
}
