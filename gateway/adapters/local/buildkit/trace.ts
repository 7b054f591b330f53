import { fromBinary } from '@bufbuild/protobuf';
import { StatusResponseSchema, type StatusResponse } from './gen/control_pb.ts';

/** One JSON object of the engine's build stream, in classic or BuildKit mode. */
export interface BuildEvent {
  readonly id?: string;
  readonly aux?: unknown;
  readonly stream?: string;
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** The BuildKit progress an event carries (`moby.buildkit.trace`: a base64 protobuf `StatusResponse`), or null. */
export function traceOf(event: BuildEvent): StatusResponse | null {
  if (event.id !== 'moby.buildkit.trace' || typeof event.aux !== 'string') return null;
  return fromBinary(StatusResponseSchema, Buffer.from(event.aux, 'base64'));
}

/** The id of the image a BuildKit build produced (`moby.image.id`), or null. */
export function imageIdOf(event: BuildEvent): string | null {
  if (event.id !== 'moby.image.id') return null;
  const id = (event.aux as { ID?: unknown } | undefined)?.ID;
  return typeof id === 'string' ? id : null;
}
