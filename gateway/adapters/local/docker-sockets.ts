import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { type ListeningSocket, parseSocketTable } from '../../domain/listening-ports.ts';

const EXEC_TIMEOUT_MS = 3_000;

/**
 * The TCP sockets a running container listens on, from its network namespace's socket table:
 * read from the host's `/proc/<pid>/net/tcp{,6}` when the engine runs on this host and that pid
 * is the container's own (not so when the gateway runs in a container of its own), else with an
 * exec of `cat` inside the container. Null when neither works (an image without `cat`).
 */
export async function readListeningSockets(docker: Dockerode, where: string, info: Dockerode.ContainerInspectInfo): Promise<ListeningSocket[] | null> {
  const fromHost = where.startsWith('unix://') ? await readFromHost(info) : null;
  if (fromHost !== null) return parseSocketTable(fromHost);
  const fromExec = await readWithExec(docker, info.Id);
  return fromExec === null ? null : parseSocketTable(fromExec);
}

async function readFromHost(info: Dockerode.ContainerInspectInfo): Promise<string | null> {
  const pid = info.State.Pid;
  if (!pid || pid <= 0) return null;
  try {
    // The pid is the engine's view: only trust it when that process is in this container's cgroup.
    const cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    if (!cgroup.includes(info.Id)) return null;
    const [tcp, tcp6] = await Promise.all([readFile(`/proc/${pid}/net/tcp`, 'utf8'), readFile(`/proc/${pid}/net/tcp6`, 'utf8').catch(() => '')]);
    return tcp + tcp6;
  } catch {
    return null;
  }
}

async function readWithExec(docker: Dockerode, id: string): Promise<string | null> {
  try {
    const exec = await docker.getContainer(id).exec({ Cmd: ['cat', '/proc/net/tcp', '/proc/net/tcp6'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new Error('exec timed out'));
      }, EXEC_TIMEOUT_MS);
      stream.on('end', () => (clearTimeout(timer), resolve()));
      stream.on('close', () => (clearTimeout(timer), resolve()));
      stream.on('error', (error) => (clearTimeout(timer), reject(error)));
    });
    const text = Buffer.concat(chunks).toString('utf8');
    return text.includes('local_address') ? text : null;
  } catch {
    return null;
  }
}
