/**
 * GitHub webhook deliveries already taken, kept where every gateway instance can see them:
 * GitHub retries and redelivers with the same `X-GitHub-Delivery` id, and on Lambda a copy may
 * reach a different instance than the first one did. Locally the one gateway process remembers
 * recent ids in memory, so it needs none.
 */
export interface DeliveryLog {
  /** True for the first claim of `deliveryId`; false when it was claimed before (and not released). */
  claim(deliveryId: string, at: Date): Promise<boolean>;
  /** Forgets a claim whose handling failed, so GitHub's redelivery deploys after all. */
  release(deliveryId: string): Promise<void>;
}
