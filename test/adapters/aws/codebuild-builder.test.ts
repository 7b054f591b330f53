import { BatchGetBuildsCommand, CodeBuildClient, ListBuildsForProjectCommand, StartBuildCommand, type Build } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type BuildStateChangeDetail, createCodeBuildBuilder, fromBuild, fromBuildEvent } from '../../../gateway/adapters/aws/codebuild-builder.ts';
import { cloudWatchLogTail } from '../../../gateway/adapters/aws/cloudwatch-log-tail.ts';
import { createEcrRegistry } from '../../../gateway/adapters/aws/ecr-registry.ts';
import { createSecretsManagerBuildSecrets } from '../../../gateway/adapters/aws/secrets-manager-build-secrets.ts';
import type { SourceSpec } from '../../../gateway/domain/types.ts';
import type { RemoteBuildRequest } from '../../../gateway/ports/remote-builder.ts';
import { failure } from '../../support/failure.ts';

const codeBuildMock = mockClient(CodeBuildClient);
const ecrMock = mockClient(ECRClient);
const logsMock = mockClient(CloudWatchLogsClient);
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const COMMIT = '3f2a9c1e5b7d4f60a1b2c3d4e5f60718293a4b5c';
const DEPLOYMENT = '6f1c2d3e-0000-4000-8000-000000000001';
const REPOSITORY_URI = `${REGISTRY}/portico/main-gpt2-acme`;

/** Every AWS call, across both clients, in the order it was made. */
let sent: string[] = [];

const builder = () =>
  createCodeBuildBuilder({
    client: new CodeBuildClient({ region: 'eu-west-1' }),
    projectName: 'portico-builds',
    ecrRegistry: REGISTRY,
    registry: createEcrRegistry({ client: new ECRClient({ region: 'eu-west-1' }), keepImages: 10 }),
    logTail: cloudWatchLogTail({ region: 'eu-west-1' }),
  });

function request(source: SourceSpec = { kind: 'github', owner: 'acme', repo: 'gpt2' }): RemoteBuildRequest {
  return {
    projectId: 'main-gpt2-acme',
    deploymentId: DEPLOYMENT,
    source: { spec: source, branch: 'main', commit: COMMIT },
    dockerfile: 'docker/Dockerfile',
    context: 'app',
    port: 7860,
    memoryBytes: 4 * 2 ** 30,
  };
}

/** The variables `start` sends, as CodeBuild reports them back on the build. */
const VARIABLES = [
  { name: 'SOURCE_URL', value: 'https://github.com/acme/gpt2.git', type: 'PLAINTEXT' },
  { name: 'COMMIT_SHA', value: COMMIT, type: 'PLAINTEXT' },
  { name: 'DOCKERFILE', value: 'docker/Dockerfile', type: 'PLAINTEXT' },
  { name: 'BUILD_CONTEXT', value: 'app', type: 'PLAINTEXT' },
  { name: 'IMAGE_REPOSITORY_URI', value: REPOSITORY_URI, type: 'PLAINTEXT' },
  { name: 'PORTICO_DEPLOYMENT_ID', value: DEPLOYMENT, type: 'PLAINTEXT' },
  { name: 'PORTICO_APP_PORT', value: '7860', type: 'PLAINTEXT' },
  { name: 'PORTICO_MEMORY_BYTES', value: String(4 * 2 ** 30), type: 'PLAINTEXT' },
] as const;

beforeEach(() => {
  codeBuildMock.reset();
  ecrMock.reset();
  sent = [];
  ecrMock.on(CreateRepositoryCommand).callsFake(() => (sent.push('CreateRepository'), {}));
  ecrMock.on(PutLifecyclePolicyCommand).callsFake(() => (sent.push('PutLifecyclePolicy'), {}));
});

