import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCodeBuildBuilder } from '../../../gateway/adapters/aws/codebuild-builder.ts';
import { failure } from '../../support/failure.ts';

const codeBuildMock = mockClient(CodeBuildClient);
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const COMMIT = '3f2a9c1e5b7d4f60a1b2c3d4e5f60718293a4b5c';
const builder = () => createCodeBuildBuilder({ client: new CodeBuildClient({ region: 'eu-west-1' }), projectName: 'portico-builds', ecrRegistry: REGISTRY });

beforeEach(() => codeBuildMock.reset());

describe('startBuild', () => {
  it('builds the GitHub repository at the exact commit with the image, Dockerfile, context and cache passed in', async () => {
    codeBuildMock.on(StartBuildCommand).resolves({ build: { id: 'portico-builds:0b1c' } });

    const started = await builder().startBuild({
      projectId: 'main-gpt2-acme',
      source: { owner: 'acme', repo: 'gpt2', commit: COMMIT },
      dockerfile: 'docker/Dockerfile',
      context: 'app',
      imageUri: `${REGISTRY}/portico/main-gpt2-acme:${COMMIT}`,
    });

    expect(started).toEqual({ buildId: 'portico-builds:0b1c' });
    expect(codeBuildMock.commandCalls(StartBuildCommand)[0]!.args[0].input).toEqual({
      projectName: 'portico-builds',
      sourceTypeOverride: 'GITHUB',
      sourceLocationOverride: 'https://github.com/acme/gpt2.git',
      sourceVersion: COMMIT,
      environmentVariablesOverride: [
        { name: 'IMAGE_URI', value: `${REGISTRY}/portico/main-gpt2-acme:${COMMIT}`, type: 'PLAINTEXT' },
        { name: 'DOCKERFILE', value: 'docker/Dockerfile', type: 'PLAINTEXT' },
        { name: 'CONTEXT', value: 'app', type: 'PLAINTEXT' },
        { name: 'CACHE_REF', value: `${REGISTRY}/portico/main-gpt2-acme:buildcache`, type: 'PLAINTEXT' },
      ],
    });
  });

  it('reports a refused build as build_failed naming the repository and commit', async () => {
    codeBuildMock.on(StartBuildCommand).rejects(Object.assign(new Error('Project cannot be found'), { name: 'ResourceNotFoundException' }));

    const error = await failure(builder().startBuild({ projectId: 'p', source: { owner: 'acme', repo: 'gpt2', commit: COMMIT }, dockerfile: 'Dockerfile', context: '.', imageUri: 'x' }));

    expect(error.code).toBe('build_failed');
    expect(error.message).toContain('acme/gpt2@3f2a9c1: Project cannot be found');
  });

  it('reports missing credentials as engine_unavailable', async () => {
    codeBuildMock.on(StartBuildCommand).rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));

    const error = await failure(builder().startBuild({ projectId: 'p', source: { owner: 'acme', repo: 'gpt2', commit: COMMIT }, dockerfile: 'Dockerfile', context: '.', imageUri: 'x' }));

    expect(error.code).toBe('engine_unavailable');
  });
});

describe('buildStatus', () => {
  it('maps an in-progress build to building and a successful one to succeeded', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolvesOnce({ builds: [{ id: 'b1', buildStatus: 'IN_PROGRESS' }] }).resolves({ builds: [{ id: 'b1', buildStatus: 'SUCCEEDED' }] });
    const codeBuild = builder();

    expect(await codeBuild.buildStatus('b1')).toBe('building');
    expect(await codeBuild.buildStatus('b1')).toBe('succeeded');
    expect(codeBuildMock.commandCalls(BatchGetBuildsCommand)[0]!.args[0].input).toEqual({ ids: ['b1'] });
  });

  it('names the failing phase and CodeBuild’s message for a failed build', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({
      builds: [
        {
          id: 'b1',
          buildStatus: 'FAILED',
          phases: [
            { phaseType: 'DOWNLOAD_SOURCE', phaseStatus: 'SUCCEEDED' },
            { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: docker build. Reason: exit status 1' }] },
            { phaseType: 'FINALIZING', phaseStatus: 'SUCCEEDED' },
          ],
        },
      ],
    });

    expect(await builder().buildStatus('b1')).toEqual({
      failed: 'the CodeBuild build failed in phase BUILD: Error while executing command: docker build. Reason: exit status 1; see its log in CloudWatch for details',
    });
  });

  it('says a build timed out', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({ builds: [{ id: 'b1', buildStatus: 'TIMED_OUT', phases: [{ phaseType: 'BUILD', phaseStatus: 'TIMED_OUT' }] }] });

    expect(await builder().buildStatus('b1')).toEqual({ failed: 'the CodeBuild build timed out in phase BUILD; see its log in CloudWatch for details' });
  });

  it('reports a build CodeBuild does not know as failed', async () => {
    codeBuildMock.on(BatchGetBuildsCommand).resolves({ builds: [], buildsNotFound: ['b9'] });

    expect(await builder().buildStatus('b9')).toEqual({ failed: 'CodeBuild has no record of build b9' });
  });
});
