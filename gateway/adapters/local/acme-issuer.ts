import { Agent } from 'node:https';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as acme from 'acme-client';
import type { CertificateIssuer } from '../../ports/certificates.ts';

export interface AcmeIssuerOptions {
  readonly directoryUrl: string;
  readonly email: string | undefined;
  /** The ACME account key (PEM), created on first use with mode 0600. */
  readonly accountKeyFile: string;
  /** A CA to trust for the directory's own HTTPS (a private ACME server). */
  readonly caFile: string | undefined;
}

/** Issues with ACME HTTP-01; the gateway's plain-HTTP listener answers the challenges from `challengeAnswer`. */
export interface AcmeIssuer extends CertificateIssuer {
  /** The key authorization for a pending HTTP-01 token, or undefined for an unknown one. */
  challengeAnswer(token: string): string | undefined;
}

/** `acme-client` (RFC 8555) against one directory; one account per data dir. */
export function createAcmeIssuer(options: AcmeIssuerOptions): AcmeIssuer {
  const pending = new Map<string, string>();
  let client: Promise<acme.Client> | undefined;

  async function connect(): Promise<acme.Client> {
    if (options.caFile !== undefined) {
      // acme-client talks through one shared axios instance: this trusts the CA for the ACME directory only.
      acme.axios.defaults.httpsAgent = new Agent({ ca: await readFile(options.caFile, 'utf8') });
    }
    return new acme.Client({ directoryUrl: options.directoryUrl, accountKey: await accountKey(options.accountKeyFile), backoffMin: 500, backoffMax: 5_000 });
  }

  return {
    challengeAnswer: (token) => pending.get(token),
    async issue(host) {
      client ??= connect().catch((error: unknown) => {
        client = undefined;
        throw error;
      });
      const [key, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, await acme.crypto.createPrivateEcdsaKey());
      const certPem = await (await client).auto({
        csr,
        email: options.email,
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA fetches the challenge itself; a self-check would need this host's port 80 to resolve and answer from here.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => void pending.set(challenge.token, keyAuthorization),
        challengeRemoveFn: async (_authz, challenge) => void pending.delete(challenge.token),
      });
      return { keyPem: key.toString(), certPem };
    },
  };
}

async function accountKey(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await acme.crypto.createPrivateEcdsaKey();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, key, { mode: 0o600 });
  await chmod(path, 0o600);
  return key;
}
