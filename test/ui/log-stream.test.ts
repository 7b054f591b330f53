import { afterEach, describe, expect, it } from 'vitest';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { dashboardApp, get } from './dashboard-app.ts';

/** Parses a finished Server-Sent Events body into its events. */
function parseEvents(body: string): { event: string | undefined; id?: string; data: any }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]));
      return { event: fields.event, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data ?? 'null') };
    });
}

describe('the build log as Server-Sent Events', () => {
  let close = async () => {};
  afterEach(() => close());

  async function withDeployment(status: 'building' | 'failed') {
    const made = await dashboardApp();
    close = made.close;
    await made.store.createProject(makeProject());
    await made.store.createDeployment(makeDeployment({ id: 'd1', projectId: 'main-gpt2-acme', status }));
    return made;
  }

  it('sends a finished deployment’s whole log, then an end event with its status', async () => {
    const { app, store } = await withDeployment('failed');
    await store.appendLog('d1', '==> building\nline with "quotes"\r\n');
    const response = await get(app, '/ui/deployments/d1/log');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseEvents(await response.text());
    expect(events).toEqual([
      { event: 'progress', data: { status: 'failed', badge: expect.stringContaining('data-status="failed"'), timeline: expect.stringContaining('id="timeline"') } },
      { event: 'log', id: String(Buffer.byteLength('==> building\nline with "quotes"\r\n')), data: { text: '==> building\nline with "quotes"\r\n', html: '==&gt; building\nline with &quot;quotes&quot;\r\n' } },
      { event: 'end', data: { status: 'failed' } },
    ]);
  });

  it('streams lines as they are logged and ends when the deployment does', async () => {
    const { app, store } = await withDeployment('building');
    await store.appendLog('d1', 'step-one\n');
    const response = await get(app, '/ui/deployments/d1/log');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('step-one')) seen += (await reader.read()).value ?? '';
    expect(seen).not.toContain('event: end');

    await store.appendLog('d1', 'step-two\n');
    await store.updateDeployment('d1', { status: 'ready' });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += chunk.value;
    const events = parseEvents(seen);
    expect(events.map((e) => `${e.event} ${e.data.text ?? e.data.status}`)).toEqual(['progress building', 'log step-one\n', 'progress ready', 'log step-two\n', 'end ready']);
  });

  it('resumes from the offset a reconnecting browser sends as Last-Event-ID', async () => {
    const { app, store } = await withDeployment('failed');
    await store.appendLog('d1', 'old\nnew\n');
    const events = parseEvents(await (await get(app, '/ui/deployments/d1/log', { 'last-event-id': '4' })).text());
    expect(events.filter((e) => e.event === 'log').map((e) => e.data)).toEqual([{ text: 'new\n', html: 'new\n' }]);
  });

  it('sends each chunk with its colours rendered as escaped HTML, a colour carrying into the next chunk', async () => {
    const { app, store } = await withDeployment('building');
    await store.appendLog('d1', '\x1b[31mERROR <x>\n');
    const response = await get(app, '/ui/deployments/d1/log');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('ERROR')) seen += (await reader.read()).value ?? '';
    await store.appendLog('d1', 'still red\x1b[0m done\n');
    await store.updateDeployment('d1', { status: 'failed' });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += chunk.value;
    const html = parseEvents(seen).flatMap((e) => (e.event === 'log' ? [e.data.html] : []));
    expect(html).toEqual(['<span style="color:#f97066">ERROR &lt;x&gt;\n</span>', '<span style="color:#f97066">still red</span> done\n']);
  });

  it('answers an unknown deployment with 404 before streaming', async () => {
    const { app } = await withDeployment('failed');
    const response = await get(app, '/ui/deployments/nope/log');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
