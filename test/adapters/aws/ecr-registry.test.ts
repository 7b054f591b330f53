import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEcrRegistry } from '../../../gateway/adapters/aws/ecr-registry.ts';
import { createEcrImageStore } from '../../../gateway/adapters/aws/ecr-image-store.ts';
import { type KeptImages, startKeptImages } from '../../support/ecr-kept-images.ts';
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

describe('kept images (a rollback)', () => {
  const COMMIT = '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
  const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/main-gpt2-acme:${COMMIT}`;
  const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];
  let kept: KeptImages;

  beforeAll(async () => {
    kept = await startKeptImages(ecrMock);
  });
  afterAll(async () => {
    await kept?.close();
  });
  beforeEach(() => kept.answer());

  it('reads the image configuration from its manifest’s config blob: env, exposed ports, command and labels', async () => {
    const digest = kept.keep(IMAGE, {
      Env: ['PATH=/usr/local/bin:/usr/bin', 'CUDA_VERSION=12.1.0', 'PORT=7860'],
      ExposedPorts: { '7860/tcp': {} },
      Entrypoint: ['python'],
      Cmd: ['app.py'],
      Labels: { 'portico.memory': '6g' },
    });

    expect(await registry().imageFacts(IMAGE)).toStrictEqual({
      env: { PATH: '/usr/local/bin:/usr/bin', CUDA_VERSION: '12.1.0', PORT: '7860' },
      exposedPorts: [7860],
      entrypoint: ['python'],
      cmd: ['app.py'],
      labels: { 'portico.memory': '6g' },
    });
    expect(ecrMock.commandCalls(BatchGetImageCommand).map((call) => call.args[0].input)).toStrictEqual([
      { repositoryName: 'portico/main-gpt2-acme', imageIds: [{ imageTag: COMMIT }], acceptedMediaTypes: MANIFEST_TYPES },
    ]);
    expect(ecrMock.commandCalls(GetDownloadUrlForLayerCommand).map((call) => call.args[0].input)).toStrictEqual([{ repositoryName: 'portico/main-gpt2-acme', layerDigest: digest }]);
  });

  it('answers null when the lifecycle policy expired the image, or the repository is gone', async () => {
    kept.expire(IMAGE);
    expect(await registry().imageFacts(IMAGE)).toBeNull();
    expect(await registry().hasImage(IMAGE)).toBe(false);
    expect(ecrMock.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(0);

    ecrMock.on(BatchGetImageCommand).rejects(new RepositoryNotFoundException({ message: 'repository portico/main-gpt2-acme does not exist', $metadata: {} }));
    expect(await registry().imageFacts(IMAGE)).toBeNull();
  });

  it('tells whether the image is kept with one BatchGetImage, without downloading its configuration', async () => {
    kept.keep(IMAGE, { Env: [] });

    expect(await registry().hasImage(IMAGE)).toBe(true);
    expect(ecrMock.commandCalls(BatchGetImageCommand)).toHaveLength(1);
    expect(ecrMock.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(0);
  });

  it('refuses a configuration blob that does not match its digest', async () => {
    kept.keep(IMAGE, { Env: [] });
    ecrMock.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => ({ downloadUrl: `data:application/json,{"config":{}}`, layerDigest: input.layerDigest }));

    expect((await failure(registry().imageFacts(IMAGE))).message).toMatch(/does not match its digest sha256:[0-9a-f]{64}; try again$/);
  });

  it('reports any other ECR failure for the image, naming it and ECR’s reason', async () => {
    ecrMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId: { imageTag: COMMIT }, failureCode: 'KmsError', failureReason: 'KMS key disabled' }] });

    expect((await failure(registry().imageFacts(IMAGE))).message).toBe(`ECR could not read image ${IMAGE}: KmsError: KMS key disabled`);
  });

  it('names ECR’s lifecycle policy, with its count, as what prunes a project’s images', () => {
    expect(createEcrImageStore(registry()).keptImages).toBe("ECR's lifecycle policy keeps only the newest 5 images of a project");
  });
});
