import { UserError } from '../../core/errors';
import { dns1123LabelProblems } from '../../validation/names';
import { cut } from '../../core/util';

/** The chart name of stable/falco. */
export const CHART_NAME = 'falco';
/** The chart version whose objects the legacy shape reproduces (its `chart` label). */
export const CHART_VERSION = '1.1.1';

/** Helm's `trunc 63 | trimSuffix "-"` (trimSuffix removes one trailing '-'). */
function trunc63(s: string): string {
  const t = s.slice(0, 63);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

/** The chart's `falco.name` helper: nameOverride or the chart name, truncated to 63. */
export function chartName(nameOverride?: string | null): string {
  return trunc63(nameOverride || CHART_NAME);
}

/**
 * The chart's `falco.fullname` helper: fullnameOverride if set; else the release name when it
 * contains the (overridden) chart name; else `<release>-<name>`; truncated to 63 characters with
 * one trailing `-` trimmed, as Helm does.
 */
export function chartFullname(releaseName: string, nameOverride?: string | null, fullnameOverride?: string | null): string {
  if (fullnameOverride) return trunc63(fullnameOverride);
  const name = nameOverride || CHART_NAME;
  return trunc63(releaseName.includes(name) ? releaseName : `${releaseName}-${name}`);
}

/** Throws a `UserError` unless `value` is a DNS-1123 label (names of Services, namespaces). */
export function checkDnsLabel(value: string, field: string, what: string): void {
  if (dns1123LabelProblems(value).length > 0) {
    throw new UserError(
      `${what} "${cut(value)}" is not a valid DNS-1123 label (lowercase letters, digits and '-', ` +
        'starting and ending with a letter or digit, at most 63 characters)',
      { field },
    );
  }
}
