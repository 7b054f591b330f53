import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTable } from '../../../gateway/adapters/local/haproxy-admin.ts';
import { haproxyConfig, haproxyErrorPages, haproxyFiles } from '../../../gateway/adapters/local/haproxy-config.ts';
import { haproxyInstalled } from '../../../gateway/config.ts';

const settings = { dir: '/tmp/portico-x/haproxy', host: '127.0.0.1', port: 8080, activatorPort: 41234, upstreamTimeoutMs: 300_000, maxBodyBytes: 100 * 2 ** 20 };

describe('the HAProxy configuration Portico writes', () => {
  const text = haproxyConfig(settings);

  it('routes by a host map changed at run time, to one server pointed at the container per request', () => {
    expect(text).toContain(`map(${haproxyFiles(settings.dir).routes})`);
    expect(text).toContain('http-request set-dst var(txn.up),field(1,:)');
    expect(text).toContain('server clear 0.0.0.0:0');
    expect(text).toContain(`stats socket ${haproxyFiles(settings.dir).socket} mode 600 level admin`);
  });

  it('sends hosts without a route, and requests only Portico can police, to Portico on loopback', () => {
    expect(text).toContain('server portico 127.0.0.1:41234');
    expect(text).toMatch(/use_backend containers if routed !streamed_body !too_large !extra_hop_by_hop/);
    expect(text).toContain(`req.hdr_val(content-length) gt ${settings.maxBodyBytes}`);
  });

  it('sends each piece of a stream on as written, to a container or through Portico (a demo it just woke)', () => {
    for (const backend of ['\nbackend containers\n', '\nbackend portico\n']) {
      const section = text.slice(text.indexOf(backend)).split(/\n(?=backend )/)[1]!;
      expect(section).toContain('option http-no-delay');
    }
  });

  it('runs one thread unless told more, leaving the other cores to the demos', () => {
    expect(text).toMatch(/^global\n  nbthread 1\n/m);
    expect(haproxyConfig({ ...settings, threads: 4 })).toMatch(/^global\n  nbthread 4\n/m);
  });

  it('binds an IPv6 address in brackets and words its timeout page like Portico', () => {
    expect(haproxyConfig({ ...settings, host: '::1' })).toContain('bind [::1]:8080');
    expect(haproxyErrorPages(settings).error504).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n[\s\S]*did not respond within 300000 ms/);
  });

  it('with ACME, serves the certificates of a crt-list changed at run time and redirects only hosts in the map of those that have one', () => {
    const files = haproxyFiles(settings.dir);
    const acme = haproxyConfig({ ...settings, tls: { port: 8443, acme: true } });
    expect(acme).toContain(`bind 127.0.0.1:8443 ssl crt-list ${files.crtList} strict-sni alpn h2,http/1.1`);
    expect(acme).toContain(`code 308 if !{ ssl_fc } !{ path_beg /.well-known/acme-challenge/ } { req.hdr(host),field(1,:),lower,map(${files.secured}) -m found }`);
    // The challenge reaches Portico even for a host routed straight to its container.
    expect(acme.indexOf('use_backend portico if !{ ssl_fc } { path_beg /.well-known/acme-challenge/ }')).toBeLessThan(acme.indexOf('use_backend containers'));
    expect(haproxyConfig({ ...settings, tls: { port: 8443, certFile: 'c.pem', keyFile: 'k.pem' } })).not.toContain('crt-list');
  });

  it.skipIf(!haproxyInstalled())('is a configuration HAProxy itself accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-haproxy-'));
    try {
      const real = { ...settings, dir };
      const files = haproxyFiles(dir);
      await writeFile(files.config, haproxyConfig(real));
      await writeFile(files.routes, '');
      await writeFile(files.error504, haproxyErrorPages(real).error504);
      const result = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile('haproxy', ['-c', '-f', files.config], { env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` } }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: stdout + stderr })),
      );
      expect(result.code, result.output).toBe(0);
      expect(result.output).not.toMatch(/WARNING/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('reading HAProxy stick tables', () => {
  it('parses each entry into its key and numeric counters', () => {
    const text = '# table: containers, type: string, size:102400, used:2\n0x55a7b1b98f40: key=a.localhost use=0 exp=3599732 conn_cur=0 http_req_cnt=2 bytes_in_cnt=201 bytes_out_cnt=547 http_fail_cnt=0\n0x55a7b1b98f80: key=b.localhost use=1 exp=12 conn_cur=1 http_req_cnt=7 bytes_in_cnt=0 bytes_out_cnt=9 http_fail_cnt=3\n\n';
    expect(parseTable(text)).toEqual([
      { key: 'a.localhost', counters: { use: 0, exp: 3599732, conn_cur: 0, http_req_cnt: 2, bytes_in_cnt: 201, bytes_out_cnt: 547, http_fail_cnt: 0 } },
      { key: 'b.localhost', counters: { use: 1, exp: 12, conn_cur: 1, http_req_cnt: 7, bytes_in_cnt: 0, bytes_out_cnt: 9, http_fail_cnt: 3 } },
    ]);
  });

  it('reads an empty table as no entries', () => {
    expect(parseTable('# table: containers, type: string, size:102400, used:0\n\n')).toEqual([]);
  });
});
