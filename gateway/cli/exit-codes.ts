/** `portico` exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  /** The deployment failed, or the API refused the request. */
  failed: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** The API could not be reached. */
  unreachable: 3,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A usage error whose message says all there is to say: no usage line follows it. */
export class InputError extends UsageError {
  override name = 'InputError';
}
