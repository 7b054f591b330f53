import { describe, expect, it } from 'vitest';
import { startScripts } from '../../gateway/domain/start-scripts.ts';

const copy = (sources: string[], destination: string, workdir = '/') => ({ sources, destination, workdir });

describe('startScripts', () => {
  it('follows a script COPYed to another name under WORKDIR', () => {
    expect(startScripts(['/bin/sh', '-c', './start.sh'], [copy(['./scripts/start.sh'], '/app/start.sh', '/app')], '/app')).toEqual(['scripts/start.sh']);
  });

  it('follows a script copied into a directory', () => {
    expect(startScripts(['/entrypoint.sh'], [copy(['docker/entrypoint.sh'], '/')], '/')).toEqual(['docker/entrypoint.sh']);
    expect(startScripts(['/usr/local/bin/run.sh'], [copy(['run.sh', 'other.sh'], '/usr/local/bin/')], '/')).toEqual(['run.sh']);
  });

  it('follows a script that came with the whole context (COPY . .)', () => {
    expect(startScripts(['bash', 'scripts/serve.sh'], [copy(['.'], '.', '/app')], '/app')).toEqual(['scripts/serve.sh']);
  });

  it('follows a relative destination (COPY endpoints-entrypoint.sh entrypoint.sh, ENTRYPOINT bash entrypoint.sh)', () => {
    expect(startScripts(['/bin/bash', 'entrypoint.sh'], [copy(['endpoints-entrypoint.sh'], 'entrypoint.sh')], '/')).toEqual(['endpoints-entrypoint.sh']);
  });

  it('lets the latest COPY to a path win', () => {
    expect(startScripts(['/start.sh'], [copy(['old/start.sh'], '/start.sh'), copy(['new/start.sh'], '/start.sh')], '/')).toEqual(['new/start.sh']);
  });

  it('ignores scripts the image did not get from the context, and words that are not scripts', () => {
    expect(startScripts(['/docker-entrypoint.sh', 'python', 'app.py'], [copy(['app.py'], '/app/app.py')], '/app')).toEqual([]);
  });
});
