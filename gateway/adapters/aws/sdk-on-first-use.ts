/**
 * AWS SDK packages loaded on first use. Each `@aws-sdk/client-*` package takes tens of
 * milliseconds to import (its commands, its Smithy stack), and a Lambda instance pays that at
 * cold start for every client its module graph imports statically. The adapters import a
 * client's commands through `sdk()` when a call needs them, and their clients come from
 * `clientOnFirstUse`, so a cold start loads only the SDK its first request uses.
 */

/** A client as the adapters use it: they only ever `send` commands. */
export type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

/** A client made on its first `send`; the SDK package it comes from is imported then. */
export function clientOnFirstUse<C extends { send: unknown }>(create: () => Promise<C>): Sender<C> {
  let client: Promise<C> | undefined;
  const send = async (...args: unknown[]) => {
    client ??= create().catch((error: unknown) => {
      client = undefined; // a failed import is retried by the next call, not remembered
      throw error;
    });
    const ready = await client;
    return (ready.send as (...sendArgs: unknown[]) => Promise<unknown>).apply(ready, args);
  };
  return { send } as Sender<C>;
}
