import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { analyseDockerfile } from '../domain/dockerfile.ts';
import { EXIT } from './exit-codes.ts';

/** `portico inspect <dir|Dockerfile>`: the analysis Portico runs before it builds, as JSON. */
export async function inspectCommand(target: string, buildArgs: Readonly<Record<string, string>>, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
  const file = isDir ? join(target, 'Dockerfile') : target;
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) {
    err(`portico: cannot read ${file}; give a directory holding a Dockerfile, or a Dockerfile's path\n`);
    return EXIT.usage;
  }
  const result = analyseDockerfile(text, buildArgs);
  if (!result.ok) {
    err(`portico: ${file}: ${result.error}\n`);
    return EXIT.failed;
  }
  const { baseImage, port, gpu, cudaVersion, labels, memoryBytes, gpuLabel } = result.analysis;
  out(JSON.stringify({ file, baseImage, port, gpu, cudaVersion, gpuLabel, memoryBytes, labels }, null, 2) + '\n');
  return EXIT.ok;
}
