import { afterAll, describe, expect, it } from 'vitest';
import { watchDemoContainers } from '../../gateway/adapters/local/docker-events.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';

describe("following the engine's events for demo containers", () => {
  const { docker, where } = testDocker();
  const project = uniqueProjectId('events');

  afterAll(() => removeProjects(docker, [project]));

  it('reports each start, pause, unpause and stop of a demo container (labelled portico.project), not of others, and nothing once stopped', async () => {
    await requireDocker(docker, where);
    const seen: string[] = [];
    const stop = watchDemoContainers(docker, (id) => seen.push(id));
    const other = await docker.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '300'], Labels: { 'portico.test': 'unlabelled-for-portico' } });
    const demo = await docker.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '300'], Labels: { 'portico.project': project } });
    try {
      await other.start();
      await demo.start();
      await demo.pause();
      await demo.unpause();
      await demo.stop({ t: 0 });
      // Other suites' demos on this engine are reported too: count this one's.
      const ofDemo = () => seen.filter((id) => id === demo.id).length;
      await expect.poll(ofDemo, { timeout: 5_000 }).toBe(4); // start, pause, unpause, die
      expect(seen).not.toContain(other.id);
      stop();
      await demo.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(ofDemo()).toBe(4);
    } finally {
      stop();
      await other.remove({ force: true });
    }
  });
});
