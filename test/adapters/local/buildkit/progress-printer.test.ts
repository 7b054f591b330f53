import { readFile } from 'node:fs/promises';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { StatusResponseSchema } from '../../../../gateway/adapters/local/buildkit/gen/control_pb.ts';
import { createProgressPrinter, formatBytes } from '../../../../gateway/adapters/local/buildkit/progress-printer.ts';
import { type BuildEvent, imageIdOf, traceOf } from '../../../../gateway/adapters/local/buildkit/trace.ts';

/** Build streams recorded from Docker 20.10.24 with scripts/record-buildkit-trace.ts: build-ok and build-cached (the same build twice) from fixtures/contexts/ok, build-failed from fixtures/contexts/failed. */
async function recorded(name: string): Promise<BuildEvent[]> {
  return JSON.parse(await readFile(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as BuildEvent[];
}

async function render(name: string) {
  const printer = createProgressPrinter();
  let log = '';
  for (const event of await recorded(name)) {
    const trace = traceOf(event);
    if (trace) log += printer.write(trace);
  }
  log += printer.end();
  return { log, failure: printer.failure() };
}

describe('BuildKit progress printer', () => {
  it('prints a recorded build as the docker CLI plain progress: steps, their output with offsets, durations', async () => {
    const { log, failure } = await render('build-ok');
    expect(failure).toBeNull();
    expect(log).toContain(
      [
        '#5 [stage-0 2/4] COPY --chmod=755 greet.sh /usr/local/bin/greet',
        '#5 DONE 0.1s',
        '',
        '#6 [stage-0 3/4] RUN --mount=type=cache,target=/cache echo "building with a cache mount" && ls /cache && date > /cache/stamp',
        '#6 0.375 building with a cache mount',
        '#6 DONE 0.4s',
        '',
        '#7 [stage-0 4/4] RUN greet && sleep 1 && printf \'no newline at the end\'',
        '#7 0.312 hello from greet',
        '#7 1.319 no newline at the end', // a last line without newline is still printed, with its own offset
        '#7 DONE 1.4s',
        '',
        '#8 exporting to image',
        '#8 exporting layers 0.0s done',
        '#8 writing image sha256:9593c9388f82aec1c9fc8f33e09553389aa104e0c213eb9ee3f0c1dac55bb104 done',
        '#8 naming to docker.io/portico-record/trace:latest done',
        '#8 DONE 0.0s',
        '',
      ].join('\n'),
    );
    expect(log.startsWith('#1 [internal] load remote build context\n#1 DONE 0.1s\n\n#2 copy /context /\n')).toBe(true);
    expect(log).toMatch(/^#4 \[stage-0 1\/4\] FROM docker\.io\/portico-test\/busybox:latest\n#4 CACHED$/m);
  });

  it('marks every step of a rebuild CACHED', async () => {
    const { log } = await render('build-cached');
    for (const step of ['COPY --chmod=755', 'RUN --mount=type=cache', 'RUN greet']) {
      expect(log).toMatch(new RegExp(`^#(\\d+) \\[stage-0 \\d/4\\] ${step.replace(/[-=]/g, '\\$&')}.*\\n#\\1 CACHED$`, 'm'));
    }
    expect(log).not.toMatch(/^#\d+ \d+\.\d+ /m); // no step ran, so no output
  });

  it('names the failing step with its error and last output, and ends the log as docker build does', async () => {
    const { log, failure } = await render('build-failed');
    const step = '[3/3] RUN echo "step output one" && echo "error: missing dependency" >&2 && exit 7';
    expect(failure).toEqual({
      step,
      error: 'executor failed running [/bin/sh -c echo "step output one" && echo "error: missing dependency" >&2 && exit 7]: exit code: 7',
      lastLines: ['step output one', 'error: missing dependency'],
    });
    expect(log).toContain(
      `#6 ${step}\n#6 0.348 step output one\n#6 0.351 error: missing dependency\n#6 ERROR: executor failed running [/bin/sh -c echo "step output one" && echo "error: missing dependency" >&2 && exit 7]: exit code: 7\n` +
        `------\n > ${step}:\nstep output one\nerror: missing dependency\n------\n`,
    );
    expect(log).toContain('#5 [2/3] RUN echo compiling\n#5 0.326 compiling\n#5 DONE 0.4s\n');
  });

  it('finds the image id a recorded build reports', async () => {
    const ids = (await recorded('build-ok')).map(imageIdOf).filter(Boolean);
    expect(ids).toEqual(['sha256:9593c9388f82aec1c9fc8f33e09553389aa104e0c213eb9ee3f0c1dac55bb104']);
  });

  it('repeats a step header when output switches between steps running side by side', () => {
    const printer = createProgressPrinter();
    const t0 = timestampFromMs(1_000_000);
    const at = (ms: number) => timestampFromMs(1_000_000 + ms);
    const vertex = (digest: string, name: string, extra: object = {}) => ({ digest, name, started: t0, ...extra });
    const log = (digest: string, text: string, ms: number) => ({ vertex: digest, msg: new TextEncoder().encode(text), timestamp: at(ms) });
    const text = [
      printer.write(create(StatusResponseSchema, { vertexes: [vertex('a', '[a 2/2] RUN make'), vertex('b', '[b 2/2] RUN npm ci')] })),
      printer.write(create(StatusResponseSchema, { logs: [log('a', 'compiling\n', 500)] })),
      printer.write(create(StatusResponseSchema, { logs: [log('b', 'added 3 packages\n', 1_500)] })),
      printer.write(create(StatusResponseSchema, { vertexes: [vertex('a', '[a 2/2] RUN make', { completed: at(12_000) })] })),
    ].join('');
    expect(text).toBe(
      '#1 [a 2/2] RUN make\n#1 ...\n\n#2 [b 2/2] RUN npm ci\n#2 ...\n\n#1 [a 2/2] RUN make\n#1 0.500 compiling\n#1 ...\n\n' +
        '#2 [b 2/2] RUN npm ci\n#2 1.500 added 3 packages\n#2 ...\n\n#1 [a 2/2] RUN make\n#1 DONE 12.0s\n',
    );
  });

  it('formats byte counts with decimal units, as the CLI does', () => {
    expect([0n, 123n, 1234n, 27_150_000n, 1_200_000_000n].map(formatBytes)).toEqual(['0B', '123B', '1.23kB', '27.15MB', '1.20GB']);
  });
});
