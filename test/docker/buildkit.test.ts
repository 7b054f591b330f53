import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { createDockerClient } from '../../gateway/adapters/local/docker-client.ts';
import { hasOldFrontend } from '../../gateway/adapters/local/buildkit/frontend-plan.ts';
import { PorticoError } from '../../gateway/errors.ts';
import type { BuildRequest } from '../../gateway/ports/image-builder.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { makeContext, removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';

const { docker, where } = testDocker();
const builder = createDockerBuilder({ docker, where });
const project = uniqueProjectId('buildkit');
const contexts: Array<{ remove(): Promise<void> }> = [];
const SECRET = `hf_${uniqueProjectId('token')}`;

async function context(files: Record<string, string>): Promise<string> {
  const made = await makeContext(files);
  contexts.push(made);
  return made.dir;
}

function request(contextDir: string, tag: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return { contextDir, dockerfile: 'Dockerfile', tag: `portico/${project}:${tag}`, labels: { 'portico.project': project }, buildArgs: {}, ...overrides };
}

async function build(files: Record<string, string>, tag: string, overrides: Partial<BuildRequest> = {}) {
  let log = '';
  const built = await builder.build(request(await context(files), tag, overrides), (text) => (log += text));
  return { built, log };
}

async function failure(files: Record<string, string>, tag: string, overrides: Partial<BuildRequest> = {}) {
  let log = '';
  const error = await builder.build(request(await context(files), tag, overrides), (text) => (log += text)).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PorticoError);
  expect((error as PorticoError).code).toBe('build_failed');
  return { message: (error as PorticoError).message, log };
}

/** Runs a command in a throwaway container of an image and returns its output. */
async function runIn(image: string, command: string[]): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: command, Labels: { 'portico.project': project } });
  try {
    await container.start();
    await container.wait();
    const output = await container.logs({ stdout: true, stderr: true });
    // Non-TTY logs are multiplexed: frames of an 8-byte header (stream, 0, 0, 0, size) and the bytes.
    let text = '';
    for (let at = 0; at + 8 <= output.length; at += 8 + output.readUInt32BE(at + 4)) text += output.subarray(at + 8, at + 8 + output.readUInt32BE(at + 4)).toString('utf8');
    return text;
  } finally {
    await container.remove({ force: true });
  }
}

