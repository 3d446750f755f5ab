/** Typed-error assertions: the error's class, that it is an NnError, and fragments of its message. */
import { expect } from 'vitest';
import { NnError } from '../../src/errors.js';

export type ErrorClass = new (...args: never[]) => Error;

/** Runs fn, expecting it to throw an instance of `cls` whose message contains every fragment. */
export function expectThrow(fn: () => unknown, cls: ErrorClass, ...fragments: (string | RegExp)[]): Error {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  return checkError(err, cls, fragments);
}

/** expectThrow for a promise. */
export async function expectReject(
  fn: () => Promise<unknown>,
  cls: ErrorClass,
  ...fragments: (string | RegExp)[]
): Promise<Error> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  return checkError(err, cls, fragments);
}

function checkError(err: unknown, cls: ErrorClass, fragments: (string | RegExp)[]): Error {
  expect(err, 'expected a throw').toBeDefined();
  expect(err, `${String(err)} should be a ${cls.name}`).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(NnError);
  const msg = (err as Error).message;
  for (const f of fragments) {
    if (typeof f === 'string') expect(msg, `message should contain ${JSON.stringify(f)}`).toContain(f);
    else expect(msg).toMatch(f);
  }
  return err as Error;
}
