/** Every path where two JSON values differ, as `path: ours X / <label> Y` lines (empty when equal). */
export function objectDiff(a: any, b: any, label = 'reference', p = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...objectDiff(a[i], b[i], label, `${p}[${i}]`));
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) out.push(...objectDiff(a[k], b[k], label, p ? `${p}.${k}` : k));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${p}: ours ${JSON.stringify(a)} / ${label} ${JSON.stringify(b)}`];
}
