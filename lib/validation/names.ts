/*
 * Name formats the API server checks (k8s.io/apimachinery/pkg/util/validation/validation.go,
 * k8s.io/apimachinery/pkg/api/validation/path/name.go). Each returns the problems, empty when valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[-a-z0-9]+$/;

/**
 * Whether `value` has a DNS-1123 label's form: lowercase letters, digits and '-', starting and ending with a letter
 * or digit. The length limit (63 for a label) is left to the caller, which may have its own (53 for a Helm release).
 */
export function matchesDns1123Label(value: string): boolean {
  return DNS1123_LABEL.test(value);
}

/** A DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric. */
export function dns1123LabelProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!matchesDns1123Label(value)) {
    out.push("must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit");
  }
  return out;
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels. */
export function dns1123SubdomainProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    out.push("must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
  }
  return out;
}

/** A DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter. */
export function dns1035LabelProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(value)) {
    out.push("must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit");
  }
  return out;
}

/** A path segment name (RBAC object names): not `.` or `..`, no `/` or `%`. */
export function pathSegmentNameProblems(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be "${value}"`];
  if (/[/%]/.test(value)) return ["may not contain '/' or '%'"];
  return [];
}

/** A qualified name (label and annotation keys): `[prefix/]name`, prefix a DNS subdomain, name at most 63. */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  } else if (parts.length > 2) {
    return ["must be a qualified name: an optional DNS subdomain prefix and '/', then a name"];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME_PART.test(name)) {
    out.push("name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  }
  return out;
}

/** A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export function labelValueProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    out.push("must be empty or consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  }
  return out;
}

/** An IANA service name (named ports): at most 15 of [-a-z0-9], one letter at least, no '--', no '-' at an end. */
export function ianaSvcNameProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 15) out.push('must be no more than 15 characters');
  if (!IANA_SVC_NAME.test(value)) out.push("must contain only lowercase letters, digits and '-'");
  if (value.includes('--')) out.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(value)) out.push('must contain at least one letter');
  if (value.startsWith('-') || value.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

/*
 * Config keys, environment variable names and percents, as apimachinery checks them
 * (staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go @ 008b365, unchanged since 1.14 apart from the
 * relaxed environment variable names of 1.32).
 */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PERCENT = /^[0-9]+%$/;

/** `.`, `..` and a leading `..` would make the key a path step out of the mounted folder (`hasChDirPrefix`). */
function chDirPrefixProblems(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** A ConfigMap or Secret key (`IsConfigMapKey`): at most 253 alphanumerics, '-', '_' or '.', and not `.`, `..` or `..x`. */
export function configMapKeyProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!CONFIG_MAP_KEY.test(value)) out.push("must consist of alphanumerics, '-', '_' or '.'");
  out.push(...chDirPrefixProblems(value));
  return out;
}

/**
 * An environment variable name as the API server checks it before 1.32 (`IsEnvVarName`): alphanumerics, '_', '-'
 * or '.', not starting with a digit, and not `.`, `..` or `..x`.
 */
export function envVarNameProblems(value: string): string[] {
  const out: string[] = [];
  if (!ENV_VAR_NAME.test(value)) out.push("must consist of letters, digits, '_', '-' or '.', and must not start with a digit");
  out.push(...chDirPrefixProblems(value));
  return out;
}

/**
 * An environment variable name from 1.32, where RelaxedEnvironmentVariableValidation is on by default (beta in 1.32,
 * GA in 1.34: pkg/features/kube_features.go) (`IsRelaxedEnvVarName`): non-empty printable ASCII other than '='.
 * Every version refuses what this refuses.
 */
export function relaxedEnvVarNameProblems(value: string): string[] {
  if (value.length === 0) return ['must be non-empty'];
  // Go's unicode.IsPrint on ASCII: the space and 0x21-0x7e
  if (!/^[\x20-\x7e]*$/.test(value) || value.includes('=')) return ["must consist only of printable ASCII characters other than '='"];
  return [];
}

/** A percent of an int-or-percent field (`IsValidPercent`): digits then '%'. */
export function percentProblems(value: string): string[] {
  return PERCENT.test(value) ? [] : ["must be a whole number or a percent such as '25%'"];
}
