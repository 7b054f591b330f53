import type { Build, CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { SourceSpec } from '../../domain/types.ts';
import { PorticoError, messageOf } from '../../errors.ts';
import type { RemoteBuild, RemoteBuildRequest, RemoteBuilder } from '../../ports/remote-builder.ts';
import { withAws } from './aws-errors.ts';
import type { LogTail } from './cloudwatch-log-tail.ts';
import { BUILD_SECRET_VARIABLE_PREFIX, IMAGE_VARIABLES as I, BUILD_VARIABLES as V } from './build-variables.ts';
import type { BuildSecretStore } from './secrets-manager-build-secrets.ts';
import type { Sender } from './sdk-on-first-use.ts';
import { type EcrRegistry, repositoryName } from './ecr-registry.ts';

export interface CodeBuildBuilderDeps {
  readonly client: Sender<CodeBuildClient>;
  readonly projectName: string;
  /** The registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly ecrRegistry: string;
  readonly registry: EcrRegistry;
  /** Reads build output from CloudWatch Logs, where the project sends it. */
  readonly logTail: LogTail;
  /** Keeps a project's build secrets where CodeBuild reads them (Secrets Manager); needed only by projects with secrets. */
  readonly buildSecrets?: BuildSecretStore;
}

/** The CodeBuild SDK, imported by the first call that needs it (sdk-on-first-use.ts). */
const sdk = () => import('@aws-sdk/client-codebuild');

/** How many recent builds `recent` looks at: enough to cover every build still in flight. */
const RECENT_BUILDS = 100;

/**
 * Builds in CodeBuild. The project's buildspec (cdk/constructs/builds.ts) clones the repository
 * at the commit, builds the Dockerfile and pushes `<repository>:<commit>` to the project's ECR
 * repository, which `start` creates first. `start` does not wait for the build.
 */
export function createCodeBuildBuilder(deps: CodeBuildBuilderDeps): RemoteBuilder {
  const { client, projectName } = deps;

  async function start(request: RemoteBuildRequest): Promise<{ buildId: string; image: string }> {
    const { commit, spec } = request.source;
    const what = `${spec.owner}/${spec.repo}@${commit.slice(0, 7)}`;
    // Refuse a source CodeBuild cannot clone before creating anything for it.
    const sourceUrl = cloneUrl(spec);
    await deps.registry.ensureRepository(request.projectId);
    const repositoryUri = `${deps.ecrRegistry}/${repositoryName(request.projectId)}`;
    const variables: Record<string, string> = {
      [V.sourceUrl]: sourceUrl,
      [V.commit]: commit,
      [V.dockerfile]: request.dockerfile,
      [V.context]: request.context,
      [V.repositoryUri]: repositoryUri,
      [V.deploymentId]: request.deploymentId,
      [V.port]: String(request.port),
      [V.memoryBytes]: String(request.memoryBytes),
      ...(request.guess
        ? {
            [V.baseImage]: request.guess.baseImage,
            [V.gpuGuess]: request.guess.gpu ? '1' : '0',
            [V.cudaGuess]: request.guess.cudaVersion ?? '',
            [V.gpuLabel]: request.guess.gpuLabel === null ? '' : String(request.guess.gpuLabel),
          }
        : {}),
    };
    const secretVariables = await buildSecretVariables(request);
    if (secretVariables.length > 0) variables[V.buildSecretIds] = Object.keys(request.secrets ?? {}).sort().join(' ');
    const output = await withAws('CodeBuild', async () =>
      client.send(
        new (await sdk()).StartBuildCommand({
          projectName,
          environmentVariablesOverride: [...Object.entries(variables).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const })), ...secretVariables],
        }),
      ),
    ).catch((error: unknown) => {
      if (error instanceof PorticoError) throw error;
      throw new PorticoError('build_failed', `CodeBuild refused to start a build of ${what}: ${messageOf(error)}`, { cause: error });
    });
    const buildId = output.build?.id;
    if (!buildId) throw new PorticoError('build_failed', `CodeBuild accepted the build of ${what} but returned no build id`);
    return { buildId, image: `${repositoryUri}:${commit}` };
  }

  /**
   * The project's secrets as SECRETS_MANAGER variables: references (`<secret name>:<id>`) that
   * CodeBuild resolves inside the build, so no value is in the StartBuild call, the build's
   * settings or its console page, and CodeBuild masks each value in the build log.
   */
  async function buildSecretVariables(request: RemoteBuildRequest): Promise<Array<{ name: string; value: string; type: 'SECRETS_MANAGER' }>> {
    const ids = Object.keys(request.secrets ?? {}).sort();
    if (ids.length === 0) return [];
    if (!deps.buildSecrets) throw new PorticoError('build_failed', `project ${request.projectId} has secrets for its build, but this gateway has no build-secret store configured`);
    const secretName = await deps.buildSecrets.put(request.projectId, request.secrets ?? {});
    return ids.map((id) => ({ name: `${BUILD_SECRET_VARIABLE_PREFIX}${id}`, value: `${secretName}:${id}`, type: 'SECRETS_MANAGER' as const }));
  }

  async function recent(): Promise<RemoteBuild[]> {
    const listed = await withAws('CodeBuild', async () => client.send(new (await sdk()).ListBuildsForProjectCommand({ projectName, sortOrder: 'DESCENDING' })));
    const ids = (listed.ids ?? []).slice(0, RECENT_BUILDS);
    if (ids.length === 0) return [];
    const output = await withAws('CodeBuild', async () => client.send(new (await sdk()).BatchGetBuildsCommand({ ids })));
    return (output.builds ?? []).map(fromBuild).filter((build) => build !== null);
  }

  async function outputTail(build: RemoteBuild, lines: number): Promise<string[] | null> {
    return build.output ? deps.logTail(build.output.logGroup, build.output.logStream, lines) : null;
  }

  async function describe(buildId: string): Promise<RemoteBuild | null> {
    const output = await withAws('CodeBuild', async () => client.send(new (await sdk()).BatchGetBuildsCommand({ ids: [buildId] })));
    const build = output.builds?.find((candidate) => candidate.id === buildId);
    return build ? fromBuild(build) : null;
  }

  return { start, recent, outputTail, describe };
}

