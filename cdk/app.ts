import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { pathToFileURL } from 'node:url';
import { isPorticoError } from '../gateway/errors.ts';
import { parsePorticoConfig } from './config.ts';
import { PorticoStack } from './portico-stack.ts';

/** Context keys Portico reads; everything else in cdk.json is CDK's own. */
const CONTEXT_KEYS = ['domain', 'hostedZoneId', 'apiTokenSha256', 'githubWebhookSecretName', 'gpuPools', 'idleTimeoutSeconds', 'vpc', 'dataPlane'] as const;
/** Keys whose `-c` string may hold JSON (a token hash of digits must stay a string). */
const JSON_KEYS = new Set<string>(['gpuPools', 'idleTimeoutSeconds', 'vpc']);

/**
 * The only reader of context. `-c key=value` always arrives as a string, so JSON-looking
 * strings (`-c gpuPools='[...]'`, `-c idleTimeoutSeconds=600`) are parsed before validation.
 */
export function readContext(app: App): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value: unknown = app.node.tryGetContext(key);
    if (value !== undefined) raw[key] = typeof value === 'string' && JSON_KEYS.has(key) ? parseIfJson(value) : value;
  }
  return raw;
}

function parseIfJson(value: string): unknown {
  if (!/^[[{\d]/.test(value.trim())) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Validates context, adds the Portico stack (environment-agnostic: the account and region come
 * from the deploying credentials, so synth is identical everywhere and needs no lookups) and the cdk-nag
 * AwsSolutions checks to `app`.
 */
export function configureApp(app: App): PorticoStack {
  const config = parsePorticoConfig(readContext(app));
  const stack = new PorticoStack(app, 'Portico', {
    config,
    description: 'Portico: ML demo hosting (gateway Lambda, CodeBuild, ECR, ECS, DynamoDB)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  const app = new App();
  try {
    configureApp(app);
  } catch (error) {
    // Invalid or missing context: the message says what to set; a stack trace around it says nothing more.
    if (!isPorticoError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  app.synth();
}
