/** A minimal line diff for tests: the hunks between two texts along a longest common subsequence of lines. */

/** Lines that differ at one place: `removed` from the first text, `added` in the second. */
export interface Hunk {
  /** 0-based index of the first removed line in the first text (or where the added lines go). */
  readonly at: number;
  readonly removed: string[];
  readonly added: string[];
}

/** The lines of a text, without the empty string after a final line break. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The hunks turning `a` into `b` (what `diff a b` shows, modulo how ties are broken). */
export function lineDiff(a: string[], b: string[]): Hunk[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of a longest common subsequence of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const hunks: Hunk[] = [];
  let current: { at: number; removed: string[]; added: string[] } | undefined;
  const flush = () => {
    if (current) hunks.push(current);
    current = undefined;
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      flush();
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      current ??= { at: i, removed: [], added: [] };
      current.added.push(b[j++]);
    } else {
      current ??= { at: i, removed: [], added: [] };
      current.removed.push(a[i++]);
    }
  }
  flush();
  return hunks;
}

/** How many lines a diff changes: every removed and every added line. */
export function changedLines(hunks: readonly Hunk[]): number {
  return hunks.reduce((sum, h) => sum + h.removed.length + h.added.length, 0);
}
