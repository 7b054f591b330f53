import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { describeBuildkit } from '../domain/buildkit.ts';
import { declarePort } from '../domain/declared-port.ts';
import { parseDemoCard } from '../domain/demo-card.ts';
import { analyseDockerfile } from '../domain/dockerfile.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import { placeDeployment } from '../domain/gpu.ts';
import type { GpuSetting } from '../domain/types.ts';
import { EXIT } from './exit-codes.ts';

export interface InspectOptions {
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly gpu: GpuSetting;
  /** The GPU pools a deployment here would be placed in. */
  readonly pools: readonly GpuPool[];
  /** The project's own port setting, when one would be given. */
  readonly port?: number | null;
}

const readText = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);

/** The start scripts the command runs, read from the directory (the build context); a path outside it is not read. */
async function readScripts(contextDir: string, paths: readonly string[]): Promise<Record<string, string>> {
  const root = resolve(contextDir);
  const entries = await Promise.all(
    paths.map(async (path) => {
      const file = resolve(root, path);
      return file.startsWith(root + sep) ? ([path, await readText(file)] as const) : ([path, null] as const);
    }),
  );
  return Object.fromEntries(entries.filter((entry): entry is readonly [string, string] => entry[1] !== null));
}

/**
 * `portico inspect <dir|Dockerfile>`: what Portico reads before it builds, as JSON: the port it
 * will expect and why, the GPU verdict and why, BuildKit syntax in use, the README's Spaces card
 * (README.md beside the Dockerfile), and the GPU placement. A placement that fails is shown with
 * its reason, not as an error: the Dockerfile itself is fine.
 */
export async function inspectCommand(target: string, options: InspectOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
  const file = isDir ? join(target, 'Dockerfile') : target;
  const text = await readText(file);
  if (text === null) {
    err(`portico: cannot read ${file}; give a directory holding a Dockerfile, or a Dockerfile's path\n`);
    return EXIT.usage;
  }
  const result = analyseDockerfile(text, options.buildArgs);
  if (!result.ok) {
    err(`portico: ${file}: ${result.error}\n`);
    return EXIT.failed;
  }
  const { analysis } = result;
  const contextDir = isDir ? target : dirname(file);
  const readme = await readText(join(contextDir, 'README.md'));
  const card = readme === null ? null : parseDemoCard(readme);
  const scripts = await readScripts(contextDir, analysis.startScripts);
  const declared = declarePort({ projectPort: options.port ?? null, card, analysis, scripts });
  const placed = placeDeployment(options.gpu, analysis, options.pools);
  const placement = placed.ok ? placed.placement : { error: placed.reason };
  const { baseImage, gpu, gpuReason, cudaVersion, labels, memoryBytes, gpuLabel, buildkit } = analysis;
  const report = {
    file,
    baseImage,
    port: declared.port,
    portSource: declared.source,
    portReason: declared.reason,
    gpu,
    gpuReason,
    cudaVersion,
    gpuLabel,
    memoryBytes,
    buildkit: {
      required: buildkit.required,
      syntax: buildkit.syntax,
      features: describeBuildkit(buildkit) || null,
      secrets: buildkit.secrets,
    },
    card,
    startScripts: analysis.startScripts,
    labels,
    placement,
  };
  out(JSON.stringify(report, null, 2) + '\n');
  return EXIT.ok;
}