describe('start', () => {
  it('ensures the project’s ECR repository first, then starts a build of the exact commit with every build variable', async () => {
    codeBuildMock.on(StartBuildCommand).callsFake(() => (sent.push('StartBuild'), { build: { id: 'portico-builds:0b1c' } }));

    const started = await builder().start(request());

    expect(started).toStrictEqual({ buildId: 'portico-builds:0b1c', image: `${REPOSITORY_URI}:${COMMIT}` });
    expect(sent).toStrictEqual(['CreateRepository', 'PutLifecyclePolicy', 'StartBuild']);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]!.args[0].input.repositoryName).toBe('portico/main-gpt2-acme');
    expect(codeBuildMock.commandCalls(StartBuildCommand)[0]!.args[0].input).toStrictEqual({
      projectName: 'portico-builds',
      environmentVariablesOverride: VARIABLES.map((variable) => ({ ...variable })),
    });
  });

  it.each<[string, SourceSpec]>([
    ['a local directory', { kind: 'dir', path: '/srv/demo', owner: 'local', repo: 'demo' }],
    ['a git:// URL', { kind: 'git', url: 'git://git.example.com/acme/gpt2.git', owner: 'acme', repo: 'gpt2' }],
  ])('refuses %s before creating anything', async (_, spec) => {
    const error = await failure(builder().start(request(spec)));

    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('repo');
    expect(error.message).toMatch(/^CodeBuild can only build GitHub or https git repositories, not (\/srv\/demo|git:\/\/git\.example\.com\/acme\/gpt2\.git)$/);
    expect(sent).toStrictEqual([]);
    expect(codeBuildMock.commandCalls(StartBuildCommand)).toHaveLength(0);
  });

  it('reports a refused build as build_failed naming the repository and commit', async () => {
    codeBuildMock.on(StartBuildCommand).rejects(Object.assign(new Error('Project cannot be found'), { name: 'ResourceNotFoundException' }));

    const error = await failure(builder().start(request()));

    expect(error.code).toBe('build_failed');
    expect(error.message).toBe('CodeBuild refused to start a build of acme/gpt2@3f2a9c1: Project cannot be found');
  });

  it('reports missing credentials as engine_unavailable', async () => {
    codeBuildMock.on(StartBuildCommand).rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));

    const error = await failure(builder().start(request()));

    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toContain('CodeBuild could not be reached (CredentialsProviderError: Could not load credentials)');
  });

  it('reports an accepted build without an id as build_failed', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({});

    const error = await failure(builder().start(request()));

    expect(error.code).toBe('build_failed');
    expect(error.message).toBe('CodeBuild accepted the build of acme/gpt2@3f2a9c1 but returned no build id');
  });
});

