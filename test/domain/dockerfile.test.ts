import { describe, expect, it } from 'vitest';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';
import type { DockerfileAnalysis } from '../../gateway/domain/dockerfile.ts';
import { gpuCount } from '../../gateway/domain/gpu.ts';

/** One Dockerfile from its lines. */
const df = (...lines: string[]): string => lines.join('\n');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

interface Shape {
  readonly name: string;
  readonly text: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly expected: Partial<DockerfileAnalysis>;
}

const shapes: Shape[] = [
  {
    name: 'reads a single-stage Python app with EXPOSE',
    text: df('FROM python:3.11-slim', 'WORKDIR /app', 'COPY . .', 'RUN pip install -r requirements.txt', 'EXPOSE 8000', 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]'),
    expected: { baseImage: 'python:3.11-slim', port: 8000, gpu: false, cudaVersion: null, labels: {}, gpuLabel: null, memoryBytes: null },
  },
  {
    name: 'finds CUDA 12.1 in an nvidia/cuda runtime base',
    text: df('FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04', 'RUN apt-get update && apt-get install -y python3-pip', 'EXPOSE 5000'),
    expected: { baseImage: 'nvidia/cuda:12.1.0-runtime-ubuntu22.04', gpu: true, cudaVersion: '12.1', port: 5000 },
  },
  {
    name: 'lets the final slim stage decide when a CUDA builder stage comes first',
    text: df(
      'FROM nvidia/cuda:11.8.0-devel-ubuntu22.04 AS builder',
      'RUN make',
      'EXPOSE 9999',
      'FROM python:3.10-slim',
      'COPY --from=builder /out /app',
      'CMD ["python", "/app/serve.py"]',
    ),
    expected: { baseImage: 'python:3.10-slim', gpu: false, cudaVersion: null, port: 80 },
  },
  {
    name: 'gives a GPU to a CUDA runtime stage built after a slim builder',
    text: df('FROM node:20 AS ui', 'RUN npm run build', 'FROM nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04', 'COPY --from=ui /dist /www'),
    expected: { baseImage: 'nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04', gpu: true, cudaVersion: '12.2' },
  },
  {
    name: 'substitutes an ARG declared before FROM into the base image',
    text: df('ARG CUDA=12.1.0', 'FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04'),
    expected: { baseImage: 'nvidia/cuda:12.1.0-runtime-ubuntu22.04', cudaVersion: '12.1' },
  },
  {
    name: 'lets a build arg override the ARG default in FROM',
    text: df('ARG CUDA=12.1.0', 'FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04'),
    buildArgs: { CUDA: '11.8.0' },
    expected: { baseImage: 'nvidia/cuda:11.8.0-runtime-ubuntu22.04', cudaVersion: '11.8' },
  },
  {
    name: 'substitutes the $VAR form',
    text: df('ARG PYTHON=3.10', 'FROM python:$PYTHON-slim'),
    expected: { baseImage: 'python:3.10-slim' },
  },
  {
    name: 'uses the ${VAR:-default} default when the ARG has no value',
    text: df('ARG BASE', 'FROM ${BASE:-python:3.11-slim}'),
    expected: { baseImage: 'python:3.11-slim' },
  },
  {
    name: 'prefers the build arg over the ${VAR:-default} default',
    text: df('ARG BASE', 'FROM ${BASE:-python:3.11-slim}'),
    buildArgs: { BASE: 'pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime' },
    expected: { baseImage: 'pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime', gpu: true, cudaVersion: '12.1' },
  },
  {
    name: 'follows an alias chain back to the external base image',
    text: df(
      'FROM nvidia/cuda:11.7.1-runtime-ubuntu20.04 AS base',
      'RUN apt-get update',
      'FROM base AS deps',
      'RUN pip install torch',
      'FROM deps',
      'COPY . /app',
    ),
    expected: { baseImage: 'nvidia/cuda:11.7.1-runtime-ubuntu20.04', gpu: true, cudaVersion: '11.7' },
  },
  {
    name: 'matches stage aliases case-insensitively',
    text: df('FROM nvidia/cuda:12.4.1-base-ubuntu22.04 AS Builder', 'FROM builder'),
    expected: { baseImage: 'nvidia/cuda:12.4.1-base-ubuntu22.04', gpu: true },
  },
  {
    name: 'skips the --platform flag of FROM',
    text: df('FROM --platform=linux/amd64 python:3.11-slim AS app', 'EXPOSE 8080'),
    expected: { baseImage: 'python:3.11-slim', port: 8080 },
  },
  {
    name: 'accepts FROM scratch as a CPU base on port 80',
    text: df('FROM golang:1.22 AS build', 'RUN go build -o /server', 'FROM scratch', 'COPY --from=build /server /server'),
    expected: { baseImage: 'scratch', gpu: false, port: 80 },
  },
  {
    name: 'reads the port of EXPOSE 8000/tcp',
    text: df('FROM python:3.11-slim', 'EXPOSE 8000/tcp'),
    expected: { port: 8000 },
  },
  {
    name: 'takes the first port when several are exposed',
    text: df('FROM nginx:1.25', 'EXPOSE 8080 8443', 'EXPOSE 9090'),
    expected: { port: 8080 },
  },
  {
    name: 'passes over UDP ports to the first TCP one',
    text: df('FROM python:3.11-slim', 'EXPOSE 5353/udp', 'EXPOSE 8080'),
    expected: { port: 8080 },
  },
  {
    name: 'falls back to ENV PORT when nothing is exposed',
    text: df('FROM python:3.10', 'ENV PORT=7860', 'CMD ["python", "app.py"]'),
    expected: { port: 7860 },
  },
  {
    name: 'reads the legacy ENV PORT 7860 form',
    text: df('FROM python:3.10', 'ENV PORT 7860'),
    expected: { port: 7860 },
  },
  {
    name: 'defaults to port 80 with neither EXPOSE nor ENV PORT',
    text: df('FROM python:3.11-slim', 'CMD ["python", "-m", "http.server", "80"]'),
    expected: { port: 80 },
  },
  {
    name: 'reads a Gradio demo on 7860',
    text: df(
      'FROM python:3.10',
      'RUN pip install --no-cache-dir gradio==4.19.2 transformers',
      'COPY app.py .',
      'EXPOSE 7860',
      'ENV GRADIO_SERVER_NAME="0.0.0.0"',
      'CMD ["python", "app.py"]',
    ),
    expected: { port: 7860, labels: {} },
  },
  {
    name: 'expands EXPOSE $PORT from an ARG inside the stage',
    text: df('FROM python:3.11-slim', 'ARG PORT=5000', 'EXPOSE $PORT'),
    expected: { port: 5000 },
  },
  {
    name: 'lets a build arg set the ARG used by EXPOSE',
    text: df('FROM python:3.11-slim', 'ARG PORT=5000', 'EXPOSE $PORT'),
    buildArgs: { PORT: '6000' },
    expected: { port: 6000 },
  },
  {
    name: 'expands EXPOSE ${PORT} from ENV (Streamlit)',
    text: df('FROM python:3.9-slim', 'ENV PORT=8501', 'EXPOSE ${PORT}', 'CMD streamlit run app.py --server.port $PORT'),
    expected: { port: 8501 },
  },
  {
    name: 'inherits EXPOSE from the stage the final stage is built FROM',
    text: df('FROM python:3.11-slim AS base', 'EXPOSE 9000', 'FROM base', 'COPY . /app'),
    expected: { port: 9000 },
  },
  {
    name: 'ignores EXPOSE in a stage the final stage does not build on',
    text: df('FROM node:20 AS ui', 'EXPOSE 3000', 'FROM python:3.11-slim', 'COPY --from=ui /dist /www'),
    expected: { port: 80 },
  },
  {
    name: 'prefers the final stage own EXPOSE over an inherited one',
    text: df('FROM python:3.11-slim AS base', 'EXPOSE 9000', 'FROM base', 'EXPOSE 7000'),
    expected: { port: 7000 },
  },
  {
    name: 'inherits ENV PORT through a stage alias',
    text: df('FROM python:3.11-slim AS base', 'ENV PORT=8888', 'FROM base'),
    expected: { port: 8888 },
  },
  {
    name: "reads Ainize's memory requirement from a LABEL",
    text: df('FROM pytorch/pytorch:1.13.1-cuda11.6-cudnn8-runtime', 'LABEL AINIZE_MEMORY_REQUIREMENT=4Gi'),
    expected: { memoryBytes: 4 * GiB, gpu: true, cudaVersion: '11.6' },
  },
  {
    name: "reads Ainize's memory requirement from an ENV",
    text: df('FROM python:3.8', 'ENV AINIZE_MEMORY_REQUIREMENT 2G'),
    expected: { memoryBytes: 2 * GiB },
  },
  {
    name: "prefers LABEL portico.memory over Ainize's requirement",
    text: df('FROM python:3.8', 'ENV AINIZE_MEMORY_REQUIREMENT=8g', 'LABEL portico.memory=512m'),
    expected: { memoryBytes: 512 * MiB },
  },
  {
    name: 'reads LABEL portico.gpu=off',
    text: df('FROM nvidia/cuda:12.1.0-base-ubuntu22.04', 'LABEL portico.gpu=off'),
    expected: { gpu: true, gpuLabel: 'off' },
  },
  {
    name: 'reads a GPU count from LABEL portico.gpu',
    text: df('FROM python:3.11-slim', 'LABEL portico.gpu=2'),
    expected: { gpu: false, gpuLabel: 2 },
  },
  {
    name: 'substitutes ARG and ENV values in labels',
    text: df('FROM python:3.11-slim', 'ARG VERSION=1.2.3', 'ENV MODEL=gpt2', 'LABEL org.opencontainers.image.version=$VERSION model="${MODEL}-small"'),
    expected: { labels: { 'org.opencontainers.image.version': '1.2.3', model: 'gpt2-small' } },
  },
  {
    name: 'collects labels through stage aliases but not from unrelated stages',
    text: df('FROM python:3.11-slim AS base', 'LABEL team=ml', 'FROM node:20 AS other', 'LABEL other=yes', 'FROM base', 'LABEL app=demo'),
    expected: { labels: { team: 'ml', app: 'demo' } },
  },
  {
    name: 'keeps quoted label values whole and does not expand inside single quotes',
    text: df('FROM python:3.11-slim', `LABEL description="A demo of GPT-2 stories" literal='$HOME'`),
    expected: { labels: { description: 'A demo of GPT-2 stories', literal: '$HOME' } },
  },
  {
    name: 'reads lowercase instructions',
    text: df('from python:3.11-slim as app', 'expose 5000', 'label owner=acme'),
    expected: { baseImage: 'python:3.11-slim', port: 5000, labels: { owner: 'acme' } },
  },
  {
    name: 'joins line continuations, even with a comment in between',
    text: df('FROM \\', '  nvidia/cuda:12.1.0-runtime-ubuntu22.04', 'LABEL a=1 \\', '  # a note', '  b=2', 'EXPOSE 7000 \\', '  8000'),
    expected: { baseImage: 'nvidia/cuda:12.1.0-runtime-ubuntu22.04', labels: { a: '1', b: '2' }, port: 7000 },
  },
  {
    name: 'skips comments and parser directives',
    text: df('# syntax=docker/dockerfile:1', '# A demo', '', 'FROM python:3.11-slim', '# EXPOSE 1234', 'EXPOSE 4321'),
    expected: { port: 4321 },
  },
  {
    name: 'does not read heredoc bodies as instructions',
    text: df('# syntax=docker/dockerfile:1', 'FROM python:3.11-slim', 'RUN <<EOF', 'FORM nothing', 'EXPOSE 1', 'EOF', 'EXPOSE 8000'),
    expected: { port: 8000 },
  },
  {
    name: 'substitutes all values of one ENV with the variables from before it',
    text: df('FROM python:3.11-slim', 'ENV A=1', 'ENV A=2 B=$A', 'LABEL b=$B'),
    expected: { labels: { b: '1' } },
  },
  {
    name: 'lets ENV win over an ARG of the same name',
    text: df('FROM python:3.11-slim', 'ENV PORT=9000', 'ARG PORT=5000', 'EXPOSE $PORT'),
    expected: { port: 9000 },
  },
  {
    name: 're-imports a global ARG declared again inside the stage',
    text: df('ARG CUDA=12.1.0', 'FROM nvidia/cuda:${CUDA}-base-ubuntu22.04', 'ARG CUDA', 'LABEL cuda=$CUDA'),
    expected: { labels: { cuda: '12.1.0' } },
  },
  {
    name: 'does not leak a global ARG into a stage that does not declare it',
    text: df('ARG CUDA=12.1.0', 'FROM nvidia/cuda:${CUDA}-base-ubuntu22.04', 'LABEL cuda=x$CUDA'),
    expected: { labels: { cuda: 'x' } },
  },
  {
    name: "knows the platform ARGs BuildKit predefines, as linux/amd64",
    text: df('FROM --platform=$BUILDPLATFORM ${TARGETARCH}/python:3.11-slim', 'ARG TARGETARCH', 'LABEL arch=$TARGETARCH'),
    expected: { baseImage: 'amd64/python:3.11-slim', labels: { arch: 'amd64' } },
  },
  {
    name: 'follows the escape parser directive',
    text: df('# escape=`', 'FROM python:3.11-slim', 'LABEL path=C:\\app `', '  port=1`0'),
    expected: { labels: { path: 'C:\\app', port: '10' } },
  },
  {
    name: 'treats docker.io/nvidia/cuda as CUDA',
    text: df('FROM docker.io/nvidia/cuda:11.3.1-cudnn8-runtime-ubuntu20.04'),
    expected: { gpu: true, cudaVersion: '11.3' },
  },
  {
    name: 'maps an NGC PyTorch release to its CUDA',
    text: df('FROM nvcr.io/nvidia/pytorch:24.05-py3', 'EXPOSE 8888'),
    expected: { baseImage: 'nvcr.io/nvidia/pytorch:24.05-py3', gpu: true, cudaVersion: '12.4', port: 8888 },
  },
  {
    name: 'accepts a base image pinned by digest',
    text: df(`FROM python:3.11-slim@sha256:${'a'.repeat(64)}`),
    expected: { baseImage: `python:3.11-slim@sha256:${'a'.repeat(64)}` },
  },
  {
    name: 'accepts a registry with a port',
    text: df('FROM localhost:5000/acme/base:1.0'),
    expected: { baseImage: 'localhost:5000/acme/base:1.0' },
  },
  {
    name: 'tolerates a byte order mark and CRLF line endings',
    text: '\uFEFFFROM python:3.11-slim\r\nEXPOSE 8000\r\nLABEL a=1 \\\r\n  b=2\r\n',
    expected: { baseImage: 'python:3.11-slim', port: 8000, labels: { a: '1', b: '2' } },
  },
];

