import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/*
 * A faithful stand-in for the two things the Lambda Node.js runtime gives a response-streaming
 * handler, following aws-lambda-nodejs-runtime-interface-client (UserFunction.js,
 * HttpResponseStream.js, ResponseStream.js): the global `awslambda` (streamifyResponse marks
 * the handler; HttpResponseStream.from sets the HTTP-integration content type and writes the
 * JSON prelude and 8 NUL bytes before the first body chunk), and the response stream itself.
 * What the stream receives is exactly what Lambda turns into the Function URL's HTTP response.
 */

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LEN = 8;

type RawWrite = (chunk: string | Uint8Array) => void;

/** The runtime's response stream: a Writable with `setContentType` and the first-write hook. */
export class ResponseStream extends Writable {
  contentType = 'application/octet-stream';
  /** Set by HttpResponseStream.from; the runtime calls it once, right before the first write. */
  _onBeforeFirstWrite: ((write: RawWrite) => void) | undefined;
  readonly chunks: Buffer[] = [];
  private written = false;

  constructor() {
    super();
    const originalWrite = this.write.bind(this) as (chunk: unknown, ...rest: unknown[]) => boolean;
    this.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!this.written && typeof this._onBeforeFirstWrite === 'function') this._onBeforeFirstWrite((raw) => originalWrite(raw));
      this.written = true;
      return originalWrite(chunk, ...rest);
    }) as Writable['write'];
  }

  setContentType(contentType: string): void {
    if (this.written) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

const HttpResponseStream = {
  from(stream: ResponseStream, prelude: unknown): ResponseStream {
    stream.setContentType(PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return stream;
  },
};

type StreamingHandler = ((event: unknown, stream: ResponseStream, context: unknown) => Promise<void>) & { [HANDLER_STREAMING]?: string };

/** Installs `globalThis.awslambda` as the runtime does before loading the function's module. */
export function installAwsLambdaGlobal(): void {
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse(handler: StreamingHandler) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
}

export interface StreamedResponse {
  /** The content type of the stream itself: the HTTP-integration type when the handler wrote a prelude. */
  readonly streamContentType: string;
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: string;
}

/**
 * Invokes a handler the way the runtime invokes a streaming one, waits until it ended the
 * stream, and decodes what it wrote (prelude, delimiter, body) as the Function URL would.
 */
export async function invokeStreaming(handler: unknown, event: unknown, context: unknown = lambdaContext()): Promise<StreamedResponse> {
  const fn = handler as StreamingHandler;
  if (typeof fn !== 'function' || fn[HANDLER_STREAMING] !== STREAM_RESPONSE) throw new Error('not a streaming handler: it must be wrapped in awslambda.streamifyResponse');
  const stream = new ResponseStream();
  await fn(event, stream, context);
  await finished(stream);
  const raw = Buffer.concat(stream.chunks);
  if (stream.contentType !== PRELUDE_CONTENT_TYPE) {
    throw new Error(`the handler streamed ${stream.contentType} without an HTTP prelude; a Function URL would answer 200 with it: ${raw.toString('utf8').slice(0, 200)}`);
  }
  const end = raw.indexOf(Buffer.alloc(DELIMITER_LEN));
  if (end < 0) throw new Error(`no ${DELIMITER_LEN}-byte NUL delimiter after the prelude: ${raw.toString('utf8').slice(0, 200)}`);
  const prelude = JSON.parse(raw.subarray(0, end).toString('utf8')) as { statusCode: number; headers?: Record<string, string>; cookies?: string[] };
  return {
    streamContentType: stream.contentType,
    statusCode: prelude.statusCode,
    headers: prelude.headers ?? {},
    cookies: prelude.cookies ?? [],
    body: raw.subarray(end + DELIMITER_LEN).toString('utf8'),
  };
}

/** The fields of a Lambda invocation context a handler may read. */
export function lambdaContext(functionName = 'portico-gateway') {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/25/[$LATEST]2e1a0bd1b6f54b7a9c4e6a3d2f1e0b9c',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
