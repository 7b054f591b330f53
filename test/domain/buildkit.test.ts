import { describe, expect, it } from 'vitest';
import { describeBuildkit } from '../../gateway/domain/buildkit.ts';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';

const df = (...lines: string[]): string => lines.join('\n');

function buildkitOf(text: string) {
  const result = analyseDockerfile(text);
  if (!result.ok) throw new Error(result.error);
  return result.analysis.buildkit;
}

describe('BuildKit detection', () => {
  it('finds nothing in a classic Dockerfile', () => {
    expect(buildkitOf(df('FROM python:3.11-slim', 'COPY --chown=1000 . /app', 'RUN pip install -r requirements.txt', 'CMD ["python", "app.py"]'))).toEqual({
      syntax: null,
      features: [],
      required: false,
      secrets: [],
    });
  });

  it('finds RUN --mount of each type, with its line', () => {
    const use = buildkitOf(
      df(
        'FROM python:3.12-slim',
        'RUN --mount=type=cache,target=/root/.cache/uv \\',
        '    --mount=type=bind,source=uv.lock,target=uv.lock \\',
        '    uv sync --locked',
        'RUN --mount=target=/src pip install /src',
      ),
    );
    expect(use.required).toBe(true);
    expect(use.features).toEqual([
      { line: 2, feature: 'RUN --mount=type=cache', needsFrontend: false },
      { line: 2, feature: 'RUN --mount=type=bind', needsFrontend: false },
      { line: 5, feature: 'RUN --mount=type=bind', needsFrontend: false },
    ]);
    expect(describeBuildkit(use)).toBe('RUN --mount=type=cache (line 2), RUN --mount=type=bind (line 2)');
  });

  it('lists secret mounts with their id and whether the build requires them', () => {
    const use = buildkitOf(
      df(
        'FROM vllm/vllm-openai:latest',
        'RUN --mount=type=secret,id=hf_token HF_TOKEN=$(cat /run/secrets/hf_token) bash download.sh',
        'RUN --mount=type=secret,id=actions_results_url,env=ACTIONS_RESULTS_URL,required=true make',
        'RUN --mount=type=secret,target=/run/secrets/npmrc npm ci',
      ),
    );
    expect(use.secrets).toEqual([
      { id: 'hf_token', required: false, line: 2 },
      { id: 'actions_results_url', required: true, line: 3 },
      { id: 'npmrc', required: false, line: 4 },
    ]);
  });

  it('finds COPY --chmod (built into the engine) and COPY --link (needs a newer frontend)', () => {
    const use = buildkitOf(df('# syntax=docker/dockerfile:1', 'FROM node:24', 'COPY --chmod=775 entrypoint.sh /entrypoint.sh', 'COPY --link --chown=1000 . .'));
    expect(use.syntax).toBe('docker/dockerfile:1');
    expect(use.features).toEqual([
      { line: 3, feature: 'COPY --chmod', needsFrontend: false },
      { line: 4, feature: 'COPY --link', needsFrontend: true },
    ]);
  });

  it('finds heredocs in RUN and COPY', () => {
    const use = buildkitOf(df('FROM python:3.11-slim', 'RUN <<EOF', '  apt-get update', '  apt-get install -y curl', 'EOF', 'COPY <<-"CONF" /etc/app.conf', 'port=8000', 'CONF'));
    expect(use.features).toEqual([
      { line: 2, feature: 'RUN <<EOF', needsFrontend: true },
      { line: 6, feature: 'COPY <<-CONF', needsFrontend: true },
    ]);
    expect(use.required).toBe(true);
  });

  it('does not count a # syntax= line alone as BuildKit-only', () => {
    const use = buildkitOf(df('# syntax=docker/dockerfile:1.4', 'FROM python:3.11-slim', 'CMD ["python"]'));
    expect(use).toMatchObject({ syntax: 'docker/dockerfile:1.4', required: false });
  });

  it('ignores flags the classic builder has (COPY --from, --chown)', () => {
    expect(buildkitOf(df('FROM node:20 AS ui', 'FROM python:3.11-slim', 'COPY --from=ui --chown=1000:1000 /dist /www')).required).toBe(false);
  });
});
