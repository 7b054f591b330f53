import { X509Certificate } from 'node:crypto';
import { type SecureContext, createSecureContext } from 'node:tls';
import { messageOf } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { CertificateIssuer, CertificateSink, CertificateStore, KeyAndCertificate } from '../ports/certificates.ts';

/** Where one host's certificate stands; the dashboard and log show the reason of a failure. */
export type CertificateState =
  | { readonly kind: 'valid'; readonly notAfter: Date; readonly serial: string }
  | { readonly kind: 'pending' }
  | { readonly kind: 'failed'; readonly reason: string; readonly at: Date };

/** What the HTTPS listener asks: which certificate answers a TLS client hello for a host. */
export interface CertificateSource {
  contextFor(host: string): SecureContext | undefined;
}

export interface CertificateManager extends CertificateSource {
  /** Loads the stored certificate or obtains one; never throws (a failure is kept in `state`). */
  ensure(host: string): Promise<CertificateState>;
  state(host: string): CertificateState | undefined;
  /** Loads every stored certificate (at startup). */
  loadStored(): Promise<void>;
  /** Hosts with a certificate or an attempt at one. */
  hosts(): string[];
  /** Stops serving and renewing a host's certificate and deletes it (its project was removed). */
  forget(host: string): Promise<void>;
  /** Renews certificates that expire within the renewal window and retries failed hosts. */
  renewDue(): Promise<{ readonly renewed: readonly string[]; readonly failed: readonly string[] }>;
}

export interface CertificateManagerOptions {
  readonly renewBeforeMs: number;
  /** On the clock: a failed host is tried again, and a just-obtained certificate renewed again, no sooner than this. */
  readonly retryAfterMs: number;
  readonly log: (line: string) => void;
  /** A proxy engine serving HTTPS in front (HAProxy): given every certificate installed here, and told of each dropped. */
  readonly sink?: CertificateSink;
}

