import { createHash } from 'node:crypto';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { type ImageConfig, factsOf } from '../../domain/image-config.ts';
import { PorticoError, messageOf } from '../../errors.ts';
import type { ImageFacts } from '../../ports/image-builder.ts';
import { awsErrorName, withAws } from './aws-errors.ts';
import type { Sender } from './sdk-on-first-use.ts';

/** The ECR SDK, imported by the first call that needs it (sdk-on-first-use.ts). */
const sdk = () => import('@aws-sdk/client-ecr');

export interface EcrRegistry {
  /** Creates the project's repository and its lifecycle policy. Already there is success. */
  ensureRepository(projectId: string): Promise<{ readonly repositoryName: string }>;
  /** Deletes the repository with every image in it. Already gone is success. */
  deleteRepository(projectId: string): Promise<void>;
  /** How many images the lifecycle policy keeps per project. */
  readonly keepImages: number;
  /**
   * A pushed image's configuration (`<registry>/portico/<project>:<tag>`), read from its config
   * blob; null when ECR no longer has it (the lifecycle policy expired it, or the repository is gone).
   */
  imageFacts(image: string): Promise<ImageFacts | null>;
  /** Whether ECR still has the image: one call, without reading its configuration. */
  hasImage(image: string): Promise<boolean>;
}

/**
 * The single-image manifests a Portico build pushes (`docker buildx build --provenance=false`):
 * Docker's v2 and OCI's. Their `config.digest` names the image configuration blob.
 */
const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];

export function repositoryName(projectId: string): string {
  return `portico/${projectId}`;
}

/**
 * The lifecycle policy text: keep the newest `keepImages` images, expire the rest, so a project
 * that deploys on every push does not grow its storage bill forever.
 */
export function lifecyclePolicyText(keepImages: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep the last ${keepImages} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
    ],
  });
}

/** One ECR repository per project, scanned on push, with immutable tags (a tag is a commit). */
export function createEcrRegistry(deps: { client: Sender<ECRClient>; keepImages: number; fetch?: typeof fetch }): EcrRegistry {
  const { client, keepImages } = deps;
  const fetchImpl = deps.fetch ?? fetch;
  if (!Number.isInteger(keepImages) || keepImages < 1) {
    throw new PorticoError('invalid_input', `keepImages must be a whole number of at least 1, got ${keepImages}`, { field: 'keepImages' });
  }

  async function ensureRepository(projectId: string): Promise<{ readonly repositoryName: string }> {
    const name = repositoryName(projectId);
    try {
      await withAws('ECR', async () =>
        client.send(
          new (await sdk()).CreateRepositoryCommand({
            repositoryName: name,
            imageScanningConfiguration: { scanOnPush: true },
            imageTagMutability: 'IMMUTABLE',
          }),
        ),
      );
    } catch (error) {
      if (awsErrorName(error) !== 'RepositoryAlreadyExistsException') throw registryError(`could not create ECR repository ${name}`, error);
    }
    // Put every time: it is idempotent, and it repairs a policy someone changed by hand.
    await withAws('ECR', async () => client.send(new (await sdk()).PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicyText(keepImages) }))).catch((error: unknown) => {
      throw registryError(`could not set the lifecycle policy of ECR repository ${name}`, error);
    });
    return { repositoryName: name };
  }

  async function deleteRepository(projectId: string): Promise<void> {
    const name = repositoryName(projectId);
    try {
      await withAws('ECR', async () => client.send(new (await sdk()).DeleteRepositoryCommand({ repositoryName: name, force: true })));
    } catch (error) {
      if (awsErrorName(error) !== 'RepositoryNotFoundException') throw registryError(`could not delete ECR repository ${name}`, error);
    }
  }

  /** The image's manifest, or null when ECR does not have it. */
  async function manifestOf(image: string): Promise<{ readonly repository: string; readonly manifest: string } | null> {
    const { repository, tag } = imageReference(image);
    let output;
    try {
      output = await withAws('ECR', async () =>
        client.send(new (await sdk()).BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }], acceptedMediaTypes: MANIFEST_TYPES })),
      );
    } catch (error) {
      if (awsErrorName(error) === 'RepositoryNotFoundException') return null;
      throw registryError(`could not read image ${image} from ECR`, error, 'start_failed');
    }
    const manifest = output.images?.[0]?.imageManifest;
    if (manifest) return { repository, manifest };
    const failure = output.failures?.[0];
    if (!failure || failure.failureCode === 'ImageNotFound') return null;
    throw new PorticoError('start_failed', `ECR could not read image ${image}: ${failure.failureCode ?? 'unknown failure'}: ${failure.failureReason ?? 'no reason given'}`);
  }

  async function imageFacts(image: string): Promise<ImageFacts | null> {
    const found = await manifestOf(image);
    if (!found) return null;
    const digest = (JSON.parse(found.manifest) as { config?: { digest?: unknown } }).config?.digest;
    if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new PorticoError('start_failed', `the manifest of image ${image} in ECR names no configuration blob; redeploy instead`);
    const { downloadUrl } = await withAws('ECR', async () =>
      client.send(new (await sdk()).GetDownloadUrlForLayerCommand({ repositoryName: found.repository, layerDigest: digest })),
    ).catch((error: unknown) => {
      throw registryError(`could not read image ${image} from ECR`, error, 'start_failed');
    });
    if (!downloadUrl) throw new PorticoError('start_failed', `ECR gave no download address for the configuration of image ${image}`);
    // A presigned S3 address (reached through the VPC's S3 gateway endpoint, as ECS's image pulls are).
    const response = await fetchImpl(downloadUrl).catch((error: unknown) => {
      throw new PorticoError('start_failed', `could not download the configuration of image ${image} from ECR: ${messageOf(error)}`, { cause: error });
    });
    if (!response.ok) throw new PorticoError('start_failed', `could not download the configuration of image ${image} from ECR: HTTP ${response.status}`);
    const blob = Buffer.from(await response.arrayBuffer());
    if (`sha256:${createHash('sha256').update(blob).digest('hex')}` !== digest) throw new PorticoError('start_failed', `the configuration of image ${image} downloaded from ECR does not match its digest ${digest}; try again`);
    return factsOf((JSON.parse(blob.toString('utf8')) as { config?: ImageConfig }).config);
  }

  return {
    ensureRepository,
    deleteRepository,
    keepImages,
    imageFacts,
    hasImage: async (image) => (await manifestOf(image)) !== null,
  };
}

/** `<registry>/<repository>:<tag>` split into the repository name and the tag. */
function imageReference(image: string): { readonly repository: string; readonly tag: string } {
  const match = /^[^/]+\/([^:@]+):([\w][\w.-]{0,127})$/.exec(image);
  if (!match) throw new PorticoError('start_failed', `"${image}" is not an ECR image reference (<registry>/<repository>:<tag>)`);
  return { repository: match[1]!, tag: match[2]! };
}

/** Leaves PorticoErrors (unavailable) alone; anything else is a failed build step (or, reading a kept image, a failed start) from the user's view. */
function registryError(what: string, error: unknown, code: 'build_failed' | 'start_failed' = 'build_failed'): unknown {
  if (error instanceof PorticoError) return error;
  return new PorticoError(code, `${what}: ${messageOf(error)}`, { cause: error });
}
