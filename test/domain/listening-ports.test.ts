import { describe, expect, it } from 'vitest';
import { classifyListeners, describeDeclaredPort, loopbackOnlyMessage, parseSocketTable } from '../../gateway/domain/listening-ports.ts';

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const TCP6_HEADER = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

/** Lines as `cat /proc/net/tcp /proc/net/tcp6` prints them on an amd64 host (copied from a real container, inodes shortened). */
const table = [
  TCP_HEADER,
  '   0: 0100007F:8070 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 177268 1 0000000028bfa12e 100 0 0 10 0',
  '   1: 00000000:2135 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1067 1 0000000036982c38 100 0 0 10 0',
  // An established connection to 8501 (state 01) is not a listener.
  '   2: 050012AC:2135 010012AC:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1070 1 0000000036982c38 20 4 30 10 -1',
  '   3: 050012AC:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1071 1 0000000036982c38 100 0 0 10 0',
  TCP6_HEADER,
  '   0: 00000000000000000000000001000000:1EB4 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0',
  '   1: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0',
  '   2: 0000000000000000FFFF00000100007F:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0',
  '   3: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 100 0 0 10 0',
].join('\n');

describe('parseSocketTable', () => {
  it('reads every LISTEN socket of tcp and tcp6 with its address in the usual notation, and skips headers and connections', () => {
    expect(parseSocketTable(table)).toStrictEqual([
      { address: '127.0.0.1', port: 32880, loopback: true },
      { address: '0.0.0.0', port: 8501, loopback: false },
      { address: '172.18.0.5', port: 8080, loopback: false },
      { address: '::1', port: 7860, loopback: true },
      { address: '::', port: 8000, loopback: false },
      { address: '::ffff:127.0.0.1', port: 3000, loopback: true },
      { address: '2001:db8::1', port: 80, loopback: false },
    ]);
  });

  it('lists a socket once when the same address and port appear twice (SO_REUSEPORT workers)', () => {
    const line = '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0';
    expect(parseSocketTable([TCP_HEADER, line, line.replace(' 1 1 0', ' 2 1 0')].join('\n'))).toStrictEqual([{ address: '0.0.0.0', port: 8080, loopback: false }]);
  });

  it('finds nothing in an empty table, in headers alone or in text that is not a socket table', () => {
    expect(parseSocketTable('')).toStrictEqual([]);
    expect(parseSocketTable(`${TCP_HEADER}\n${TCP6_HEADER}\n`)).toStrictEqual([]);
    expect(parseSocketTable('cat: /proc/net/tcp6: No such file or directory\n')).toStrictEqual([]);
  });

  it('reads Windows line endings and a table without tcp6', () => {
    const text = `${TCP_HEADER}\r\n   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0\r\n`;
    expect(parseSocketTable(text)).toStrictEqual([{ address: '0.0.0.0', port: 5432, loopback: false }]);
  });
});

describe('classifyListeners', () => {
  const sockets = parseSocketTable(table);

  it('says the declared port is open when something reachable listens on it', () => {
    expect(classifyListeners(sockets, 8501)).toStrictEqual({ kind: 'declared' });
    expect(classifyListeners(sockets, 8000)).toStrictEqual({ kind: 'declared' });
  });

  it('lists the reachable ports the app opened instead, ascending, leaving out loopback ones', () => {
    expect(classifyListeners(sockets, 80 + 1)).toStrictEqual({ kind: 'elsewhere', ports: [80, 8000, 8080, 8501] });
  });

  it('does not count a declared port open on loopback only', () => {
    const loopback = parseSocketTable(table).filter((socket) => socket.loopback);
    expect(classifyListeners(loopback, 7860)).toStrictEqual({ kind: 'loopback-only', sockets: loopback });
  });

  it('says none when nothing listens', () => {
    expect(classifyListeners([], 80)).toStrictEqual({ kind: 'none' });
  });

  it("leaves out Docker's embedded DNS server, which listens on 127.0.0.11 in every container on a user-defined network", () => {
    const dns = parseSocketTable(`${TCP_HEADER}\n   0: 0B00007F:8F2D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n`);
    expect(dns).toStrictEqual([{ address: '127.0.0.11', port: 36653, loopback: true }]);
    expect(classifyListeners(dns, 8000)).toStrictEqual({ kind: 'none' });
  });
});

describe('messages', () => {
  it('names how the port was declared', () => {
    expect(`listens on 8501, not ${describeDeclaredPort(80, 'expose')}`).toBe('listens on 8501, not the EXPOSEd 80');
    expect(describeDeclaredPort(7860, 'front-matter')).toBe("the README front matter's 7860");
    expect(describeDeclaredPort(8000, null)).toBe('the declared 8000');
  });

  it('says the app listens on loopback only, where, and how to bind 0.0.0.0', () => {
    const message = loopbackOnlyMessage([
      { address: '127.0.0.1', port: 7860, loopback: true },
      { address: '::1', port: 7860, loopback: true },
    ]);
    expect(message).toMatch(/^the app listens only on 127\.0\.0\.1:7860, \[::1\]:7860 inside its container/);
    expect(message).toContain('make it listen on 0.0.0.0');
    expect(message).toContain('GRADIO_SERVER_NAME=0.0.0.0');
    expect(message).toContain('uvicorn --host 0.0.0.0');
  });
});
