import { handle, streamHandle } from 'hono/aws-lambda';
import { createAwsPorts } from '../gateway/adapters/aws/aws-ports.ts';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { createLambdaGateway } from '../gateway/lambda-gateway.ts';

// The gateway Lambda: the Hono core with the AWS adapters, built once per instance.
const config = loadAwsConfig(process.env);
const { app } = createLambdaGateway(config, createAwsPorts(config));

/** Behind the Function URL, which streams responses (InvokeMode RESPONSE_STREAM). */
export const handler = streamHandle(app);
/** Behind the HTTP API of the wildcard domain, which takes a buffered response. */
export const bufferedHandler = handle(app);