/** Issues, keeps and renews one certificate per host, with one issuance in flight per host. */
export function createCertificateManager(ports: { readonly issuer: CertificateIssuer; readonly store: CertificateStore; readonly clock: Clock }, options: CertificateManagerOptions): CertificateManager {
  const { issuer, store, clock } = ports;
  const states = new Map<string, CertificateState>();
  const contexts = new Map<string, SecureContext>();
  const inFlight = new Map<string, Promise<CertificateState>>();
  /** When each host's certificate was last obtained (clock time), so it is renewed at most once per `retryAfterMs`. */
  const obtainedAt = new Map<string, number>();
  /** Bumped by `forget`: an issuance that finishes for a forgotten host is thrown away. */
  const generations = new Map<string, number>();

  async function install(host: string, pair: KeyAndCertificate, generation: number): Promise<CertificateState> {
    const certificate = new X509Certificate(pair.certPem);
    const context = createSecureContext({ key: pair.keyPem, cert: pair.certPem });
    const state: CertificateState = { kind: 'valid', notAfter: new Date(certificate.validTo), serial: certificate.serialNumber };
    // In use once the engine serves it too. Kept even if the engine refuses it: it is given every certificate again when it restarts.
    await options.sink?.put(host, pair).catch((error: unknown) => options.log(`certificate for ${host} is not served by the proxy engine: ${messageOf(error)}`));
    if (generationOf(host) !== generation) {
      // Its project was removed while this was being saved or handed over: undo both.
      await Promise.all([store.remove(host), options.sink?.drop(host)]);
      return { kind: 'pending' };
    }
    contexts.set(host, context);
    states.set(host, state);
    return state;
  }

  function dueForRenewal(host: string, state: CertificateState | undefined): boolean {
    const now = clock.now().getTime();
    // A CA issuing certificates shorter than the window (or a clock ahead of it) must not cause an issuance on every check.
    const recent = now - (obtainedAt.get(host) ?? -Infinity) < options.retryAfterMs;
    return state?.kind === 'valid' && state.notAfter.getTime() - now <= options.renewBeforeMs && !recent;
  }

  /** Single flight: concurrent calls for one host share one issuance. */
  function issue(host: string, purpose: Purpose, generation = generationOf(host)): Promise<CertificateState> {
    let running = inFlight.get(host);
    if (running) return running;
    if (!states.has(host)) states.set(host, { kind: 'pending' });
    running = (async (): Promise<CertificateState> => {
      const previous = states.get(host);
      try {
        const pair = await issuer.issue(host);
        if (generationOf(host) !== generation) return { kind: 'pending' }; // its project was removed meanwhile
        await store.save(host, pair);
        obtainedAt.set(host, clock.now().getTime());
        const state = await install(host, pair, generation);
        if (state.kind === 'valid') options.log(`certificate for ${host} ${DONE[purpose]}: serial ${state.serial}, valid until ${state.notAfter.toISOString()}`);
        return state;
      } catch (error) {
        if (generationOf(host) !== generation) return { kind: 'pending' };
        const reason = messageOf(error);
        const until = previous?.kind === 'valid' ? 'the current one is kept' : `${host} is served on plain HTTP until it is (tried again after ${duration(options.retryAfterMs)})`;
        options.log(`certificate for ${host} could not be ${FAILED[purpose]}: ${reason}; ${until}`);
        if (previous?.kind === 'valid') return previous;
        const failed: CertificateState = { kind: 'failed', reason, at: clock.now() };
        states.set(host, failed);
        return failed;
      } finally {
        inFlight.delete(host);
      }
    })();
    inFlight.set(host, running);
    return running;
  }

  const generationOf = (host: string) => generations.get(host) ?? 0;

  async function loadOne(host: string, generation = generationOf(host)): Promise<CertificateState | undefined> {
    try {
      const pair = await store.load(host);
      return pair && generationOf(host) === generation ? await install(host, pair, generation) : undefined;
    } catch (error) {
      options.log(`stored certificate for ${host} is unreadable (${messageOf(error)}); obtaining a new one`);
      return undefined;
    }
  }

  return {
    contextFor: (host) => contexts.get(host.toLowerCase()),
    state: (host) => states.get(host),
    async ensure(host) {
      const generation = generationOf(host);
      const current = states.get(host) ?? (await loadOne(host, generation));
      if (generationOf(host) !== generation) return { kind: 'pending' }; // forgotten while loading
      if (current?.kind === 'valid' && !dueForRenewal(host, current)) return current;
      return issue(host, current?.kind === 'valid' ? 'renew' : 'issue', generation);
    },
    hosts: () => [...states.keys()],
    async forget(host) {
      generations.set(host, (generations.get(host) ?? 0) + 1);
      states.delete(host);
      contexts.delete(host);
      obtainedAt.delete(host);
      await Promise.all([store.remove(host), options.sink?.drop(host)]);
    },
    async loadStored() {
      for (const host of await store.hosts()) await loadOne(host);
    },
    async renewDue() {
      const renewed: string[] = [];
      const failed: string[] = [];
      for (const [host, state] of [...states]) {
        const retry = state.kind === 'failed' && clock.now().getTime() - state.at.getTime() >= options.retryAfterMs;
        if (!dueForRenewal(host, state) && !retry) continue;
        const after = await issue(host, retry ? 'retry' : 'renew');
        if (after.kind === 'valid' && (state.kind !== 'valid' || after.serial !== state.serial)) renewed.push(host);
        else failed.push(host);
      }
      return { renewed, failed };
    },
  };
}

type Purpose = 'issue' | 'renew' | 'retry';
const DONE: Record<Purpose, string> = { issue: 'issued', renew: 'renewed', retry: 'issued on retry' };
const FAILED: Record<Purpose, string> = { issue: 'obtained', renew: 'renewed', retry: 'obtained on retry' };

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
