import { execFile } from 'node:child_process';
import type Dockerode from 'dockerode';
import { PorticoError, messageOf } from '../../errors.ts';
import { engineMessage, engineStatus, withEngine } from './docker-client.ts';

/** The bridge every demo container joins, and the host interface it gets (stable, so a firewall rule can name it). */
export const DEMO_NETWORK = 'portico-demos';
export const DEMO_BRIDGE = 'portico0';

/**
 * Creates the demos' bridge network unless it exists. Inter-container traffic is off
 * (`enable_icc=false`), so one demo cannot open connections to another's address; outbound
 * traffic (model downloads) and loopback-published ports still work, which an `internal`
 * network would break. Two gateways racing to create it both succeed.
 */
export async function ensureDemoNetwork(docker: Dockerode, where: string, name = DEMO_NETWORK, bridge = DEMO_BRIDGE): Promise<void> {
  const find = async () => (await withEngine(where, () => docker.listNetworks({ filters: { name: [name] } }))).find((network) => network.Name === name);
  const existing = await find();
  if (existing) {
    // Made by hand or by an older Portico: demos on it could reach each other, so refuse rather than run them there.
    if (existing.Options?.['com.docker.network.bridge.enable_icc'] !== 'false') {
      throw new PorticoError('start_failed', `Docker network ${name} exists but lets containers reach each other (enable_icc is not false); remove it with \`docker network rm ${name}\` and Portico will recreate it`);
    }
    return;
  }
  try {
    await withEngine(where, () =>
      docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { 'portico.network': 'demos' },
        Options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.name': bridge },
      }),
    );
  } catch (error) {
    // Another gateway created it meanwhile: the engine says 409 (same name) or 403 (same bridge name).
    if (engineStatus(error) !== undefined && (await find())) return;
    throw new PorticoError('start_failed', `could not create the Docker network ${name} for demos: ${engineMessage(error)}`, { cause: error });
  }
}

export type HostGuard = { readonly installed: true } | { readonly installed: false; readonly reason: string };

/**
 * Makes the host drop new connections that demos open to any of its own addresses (the
 * bridge's gateway IP, the LAN IP, …): Docker filters only forwarded traffic, so without this a
 * demo reaches every host service bound to 0.0.0.0 (the gateway when bound so, databases, an
 * engine on tcp 2375). Replies to connections the host opened (the proxy reaching a demo) still
 * pass. Needs root (CAP_NET_ADMIN) and `iptables`; otherwise returns why it could not.
 */
export async function guardHostFromBridge(bridge = DEMO_BRIDGE): Promise<HostGuard> {
  // IPv4 only: Docker disables IPv6 inside containers whose network does not enable it, as this one does not.
  const reason = await ensureRule('iptables', ['INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP']);
  return reason === null ? { installed: true } : { installed: false, reason };
}

/** Null once the rule is in place (added now or already there), else why not. */
async function ensureRule(binary: string, rule: readonly string[]): Promise<string | null> {
  const [chain, ...match] = rule;
  const check = await run(binary, ['-w', '-C', chain!, ...match]);
  if (check.ok) return null;
  if (check.code !== 1) return check.reason;
  const insert = await run(binary, ['-w', '-I', chain!, '1', ...match]);
  return insert.ok ? null : insert.reason;
}

function run(binary: string, args: readonly string[]): Promise<{ ok: true } | { ok: false; code: number | string | undefined; reason: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true });
      const code = (error as { code?: number | string }).code;
      const detail = code === 'ENOENT' ? `${binary} is not installed` : String(stderr).trim().split('\n')[0] || messageOf(error);
      resolve({ ok: false, code, reason: `${binary} ${args.join(' ')}: ${detail}` });
    });
  });
}
