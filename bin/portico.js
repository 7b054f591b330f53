#!/usr/bin/env node
// The `portico` command. TypeScript runs as-is through tsx: no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// This checkout's tsconfig (JSX via hono/jsx), wherever the command is run from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
// `portico history x | head`: a reader that stops early ends the command quietly, as in other CLIs.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../gateway/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