describe('build secrets', () => {
  const secretsMock = mockClient(SecretsManagerClient);
  const withSecrets = () =>
    createCodeBuildBuilder({
      client: new CodeBuildClient({ region: 'eu-west-1' }),
      projectName: 'portico-builds',
      ecrRegistry: REGISTRY,
      registry: createEcrRegistry({ client: new ECRClient({ region: 'eu-west-1' }), keepImages: 10 }),
      logTail: cloudWatchLogTail({ region: 'eu-west-1' }),
      buildSecrets: createSecretsManagerBuildSecrets({ region: 'eu-west-1', client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
    });
  beforeEach(() => {
    secretsMock.reset();
    codeBuildMock.on(StartBuildCommand).callsFake(() => (sent.push('StartBuild'), { build: { id: 'portico-builds:0b1c' } }));
  });

  it('stores the project’s secrets in its Secrets Manager secret and passes them by reference, never in clear', async () => {
    secretsMock.on(PutSecretValueCommand).callsFake(() => (sent.push('PutSecretValue'), {}));

    await withSecrets().start({ ...request(), secrets: { PIP_INDEX_TOKEN: 'pypi-s3cr3t', HF_TOKEN: 'hf_s3cr3t' } });

    expect(sent).toStrictEqual(['CreateRepository', 'PutLifecyclePolicy', 'PutSecretValue', 'StartBuild']);
    expect(secretsMock.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toStrictEqual({
      SecretId: 'portico/build-secrets/main-gpt2-acme',
      SecretString: '{"PIP_INDEX_TOKEN":"pypi-s3cr3t","HF_TOKEN":"hf_s3cr3t"}',
    });
    const input = codeBuildMock.commandCalls(StartBuildCommand)[0]!.args[0].input;
    expect(input.environmentVariablesOverride).toStrictEqual([
      ...VARIABLES.map((variable) => ({ ...variable })),
      { name: 'PORTICO_BUILD_SECRET_IDS', value: 'HF_TOKEN PIP_INDEX_TOKEN', type: 'PLAINTEXT' },
      { name: 'PORTICO_BUILD_SECRET_HF_TOKEN', value: 'portico/build-secrets/main-gpt2-acme:HF_TOKEN', type: 'SECRETS_MANAGER' },
      { name: 'PORTICO_BUILD_SECRET_PIP_INDEX_TOKEN', value: 'portico/build-secrets/main-gpt2-acme:PIP_INDEX_TOKEN', type: 'SECRETS_MANAGER' },
    ]);
    expect(JSON.stringify(input)).not.toMatch(/s3cr3t/);
  });

  it('creates the project’s secret on its first build with secrets', async () => {
    secretsMock.on(PutSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' }));
    secretsMock.on(CreateSecretCommand).resolves({});

    await withSecrets().start({ ...request(), secrets: { HF_TOKEN: 'hf_s3cr3t' } });

    expect(secretsMock.commandCalls(CreateSecretCommand)[0]!.args[0].input).toStrictEqual({
      Name: 'portico/build-secrets/main-gpt2-acme',
      SecretString: '{"HF_TOKEN":"hf_s3cr3t"}',
      Description: 'Portico: build secrets of project main-gpt2-acme (RUN --mount=type=secret)',
    });
    expect(codeBuildMock.commandCalls(StartBuildCommand)).toHaveLength(1);
  });

  it('touches no secret and adds no variable for a project without secrets', async () => {
    await withSecrets().start({ ...request(), secrets: {} });
    expect(secretsMock.calls()).toHaveLength(0);
    expect(codeBuildMock.commandCalls(StartBuildCommand)[0]!.args[0].input.environmentVariablesOverride).toStrictEqual(VARIABLES.map((variable) => ({ ...variable })));
  });

  it('refuses to start a build with secrets when no secret store is configured, rather than dropping them', async () => {
    const error = await failure(builder().start({ ...request(), secrets: { HF_TOKEN: 'x' } }));
    expect(error.code).toBe('build_failed');
    expect(error.message).toBe('project main-gpt2-acme has secrets for its build, but this gateway has no build-secret store configured');
    expect(codeBuildMock.commandCalls(StartBuildCommand)).toHaveLength(0);
  });
});

describe('recent', () => {
  it('lists the project’s newest builds and describes them, ignoring builds Portico did not start', async () => {
    codeBuildMock.on(ListBuildsForProjectCommand).resolves({ ids: ['portico-builds:b3', 'portico-builds:b2', 'portico-builds:b1'] });
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [
        { id: 'portico-builds:b3', buildStatus: 'IN_PROGRESS', environment: { environmentVariables: [...VARIABLES] } } as Build,
        { id: 'portico-builds:b2', buildStatus: 'SUCCEEDED', environment: { environmentVariables: [{ name: 'SOURCE_URL', value: 'https://x', type: 'PLAINTEXT' }] } } as Build,
        { id: 'portico-builds:b1', buildStatus: 'SUCCEEDED', environment: { environmentVariables: [...VARIABLES] }, logs: { groupName: '/portico/builds', streamName: 'b1' } } as Build,
      ],
    });

    const builds = await builder().recent();

    expect(codeBuildMock.commandCalls(ListBuildsForProjectCommand)[0]!.args[0].input).toStrictEqual({ projectName: 'portico-builds', sortOrder: 'DESCENDING' });
    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand)[0]!.args[0].input).toStrictEqual({ ids: ['portico-builds:b3', 'portico-builds:b2', 'portico-builds:b1'] });
    const expected = { deploymentId: DEPLOYMENT, image: `${REPOSITORY_URI}:${COMMIT}`, port: 7860, memoryBytes: 4 * 2 ** 30 };
    expect(builds).toStrictEqual([
      { buildId: 'portico-builds:b3', status: 'building', ...expected },
      { buildId: 'portico-builds:b1', status: 'succeeded', ...expected, output: { logGroup: '/portico/builds', logStream: 'b1' } },
    ]);
  });

  it('asks for no build details when the project has no builds', async () => {
    codeBuildMock.on(ListBuildsForProjectCommand).resolves({ ids: [] });

    expect(await builder().recent()).toStrictEqual([]);
    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand)).toHaveLength(0);
  });

  it('looks at no more than the 100 newest builds (BatchGetBuilds’ limit)', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `portico-builds:b${i}`);
    codeBuildMock.on(ListBuildsForProjectCommand).resolves({ ids });
    codeBuildMock.on(BatchGetBuildsCommand).resolves({ builds: [] });

    await builder().recent();

    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand)[0]!.args[0].input).toStrictEqual({ ids: ids.slice(0, 100) });
  });
});

