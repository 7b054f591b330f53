import { randomUUID } from 'node:crypto';
import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUILD_VARIABLES } from '../../gateway/adapters/aws/build-variables.ts';
import { githubSignature } from '../../gateway/api/github-signature.ts';
import { type FakeGithub, startFakeGithub } from '../support/fake-github.ts';
import { makeProject } from '../support/fixtures.ts';
import { repoTracker } from '../support/git-repo.ts';
import { type LambdaHarness, payloadV2Event, startLambdaHarness } from '../support/lambda-harness.ts';
import { installAwsLambdaGlobal, invokeStreaming } from '../support/lambda-runtime.ts';

/*
 * GitHub push webhooks reaching the gateway Lambda through its Function URL: the HMAC key comes
 * from Secrets Manager (mocked: no AWS here), the pushed commit from a fake GitHub API over a real
 * git repository, state from DynamoDB (dynalite). CodeBuild and ECR are mocked and their inputs checked.
 */

const secrets = mockClient(SecretsManagerClient);
const codebuild = mockClient(CodeBuildClient);
const ecr = mockClient(ECRClient);
const ecs = mockClient(ECSClient);

const SECRET_NAME = 'portico/github-webhook';
const SECRET = 'whsec-from-secrets-manager';
const HOST = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';
const PROJECT = 'main-hello-acme';

type GatewayModule = typeof import('../../functions/gateway.ts');

let harness: LambdaHarness;
let github: FakeGithub;
const repos = repoTracker();
let commit: string;

/** A fresh import of functions/gateway.ts: what a new Lambda instance runs, sharing nothing in memory with the others. */
async function newInstance(): Promise<GatewayModule> {
  vi.resetModules();
  return import('../../functions/gateway.ts');
}

/** A push delivery as GitHub sends it to the Function URL, signed with `secret`. */
function delivery(instance: GatewayModule, options: { id: string; secret?: string; branch?: string }) {
  const body = JSON.stringify({ ref: `refs/heads/${options.branch ?? 'main'}`, after: commit, repository: { full_name: 'acme/hello' } });
  const event = payloadV2Event('function-url-event.json', {
    method: 'POST',
    path: '/api/webhooks/github',
    host: HOST,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': options.id,
      'x-hub-signature-256': githubSignature(options.secret ?? SECRET, body),
    },
    body,
  });
  return invokeStreaming(instance.handler, event);
}

beforeAll(async () => {
  const repo = await repos.create({ Dockerfile: 'FROM scratch\nEXPOSE 7860\n' });
  commit = await repo.head();
  github = await startFakeGithub();
  github.addRepo('acme', 'hello', repo.dir);
  harness = await startLambdaHarness({ PORTICO_GITHUB_WEBHOOK_SECRET_ID: SECRET_NAME, PORTICO_GITHUB_API: github.url });
  installAwsLambdaGlobal();
  await harness.store.createProject(makeProject({ id: PROJECT, source: { kind: 'github', owner: 'acme', repo: 'hello' }, branch: 'main' }));
});

afterAll(async () => {
  await harness?.close();
  await github?.close();
  await repos.removeAll();
});

beforeEach(() => {
  for (const mock of [secrets, codebuild, ecr, ecs]) mock.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
  ecr.on(CreateRepositoryCommand).resolves({});
  ecr.on(PutLifecyclePolicyCommand).resolves({});
  codebuild.on(StartBuildCommand).callsFake(() => ({ build: { id: `portico-builds:${randomUUID()}` } }));
});

describe('a GitHub push to the gateway Lambda', () => {
  it('is verified with the secret read from Secrets Manager and starts a CodeBuild build of the pushed commit', async () => {
    const response = await delivery(await newInstance(), { id: randomUUID() });

    expect(response.statusCode).toBe(202);
    const { deployments } = JSON.parse(response.body) as { deployments: { projectId: string; commit: string; status: string }[] };
    expect(deployments).toMatchObject([{ projectId: PROJECT, commit, status: 'building' }]);
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toStrictEqual([{ SecretId: SECRET_NAME }]);
    const builds = codebuild.commandCalls(StartBuildCommand).map((call) => call.args[0].input);
    expect(builds).toHaveLength(1);
    expect(builds[0]!.environmentVariablesOverride).toContainEqual({ name: BUILD_VARIABLES.commit, value: commit, type: 'PLAINTEXT' });
  });

  it('refuses a delivery signed with another secret (401) and starts nothing', async () => {
    const response = await delivery(await newInstance(), { id: randomUUID(), secret: 'not-the-secret' });

    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'unauthorized' } });
    expect(codebuild.commandCalls(StartBuildCommand)).toHaveLength(0);
  });

  it('deploys a redelivery that reaches another instance only once: the first claim is in DynamoDB', async () => {
    const id = randomUUID();
    const first = await delivery(await newInstance(), { id });
    const second = await delivery(await newInstance(), { id });

    expect([first.statusCode, second.statusCode]).toStrictEqual([202, 202]);
    expect(JSON.parse(second.body)).toStrictEqual({ ignored: 'this delivery was already handled; nothing new was deployed', deployments: [] });
    expect(codebuild.commandCalls(StartBuildCommand)).toHaveLength(1);
  });

  it('ignores a push to a branch no project tracks (202 with the reason)', async () => {
    const response = await delivery(await newInstance(), { id: randomUUID(), branch: 'feature/x' });

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toStrictEqual({ ignored: 'no project tracks acme/hello@feature/x' });
    expect(codebuild.commandCalls(StartBuildCommand)).toHaveLength(0);
  });
});
