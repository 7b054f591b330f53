import { randomUUID } from 'node:crypto';
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type Dockerode from 'dockerode';
import { HealthCheckRequestSchema, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from './gen/health_pb.ts';
import { GetSecretRequestSchema, GetSecretResponseSchema } from './gen/secrets_pb.ts';

const GET_SECRET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

/** gRPC status codes this server answers with. */
const GRPC_OK = 0;
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;

/** An open BuildKit session: its id goes on the build request as `session=<id>`. */
export interface BuildSession {
  readonly id: string;
  /** The secret ids the engine asked for, in order (never their values). */
  readonly asked: readonly string[];
  close(): void;
}

/**
 * Opens a BuildKit session with the engine, as the docker CLI does for `--secret`: `POST /session`
 * upgraded to h2c (moby/buildkit session/session.go's headers), then the engine is the gRPC client
 * and this process the server over that one connection. It serves the secrets service (values from
 * `secrets`, by id) and the health check BuildKit polls. The values never leave this process except
 * as answers to the engine, which mounts them as tmpfs files for the one RUN step.
 */
export async function openBuildSession(docker: Dockerode, secrets: Readonly<Record<string, string>>): Promise<BuildSession> {
  const id = randomUUID();
  const socket = await hijack(docker, {
    Upgrade: 'h2c',
    'X-Docker-Expose-Session-Uuid': id,
    'X-Docker-Expose-Session-Name': 'portico',
    'X-Docker-Expose-Session-Sharedkey': id,
    'X-Docker-Expose-Session-Grpc-Method': [GET_SECRET, HEALTH_CHECK],
  });
  const asked: string[] = [];
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    if (path === HEALTH_CHECK) {
      unary(stream, HealthCheckRequestSchema, () => ({ code: GRPC_OK, reply: create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING }), schema: HealthCheckResponseSchema }));
    } else if (path === GET_SECRET) {
      unary(stream, GetSecretRequestSchema, (request) => {
        asked.push(request.ID);
        const value = Object.hasOwn(secrets, request.ID) ? secrets[request.ID] : undefined;
        if (value === undefined) return { code: GRPC_NOT_FOUND, message: `secret ${request.ID} not found` };
        return { code: GRPC_OK, reply: create(GetSecretResponseSchema, { data: new TextEncoder().encode(value) }), schema: GetSecretResponseSchema };
      });
    } else {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(GRPC_UNIMPLEMENTED), 'grpc-message': `${String(path)} is not served` }, { endStream: true });
    }
  });
  server.on('sessionError', () => socket.destroy());
  server.emit('connection', socket);
  return {
    id,
    asked,
    close() {
      socket.destroy();
      server.close();
    },
  };
}

type Answer<Out extends DescMessage> = { code: number; message?: string; reply?: MessageShape<Out>; schema?: Out };

/** One unary gRPC call: a length-prefixed request message in, one reply message and the status trailers out. */
function unary<In extends DescMessage, Out extends DescMessage>(stream: ServerHttp2Stream, input: In, answer: (request: MessageShape<In>) => Answer<Out>): void {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', () => undefined); // the engine hung up; nothing to answer
  stream.on('end', () => {
    const body = Buffer.concat(chunks);
    // gRPC message framing: 1 byte "compressed" flag (never set by BuildKit), 4 bytes big-endian length, the message.
    const request = fromBinary(input, body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : new Uint8Array());
    const { code, message, reply, schema } = answer(request);
    if (code !== GRPC_OK || !reply || !schema) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message ?? '') }, { endStream: true });
      return;
    }
    const bytes = toBinary(schema, reply);
    const frame = Buffer.alloc(5 + bytes.length);
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_OK) }));
    stream.end(frame);
  });
}

/** `POST /session` with these headers, upgraded: the raw connection to the engine. */
function hijack(docker: Dockerode, headers: Record<string, string | string[]>): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: '/session', method: 'POST', hijack: true, headers, statusCodes: { 101: true, 200: true, 400: 'bad parameter', 500: 'server error' } },
      (error: unknown, socket: unknown) => (error ? reject(error) : resolve(socket as Duplex)),
    );
  });
}
