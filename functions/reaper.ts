import { createAwsPorts } from '../gateway/adapters/aws/aws-ports.ts';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { createLambdaGateway } from '../gateway/lambda-gateway.ts';

// Every minute: idle demos are scaled to zero, missed build events and stuck deployments reconciled.
const config = loadAwsConfig(process.env);
const gateway = createLambdaGateway(config, createAwsPorts(config, { placementTimeoutMs: 10 * 60_000 }));

export async function handler(): Promise<void> {
  console.log(JSON.stringify({ msg: 'reaper tick', ...(await gateway.tick()) }));
}
