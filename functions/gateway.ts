import { handle, streamHandle } from 'hono/aws-lambda';
import { createAwsPorts } from '../gateway/adapters/aws/aws-ports.ts';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { createLambdaGateway } from '../gateway/lambda-gateway.ts';

// The gateway Lambda: the Hono core with the AWS adapters, built once per instance.
const config = loadAwsConfig(process.env);
const { app } = createLambdaGateway(config, createAwsPorts(config));

/** Behind the Function URL, which streams responses (InvokeMode RESPONSE_STREAM); CloudFront fronts it on a custom domain. */
export const handler = streamHandle(app);
/** For an invoker that takes a buffered response: an Application Load Balancer's Lambda target, API Gateway. */
export const bufferedHandler = handle(app);