describe('analyseDockerfile', () => {
  it.each(shapes)('$name', ({ text, buildArgs, expected }) => {
    expect(analyseDockerfile(text, buildArgs)).toEqual({ ok: true, analysis: expect.objectContaining(expected) });
  });
});

interface Failure {
  readonly name: string;
  readonly text: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The error message contains this. */
  readonly error: string;
}

const failures: Failure[] = [
  { name: 'refuses an empty file', text: '', error: 'the Dockerfile is empty' },
  { name: 'refuses a file of only comments', text: df('# nothing here', '', '# still nothing'), error: 'the Dockerfile is empty' },
  {
    name: 'names the line of an unknown instruction and suggests the right one',
    text: df('# base', '', 'FORM ubuntu:22.04'),
    error: "Dockerfile line 3: unknown instruction 'FORM' (did you mean FROM?)",
  },
  { name: 'refuses a Dockerfile without FROM', text: df('ARG X=1', 'RUN echo hi'), error: 'no FROM instruction' },
  {
    name: 'refuses an instruction other than ARG before the first FROM',
    text: df('ARG X=1', 'RUN echo hi', 'FROM python:3.11-slim'),
    error: 'Dockerfile line 2: RUN comes before the first FROM',
  },
  { name: 'refuses FROM without an image', text: df('FROM'), error: 'Dockerfile line 1: FROM needs a base image' },
  { name: 'refuses FROM with only a flag', text: df('FROM --platform=linux/amd64'), error: 'Dockerfile line 1: FROM needs a base image' },
  { name: 'refuses FROM with extra words', text: df('FROM python:3.11 slim'), error: 'Dockerfile line 1: FROM python:3.11 slim is not understood' },
  {
    name: 'refuses FROM ${BASE} when ARG BASE has no default and no build arg',
    text: df('ARG BASE', 'FROM ${BASE}'),
    error: 'Dockerfile line 2: FROM ${BASE} uses ARG BASE which has no default and no build arg was given',
  },
  {
    name: 'refuses FROM with a variable that no global ARG declares',
    text: df('FROM python:${PY}-slim'),
    error: 'Dockerfile line 1: FROM python:${PY}-slim uses PY, but no ARG PY comes before the first FROM',
  },
  {
    name: 'refuses FROM with a variable declared only inside an earlier stage',
    text: df('FROM python:3.11-slim AS one', 'ARG BASE=python:3.10', 'FROM ${BASE}'),
    error: 'Dockerfile line 3: FROM ${BASE} uses BASE, but no ARG BASE comes before the first FROM',
  },
  {
    name: 'refuses an image name with capitals',
    text: df('FROM Ubuntu:22.04'),
    error: "Dockerfile line 1: FROM Ubuntu:22.04: 'Ubuntu:22.04' is not a valid image name",
  },
  { name: 'refuses a stage name used twice', text: df('FROM a AS x', 'FROM b AS X'), error: "Dockerfile line 2: stage name 'X' is already used on line 1" },
  { name: 'refuses a stage name starting with a digit', text: df('FROM a AS 1st'), error: "'1st' is not a valid stage name" },
  { name: 'refuses EXPOSE abc', text: df('FROM python:3.11-slim', 'EXPOSE abc'), error: 'Dockerfile line 2: EXPOSE abc is not a port' },
  { name: 'refuses a port above 65535', text: df('FROM python:3.11-slim', 'EXPOSE 70000'), error: 'EXPOSE 70000 is not a port' },
  { name: 'refuses port 0', text: df('FROM python:3.11-slim', 'EXPOSE 0/tcp'), error: 'EXPOSE 0/tcp is not a port' },
  { name: 'refuses EXPOSE without a port', text: df('FROM python:3.11-slim', 'EXPOSE'), error: 'Dockerfile line 2: EXPOSE needs a port' },
  {
    name: 'refuses EXPOSE $PORT when PORT has no value',
    text: df('FROM python:3.11-slim', 'EXPOSE $PORT'),
    error: 'Dockerfile line 2: EXPOSE $PORT uses PORT, which has no value here',
  },
  {
    name: 'shows what a variable in EXPOSE expanded to when that is not a port',
    text: df('FROM python:3.11-slim', 'ARG PORT=http', 'EXPOSE $PORT'),
    error: 'Dockerfile line 3: EXPOSE $PORT (http) is not a port',
  },
  { name: 'refuses ENV PORT that is not a number', text: df('FROM python:3.11-slim', 'ENV PORT=web'), error: 'Dockerfile line 2: ENV PORT=web is not a port' },
  { name: 'refuses ENV without a value', text: df('FROM python:3.11-slim', 'ENV DEBUG'), error: 'Dockerfile line 2: ENV DEBUG has no value' },
  { name: 'refuses LABEL without a value', text: df('FROM python:3.11-slim', 'LABEL demo'), error: 'Dockerfile line 2: LABEL demo has no value' },
  { name: 'refuses an empty ENV', text: df('FROM python:3.11-slim', 'ENV'), error: 'Dockerfile line 2: ENV needs NAME=value' },
  { name: 'refuses an empty ARG', text: df('ARG', 'FROM python:3.11-slim'), error: 'Dockerfile line 1: ARG needs a name' },
  {
    name: 'refuses a portico.gpu label that is neither a count nor off',
    text: df('FROM python:3.11-slim', 'LABEL portico.gpu=lots'),
    error: 'Dockerfile line 2: LABEL portico.gpu=lots is not understood',
  },
  {
    name: 'refuses a portico.memory label that is not a size',
    text: df('FROM python:3.11-slim', 'LABEL portico.memory=plenty'),
    error: 'Dockerfile line 2: LABEL portico.memory=plenty is not a memory size',
  },
  {
    name: 'refuses an Ainize memory ENV that is not a size',
    text: df('FROM python:3.11-slim', '', 'ENV AINIZE_MEMORY_REQUIREMENT=big'),
    error: 'Dockerfile line 3: ENV AINIZE_MEMORY_REQUIREMENT=big is not a memory size',
  },
  {
    name: 'refuses an unterminated double quote',
    text: df('FROM python:3.11-slim', 'LABEL a="open'),
    error: 'Dockerfile line 2: LABEL a="open: a double quote is never closed',
  },
  {
    name: 'refuses an unclosed ${',
    text: df('FROM python:3.11-slim', 'LABEL a=${OPEN'),
    error: 'Dockerfile line 2: LABEL a=${OPEN: a ${ is never closed with }',
  },
  {
    name: 'reports the message of ${VAR:?message}',
    text: df('FROM python:3.11-slim', 'LABEL a="${MODEL:?set MODEL to a model name}"'),
    error: 'MODEL: set MODEL to a model name',
  },
  {
    name: 'refuses substitution forms it does not understand',
    text: df('FROM python:3.11-slim', 'ARG V=v1', 'LABEL a=${V#v}'),
    error: '${V#…} is not supported',
  },
];