/** Every byte of an image as the engine exports it (`docker save`: config, history and every layer). */
async function exported(image: string): Promise<Buffer> {
  const stream = await docker.getImage(image).get();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** BuildKit's cache mounts live outside images: remove the ones this suite made (their description holds the project id). */
async function pruneCacheMounts(): Promise<void> {
  const df = (await docker.df()) as { BuildCache?: Array<{ ID: string; Type: string; Description?: string }> };
  const ids = (df.BuildCache ?? []).filter((record) => record.Type === 'exec.cachemount' && record.Description?.includes(project)).map((record) => record.ID);
  if (ids.length === 0) return;
  await new Promise<void>((resolve, reject) =>
    docker.modem.dial({ path: '/build/prune?', method: 'POST', options: { filters: JSON.stringify({ id: ids }) }, statusCodes: { 200: true } }, (error: unknown) => (error ? reject(error) : resolve())),
  );
}

describe('BuildKit builds on the local engine', () => {
  beforeAll(() => requireDocker(docker, where));

  afterAll(async () => {
    await removeProjects(docker, [project]);
    await pruneCacheMounts();
    await Promise.all(contexts.map((made) => made.remove()));
  });

  it('keeps a cache mount between two builds', async () => {
    const mount = `--mount=type=cache,id=${project},target=/cache`;
    await build({ Dockerfile: `FROM ${BUSYBOX}\nRUN ${mount} echo "first build ${project}" > /cache/left-by-first\n` }, 'cache-1');
    // A different step (so not a cached layer) sees what the first build left in the mount.
    const { log } = await build({ Dockerfile: `FROM ${BUSYBOX}\nRUN ${mount} echo "cache holds:" && cat /cache/left-by-first\n` }, 'cache-2');
    expect(log).toMatch(new RegExp(`^#\\d+ \\d+\\.\\d{3} first build ${project}$`, 'm'));
  });

  it('mounts a file of the context with a bind mount, without copying it into the image', async () => {
    const { built, log } = await build(
      { Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/req.txt wc -l < /tmp/req.txt && ls /tmp\n`, 'requirements.txt': `torch\nnumpy\n# ${project}\n` },
      'bind',
    );
    expect(log).toMatch(/^#\d+ \d+\.\d{3} 3$/m);
    expect(await runIn(built.imageId, ['ls', '/tmp'])).toBe('');
  });

  it('gives a required secret mount the project secret of that name, and writes it to neither the log nor the image', async () => {
    // The step proves it read the value by its hash, so the value itself is in no Dockerfile line.
    const hash = createHash('sha256').update(SECRET).digest('hex');
    const dockerfile = `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=HF_TOKEN,required=true test "$(sha256sum < /run/secrets/HF_TOKEN | cut -d' ' -f1)" = "${hash}" && echo "secret matches, $(wc -c < /run/secrets/HF_TOKEN) bytes" && ls -la /run/secrets\n`;
    const { built, log } = await build({ Dockerfile: dockerfile }, 'secret', { secrets: { HF_TOKEN: SECRET, OTHER: 'unused' } });

    expect(log).toMatch(new RegExp(`^#\\d+ \\d+\\.\\d{3} secret matches, ${SECRET.length} bytes$`, 'm'));
    expect(log).not.toContain(SECRET);
    expect(await runIn(built.imageId, ['ls', '-a', '/run/secrets'])).not.toContain('HF_TOKEN');
    expect(JSON.stringify(await docker.getImage(built.imageId).history())).not.toContain(SECRET);
    expect((await exported(built.imageId)).toString('latin1')).not.toContain(SECRET); // config, history and every layer
  });

  it('fails a required secret mount the project does not have before the build starts, saying what to set', async () => {
    const { message, log } = await failure({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo before\nRUN --mount=type=secret,id=HF_TOKEN,required=true cat /run/secrets/HF_TOKEN\n` }, 'no-secret', { secrets: { OTHER: 'x' } });
    expect(message).toBe(
      'Dockerfile line 3: RUN --mount=type=secret,id=HF_TOKEN,required=true needs the build secret HF_TOKEN, which the project does not have; set it in the project\'s secrets (PATCH /api/projects/<id> {"secrets": {"HF_TOKEN": "…"}}) and deploy again',
    );
    expect(log).toBe(''); // nothing was sent to the engine
  });

  it('fails a build that mounts a secret before it starts when the engine is reached through a proxy that refuses sessions', async () => {
    // A real forwarding proxy to the engine that, like many HTTP proxies, refuses connection upgrades (POST /session).
    const proxy = createServer((request, response) => {
      const upstream = httpRequest({ socketPath: (docker.modem as { socketPath?: string }).socketPath ?? '/var/run/docker.sock', path: request.url, method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(upstream);
    });
    proxy.on('upgrade', (_request, socket) => socket.end('HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const proxied = createDockerBuilder(createDockerClient(`tcp://127.0.0.1:${port}`));
      let log = '';
      const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=HF_TOKEN,required=true cat /run/secrets/HF_TOKEN\n` });
      const error = await proxied.build(request(dir, 'no-session', { secrets: { HF_TOKEN: SECRET } }), (text) => (log += text)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PorticoError);
      expect((error as PorticoError).code).toBe('build_failed');
      expect((error as PorticoError).message).toMatch(
        new RegExp(`^Dockerfile line 2: RUN --mount=type=secret,id=HF_TOKEN,required=true needs a build secret, but the Docker engine at tcp://127\\.0\\.0\\.1:${port} did not open a BuildKit session \\(POST /session was answered with HTTP 501\\), so it cannot be given build secrets; use an engine with BuildKit sessions`),
      );
      expect(log).toBe('');
    } finally {
      proxy.close();
    }
  });

  it('says in the log when an optional secret is missing, and builds without it', async () => {
    const { log } = await build({ Dockerfile: `FROM ${BUSYBOX}\nRUN --mount=type=secret,id=PIP_TOKEN test ! -e /run/secrets/PIP_TOKEN && echo "no token for ${project}"\n` }, 'optional-secret');
    expect(log).toContain('portico: the project has no secret PIP_TOKEN; the RUN on Dockerfile line 2 runs without /run/secrets/PIP_TOKEN\n');
    expect(log).toContain(`no token for ${project}`);
  });

  it('names the failing step and its last output lines in the error', async () => {
    const lines = Array.from({ length: 14 }, (_, i) => `echo "line ${i + 1}"`).join(' && ');
    const { message, log } = await failure({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo ok-${project}\nRUN ${lines} && echo "ERROR: No matching distribution found for torch==9.9" && exit 1\n` }, 'failing');
    expect(message).toMatch(/^step \[3\/3\] RUN echo "line 1" && .* failed: executor failed running \[\/bin\/sh -c echo "line 1" .*\]: exit code: 1; its last output:\n/);
    // The last ten lines, as the docker CLI keeps them.
    expect(message.split('\n').slice(1)).toEqual([...Array.from({ length: 9 }, (_, i) => `line ${i + 6}`), 'ERROR: No matching distribution found for torch==9.9']);
    expect(log).toMatch(/^#\d+ ERROR: executor failed running/m);
    expect(log).toMatch(/^------\n > \[3\/3\] RUN echo "line 1".*:\nline 6\n/m);
  });

  it('logs readable lines: numbered steps, their output with its time, CACHED, DONE with durations', async () => {
    const files = { Dockerfile: `FROM ${BUSYBOX}\nCOPY --chmod=755 run.sh /run.sh\nRUN /run.sh ${project}\n`, 'run.sh': `#!/bin/sh\n# ${project}\necho "hello from $1"\n` };
    const first = await build(files, 'readable-1');
    expect(first.log).toMatch(/^#(\d+) \[2\/3\] COPY --chmod=755 run\.sh \/run\.sh\n#\1 DONE \d+\.\ds$/m);
    expect(first.log).toMatch(new RegExp(`^#(\\d+) \\[3/3\\] RUN /run\\.sh ${project}\\n#\\1 \\d\\.\\d{3} hello from ${project}\\n#\\1 DONE \\d+\\.\\ds$`, 'm'));
    expect(first.log).toMatch(/^#\d+ exporting to image$/m);

    const second = await build(files, 'readable-2');
    expect(second.log).toMatch(new RegExp(`^#(\\d+) \\[3/3\\] RUN /run\\.sh ${project}\\n#\\1 CACHED$`, 'm'));
    expect(second.log).not.toContain(`hello from ${project}`);
  });

  it('builds a Dockerfile written for a current Docker (syntax directive, here-documents, COPY --link) to the same image', async () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1.7',
      `FROM ${BUSYBOX}`,
      'COPY --link app.txt /app/app.txt',
      'RUN <<EOT',
      'set -e',
      `echo "setup ${project}" > /app/setup.txt`,
      'EOT',
      "COPY <<'EOF' /app/config.ini",
      'port = $PORT',
      'EOF',
      'RUN <<EOT',
      '#!/bin/sh',
      'echo "script ran as $0" > /app/script.txt',
      'EOT',
      'RUN cat <<EOF >> /app/setup.txt',
      'appended',
      'EOF',
    ].join('\n');
    const { built, log } = await build({ Dockerfile: `${dockerfile}\n`, 'app.txt': 'app\n' }, 'current-syntax');
    const files = await runIn(built.imageId, ['sh', '-c', 'cd /app && for f in *; do echo "== $f $(stat -c %a $f)"; cat $f; done']);
    expect(files).toBe(`== app.txt 644\napp\n== config.ini 644\nport = $PORT\n== script.txt 644\nscript ran as /dev/pipes/EOT\n== setup.txt 644\nsetup ${project}\nappended\n`);
    if (hasOldFrontend((await docker.version()).Version)) {
      expect(log).toMatch(/^portico: Dockerfile line 1: # syntax=docker\/dockerfile:1\.7 is not pulled; building with the Dockerfile frontend built into Docker 20\./m);
      expect(log).toContain('portico: Dockerfile line 3: COPY --link built without --link');
    }
  });

  it('refuses a flag the engine cannot build before the build starts, naming the line and the fix', async () => {
    if (!hasOldFrontend((await docker.version()).Version)) return; // a current engine builds it
    const { message, log } = await failure({ Dockerfile: `FROM ${BUSYBOX}\nCOPY --parents app/*.txt /srv/\n`, 'app/a.txt': 'a\n' }, 'parents');
    expect(message).toMatch(/^Dockerfile line 2: COPY --parents needs a newer Dockerfile syntax, which the Dockerfile frontend built into this engine \(Docker 20\.[^)]*\) does not have.*remove --parents, or use a Docker 23 or newer engine/);
    expect(log).toBe('');
  });

  it('leaves out of the context what .dockerignore excludes, as the docker CLI does', async () => {
    const { built } = await build(
      { Dockerfile: `FROM ${BUSYBOX}\nCOPY . /ctx\n`, '.dockerignore': 'secrets.env\nmodels/\n!models/keep.txt\n', 'secrets.env': 'x', 'models/big.bin': 'x', 'models/keep.txt': 'k', 'app.py': project },
      'dockerignore',
    );
    expect((await runIn(built.imageId, ['find', '/ctx', '-type', 'f'])).split('\n').filter(Boolean).sort()).toEqual(['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/app.py', '/ctx/models/keep.txt']);
  });
});
