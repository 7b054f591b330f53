import { describe, expect, it } from 'vitest';
import { placeProject } from '../../gateway/domain/placement.ts';
import { hintFor } from '../../gateway/cli/hints.ts';
import { browserOpener } from '../../gateway/cli/open-command.ts';

describe('hintFor', () => {
  it('turns the GPU placement failure the gateway gives into the config command for the project', () => {
    const placed = placeProject({ gpus: 1, cudaVersion: '12.4', image: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04', preferCpuFallback: false }, []);
    expect(placed.ok).toBe(false);
    const { reason } = placed;
    expect(reason).toContain("set the project's gpu to off");
    expect(hintFor(reason, 'main-gpt2-acme')).toBe('run it on CPU: portico config main-gpt2-acme --gpu off');
  });

  it('names --port and --startup-timeout when the app never answered', () => {
    const message = 'container did not answer HTTP on port 8000 within 15s: is the app listening on 0.0.0.0:8000? (last try: ECONNREFUSED); last log lines:\n';
    expect(hintFor(message, 'p')).toBe('if the app listens on another port: portico config p --port <port>; if it needs longer to start: portico config p --startup-timeout <seconds>');
  });

  it.each([
    ['no Dockerfile at "Dockerfile" in acme/x@main; add one, or set "dockerfile" to its path', 'point at it: portico config p --dockerfile <path/to/Dockerfile>'],
    ['context "web" is not a directory in the repository', 'set the build directory: portico config p --context <dir>'],
    ["repo /x is on the gateway's own machine, and local sources are disabled; deploy …", 'restart the gateway with local sources allowed: PORTICO_ALLOW_LOCAL_SOURCES=true npm start'],
    ['step 1 failed: base image node:20-slim is not available locally and no registry is reachable; …', 'make the offline base images: bash scripts/make-test-images.sh (or pull the image with docker pull)'],
  ])('%s → a command', (message, hint) => {
    expect(hintFor(message, 'p')).toBe(hint);
  });

  it('names portico ls for an unknown project, and portico rm for a taken endpoint', () => {
    expect(hintFor('no project "nope"; list them with GET /api/projects', 'nope')).toBe('list the projects: portico ls');
    expect(hintFor('endpoint "main-x-acme" is already used by other/x@main', 'main-x-acme')).toBe('deploy another branch (--branch), or remove the project that has it: portico rm main-x-acme');
  });

  it('gives none for a failure no command fixes', () => {
    expect(hintFor('RUN exit 5 failed: non-zero code: 5', 'p')).toBeNull();
  });
});

describe('browserOpener', () => {
  it('opens nothing on Linux without a display, or with BROWSER=none', () => {
    expect(browserOpener('linux', {})).toBeNull();
    expect(browserOpener('darwin', { BROWSER: 'none' })).toBeNull();
  });

  it('uses xdg-open (or $BROWSER) with a display, open on macOS', () => {
    expect(browserOpener('linux', { DISPLAY: ':0' })).toStrictEqual({ command: 'xdg-open', args: [] });
    expect(browserOpener('linux', { WAYLAND_DISPLAY: 'w', BROWSER: 'firefox' })).toStrictEqual({ command: 'firefox', args: [] });
    expect(browserOpener('darwin', {})).toStrictEqual({ command: 'open', args: [] });
  });
});
