import type Dockerode from 'dockerode';
import { PorticoError, isPorticoError, messageOf } from '../../../errors.ts';
import { engineStatus, isConnectionError } from '../docker-client.ts';
import { type BuildSession, openBuildSession } from './session.ts';
import { type SecretMount, secretMountsOf } from './secret-mounts.ts';

const HOW_TO_SET = 'set it in the project\'s secrets (PATCH /api/projects/<id> {"secrets": {"NAME": "…"}}) and deploy again';

/**
 * Everything the Dockerfile's `RUN --mount=type=secret` need, checked before the build starts:
 * a `required` secret the project does not have, or that this engine cannot be given, fails here
 * with what to do; an optional one that is missing is said in the log. Returns the session that
 * serves the secrets (only those the Dockerfile names), or null when no step mounts one. An engine
 * that opens no session fails the build here: BuildKit fails every secret mount without one.
 */
export async function prepareBuildSecrets(
  docker: Dockerode,
  where: string,
  dockerfileText: string,
  secrets: Readonly<Record<string, string>>,
  onLog: (text: string) => void,
): Promise<BuildSession | null> {
  const mounts = secretMountsOf(dockerfileText);
  if (mounts.length === 0) return null;
  const given = (mount: SecretMount) => Object.hasOwn(secrets, mount.id);

  const missing = mounts.find((mount) => mount.required && !given(mount));
  if (missing) {
    throw new PorticoError(
      'build_failed',
      `Dockerfile line ${missing.line}: RUN --mount=type=secret,id=${missing.id},required=true needs the build secret ${missing.id}, which the project does not have; ${HOW_TO_SET.replace('NAME', missing.id)}`,
    );
  }
  for (const mount of mounts.filter((each) => !given(each))) {
    onLog(`portico: the project has no secret ${mount.id}; the RUN on Dockerfile line ${mount.line} runs without /run/secrets/${mount.id}\n`);
  }

  // Even a step whose optional secret is missing needs a session: BuildKit asks it, and gets "not found".
  const served = Object.fromEntries(mounts.filter(given).map((mount) => [mount.id, secrets[mount.id]!]));
  try {
    return await openBuildSession(docker, served);
  } catch (error) {
    if (isConnectionError(error) || isPorticoError(error)) throw error; // no engine at all: the caller says so
    const first = mounts.find((mount) => mount.required) ?? mounts[0]!;
    throw new PorticoError(
      'build_failed',
      `Dockerfile line ${first.line}: RUN --mount=type=secret,id=${first.id}${first.required ? ',required=true' : ''} needs a build secret, but the Docker engine at ${where} did not open a BuildKit session (${sessionProblem(error)}), so it cannot be given build secrets; use an engine with BuildKit sessions (Docker 18.09 or newer, reached over its own socket or TCP, not through a proxy that refuses HTTP upgrades)`,
      { cause: error },
    );
  }
}

function sessionProblem(error: unknown): string {
  const status = engineStatus(error);
  return status === undefined ? messageOf(error) : `POST /session was answered with HTTP ${status}`;
}
