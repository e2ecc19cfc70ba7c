import { KubernetesVersion } from '../kubernetes-version';

/**
 * The minors in which kube-apiserver knows each flag this project writes. kube-apiserver refuses to
 * start on an unknown flag, so nothing is written for a version outside its range.
 *
 * Sources (kubernetes/apiserver pkg/server/options/audit.go): the static audit flags
 * (`--audit-policy-file`, `--audit-log-*`, `--audit-webhook-config-file`, `--audit-webhook-mode`,
 * `--audit-webhook-batch-max-wait`) exist since the advanced auditing of 1.8;
 * `--audit-webhook-initial-backoff` replaced `--audit-webhook-batch-initial-backoff` while the
 * webhook still required the AdvancedAuditing gate (before 1.13); all of them are still served by
 * 1.35. `--audit-dynamic-configuration` exists 1.13-1.18 only (kubernetes/kubernetes#91502).
 * Every supported version (1.13+) therefore knows every static flag; the table keeps the rule in
 * one place for when that changes.
 */
const FLAG_MINORS: Readonly<Record<string, { since: number; until?: number }>> = {
  'audit-policy-file': { since: 8 },
  'audit-log-path': { since: 8 },
  'audit-log-maxage': { since: 8 },
  'audit-log-maxbackup': { since: 8 },
  'audit-log-maxsize': { since: 8 },
  'audit-webhook-config-file': { since: 8 },
  'audit-webhook-mode': { since: 8 },
  'audit-webhook-batch-max-wait': { since: 8 },
  'audit-webhook-initial-backoff': { since: 12 },
  'audit-dynamic-configuration': { since: 13, until: 18 },
};

/**
 * True when kube-apiserver at `version` accepts `--flag`. Flags this project does not write are
 * not in the table and answer `true` (they are the operator's, never added by us).
 * Meant to move into `KubernetesVersion`.
 */
export function kubeApiServerAcceptsFlag(version: KubernetesVersion, flag: string): boolean {
  const range = FLAG_MINORS[flag];
  if (!range) return true;
  return version.isAtLeast(range.since) && (range.until === undefined || !version.isAtLeast(range.until + 1));
}
