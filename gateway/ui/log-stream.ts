import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isTerminal } from '../domain/deployment-state.ts';
import { messageOf } from '../errors.ts';
import { ansiStream } from './ansi.ts';
import type { Deployment } from '../domain/types.ts';
import type { ProjectService } from '../services/project-service.ts';

/**
 * A deployment's build log as Server-Sent Events: `log` events carry `{"text", "html"}` (the
 * same text with its colours rendered and every character escaped) and, as their
 * id, the byte offset to resume from (a reconnecting EventSource sends it back as
 * Last-Event-ID); a `progress` event carries `describe(deployment)` whenever its status
 * changes; one `end` event carries `{"status"}` once the deployment has finished.
 */
export async function streamBuildLog(
  c: Context,
  projects: ProjectService,
  deploymentId: string,
  options: { readonly pollIntervalMs: number; readonly describe: (deployment: Deployment) => Promise<unknown> },
): Promise<Response> {
  await projects.getDeployment(deploymentId); // an unknown deployment is a 404 before any stream starts
  let offset = resumeOffset(c.req.header('last-event-id'));
  return streamSSE(
    c,
    async (stream) => {
      let lastStatus: string | null = null;
      const render = ansiStream();
      while (!stream.aborted) {
        // Status first, log second: whatever was logged before the deployment ended is sent before `end`.
        const deployment = await projects.getDeployment(deploymentId);
        const { status } = deployment;
        if (status !== lastStatus) await stream.writeSSE({ event: 'progress', data: JSON.stringify(await options.describe(deployment)) });
        lastStatus = status;
        const { text, nextOffset } = await projects.readLog(deploymentId, offset);
        if (text !== '') await stream.writeSSE({ event: 'log', id: String(nextOffset), data: JSON.stringify({ text, html: render(text) }) });
        offset = nextOffset;
        if (isTerminal(status)) {
          await stream.writeSSE({ event: 'end', data: JSON.stringify({ status }) });
          return;
        }
        await stream.sleep(options.pollIntervalMs);
      }
    },
    async (error, stream) => {
      // E.g. the project was removed mid-build: say so and end, so the browser does not reconnect forever.
      await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: null, error: messageOf(error) }) });
    },
  );
}

function resumeOffset(lastEventId: string | undefined): number {
  const offset = Number(lastEventId ?? '0');
  return Number.isInteger(offset) && offset >= 0 ? offset : 0;
}
