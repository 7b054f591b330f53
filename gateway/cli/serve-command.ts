import type { Config } from '../config.ts';
import { startServer } from '../server.ts';
import { EXIT } from './exit-codes.ts';

/**
 * `portico serve`: runs the gateway until SIGINT or SIGTERM, then waits for running
 * deployments and stops. A second signal forces the exit. The handlers are in place before the
 * gateway starts, so a signal that comes while it starts (or just as it says where it listens)
 * stops it cleanly too.
 */
export async function serve(config: Config): Promise<number> {
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const gateway = await startServer(config);
  const signal = await signalled;
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  console.log(`${signal}: stopping after running deployments finish (Ctrl-C again to force)`);
  await gateway.close();
  console.log('stopped');
  return EXIT.ok;
}
