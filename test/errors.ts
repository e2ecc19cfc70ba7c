import { UserError } from '../lib/core/errors';

/** The UserError `fn` throws (anything else is rethrown; no error fails the test). */
export function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}
