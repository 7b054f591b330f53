import { BatchGetBuildsCommand, StartBuildCommand, type Build, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { PorticoError, messageOf } from '../../errors.ts';
import { withAws } from './aws-errors.ts';
import { repositoryName } from './ecr-registry.ts';

export interface CodeBuildRequest {
  readonly projectId: string;
  /** The GitHub repository and the exact commit to build (never a branch: builds are reproducible). */
  readonly source: { readonly owner: string; readonly repo: string; readonly commit: string };
  /** Dockerfile path relative to the repository root. */
  readonly dockerfile: string;
  /** Build context directory relative to the repository root. */
  readonly context: string;
  /** Where to push the result, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/x:3f2a…`. */
  readonly imageUri: string;
}

export type CodeBuildStatus = 'building' | 'succeeded' | { readonly failed: string };

/**
 * Builds images in CodeBuild, which fetches the source from GitHub itself. Unlike the local
 * builder this does not wait: `startBuild` returns at once and the deploy pipeline is advanced
 * by CodeBuild's state-change events (or by polling `buildStatus`).
 */
export interface CodeBuildBuilder {
  startBuild(request: CodeBuildRequest): Promise<{ readonly buildId: string }>;
  buildStatus(buildId: string): Promise<CodeBuildStatus>;
}

/** `ecrRegistry` is the registry host, `<account>.dkr.ecr.<region>.amazonaws.com`, for the layer cache image. */
export function createCodeBuildBuilder(deps: { client: CodeBuildClient; projectName: string; ecrRegistry: string }): CodeBuildBuilder {
  const { client, projectName, ecrRegistry } = deps;

  async function startBuild(request: CodeBuildRequest): Promise<{ readonly buildId: string }> {
    const { owner, repo, commit } = request.source;
    const output = await withAws('CodeBuild', () =>
      client.send(
        new StartBuildCommand({
          projectName,
          sourceTypeOverride: 'GITHUB',
          sourceLocationOverride: `https://github.com/${owner}/${repo}.git`,
          sourceVersion: commit,
          environmentVariablesOverride: [
            { name: 'IMAGE_URI', value: request.imageUri, type: 'PLAINTEXT' },
            { name: 'DOCKERFILE', value: request.dockerfile, type: 'PLAINTEXT' },
            { name: 'CONTEXT', value: request.context, type: 'PLAINTEXT' },
            { name: 'CACHE_REF', value: `${ecrRegistry}/${repositoryName(request.projectId)}:buildcache`, type: 'PLAINTEXT' },
          ],
        }),
      ),
    ).catch((error: unknown) => {
      if (error instanceof PorticoError) throw error;
      throw new PorticoError('build_failed', `CodeBuild refused to start a build of ${owner}/${repo}@${commit.slice(0, 7)}: ${messageOf(error)}`, { cause: error });
    });
    const buildId = output.build?.id;
    if (!buildId) throw new PorticoError('build_failed', `CodeBuild accepted the build of ${owner}/${repo}@${commit.slice(0, 7)} but returned no build id`);
    return { buildId };
  }

  async function buildStatus(buildId: string): Promise<CodeBuildStatus> {
    const output = await withAws('CodeBuild', () => client.send(new BatchGetBuildsCommand({ ids: [buildId] })));
    const build = output.builds?.find((candidate) => candidate.id === buildId);
    if (!build) return { failed: `CodeBuild has no record of build ${buildId}` };
    return statusOf(build);
  }

  return { startBuild, buildStatus };
}

/** Maps one CodeBuild build to Portico's view; a failure names the phase and CodeBuild's reason. */
export function statusOf(build: Build): CodeBuildStatus {
  switch (build.buildStatus) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'IN_PROGRESS':
    case undefined:
      return 'building';
    default: {
      const phase = build.phases?.find((candidate) => candidate.phaseStatus && candidate.phaseStatus !== 'SUCCEEDED');
      const why = phase?.contexts?.map((context) => context.message).filter((message) => message)?.join('; ');
      const where = phase?.phaseType ? ` in phase ${phase.phaseType}` : '';
      const verdict = build.buildStatus === 'TIMED_OUT' ? 'timed out' : build.buildStatus === 'STOPPED' ? 'was stopped' : 'failed';
      return { failed: `the CodeBuild build ${verdict}${where}${why ? `: ${why}` : ''}; see its log in CloudWatch for details` };
    }
  }
}
