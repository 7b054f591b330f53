/**
 * The command that fixes a failure, for the messages the gateway gives: each hint names what to
 * run, with the project's id filled in. Null when no command would help.
 */
export function hintFor(message: string, projectId: string | null): string | null {
  const id = projectId ?? '<project>';
  if (/gpu to off|gpu "off"|no GPU pool|no free GPU/i.test(message)) return `run it on CPU: portico config ${id} --gpu off`;
  if (/did not answer HTTP on port (\d+|\?)/.test(message)) {
    return `if the app listens on another port: portico config ${id} --port <port>; if it needs longer to start: portico config ${id} --startup-timeout <seconds>`;
  }
  if (/no Dockerfile at/.test(message)) return `point at it: portico config ${id} --dockerfile <path/to/Dockerfile>`;
  if (/context ".*" (is not a directory|points outside)|build context .* is not a directory/.test(message)) return `set the build directory: portico config ${id} --context <dir>`;
  if (/local sources are disabled/.test(message)) return 'restart the gateway with local sources allowed: PORTICO_ALLOW_LOCAL_SOURCES=true npm start';
  if (/is not available locally and no registry is reachable/.test(message)) return 'make the offline base images: bash scripts/make-test-images.sh (or pull the image with docker pull)';
  if (/cannot be woken; deploy the project again|serving containers gone/.test(message)) return `portico redeploy ${id}`;
  if (/^no project "/.test(message)) return 'list the projects: portico ls';
  if (/^no deployment "/.test(message)) return `list a project's deployments: portico history <project>`;
  const taken = /^endpoint "(.*)" is already used by/.exec(message);
  if (taken) return `deploy another branch (--branch), or remove the project that has it: portico rm ${taken[1]}`;
  return null;
}
