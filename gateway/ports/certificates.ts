/** A private key and the certificate chain issued for it, both PEM. */
export interface KeyAndCertificate {
  readonly keyPem: string;
  readonly certPem: string;
}

/** Obtains a certificate for one host name (ACME HTTP-01 locally). */
export interface CertificateIssuer {
  issue(host: string): Promise<KeyAndCertificate>;
}

/** Where issued certificates are kept across restarts. Private keys must be readable by the gateway only. */
export interface CertificateStore {
  load(host: string): Promise<KeyAndCertificate | null>;
  save(host: string, pair: KeyAndCertificate): Promise<void>;
  /** Every host with a stored certificate. */
  hosts(): Promise<string[]>;
  /** Deletes a host's key and certificate; nothing stored is success. */
  remove(host: string): Promise<void>;
}

/**
 * A proxy engine in front that serves HTTPS with these certificates (HAProxy): told of each one
 * loaded, obtained or renewed, and of each one dropped, so it serves the current set without a reload.
 */
export interface CertificateSink {
  put(host: string, pair: KeyAndCertificate): Promise<void>;
  drop(host: string): Promise<void>;
}
