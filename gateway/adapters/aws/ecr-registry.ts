import type { ECRClient } from '@aws-sdk/client-ecr';
import { PorticoError, messageOf } from '../../errors.ts';
import { awsErrorName, withAws } from './aws-errors.ts';
import type { Sender } from './sdk-on-first-use.ts';

/** The ECR SDK, imported by the first call that needs it (sdk-on-first-use.ts). */
const sdk = () => import('@aws-sdk/client-ecr');

export interface EcrRegistry {
  /** Creates the project's repository and its lifecycle policy. Already there is success. */
  ensureRepository(projectId: string): Promise<{ readonly repositoryName: string }>;
  /** Deletes the repository with every image in it. Already gone is success. */
  deleteRepository(projectId: string): Promise<void>;
}

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
export function createEcrRegistry(deps: { client: Sender<ECRClient>; keepImages: number }): EcrRegistry {
  const { client, keepImages } = deps;
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

  return { ensureRepository, deleteRepository };
}

/** Leaves PorticoErrors (unavailable) alone; anything else is a failed build step from the user's view. */
function registryError(what: string, error: unknown): unknown {
  if (error instanceof PorticoError) return error;
  return new PorticoError('build_failed', `${what}: ${messageOf(error)}`, { cause: error });
}
