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

const USER_ERROR = Symbol.for('cdk8s-falco-audit.UserError');
const USER_ERRORS = Symbol.for('cdk8s-falco-audit.UserErrors');

/** The longest field path a message shows; real ones are far shorter. */
const MAX_FIELD_CHARS = 200;

/**
 * An error the user caused and can fix: bad config, bad values, a manifest we cannot patch,
 * a version that cannot do what was asked. The app prints its message without a stack trace
 * and exits non-zero; anything that is not a `UserError` is a bug and keeps its stack.
 *
 * TypeScript only: jsii cannot model a subclass of `Error`, and an error thrown in JavaScript reaches a Python,
 * Java or Go app as that language's runtime error carrying the same message.
 * @jsii ignore
 */
export class UserError extends Error {
  /**
   * True for a `UserError` from any copy of this library (two installed versions in one app each have their own
   * class, so `instanceof` would say no): the mark is a registered symbol, as cdk8s's `ApiObject.isApiObject`.
   */
  public static isUserError(x: unknown): x is UserError {
    return typeof x === 'object' && x !== null && USER_ERROR in x;
  }

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
    Object.defineProperty(this, USER_ERROR, { value: true });
    this.name = 'UserError';
    this.location = location;
    this.detail = message;
  }
}

/**
 * Several problems found at once (e.g. every validation violation); all are reported. TypeScript only, as `UserError`.
 * @jsii ignore
 */
export class UserErrors extends UserError {
  /** True for a `UserErrors` from any copy of this library (see `UserError.isUserError`). */
  public static isUserErrors(x: unknown): x is UserErrors {
    return UserError.isUserError(x) && USER_ERRORS in x;
  }

  /** Every problem, one line each. */
  public readonly problems: readonly string[];
  /** The problems as errors, where they were collected as such (each keeps its own location). */
  public readonly errors: readonly UserError[];

  /**
   * @param problems one line each, or the errors themselves
   * @param location where all the problems are (a file), when they share one
   */
  constructor(summary: string, problems: readonly (string | UserError)[], location: ErrorLocation = {}) {
    const lines = problems.map((p) => (typeof p === 'string' ? p : p.message));
    super([summary, ...lines.map((p) => `  - ${p}`)].join('\n'), location);
    Object.defineProperty(this, USER_ERRORS, { value: true });
    this.name = 'UserErrors';
    this.problems = lines;
    this.errors = problems.filter((p): p is UserError => typeof p !== 'string');
  }
}

/**
 * Collects the user errors of independent checks, so one run reports all of them: `attempt` keeps a check's
 * `UserError` (a `UserErrors` as its parts) and lets anything else through; `throwIfAny` throws one problem as itself,
 * several as a `UserErrors`.
 */
export class Problems {
  private readonly found: UserError[] = [];
  /** What was added, as it was added (a group stays whole), to throw one group as it was. */
  private readonly added: UserError[] = [];

  /** Runs `check`; returns its value, or undefined when it found a problem. */
  public attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!isUserError(err)) throw err;
      this.add(err);
      return undefined;
    }
  }

  /** Keeps a problem (the parts of a `UserErrors` that has them); one found twice (by two checks) is kept once. */
  public add(err: UserError): void {
    const parts = UserErrors.isUserErrors(err) && err.errors.length === err.problems.length && err.errors.length > 0 ? err.errors : [err];
    const fresh = parts.filter((p) => !this.found.some((f) => f.message === p.message));
    if (fresh.length === 0) return;
    this.found.push(...fresh);
    if (fresh.length === parts.length) this.added.push(err);
    else this.added.push(...fresh);
  }

  /** How many problems were found. */
  public get count(): number {
    return this.found.length;
  }

  /** The problems found, in the order found, as they were added (a group whole, unless a part was found before). */
  public get errors(): readonly UserError[] {
    return [...this.added];
  }

  /** Throws one problem as itself, several as a `UserErrors` (at `location`, when they share a file). */
  public throwIfAny(summary: (n: number) => string = (n) => `${n} problems:`, location: ErrorLocation = {}): void {
    if (this.found.length === 1) throw this.found[0];
    // one file's problems, all from one check: as that check threw them (its summary names the file)
    if (this.added.length === 1 && this.added[0].location.file) throw this.added[0];
    if (this.found.length > 1) throw new UserErrors(summary(this.found.length), this.found, location);
  }
}

/** True for errors a user caused (print the message only); false for bugs (keep the stack). */
export function isUserError(err: unknown): err is UserError {
  return UserError.isUserError(err);
}
