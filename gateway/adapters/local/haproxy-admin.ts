import { connect } from 'node:net';
import { PorticoError } from '../../errors.ts';

/** One row of `show table`: the counters the stick table stores for a key. */
export interface TableRow {
  readonly key: string;
  readonly counters: Readonly<Record<string, number>>;
}

/** HAProxy's runtime API over its admin socket: one command per connection, the answer as text. */
export function createHaproxyAdmin(socketPath: string, options: { readonly timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 5_000;

  /** `payload` (a certificate and its key, say) is sent after `<<` and never appears in an error message. */
  function command(line: string, payload?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      let answer = '';
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      // A payload ends at its first empty line.
      socket.on('connect', () => socket.end(payload === undefined ? `${line}\n` : `${line} <<\n${payload}\n\n`));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      socket.on('error', (error) => reject(new PorticoError('engine_unavailable', `HAProxy's admin socket ${socketPath} failed on "${line}": ${error.message}`, { cause: error })));
      socket.on('close', () => resolve(answer));
    });
  }

  /** Runs a command whose success is an empty answer; anything else is HAProxy saying why not. */
  async function expectEmpty(line: string): Promise<void> {
    const answer = (await command(line)).trim();
    if (answer !== '') throw new PorticoError('engine_unavailable', `HAProxy refused "${line}": ${answer}`);
  }

  return {
    command,
    /** Points `key` at `value` in a map, adding it when absent. */
    async setMap(mapFile: string, key: string, value: string): Promise<void> {
      const answer = (await command(`set map ${mapFile} ${key} ${value}`)).trim();
      if (answer === '') return;
      if (!/not found/i.test(answer)) throw new PorticoError('engine_unavailable', `HAProxy refused to route ${key}: ${answer}`);
      await expectEmpty(`add map ${mapFile} ${key} ${value}`);
    },
    /** Removes `key` from a map; absent already is success. */
    async delMap(mapFile: string, key: string): Promise<void> {
      const answer = (await command(`del map ${mapFile} ${key}`)).trim();
      if (answer !== '' && !/not found/i.test(answer)) throw new PorticoError('engine_unavailable', `HAProxy refused to unroute ${key}: ${answer}`);
    },
    async showTable(table: string): Promise<TableRow[]> {
      return parseTable(await command(`show table ${table}`));
    },
  };
}

export type HaproxyAdmin = ReturnType<typeof createHaproxyAdmin>;

/** `0x55…: key=a.localhost use=0 exp=3599732 conn_cur=0 http_req_cnt=2 …` → key and numeric counters. */
export function parseTable(text: string): TableRow[] {
  const rows: TableRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('0x')) continue;
    const fields = line.slice(line.indexOf(':') + 1).trim().split(/\s+/);
    let key = '';
    const counters: Record<string, number> = {};
    for (const field of fields) {
      const equals = field.indexOf('=');
      if (equals === -1) continue;
      const name = field.slice(0, equals);
      const value = field.slice(equals + 1);
      if (name === 'key') key = value;
      else if (/^-?\d+$/.test(value)) counters[name] = Number(value);
    }
    if (key) rows.push({ key, counters });
  }
  return rows;
}
