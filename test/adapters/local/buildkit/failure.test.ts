import { describe, expect, it } from 'vitest';
import { buildFailure, plainEngineError } from '../../../../gateway/adapters/local/buildkit/failure.ts';

describe('BuildKit build failure', () => {
  it('names the step, the error and the last output lines', () => {
    const error = buildFailure({ step: '[2/3] RUN pip install -r requirements.txt', error: 'executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1', lastLines: ['Collecting torch==9.9', 'ERROR: No matching distribution found for torch==9.9'] }, 'ignored');
    expect(error.code).toBe('build_failed');
    expect(error.message).toBe(
      'step [2/3] RUN pip install -r requirements.txt failed: executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1; its last output:\nCollecting torch==9.9\nERROR: No matching distribution found for torch==9.9',
    );
  });

  it('says a base image the engine could only look for in an unreachable registry is not available locally, by its familiar name', () => {
    const engine = 'failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.11": dial tcp: lookup registry-1.docker.io on 10.0.0.1:53: no such host';
    expect(buildFailure({ step: '[internal] load metadata for docker.io/library/python:3.11', error: engine, lastLines: [] }, engine).message).toMatch(
      /^base image python:3\.11 is not available locally and no registry is reachable; build or load it first/,
    );
  });

  it('says an image named by COPY --from that is not in the engine is not available locally', () => {
    const engine = 'failed to do request: Head "https://ghcr.io/v2/astral-sh/uv/manifests/latest": dial tcp: lookup ghcr.io on 10.0.0.1:53: no such host';
    expect(buildFailure({ step: 'FROM ghcr.io/astral-sh/uv:latest', error: engine, lastLines: [] }, engine).message).toMatch(
      /^image ghcr\.io\/astral-sh\/uv:latest \(named by COPY --from\) is not available locally and no registry is reachable; build or load it first/,
    );
  });

  it('passes a Dockerfile error without a step on, without the frontend plumbing', () => {
    const engine = 'failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: Unknown flag: link';
    expect(plainEngineError(engine)).toBe('dockerfile parse error line 2: Unknown flag: link');
    expect(buildFailure(null, engine).message).toBe('the build failed: dockerfile parse error line 2: Unknown flag: link');
  });
});
