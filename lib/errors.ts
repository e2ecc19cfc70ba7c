/**
 * Where a bad value came from, so a message can point at it.
 */
export interface ErrorLocation {
  /** The file the value was read from, as the user named it. @default - not from a file */
  readonly file?: string;
  /** The field path inside the document, e.g. `falco.webserver.listenPort`. @default - the whole input */
  readonly field?: string;
  /** 1-based line of the value in `file`, where known. @default - unknown */
  readonly line?: number;
  /** 1-based column of the value in `file`, where known. @default - unknown */
  readonly column?: number;
}

/** The longest field path a message shows; real ones are far shorter. */
const MAX_FIELD_CHARS = 200;

/**
 * An error the user caused and can fix: bad config, bad values, a manifest we cannot patch,
 * a version that cannot do what was asked. The app prints its message without a stack trace
 * and exits non-zero; anything that is not a `UserError` is a bug and keeps its stack.
 */
export class UserError extends Error {
  /** Formats `file:line:column: field: message`, leaving out the parts that are unknown. */
  public static format(message: string, location: ErrorLocation = {}): string {
    let where = '';
    if (location.file) {
      where = location.file;
      if (location.line !== undefined) {
        where += `:${location.line}`;
        if (location.column !== undefined) where += `:${location.column}`;
      }
    }
    // a field path is made of the input's keys: a key can be a whole line of a file long
    const path = location.field && location.field.length > MAX_FIELD_CHARS ? `${location.field.slice(0, MAX_FIELD_CHARS - 3)}...` : location.field;
    const field = path ? `${path}: ` : '';
    return where ? `${where}: ${field}${message}` : `${field}${message}`;
  }

  /** Where the bad value came from. */
  public readonly location: ErrorLocation;
  /** The message without its location, to re-throw it with a better one. */
  public readonly detail: string;

  constructor(message: string, location: ErrorLocation = {}) {
    super(UserError.format(message, location));
    this.name = 'UserError';
    this.location = location;
    this.detail = message;
  }
}

/** Several problems found at once (e.g. every validation violation); all are reported. */
export class UserErrors extends UserError {
  /** Every problem, one line each. */
  public readonly problems: readonly string[];

  /** @param location where all the problems are (a file), when they share one */
  constructor(summary: string, problems: readonly string[], location: ErrorLocation = {}) {
    super([summary, ...problems.map((p) => `  - ${p}`)].join('\n'), location);
    this.name = 'UserErrors';
    this.problems = problems;
  }
}

/** True for errors a user caused (print the message only); false for bugs (keep the stack). */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