describe('analyseDockerfile errors', () => {
  it.each(failures)('$name', ({ text, buildArgs, error }) => {
    const result = analyseDockerfile(text, buildArgs);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(error);
  });

  it('accepts FROM ${BASE} once a build arg gives BASE a value', () => {
    expect(analyseDockerfile(df('ARG BASE', 'FROM ${BASE}'), { BASE: 'ubuntu:22.04' })).toMatchObject({
      ok: true,
      analysis: { baseImage: 'ubuntu:22.04' },
    });
  });

  it('skips ${VAR:?message} in a default that is not used', () => {
    expect(analyseDockerfile(df('FROM python:3.11-slim', 'ENV A=x', 'LABEL a="${A:-${B:?unset}}"'))).toMatchObject({
      ok: true,
      analysis: { labels: { a: 'x' } },
    });
  });

  it('never throws, whatever the text', () => {
    // A fixed-seed generator over Dockerfile-ish fragments, so failures reproduce.
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const fragments = ['FROM ', 'ARG ', 'ENV ', 'LABEL ', 'EXPOSE ', 'RUN ', 'AS ', '$', '${', '}', ':-', ':?', '"', "'", '\\', '\n', ' ', '=', 'x', '8000', '/tcp', '--platform=', '#', '<<EOF', '\r\n', '\u0000', 'é', '`'];
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let piece = random(30); piece > 0; piece--) text += fragments[random(fragments.length)];
      const result = analyseDockerfile(text, { x: 'y' });
      expect(typeof result.ok).toBe('boolean');
    }
  });
});

