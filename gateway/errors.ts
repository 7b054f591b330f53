/**
 * One error type for everything Portico reports to a user. Services throw it; exactly one
 * place (api/error-response.ts) turns it into an HTTP response.
 */
export type ErrorCode =
  | 'invalid_input' // the request is malformed or names something that does not exist upstream
  | 'not_found' // a Portico resource (project, deployment) does not exist
  | 'conflict' // the request contradicts existing state
  | 'source_failed' // the repository could not be resolved, read or fetched
  | 'dockerfile_invalid' // the Dockerfile is missing or cannot be analysed
  | 'placement_failed' // no GPU pool can run the image
  | 'build_failed' // the image build failed
  | 'start_failed' // the container exited or never answered
  | 'engine_unavailable' // no container engine reachable
  | 'unauthorized' // the API token or a webhook signature is missing or wrong
  | 'forbidden' // the call is switched off by configuration (e.g. webhooks without a secret)
  | 'timeout';

export class PorticoError extends Error {
  readonly code: ErrorCode;
  /** The request field at fault, for `invalid_input`. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PorticoError';
    this.code = code;
    this.field = options.field;
  }
}

export function isPorticoError(error: unknown): error is PorticoError {
  return error instanceof PorticoError;
}

/** The message of anything thrown, for logs and deployment reasons. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
