// Placeholder Lambda entry for the gateway: the lead wires it to the Hono core
// (gateway/) with the AWS adapters. Kept dependency-free so `cdk synth` bundles it offline.
export const handler = async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => ({
  statusCode: 501,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: 'not_implemented', message: 'The Portico gateway is not wired to this Lambda yet.' }),
});
