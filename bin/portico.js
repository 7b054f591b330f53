#!/usr/bin/env node
// The `portico` command. TypeScript runs as-is through tsx: no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../gateway/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
