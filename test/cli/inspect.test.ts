import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../gateway/cli/main.ts';

/** Runs the CLI in-process, capturing what it prints. */
async function portico(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (t) => void (stdout += t), (t) => void (stderr += t));
  return { code, stdout, stderr };
}

describe('portico inspect', () => {
  it('reports the CUDA example as a GPU image with its CUDA version, port and memory', async () => {
    const result = await portico(['inspect', 'examples/gpt2-cuda']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      baseImage: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
      port: 8000,
      gpu: true,
      cudaVersion: '12.1',
      memoryBytes: 8 * 1024 ** 3,
    });
  });

  it('reports the CPU example as a CPU image on its EXPOSEd port', async () => {
    const result = await portico(['inspect', 'examples/hello-cpu/Dockerfile']);
    expect(JSON.parse(result.stdout)).toMatchObject({ baseImage: 'node:20-slim', port: 3000, gpu: false, cudaVersion: null });
  });

  it('substitutes --build-arg values into FROM', async () => {
    const result = await portico(['inspect', 'examples/gpt2-cuda', '--build-arg', 'CUDA=11.8']);
    expect(JSON.parse(result.stdout)).toMatchObject({ baseImage: 'pytorch/pytorch:2.3.1-cuda11.8-cudnn8-runtime', cudaVersion: '11.8' });
  });

  it('exits 1 with the reason for a broken Dockerfile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-inspect-'));
    await writeFile(join(dir, 'Dockerfile'), 'EXPOSE 80\n');
    const result = await portico(['inspect', dir]);
    await rm(dir, { recursive: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FROM/);
  });

  it('exits 2 when there is no Dockerfile to read', async () => {
    const result = await portico(['inspect', '/nonexistent/dir']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read /nonexistent/dir');
  });
});