describe('failure reasons', () => {
  const phases = (failing: { phaseType: string; phaseStatus: string; message?: string }) => [
    { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' },
    { phaseType: 'PRE_BUILD', phaseStatus: 'SUCCEEDED', contexts: [{ statusCode: '', message: '' }] },
    { phaseType: failing.phaseType, phaseStatus: failing.phaseStatus, contexts: failing.message ? [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: failing.message }] : [] },
    { phaseType: 'FINALIZING', phaseStatus: 'SUCCEEDED' },
    { phaseType: 'COMPLETED' },
  ];
  const statusOf = (build: Build) => fromBuild({ id: 'b1', environment: { environmentVariables: [...VARIABLES] } as Build['environment'], ...build })?.status;

  it('names the failing phase and CodeBuild’s message', () => {
    const message = 'Error while executing command: cd src && docker buildx build … Reason: exit status 1';
    expect(statusOf({ buildStatus: 'FAILED', phases: phases({ phaseType: 'BUILD', phaseStatus: 'FAILED', message }) } as Build)).toStrictEqual({
      failed: `the CodeBuild build failed in phase BUILD: ${message}; see its log in CloudWatch for details`,
    });
  });

  it('says a build timed out, and in which phase', () => {
    expect(statusOf({ buildStatus: 'TIMED_OUT', phases: phases({ phaseType: 'BUILD', phaseStatus: 'TIMED_OUT' }) } as Build)).toStrictEqual({
      failed: 'the CodeBuild build timed out in phase BUILD; see its log in CloudWatch for details',
    });
  });

  it('says a build was stopped', () => {
    expect(statusOf({ buildStatus: 'STOPPED', phases: phases({ phaseType: 'PRE_BUILD', phaseStatus: 'STOPPED' }) } as Build)).toStrictEqual({
      failed: 'the CodeBuild build was stopped in phase PRE_BUILD; see its log in CloudWatch for details',
    });
  });

  it('still says a build failed when CodeBuild names no phase', () => {
    expect(statusOf({ buildStatus: 'FAULT' })).toStrictEqual({ failed: 'the CodeBuild build failed; see its log in CloudWatch for details' });
  });
});

/**
 * A "CodeBuild Build State Change" event as EventBridge delivers it (AWS's documented sample),
 * for a Portico build: its environment carries the build variables `start` sent.
 */
function stateChangeEvent(buildStatus: string, failedPhase?: { type: string; status: string; context: string[] }) {
  const phase = (type: string, status = 'SUCCEEDED', context: string[] = []) => ({
    'phase-context': context,
    'start-time': 'Nov 25, 2026 12:01:05 PM',
    'end-time': 'Nov 25, 2026 12:01:10 PM',
    'duration-in-seconds': 5,
    'phase-type': type,
    'phase-status': status,
  });
  const ran = ['SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD', 'UPLOAD_ARTIFACTS'].map((type) =>
    type === failedPhase?.type ? phase(type, failedPhase.status, failedPhase.context) : phase(type),
  );
  return {
    version: '0',
    id: 'c030038d-8c4d-6141-9545-00ff7b7153EX',
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    account: '123456789012',
    time: '2026-11-25T12:04:28Z',
    region: 'eu-west-1',
    resources: ['arn:aws:codebuild:eu-west-1:123456789012:build/portico-builds:8745a7a9-c340-456a-9166-edf953571bEX'],
    detail: {
      'build-status': buildStatus,
      'project-name': 'portico-builds',
      'build-id': 'arn:aws:codebuild:eu-west-1:123456789012:build/portico-builds:8745a7a9-c340-456a-9166-edf953571bEX',
      'additional-information': {
        environment: {
          image: 'aws/codebuild/standard:7.0',
          'privileged-mode': true,
          'compute-type': 'BUILD_GENERAL1_MEDIUM',
          type: 'LINUX_CONTAINER',
          'environment-variables': VARIABLES.map((variable) => ({ ...variable })),
        },
        'timeout-in-minutes': 60.0,
        'build-complete': true,
        'build-number': 55.0,
        initiator: 'portico-gateway',
        'build-start-time': 'Nov 25, 2026 12:01:00 PM',
        source: { type: 'NO_SOURCE' },
        logs: { 'group-name': '/aws/codebuild/portico-builds', 'stream-name': '8745a7a9-c340-456a-9166-edf953571bEX' },
        phases: [...ran, phase('FINALIZING'), { 'start-time': 'Nov 25, 2026 12:04:26 PM', 'phase-type': 'COMPLETED' }],
      },
      'current-phase': 'COMPLETED',
      'current-phase-context': '[]',
      version: '1',
    },
  };
}

