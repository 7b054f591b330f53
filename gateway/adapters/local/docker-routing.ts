import { networkInterfaces } from 'node:os';
import type Dockerode from 'dockerode';
import type { ContainerRef } from '../../domain/types.ts';

export type Routing = 'auto' | 'direct' | 'published';

export interface ContainerAddresses {
  /**
   * Where the gateway reaches a running container's `port` (its declared port when absent), or
   * null when it cannot: a published-only engine reaches no port but the declared one.
   */
  address(info: Dockerode.ContainerInspectInfo, port?: number): Promise<ContainerRef | null>;
  /** Whether the gateway reaches containers at their own addresses (decided once per network gateway). */
  direct(info: Dockerode.ContainerInspectInfo): boolean;
}

/**
 * Straight to the container's address on its network where the host is on that network (a local
 * engine on Linux: the bridge's gateway address is one of this host's own): no userland proxy in
 * the way, and any port the app opens is reachable, so a port found after the start needs no new
 * container. Elsewhere (Docker Desktop, whose bridge lives in a VM; a remote engine) through the
 * loopback port the engine publishes for the declared port.
 */
export function createRouting(mode: Routing, where: string, network: string): ContainerAddresses {
  const decided = new Map<string, boolean>();

  function direct(info: Dockerode.ContainerInspectInfo): boolean {
    if (mode !== 'auto') return mode === 'direct';
    const gateway = info.NetworkSettings.Networks?.[network]?.Gateway ?? '';
    if (!decided.has(gateway)) decided.set(gateway, where.startsWith('unix://') && gateway !== '' && isOwnAddress(gateway));
    return decided.get(gateway)!;
  }

  async function address(info: Dockerode.ContainerInspectInfo, port?: number): Promise<ContainerRef | null> {
    const declared = Number(info.Config.Labels?.['portico.port']);
    const target = port ?? declared;
    if (direct(info)) {
      const ip = info.NetworkSettings.Networks?.[network]?.IPAddress;
      return ip ? { id: info.Id, upstream: `http://${ip}:${target}`, port: target } : null;
    }
    if (target !== declared) return null;
    const ports = info.NetworkSettings.Ports ?? {};
    const bindings = ports[`${declared}/tcp`] ?? Object.values(ports).find((list) => list && list.length > 0);
    const hostPort = bindings?.find((binding) => binding.HostIp === '127.0.0.1')?.HostPort ?? bindings?.[0]?.HostPort;
    return hostPort ? { id: info.Id, upstream: `http://127.0.0.1:${hostPort}`, port: declared } : null;
  }

  return { address, direct };
}

function isOwnAddress(ip: string): boolean {
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((entry) => entry.address === ip));
}
