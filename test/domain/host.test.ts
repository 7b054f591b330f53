import { describe, expect, it } from 'vitest';
import { endpointUrl, parseHost } from '../../gateway/domain/host.ts';

describe('parseHost', () => {
  it.each([
    ['main-hello-acme.localhost:8080', 'main-hello-acme'],
    ['main-hello-acme.localhost', 'main-hello-acme'],
    ['MAIN-Hello-Acme.LocalHost.:8080', 'main-hello-acme'],
    ['a.b.localhost', 'a.b'],
  ])('reads %s as the endpoint %s', (host, label) => {
    expect(parseHost(host, 'localhost')).toEqual({ kind: 'endpoint', label });
  });

  it.each(['localhost:8080', 'localhost', '127.0.0.1:8080', '[::1]:8080', 'evil-localhost', 'x.example.com', '.localhost', ''])('sends %j to the gateway itself', (host) => {
    expect(parseHost(host, 'localhost')).toEqual({ kind: 'gateway' });
  });

  it('treats a missing Host header as the gateway', () => {
    expect(parseHost(undefined, 'localhost')).toEqual({ kind: 'gateway' });
  });

  it('works under a multi-level domain', () => {
    expect(parseHost('main-x-y.endpoint.example.com', 'endpoint.example.com')).toEqual({ kind: 'endpoint', label: 'main-x-y' });
  });
});

describe('endpointUrl', () => {
  it('adds the port unless it is the scheme default', () => {
    expect(endpointUrl('main-hello-acme', { domain: 'localhost', port: 8080 })).toBe('http://main-hello-acme.localhost:8080');
    expect(endpointUrl('main-hello-acme', { domain: 'example.com', port: 80 })).toBe('http://main-hello-acme.example.com');
    expect(endpointUrl('a', { domain: 'example.com', port: 443, scheme: 'https' })).toBe('https://a.example.com');
  });
});
