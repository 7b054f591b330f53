import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the CDK app the way `cdk synth` does (`npx tsx cdk/app.ts`, context in CDK_CONTEXT_JSON), without the CDK CLI around it. */
function synth(context: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cdk/app.ts'],
      { cwd: process.cwd(), env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: '/nonexistent-portico-cdk-out' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('cdk synth with missing context', () => {
  it('prints the message alone, no stack trace, and exits 1', async () => {
    const result = await synth({});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Invalid Portico CDK context \(fix it in cdk\.json "context" or the -c flags\):\n {2}- apiTokenSha256: is required/);
    expect(result.stderr).not.toMatch(/\n\s+at |PorticoError|Node\.js v/);
  });
});
