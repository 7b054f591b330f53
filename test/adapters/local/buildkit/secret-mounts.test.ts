import { describe, expect, it } from 'vitest';
import { secretMountsOf } from '../../../../gateway/adapters/local/buildkit/secret-mounts.ts';

describe('secret mounts of a Dockerfile', () => {
  it('finds every secret mount with its id, whether it is required, and its line', () => {
    const dockerfile = [
      'FROM python:3.11-slim',
      'RUN --mount=type=cache,target=/root/.cache/pip \\',
      '    --mount=type=secret,id=HF_TOKEN,required=true \\',
      '    pip install -r requirements.txt',
      'RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip download x',
      'RUN --mount=type=secret,target=/run/secrets/aws,required cat /run/secrets/aws',
      'RUN --mount=type=secret,id=optional,required=false true',
      'COPY . .',
    ].join('\n');
    expect(secretMountsOf(dockerfile)).toEqual([
      { id: 'HF_TOKEN', required: true, line: 2 },
      { id: 'pip_conf', required: false, line: 5 },
      { id: 'aws', required: true, line: 6 }, // no id: the target's file name, as BuildKit does
      { id: 'optional', required: false, line: 7 },
    ]);
  });

  it('finds none in a Dockerfile without secret mounts', () => {
    expect(secretMountsOf('FROM busybox\nRUN --mount=type=bind,source=a,target=/a cat /a\nRUN echo type=secret\n')).toEqual([]);
  });
});
