import type { Config } from '../config.ts';
import { startServer } from '../server.ts';
import { EXIT } from './exit-codes.ts';

/**
 * `portico serve`: runs the gateway until SIGINT or SIGTERM, then waits for running
 * deployments and stops. A second Ctrl-C (or SIGTERM) forces the exit.
 */
export async function serve(config: Config): Promise<number> {
  const gateway = await startServer(config);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`${signal}: stopping after running deployments finish (Ctrl-C again to force)`);
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  await gateway.close();
  console.log('stopped');
  return EXIT.ok;
}