describe('fromBuildEvent', () => {
  const image = `${REPOSITORY_URI}:${COMMIT}`;
  const buildId = 'arn:aws:codebuild:eu-west-1:123456789012:build/portico-builds:8745a7a9-c340-456a-9166-edf953571bEX';

  it('reads a succeeded build’s deployment, image, port and memory from the event', () => {
    const event = JSON.parse(JSON.stringify(stateChangeEvent('SUCCEEDED'))) as { detail: BuildStateChangeDetail };
    expect(fromBuildEvent(event.detail)).toStrictEqual({
      buildId,
      deploymentId: DEPLOYMENT,
      status: 'succeeded',
      image,
      port: 7860,
      memoryBytes: 4 * 2 ** 30,
      output: { logGroup: '/aws/codebuild/portico-builds', logStream: '8745a7a9-c340-456a-9166-edf953571bEX' },
    });
  });

  it('reads a failed build’s phase and reason from the event', () => {
    const context = ['COMMAND_EXECUTION_ERROR: Error while executing command: cd src && docker buildx build. Reason: exit status 1'];
    const event = stateChangeEvent('FAILED', { type: 'BUILD', status: 'FAILED', context });
    expect(fromBuildEvent(event.detail)?.status).toStrictEqual({
      failed: `the CodeBuild build failed in phase BUILD: ${context[0]}; see its log in CloudWatch for details`,
    });
  });

  it('ignores a build Portico did not start', () => {
    const event = stateChangeEvent('SUCCEEDED');
    const detail = { ...event.detail, 'additional-information': { ...event.detail['additional-information'], environment: { 'environment-variables': [{ name: 'TEST', value: 'TEST', type: 'PLAINTEXT' }] } } };
    expect(fromBuildEvent(detail)).toBeNull();
  });

  it('fails a succeeded build that carries no valid app port, rather than starting the image on no port', () => {
    const event = stateChangeEvent('SUCCEEDED');
    const variables = event.detail['additional-information'].environment['environment-variables'].filter((variable) => variable.name !== 'PORTICO_APP_PORT');
    const detail = { ...event.detail, 'additional-information': { ...event.detail['additional-information'], environment: { 'environment-variables': variables } } };
    expect(fromBuildEvent(detail)?.status).toStrictEqual({ failed: 'the build carries no valid PORTICO_APP_PORT (none); deploy again' });
  });

  it('reports an in-progress build as building', () => {
    expect(fromBuildEvent(stateChangeEvent('IN_PROGRESS').detail)?.status).toBe('building');
  });
});

