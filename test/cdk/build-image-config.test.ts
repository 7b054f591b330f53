import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Builds } from '../../cdk/constructs/builds.ts';
import { fromBuild } from '../../gateway/adapters/aws/codebuild-builder.ts';
import { NGC_PYTORCH_23_10, NVIDIA_CUDA_12_4_RUNTIME, PYTHON_SLIM } from '../support/image-env.ts';

/*
 * The buildspec's last build command reads the pushed image's configuration and exports the GPU
 * facts. It runs here for real in bash with jq (as in CodeBuild's standard image); only `docker`
 * is a stand-in that prints what `buildx imagetools inspect --format '{{json .Image.Config}}'`
 * prints for an image with that environment.
 */
const run = promisify(execFile);

interface BuildSpec {
  env: { 'exported-variables': string[] };
  phases: { build: { commands: string[] } };
}

let spec: BuildSpec;
let bin: string;

beforeAll(async () => {
  const stack = new Stack(new App(), 'Builds');
  new Builds(stack, 'Builds');
  const [project] = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
  spec = JSON.parse((project as { Properties: { Source: { BuildSpec: string } } }).Properties.Source.BuildSpec) as BuildSpec;
  bin = await mkdtemp(join(tmpdir(), 'portico-fake-docker-'));
});

afterAll(() => rm(bin, { recursive: true, force: true }));

/** Runs the buildspec's image-config command with `docker` answering `answer` (or failing), and returns the exported variables. */
async function exportedAfter(answer: object | null): Promise<{ name: string; value: string }[]> {
  const docker = answer ? `#!/bin/sh\n[ "$1 $2 $3" = "buildx imagetools inspect" ] || exit 9\ncat <<'JSON'\n${JSON.stringify(answer)}\nJSON\n` : '#!/bin/sh\necho "ERROR: not found" >&2\nexit 1\n';
  await writeFile(join(bin, 'docker'), docker);
  await chmod(join(bin, 'docker'), 0o755);
  const command = spec.phases.build.commands.at(-1)!;
  const names = spec.env['exported-variables'];
  const script = `${command}\nfor name in ${names.join(' ')}; do printf '%s=%s\\n' "$name" "$(printenv "$name")"; done`;
  const { stdout } = await run('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}`, IMAGE_REPOSITORY_URI: 'repo', COMMIT_SHA: 'abc' } });
  return stdout.trim().split('\n').map((line) => ({ name: line.slice(0, line.indexOf('=')), value: line.slice(line.indexOf('=') + 1) }));
}

const config = (env: Readonly<Record<string, string>>, labels: Record<string, string> | null = null) => ({ Env: Object.entries(env).map(([k, v]) => `${k}=${v}`), Labels: labels });

describe('the CodeBuild build reports the image configuration back', () => {
  it('exports exactly the image variables', () => {
    expect(spec.env['exported-variables']).toEqual(['PORTICO_IMAGE_CONFIG', 'PORTICO_IMAGE_CUDA_VERSION', 'PORTICO_IMAGE_REQUIRE_CUDA', 'PORTICO_IMAGE_VISIBLE_DEVICES', 'PORTICO_IMAGE_GPU_LABEL']);
  });

  it('exports CUDA_VERSION, the cuda>=X.Y of NVIDIA_REQUIRE_CUDA and the devices of an nvidia/cuda image, and the release reads them back', async () => {
    const exported = await exportedAfter(config(NVIDIA_CUDA_12_4_RUNTIME, { maintainer: 'NVIDIA CORPORATION <cudatools@nvidia.com>', 'portico.gpu': '2' }));
    expect(exported).toEqual([
      { name: 'PORTICO_IMAGE_CONFIG', value: 'read' },
      { name: 'PORTICO_IMAGE_CUDA_VERSION', value: '12.4.1' },
      { name: 'PORTICO_IMAGE_REQUIRE_CUDA', value: 'cuda>=12.4' },
      { name: 'PORTICO_IMAGE_VISIBLE_DEVICES', value: 'all' },
      { name: 'PORTICO_IMAGE_GPU_LABEL', value: '2' },
    ]);
    const build = fromBuild({ id: 'b1', buildStatus: 'SUCCEEDED', environment: { environmentVariables: [{ name: 'PORTICO_DEPLOYMENT_ID', value: 'd1' }, { name: 'PORTICO_APP_PORT', value: '8000' }] } as never, exportedEnvironmentVariables: exported });
    expect(build?.imageFacts).toEqual({ env: { CUDA_VERSION: '12.4.1', NVIDIA_REQUIRE_CUDA: 'cuda>=12.4', NVIDIA_VISIBLE_DEVICES: 'all' }, labels: { 'portico.gpu': '2' } });
  });

  it('exports an NGC container’s own CUDA_VERSION next to its cuda>=9.0 floor', async () => {
    const exported = await exportedAfter(config(NGC_PYTORCH_23_10));
    expect(exported.slice(1, 4).map((variable) => variable.value)).toEqual(['12.2.2.009', 'cuda>=9.0', 'all']);
  });

  it('exports empty values for a CPU image, still marked as read', async () => {
    expect((await exportedAfter(config(PYTHON_SLIM))).map((variable) => variable.value)).toEqual(['read', '', '', '', '']);
  });

  it('leaves the configuration unread, without failing the build, when the registry cannot be asked', async () => {
    expect((await exportedAfter(null)).map((variable) => variable.value)).toEqual(['', '', '', '', '']);
  });
});
