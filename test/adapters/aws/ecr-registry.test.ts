import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  ECRClient,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEcrRegistry } from '../../../gateway/adapters/aws/ecr-registry.ts';
import { failure } from '../../support/failure.ts';

const ecrMock = mockClient(ECRClient);
const registry = () => createEcrRegistry({ client: new ECRClient({ region: 'eu-west-1' }), keepImages: 5 });

const POLICY =
  '{"rules":[{"rulePriority":1,"description":"keep the last 5 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}';

beforeEach(() => {
  ecrMock.reset();
  ecrMock.on(PutLifecyclePolicyCommand).resolves({});
});

describe('ensureRepository', () => {
  it('creates a scanned, immutable repository and keeps only the last N images', async () => {
    ecrMock.on(CreateRepositoryCommand).resolves({});

    expect(await registry().ensureRepository('main-gpt2-acme')).toEqual({ repositoryName: 'portico/main-gpt2-acme' });

    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'portico/main-gpt2-acme',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
    });
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)[0]!.args[0].input).toEqual({ repositoryName: 'portico/main-gpt2-acme', lifecyclePolicyText: POLICY });
  });

  it('treats an existing repository as success and still sets its lifecycle policy', async () => {
    ecrMock.on(CreateRepositoryCommand).rejects(new RepositoryAlreadyExistsException({ message: 'exists', $metadata: {} }));

    await registry().ensureRepository('main-gpt2-acme');

    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(1);
  });

  it('reports any other refusal as build_failed naming the repository', async () => {
    ecrMock.on(CreateRepositoryCommand).rejects(Object.assign(new Error('too many repositories'), { name: 'LimitExceededException' }));

    const error = await failure(registry().ensureRepository('main-gpt2-acme'));

    expect(error.code).toBe('build_failed');
    expect(error.message).toContain('portico/main-gpt2-acme: too many repositories');
  });

  it('reports expired credentials as engine_unavailable', async () => {
    ecrMock.on(CreateRepositoryCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }));

    expect((await failure(registry().ensureRepository('main-gpt2-acme'))).code).toBe('engine_unavailable');
  });
});

describe('deleteRepository', () => {
  it('force-deletes the repository with its images', async () => {
    ecrMock.on(DeleteRepositoryCommand).resolves({});

    await registry().deleteRepository('main-gpt2-acme');

    expect(ecrMock.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({ repositoryName: 'portico/main-gpt2-acme', force: true });
  });

  it('treats a repository that is already gone as success', async () => {
    ecrMock.on(DeleteRepositoryCommand).rejects(new RepositoryNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(registry().deleteRepository('main-gpt2-acme')).resolves.toBeUndefined();
  });
});

it('refuses to keep fewer than one image', () => {
  expect(() => createEcrRegistry({ client: new ECRClient({ region: 'eu-west-1' }), keepImages: 0 })).toThrow(/at least 1/);
});
