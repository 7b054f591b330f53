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

  it('shows the port and the GPU verdict with their reasons', async () => {
    const result = await portico(['inspect', 'examples/gpt2-cuda']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      port: 8000,
      portSource: 'expose',
      portReason: 'EXPOSE 8000',
      gpuReason: 'base image pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime is a CUDA image',
      buildkit: { required: false, features: null },
      card: null,
    });
  });

  it("reads a Space's README card and takes its app_port", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-inspect-'));
    await writeFile(join(dir, 'README.md'), '---\ntitle: CodeSeek AI\nemoji: 🔎\nsdk: docker\napp_port: 8501\nshort_description: Semantic search for programming questions\n---\n# CodeSeek\n');
    await writeFile(join(dir, 'Dockerfile'), 'FROM python:3.11-slim\nEXPOSE 7860\nCMD ["streamlit", "run", "app.py", "--server.port", "8501"]\n');
    const result = await portico(['inspect', dir]);
    await rm(dir, { recursive: true });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      port: 8501,
      portSource: 'front-matter',
      portReason: 'app_port: 8501 in README front matter',
      card: { title: 'CodeSeek AI', emoji: '🔎', description: 'Semantic search for programming questions', sdk: 'docker', appPort: 8501 },
    });
  });

  it('lists BuildKit syntax and reads the port from the start script the command runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-inspect-'));
    await writeFile(join(dir, 'start.sh'), '#!/bin/sh\nexec vllm serve "$MODEL" --host 0.0.0.0 --port 80\n');
    await writeFile(
      join(dir, 'Dockerfile'),
      '# syntax=docker/dockerfile:1\nFROM vllm/vllm-openai:v0.6.6.post1\nCOPY --chmod=775 start.sh /start.sh\nRUN --mount=type=secret,id=hf_token,required=true true\nENTRYPOINT ["/start.sh"]\n',
    );
    const result = await portico(['inspect', join(dir, 'Dockerfile')]);
    await rm(dir, { recursive: true });
    expect(JSON.parse(result.stdout)).toMatchObject({
      port: 80,
      portSource: 'command',
      portReason: '--port 80 in start script start.sh',
      gpu: true,
      gpuReason: 'base image vllm/vllm-openai:v0.6.6.post1 is a CUDA image',
      buildkit: {
        required: true,
        syntax: 'docker/dockerfile:1',
        features: 'COPY --chmod (line 3), RUN --mount=type=secret (line 4)',
        secrets: [{ id: 'hf_token', required: true, line: 4 }],
      },
      startScripts: ['start.sh'],
    });
  });

  it('puts a --port setting before everything the files say', async () => {
    const result = await portico(['inspect', 'examples/hello-cpu', '--port', '4000']);
    expect(JSON.parse(result.stdout)).toMatchObject({ port: 4000, portSource: 'setting' });
    const bad = await portico(['inspect', 'examples/hello-cpu', '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port takes a port from 1 to 65535');
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