describe('outputTail', () => {
  beforeEach(() => logsMock.reset());

  it('reads the end of the build’s CloudWatch Logs stream, as named by its event', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: '#8 ERROR: process "/bin/sh -c pip install torch==9.9" did not complete successfully\n' }] });
    const build = fromBuildEvent(stateChangeEvent('FAILED', { type: 'BUILD', status: 'FAILED', context: ['exit status 1'] }).detail)!;

    expect(await builder().outputTail(build, 50)).toStrictEqual(['#8 ERROR: process "/bin/sh -c pip install torch==9.9" did not complete successfully']);
    expect(logsMock.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { logGroupName: '/aws/codebuild/portico-builds', logStreamName: '8745a7a9-c340-456a-9166-edf953571bEX', limit: 50, startFromHead: false },
    ]);
  });

  it('has nothing to read, and asks nothing, for a build that never wrote output (failed before provisioning)', async () => {
    const event = stateChangeEvent('FAILED', { type: 'PROVISIONING', status: 'FAILED', context: ['no capacity'] });
    const { logs: _logs, ...information } = event.detail['additional-information'];
    const build = fromBuildEvent({ ...event.detail, 'additional-information': information })!;

    expect(await builder().outputTail(build, 50)).toBeNull();
    expect(logsMock.calls()).toHaveLength(0);
  });
});

describe('the image configuration a build reports back', () => {
  const GUESS = [
    { name: 'PORTICO_BASE_IMAGE', value: 'acme/ml-base:latest', type: 'PLAINTEXT' },
    { name: 'PORTICO_GPU_GUESS', value: '0', type: 'PLAINTEXT' },
    { name: 'PORTICO_CUDA_GUESS', value: '', type: 'PLAINTEXT' },
    { name: 'PORTICO_GPU_LABEL', value: '', type: 'PLAINTEXT' },
  ] as const;
  const EXPORTED = [
    { name: 'PORTICO_IMAGE_CONFIG', value: 'read' },
    { name: 'PORTICO_IMAGE_CUDA_VERSION', value: '12.4.1' },
    { name: 'PORTICO_IMAGE_REQUIRE_CUDA', value: 'cuda>=12.4' },
    { name: 'PORTICO_IMAGE_VISIBLE_DEVICES', value: 'all' },
    { name: 'PORTICO_IMAGE_GPU_LABEL', value: 'off' },
  ];

  it('starts the build with the Dockerfile’s GPU guess among its variables', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'portico-builds:g1' } });

    await builder().start({ ...request(), guess: { baseImage: 'acme/ml-base:latest', gpu: false, cudaVersion: null, gpuLabel: null } });

    expect(codeBuildMock.commandCalls(StartBuildCommand)[0]!.args[0].input).toStrictEqual({
      projectName: 'portico-builds',
      environmentVariablesOverride: [...VARIABLES, ...GUESS].map((variable) => ({ ...variable })),
    });
  });

  it('describes one build by id, with the guess and the exported image facts', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [{ id: 'portico-builds:g1', buildStatus: 'SUCCEEDED', environment: { environmentVariables: [...VARIABLES, ...GUESS] } as never, exportedEnvironmentVariables: EXPORTED }],
    });

    const build = await builder().describe!('portico-builds:g1');

    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand).map((call) => call.args[0].input)).toStrictEqual([{ ids: ['portico-builds:g1'] }]);
    expect(build).toMatchObject({
      status: 'succeeded',
      guess: { baseImage: 'acme/ml-base:latest', gpu: false, cudaVersion: null, gpuLabel: null },
      imageFacts: { env: { CUDA_VERSION: '12.4.1', NVIDIA_REQUIRE_CUDA: 'cuda>=12.4', NVIDIA_VISIBLE_DEVICES: 'all' }, labels: { 'portico.gpu': 'off' } },
    });
  });

  it('reads the facts from the state-change event when it carries them, and reports none for a build that could not read them', () => {
    const detail = (exported: { name: string; value: string }[]): BuildStateChangeDetail => ({
      'build-id': 'portico-builds:g2',
      'build-status': 'SUCCEEDED',
      'additional-information': { environment: { 'environment-variables': [...VARIABLES] }, 'exported-environment-variables': exported },
    });
    expect(fromBuildEvent(detail(EXPORTED))?.imageFacts?.env).toStrictEqual({ CUDA_VERSION: '12.4.1', NVIDIA_REQUIRE_CUDA: 'cuda>=12.4', NVIDIA_VISIBLE_DEVICES: 'all' });
    expect(fromBuildEvent(detail([{ name: 'PORTICO_IMAGE_CONFIG', value: '' }]))?.imageFacts).toBeUndefined();
    expect(fromBuildEvent(detail([]))).not.toHaveProperty('guess');
  });
});
