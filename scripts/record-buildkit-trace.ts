/**
 * Records the raw build stream of one BuildKit build on the local engine, for the progress
 * printer's tests: `npx tsx scripts/record-buildkit-trace.ts <context-dir> <out.json> [tag]`.
 * Writes every JSON event the engine sent, in order (the `moby.buildkit.trace` ones are base64
 * protobuf `StatusResponse` messages), and removes the image it built.
 */
import { writeFile } from 'node:fs/promises';
import { pack } from 'tar-fs';
import { createDockerClient } from '../gateway/adapters/local/docker-client.ts';

const [contextDir, out, tag = 'portico-record/trace:latest'] = process.argv.slice(2);
if (!contextDir || !out) throw new Error('usage: record-buildkit-trace.ts <context-dir> <out.json> [tag]');
const { docker } = createDockerClient(process.env.DOCKER_HOST);
const stream = await docker.buildImage(pack(contextDir) as unknown as NodeJS.ReadableStream, { t: tag, version: '2' } as never);
const events: unknown[] = [];
await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()), (event: unknown) => events.push(event)));
await writeFile(out, `${JSON.stringify(events, null, 1)}\n`);
await docker.getImage(tag).remove().catch(() => undefined);
console.log(`${events.length} events written to ${out}`);