interface GpuShape {
  readonly name: string;
  readonly text: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** What the analysis says about the GPU, and how many GPUs `gpuCount('auto', …)` then attaches. */
  readonly expected: Partial<DockerfileAnalysis> & { readonly gpus: number };
}

const cuda = (cudaVersion: string | null, gpus = 1) => ({ gpu: true, cudaVersion, gpus });
const cpu = (gpus = 0) => ({ gpu: false, cudaVersion: null, gpus });
const pipApp = ['WORKDIR /app', 'COPY requirements.txt .', 'RUN pip install --no-cache-dir -r requirements.txt', 'COPY . .', 'EXPOSE 80', 'CMD ["python3", "app.py"]'];

/** Dockerfiles as ML demo repositories write them (Ainize-era and current), judged for GPU before anything is built. */
const gpuShapes: GpuShape[] = [
  { name: 'Ainize-era PyTorch 1.6 runtime on CUDA 10.1', text: df('FROM pytorch/pytorch:1.6.0-cuda10.1-cudnn7-runtime', ...pipApp), expected: cuda('10.1') },
  {
    name: 'Ainize-era PyTorch 1.4 devel with apt packages',
    text: df('FROM pytorch/pytorch:1.4-cuda10.1-cudnn7-devel', 'RUN apt-get update && apt-get install -y git libsndfile1', ...pipApp),
    expected: cuda('10.1'),
  },
  { name: 'PyTorch 1.9 on CUDA 10.2', text: df('FROM pytorch/pytorch:1.9.0-cuda10.2-cudnn7-runtime', ...pipApp), expected: cuda('10.2') },
  { name: 'PyTorch 1.13 on CUDA 11.6 with an Ainize memory label', text: df('FROM pytorch/pytorch:1.13.1-cuda11.6-cudnn8-runtime', 'LABEL AINIZE_MEMORY_REQUIREMENT=8Gi', ...pipApp), expected: cuda('11.6') },
  { name: 'PyTorch 2.1 devel on CUDA 12.1', text: df('FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel', ...pipApp), expected: cuda('12.1') },
  { name: 'PyTorch 2.4 on CUDA 12.4 from docker.io', text: df('FROM docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime', ...pipApp), expected: cuda('12.4') },
  { name: 'pytorch/pytorch:latest (a CUDA build whose version moves)', text: df('FROM pytorch/pytorch:latest', ...pipApp), expected: cuda(null) },
  { name: 'pytorch/pytorch without a tag', text: df('FROM pytorch/pytorch', ...pipApp), expected: cuda(null) },
  {
    name: 'mmdetection-style PyTorch tag built from three ARGs',
    text: df('ARG PYTORCH="1.6.0"', 'ARG CUDA="10.1"', 'ARG CUDNN="7"', 'FROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn${CUDNN}-devel', 'ENV TORCH_CUDA_ARCH_LIST="6.0 6.1 7.0+PTX"', ...pipApp),
    expected: { baseImage: 'pytorch/pytorch:1.6.0-cuda10.1-cudnn7-devel', ...cuda('10.1') },
  },
  {
    name: 'mmdetection-style tag with build args choosing a newer CUDA',
    text: df('ARG PYTORCH="1.6.0"', 'ARG CUDA="10.1"', 'ARG CUDNN="7"', 'FROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn${CUDNN}-devel'),
    buildArgs: { PYTORCH: '1.12.1', CUDA: '11.3', CUDNN: '8' },
    expected: { baseImage: 'pytorch/pytorch:1.12.1-cuda11.3-cudnn8-devel', ...cuda('11.3') },
  },
  {
    name: 'nvidia/cuda 11.8 runtime with Python installed by apt',
    text: df('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', 'ENV DEBIAN_FRONTEND=noninteractive', 'RUN apt-get update && apt-get install -y python3 python3-pip', ...pipApp),
    expected: cuda('11.8'),
  },
  { name: 'nvidia/cuda 10.2 devel on Ubuntu 18.04', text: df('FROM nvidia/cuda:10.2-cudnn7-devel-ubuntu18.04', ...pipApp), expected: cuda('10.2') },
  { name: 'nvidia/cuda old-style 11.0-base tag', text: df('FROM nvidia/cuda:11.0-base', ...pipApp), expected: cuda('11.0') },
  { name: 'nvidia/cuda 12.8 on Ubuntu 24.04', text: df('FROM nvidia/cuda:12.8.0-runtime-ubuntu24.04', ...pipApp), expected: cuda('12.8') },
  { name: 'nvidia/cuda 13.0', text: df('FROM nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04', ...pipApp), expected: cuda('13.0') },
  {
    name: 'nvidia/cuda pinned by digest',
    text: df(`FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04@sha256:${'c'.repeat(64)}`, ...pipApp),
    expected: cuda('11.8'),
  },
  {
    name: 'CUDA devel builder, CUDA runtime final stage',
    text: df('FROM nvidia/cuda:12.1.1-devel-ubuntu22.04 AS builder', 'RUN pip wheel -w /wheels flash-attn', 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04', 'COPY --from=builder /wheels /wheels'),
    expected: { baseImage: 'nvidia/cuda:12.1.1-runtime-ubuntu22.04', ...cuda('12.1') },
  },
  {
    name: 'CUDA builder, slim CPU runtime: the final stage decides, so CPU',
    text: df('FROM nvidia/cuda:11.8.0-devel-ubuntu22.04 AS build', 'RUN make -C /src onnx-export', 'FROM python:3.10-slim', 'COPY --from=build /src/model.onnx /app/', 'RUN pip install onnxruntime', 'CMD ["python", "/app/serve.py"]'),
    expected: { baseImage: 'python:3.10-slim', ...cpu() },
  },
  { name: 'nvidia/cudagl for a rendering demo', text: df('FROM nvidia/cudagl:11.4.2-runtime-ubuntu20.04', ...pipApp), expected: cuda('11.4') },
  { name: 'NGC PyTorch 24.05', text: df('FROM nvcr.io/nvidia/pytorch:24.05-py3', ...pipApp), expected: cuda('12.4') },
  { name: 'NGC PyTorch 22.12', text: df('FROM nvcr.io/nvidia/pytorch:22.12-py3', ...pipApp), expected: cuda('11.8') },
  { name: 'NGC Triton server 23.10', text: df('FROM nvcr.io/nvidia/tritonserver:23.10-py3', 'COPY model_repository /models', 'CMD ["tritonserver", "--model-repository=/models"]'), expected: cuda('12.2') },
  { name: 'NGC TensorFlow 23.03', text: df('FROM nvcr.io/nvidia/tensorflow:23.03-tf2-py3', ...pipApp), expected: cuda('12.1') },
  { name: 'NGC PyTorch 21.05 (yolov5), a release outside the table: GPU, CUDA unknown', text: df('FROM nvcr.io/nvidia/pytorch:21.05-py3', ...pipApp), expected: cuda(null) },
  { name: 'TensorFlow 2.15 GPU', text: df('FROM tensorflow/tensorflow:2.15.0-gpu', ...pipApp), expected: cuda('12.2') },
  { name: 'TensorFlow 2.4 GPU', text: df('FROM tensorflow/tensorflow:2.4.1-gpu', ...pipApp), expected: cuda('11.0') },
  { name: 'Ainize-era TensorFlow 1.15 GPU for Python 3', text: df('FROM tensorflow/tensorflow:1.15.5-gpu-py3', ...pipApp), expected: cuda('10.0') },
  { name: 'Ainize-era TensorFlow 1.12 GPU', text: df('FROM tensorflow/tensorflow:1.12.0-gpu-py3', ...pipApp), expected: cuda('9.0') },
  { name: 'TensorFlow latest GPU Jupyter', text: df('FROM tensorflow/tensorflow:latest-gpu-jupyter', ...pipApp), expected: cuda(null) },
  { name: 'TensorFlow GPU tag chosen by an ARG', text: df('ARG TAG=latest-gpu', 'FROM tensorflow/tensorflow:${TAG}', ...pipApp), expected: cuda(null) },
  { name: 'TensorFlow CPU image', text: df('FROM tensorflow/tensorflow:2.15.0', ...pipApp), expected: cpu() },
  { name: 'Hugging Face transformers GPU image without a tag', text: df('FROM huggingface/transformers-pytorch-gpu', ...pipApp), expected: cuda(null) },
  { name: 'Hugging Face transformers GPU image with a tag', text: df('FROM huggingface/transformers-pytorch-gpu:4.29.2', ...pipApp), expected: cuda(null) },
  { name: 'Hugging Face transformers CPU image', text: df('FROM huggingface/transformers-pytorch-cpu:4.29.2', ...pipApp), expected: cpu() },
  { name: 'whole base image in an ARG', text: df('ARG BASE=nvidia/cuda:12.2.2-runtime-ubuntu22.04', 'FROM ${BASE}', ...pipApp), expected: cuda('12.2') },
  {
    name: 'CUDA and Ubuntu versions in ARGs',
    text: df('ARG CUDA_VERSION=11.7.1', 'ARG UBUNTU=20.04', 'FROM nvidia/cuda:${CUDA_VERSION}-cudnn8-runtime-ubuntu${UBUNTU}', ...pipApp),
    expected: { baseImage: 'nvidia/cuda:11.7.1-cudnn8-runtime-ubuntu20.04', ...cuda('11.7') },
  },
  {
    name: 'a build arg moving the CUDA ARG to 12.4',
    text: df('ARG CUDA_VERSION=11.7.1', 'FROM nvidia/cuda:${CUDA_VERSION}-cudnn8-runtime-ubuntu22.04'),
    buildArgs: { CUDA_VERSION: '12.4.1' },
    expected: cuda('12.4'),
  },
  {
    name: 'a three-stage chain back to a PyTorch CUDA base',
    text: df('FROM pytorch/pytorch:2.0.1-cuda11.7-cudnn8-runtime AS base', 'RUN pip install gradio', 'FROM base AS deps', 'COPY requirements.txt .', 'RUN pip install -r requirements.txt', 'FROM deps', 'COPY . .'),
    expected: { baseImage: 'pytorch/pytorch:2.0.1-cuda11.7-cudnn8-runtime', ...cuda('11.7') },
  },
  { name: 'lowercase from … as on a CUDA base', text: df('from nvidia/cuda:11.3.1-cudnn8-runtime-ubuntu20.04 as base', 'from base', 'cmd python3 app.py'), expected: cuda('11.3') },
  { name: 'FROM --platform on a CUDA base', text: df('FROM --platform=linux/amd64 nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04', ...pipApp), expected: cuda('12.4') },
  { name: 'a community PyTorch image naming CUDA in its tag', text: df('FROM anibali/pytorch:1.8.1-cuda11.1-ubuntu20.04', ...pipApp), expected: cuda('11.1') },
  { name: 'a community image naming the PyTorch wheel (cu124)', text: df('FROM axolotlai/axolotl:main-py3.11-cu124-2.5.1', ...pipApp), expected: cuda('12.4') },
  { name: 'LABEL portico.gpu=off runs a CUDA image on CPU', text: df('FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04', 'LABEL portico.gpu=off', ...pipApp), expected: { ...cuda('12.1', 0), gpuLabel: 'off' } },
  { name: 'LABEL portico.gpu=2 asks for two GPUs', text: df('FROM nvcr.io/nvidia/pytorch:24.05-py3', 'LABEL portico.gpu=2', ...pipApp), expected: { ...cuda('12.4', 2), gpuLabel: 2 } },
  { name: 'LABEL portico.gpu=auto keeps the default', text: df('FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime', 'LABEL portico.gpu=auto', ...pipApp), expected: { ...cuda('12.1'), gpuLabel: null } },
  {
    name: 'LABEL portico.gpu=off set in a base stage carries over',
    text: df('FROM nvidia/cuda:11.8.0-base-ubuntu22.04 AS base', 'LABEL portico.gpu=off', 'FROM base', ...pipApp),
    expected: { ...cuda('11.8', 0), gpuLabel: 'off' },
  },
  {
    name: 'a CUDA wheel on a CPU base with LABEL portico.gpu=2 gets two GPUs',
    text: df('FROM python:3.10', 'RUN pip install torch --index-url https://download.pytorch.org/whl/cu121', 'LABEL portico.gpu=2', ...pipApp),
    expected: { ...cuda('12.1', 2), gpuLabel: 2 },
  },
  { name: "PyTorch's cu121 wheel index on a CPU base is a GPU need with CUDA 12.1", text: df('FROM python:3.10', 'RUN pip install torch --index-url https://download.pytorch.org/whl/cu121', ...pipApp), expected: cuda('12.1') },
  { name: 'conda cudatoolkit=11.3 on miniconda is a GPU need with CUDA 11.3', text: df('FROM continuumio/miniconda3', 'RUN conda install -y pytorch cudatoolkit=11.3 -c pytorch', ...pipApp), expected: cuda('11.3') },
  { name: 'a plain pip install torch on a CPU base stays CPU', text: df('FROM python:3.10', 'RUN pip install torch transformers', ...pipApp), expected: cpu() },
  { name: 'a Gradio demo on python slim', text: df('FROM python:3.10-slim', 'RUN pip install gradio transformers torch --extra-index-url https://download.pytorch.org/whl/cpu', 'EXPOSE 7860', 'CMD ["python", "app.py"]'), expected: cpu() },
  { name: 'CUDA installed by apt on plain Ubuntu is not detected', text: df('FROM ubuntu:20.04', 'RUN apt-get update && apt-get install -y nvidia-cuda-toolkit', ...pipApp), expected: cpu() },
  { name: 'a static front end on node', text: df('FROM node:20-alpine', 'COPY . .', 'RUN npm ci && npm run build', 'CMD ["npm", "start"]'), expected: cpu() },
];

describe('GPU detection over real-world Dockerfiles', () => {
  it('covers at least 40 shapes', () => {
    expect(gpuShapes.length).toBeGreaterThanOrEqual(40);
  });

  it.each(gpuShapes)('$name', ({ text, buildArgs, expected }) => {
    const result = analyseDockerfile(text, buildArgs);
    if (!result.ok) throw new Error(result.error);
    const { gpus, ...analysis } = expected;
    expect(result.analysis).toEqual(expect.objectContaining(analysis));
    expect(gpuCount('auto', result.analysis)).toBe(gpus);
  });
});
