import { expect } from 'vitest';
import { PorticoError } from '../../gateway/errors.ts';

/** Awaits a promise that must reject with a PorticoError, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<PorticoError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PorticoError);
  return error as PorticoError;
}
