import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsErrorName, withAws } from './aws-errors.ts';
import { BUILD_SECRETS_NAME_PREFIX } from './build-variables.ts';

/** Where a project's build secrets are kept for its CodeBuild builds. */
export interface BuildSecretStore {
  /** Stores the project's current build secrets and returns the name of the secret holding them. */
  put(projectId: string, secrets: Readonly<Record<string, string>>): Promise<string>;
}

/**
 * One Secrets Manager secret per project, `portico/build-secrets/<project>`, a JSON object of its
 * secrets by id, rewritten before each build so a build gets the values the project has now.
 * CodeBuild reads single keys of it (`<name>:<id>`) into SECRETS_MANAGER variables. The SDK
 * client is imported on first use, as only deployments of projects with secrets need it.
 */
export function createSecretsManagerBuildSecrets(options: { readonly region: string; readonly client?: SecretsManagerClient }): BuildSecretStore {
  let client = options.client;
  return {
    async put(projectId, secrets) {
      const { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const secretsManager = (client ??= new SecretsManagerClient({ region: options.region }));
      const name = `${BUILD_SECRETS_NAME_PREFIX}${projectId}`;
      const value = JSON.stringify(secrets);
      try {
        await withAws('Secrets Manager', () => secretsManager.send(new PutSecretValueCommand({ SecretId: name, SecretString: value })));
      } catch (error) {
        if (awsErrorName(error) !== 'ResourceNotFoundException') throw error; // the project's first build with secrets
        await withAws('Secrets Manager', () =>
          secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: `Portico: build secrets of project ${projectId} (RUN --mount=type=secret)` })),
        );
      }
      return name;
    },
  };
}