function cloneUrl(spec: SourceSpec): string {
  if (spec.kind === 'github') return `https://github.com/${spec.owner}/${spec.repo}.git`;
  if (spec.kind === 'git' && /^https?:\/\//.test(spec.url)) return spec.url;
  throw new PorticoError('invalid_input', `CodeBuild can only build GitHub or https git repositories, not ${spec.kind === 'git' ? spec.url : spec.path}`, { field: 'repo' });
}

/** A build as CodeBuild's API returns it; null for builds Portico did not start. */
export function fromBuild(build: Build): RemoteBuild | null {
  const variables = new Map((build.environment?.environmentVariables ?? []).map((variable) => [variable.name, variable.value ?? '']));
  const phases = (build.phases ?? []).map((phase) => ({ type: phase.phaseType, status: phase.phaseStatus, messages: (phase.contexts ?? []).map((context) => context.message ?? '') }));
  const exported = new Map((build.exportedEnvironmentVariables ?? []).map((variable) => [variable.name, variable.value ?? '']));
  return remoteBuild(build.id, build.buildStatus, variables, phases, outputOf(build.logs?.groupName, build.logs?.streamName), exported);
}

/** The `detail` of an EventBridge "CodeBuild Build State Change" event. */
export interface BuildStateChangeDetail {
  readonly 'build-id': string;
  readonly 'build-status': string;
  readonly 'additional-information'?: {
    readonly environment?: { readonly 'environment-variables'?: readonly { readonly name: string; readonly value: string }[] };
    readonly phases?: readonly { readonly 'phase-type'?: string; readonly 'phase-status'?: string; readonly 'phase-context'?: readonly string[] }[];
    readonly logs?: { readonly 'group-name'?: string; readonly 'stream-name'?: string };
    /** Present in the event only when CodeBuild includes it; otherwise `describe` reads them. */
    readonly 'exported-environment-variables'?: readonly { readonly name: string; readonly value: string }[];
  };
}

/** The same view of a build from its state-change event; null for builds Portico did not start. */
export function fromBuildEvent(detail: BuildStateChangeDetail): RemoteBuild | null {
  const info = detail['additional-information'];
  const variables = new Map((info?.environment?.['environment-variables'] ?? []).map((variable) => [variable.name, variable.value]));
  const phases = (info?.phases ?? []).map((phase) => ({ type: phase['phase-type'], status: phase['phase-status'], messages: [...(phase['phase-context'] ?? [])] }));
  const exported = new Map((info?.['exported-environment-variables'] ?? []).map((variable) => [variable.name, variable.value]));
  return remoteBuild(detail['build-id'], detail['build-status'], variables, phases, outputOf(info?.logs?.['group-name'], info?.logs?.['stream-name']), exported);
}

/** CodeBuild names the log group and stream only once it has started writing; before that, undefined. */
function outputOf(logGroup: string | undefined, logStream: string | undefined): RemoteBuild['output'] {
  return logGroup && logStream ? { logGroup, logStream } : undefined;
}

interface PhaseInfo {
  readonly type: string | undefined;
  readonly status: string | undefined;
  readonly messages: readonly string[];
}

function remoteBuild(
  buildId: string | undefined,
  buildStatus: string | undefined,
  variables: Map<string | undefined, string>,
  phases: readonly PhaseInfo[],
  output: RemoteBuild['output'],
  exported: Map<string | undefined, string>,
): RemoteBuild | null {
  const deploymentId = variables.get(V.deploymentId);
  if (!buildId || !deploymentId) return null;
  const port = Number(variables.get(V.port));
  const status = statusOf(buildStatus, phases);
  const portProblem = Number.isInteger(port) && port > 0 && port < 65536 ? null : `the build carries no valid ${V.port} (${variables.get(V.port) ?? 'none'}); deploy again`;
  return {
    buildId,
    deploymentId,
    status: status === 'succeeded' && portProblem ? { failed: portProblem } : status,
    image: `${variables.get(V.repositoryUri) ?? ''}:${variables.get(V.commit) ?? ''}`,
    port,
    memoryBytes: Number(variables.get(V.memoryBytes)),
    ...(output ? { output } : {}),
    ...guessOf(variables),
    ...imageFactsOf(exported),
  };
}

/** The Dockerfile's GPU guess the build was started with, when it carries one. */
function guessOf(variables: Map<string | undefined, string>): Pick<RemoteBuild, 'guess'> {
  const baseImage = variables.get(V.baseImage);
  if (baseImage === undefined) return {};
  const label = variables.get(V.gpuLabel) ?? '';
  const gpuLabel = label === 'off' ? 'off' : /^\d+$/.test(label) ? Number(label) : null;
  return { guess: { baseImage, gpu: variables.get(V.gpuGuess) === '1', cudaVersion: variables.get(V.cudaGuess) || null, gpuLabel } };
}

/** The image configuration the buildspec exported, as image facts; absent unless the build says it read them. */
function imageFactsOf(exported: Map<string | undefined, string>): Pick<RemoteBuild, 'imageFacts'> {
  if (exported.get(I.read) !== 'read') return {};
  const env: Record<string, string> = {};
  const set = (name: string, value: string | undefined) => {
    if (value) env[name] = value;
  };
  set('CUDA_VERSION', exported.get(I.cudaVersion));
  set('NVIDIA_REQUIRE_CUDA', exported.get(I.requireCuda));
  set('NVIDIA_VISIBLE_DEVICES', exported.get(I.visibleDevices));
  const label = exported.get(I.gpuLabel);
  return { imageFacts: { env, labels: label ? { 'portico.gpu': label } : {} } };
}

/** Portico's view of a build status; a failure names the phase and CodeBuild's reason. */
function statusOf(buildStatus: string | undefined, phases: readonly PhaseInfo[]): RemoteBuild['status'] {
  switch (buildStatus) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'IN_PROGRESS':
    case undefined:
      return 'building';
    default: {
      const phase = phases.find((candidate) => candidate.status && candidate.status !== 'SUCCEEDED');
      const why = phase?.messages.filter((message) => message).join('; ');
      const where = phase?.type ? ` in phase ${phase.type}` : '';
      const verdict = buildStatus === 'TIMED_OUT' ? 'timed out' : buildStatus === 'STOPPED' ? 'was stopped' : 'failed';
      return { failed: `the CodeBuild build ${verdict}${where}${why ? `: ${why}` : ''}; see its log in CloudWatch for details` };
    }
  }
}
