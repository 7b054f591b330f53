import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayBuildOptions } from '../../cdk/constructs/lambda-bundling.ts';
import { BUILD_VARIABLES } from '../../gateway/adapters/aws/build-variables.ts';
import { type FakeGithub, startFakeGithub } from '../support/fake-github.ts';
import { repoTracker } from '../support/git-repo.ts';
import { LAMBDA_TOKEN, type LambdaHarness, payloadV2Event, startLambdaHarness } from '../support/lambda-harness.ts';
import { installAwsLambdaGlobal, invokeStreaming } from '../support/lambda-runtime.ts';

/*
 * The gateway Lambda as the stack ships it: functions/gateway.ts bundled with the stack's own
 * esbuild options (cdk/constructs/lambda-bundling.ts `gatewayBuildOptions`: split at its
 * `import()`s, aliases included: zod without its namespace, vscode-languageserver-types as two
 * functions, entities as encodeXML), then imported and invoked. The source-level suites prove
 * the code; this one proves that the aliases and the split leave the bundle working: request
 * validation and the OpenAPI document (zod, zod-to-openapi), the Dockerfile analysis
 * (dockerfile-ast, in the lazily loaded source-analysis chunk) and a dashboard page with a
 * coloured log (the lazily loaded dashboard chunk, ansi-to-html) run inside it. CodeBuild and ECR are mocked.
 */

const codebuild = mockClient(CodeBuildClient);
const ecr = mockClient(ECRClient);
const HOST = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';
/** Inside the checkout, so the bundle's external `@aws-sdk/*` imports resolve from node_modules as on Lambda from the runtime's. */
const OUT_DIR = fileURLToPath(new URL(`../../node_modules/.cache/portico-bundle-test-${randomUUID()}/`, import.meta.url));

type GatewayModule = typeof import('../../functions/gateway.ts');
let bundled: GatewayModule;
let harness: LambdaHarness;
let github: FakeGithub;
const repos = repoTracker();
let commit: string;
let created: { id: string; deployment: { id: string } | null } | undefined;

const call = (method: string, path: string, body?: unknown) =>
  invokeStreaming(
    bundled.handler,
    payloadV2Event('function-url-event.json', {
      method,
      path,
      host: HOST,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LAMBDA_TOKEN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

beforeAll(async () => {
  await mkdir(OUT_DIR, { recursive: true });
  await build({ ...gatewayBuildOptions(OUT_DIR), logLevel: 'error' });
  const repo = await repos.create({
    Dockerfile: 'FROM python:3.11-slim\nEXPOSE 7861\nCMD ["python", "app.py"]\n',
    'README.md': '---\ntitle: Café <b>\n---\n# A demo\n',
  });
  commit = await repo.head();
  github = await startFakeGithub();
  github.addRepo('acme', 'bundled', repo.dir);
  harness = await startLambdaHarness({ PORTICO_GITHUB_API: github.url });
  installAwsLambdaGlobal();
  bundled = (await import(pathToFileURL(`${OUT_DIR}index.mjs`).href)) as GatewayModule;
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await github?.close();
  await repos.removeAll();
  await rm(OUT_DIR, { recursive: true, force: true });
});

beforeEach(() => {
  codebuild.reset();
  ecr.reset();
  ecr.on(CreateRepositoryCommand).resolves({});
  ecr.on(PutLifecyclePolicyCommand).resolves({});
  codebuild.on(StartBuildCommand).resolves({ build: { id: `portico-builds:${randomUUID()}` } });
});

describe('the bundled gateway Lambda', () => {
  it('refuses an invalid body with 400 invalid_input naming the field, as zod does outside the bundle', async () => {
    const response = await call('POST', '/api/projects', { repo: '' });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_input', field: 'repo' } });
    expect(codebuild.calls()).toHaveLength(0);
  });

  it('serves the OpenAPI document with the project routes and their schemas', async () => {
    const response = await call('GET', '/api/openapi.json');

    expect(response.statusCode).toBe(200);
    const document = JSON.parse(response.body) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(Object.keys(document.paths)).toContain('/api/projects');
    expect(JSON.stringify(document.paths['/api/projects']!['post']!.requestBody)).toContain('"repo"');
  });

  it('analyses the Dockerfile before building: the EXPOSEd port reaches CodeBuild', async () => {
    const response = await call('POST', '/api/projects', { repo: 'acme/bundled' });

    expect(response.statusCode).toBe(201);
    created = JSON.parse(response.body) as typeof created;
    const builds = codebuild.commandCalls(StartBuildCommand).map((sent) => sent.args[0].input);
    expect(builds).toHaveLength(1);
    expect(builds[0]!.environmentVariablesOverride).toEqual(
      expect.arrayContaining([
        { name: BUILD_VARIABLES.commit, value: commit, type: 'PLAINTEXT' },
        { name: BUILD_VARIABLES.port, value: '7861', type: 'PLAINTEXT' },
      ]),
    );
  });

  it('renders the deployment page with its log escaped as outside the bundle: the README front matter read, ansi-to-html and encodeXML at work', async () => {
    expect(created?.deployment).not.toBeNull(); // the test above created it
    const response = await call('GET', `/projects/${created!.id}/deployments/${created!.deployment!.id}`);

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('README.md front matter: title &quot;Caf&#xE9; &lt;b&gt;&quot;');
    expect(response.body).toContain('port 7861');
  });
});
