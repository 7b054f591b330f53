import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { systemClock } from '../../ports/clock.ts';
import type { SourceFetcher } from '../../ports/source-fetcher.ts';
import type { Ports } from '../../services/ports.ts';
import { createDirSource } from './dir-source.ts';
import { createDockerBuilder } from './docker-builder.ts';
import { createDockerClient } from './docker-client.ts';
import { createDockerRuntime } from './docker-runtime.ts';
import { createGitSource } from './git-source.ts';
import { createGithubSource } from './github-source.ts';
import { createSourceRouter } from './source-router.ts';
import { createSqliteStore } from './sqlite-store.ts';

/** The embedded default: SQLite in the data dir, the local Docker engine, GitHub + git + directories as sources. */
export function createLocalPorts(config: Config): Ports & { readonly source: SourceFetcher; readonly dockerWhere: string; close(): void } {
  const store = createSqliteStore(join(config.dataDir, 'portico.db'));
  const { docker, where } = createDockerClient(config.dockerHost);
  const maxSourceBytes = config.maxSourceBytes;
  const source = createSourceRouter(
    {
      github: createGithubSource({ apiBaseUrl: config.githubApiUrl, token: config.githubToken, maxSourceBytes }),
      git: createGitSource({ workDir: join(config.dataDir, 'git'), maxSourceBytes }),
      dir: createDirSource({ maxSourceBytes }),
    },
    { allowLocalSources: config.allowLocalSources },
  );
  return {
    store,
    source,
    builder: createDockerBuilder({ docker, where }),
    runtime: createDockerRuntime({ docker, where, clock: systemClock, isolation: { pidsLimit: config.containerPids } }),
    clock: systemClock,
    dockerWhere: where,
    close: () => store.close(),
  };
}
