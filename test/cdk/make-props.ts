import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePorticoConfig } from '../../cdk/config.ts';
import type { PorticoConfig } from '../../cdk/config.ts';
import { PorticoStack } from '../../cdk/portico-stack.ts';
import type { PorticoStackProps } from '../../cdk/portico-stack.ts';

type RawConfig = { [K in keyof PorticoConfig]?: unknown };

/** The hash of the API token the test stacks are deployed with (context `apiTokenSha256`). */
export const TOKEN_SHA256 = createHash('sha256').update('test-token').digest('hex');

/** Stack props for tests: a two-type GPU pool and defaults for the rest, with `overrides` applied as raw context. */
export function makeProps(overrides: RawConfig = {}): PorticoStackProps {
  return {
    config: parsePorticoConfig({
      apiTokenSha256: TOKEN_SHA256,
      gpuPools: [
        { name: 'gpu', instanceTypes: ['g4dn.xlarge', 'g4dn.2xlarge'], maxInstances: 3, gpuModel: 'T4', driverVersion: '550.144.03' },
      ],
      ...overrides,
    }),
  };
}

/** A fresh App writing to a temporary cloud assembly, so suites never share or leave cdk.out behind in the repo. */
export function makeApp(context: Record<string, unknown> = {}): App {
  return new App({ outdir: mkdtempSync(join(tmpdir(), 'portico-cdk-')), context: { apiTokenSha256: TOKEN_SHA256, ...context } });
}

/** Synthesizes the Portico stack (lambdas bundled with the local esbuild) in an App without cdk-nag. */
export function synthTemplate(overrides: RawConfig = {}): Template {
  const stack = new PorticoStack(makeApp(), 'Portico', makeProps(overrides));
  return Template.fromStack(stack);
}
