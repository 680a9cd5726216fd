import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemError } from '../http/problem-details';
import {
  RATE_LIMIT_OBSERVER,
  type RateLimitObserver,
  type RateLimitScope,
} from './rate-limit-observer';

/** A caller whose credentials verified: a person (whatever party the token names) or a battery. */
export type VerifiedCaller = `person:${string}` | `device:${string}`;

export class TooManyRequestsError extends ProblemError {
  constructor(limit: number, retryAfterSeconds: number) {
    super(
      429,
      'too-many-requests',
      `More than ${limit} requests per minute; retry after ${retryAfterSeconds} s`,
      {
        'retry-after': String(retryAfterSeconds),
      },
    );
  }
}

/**
 * The client address a request is counted on: an IPv6 client by its /64 (one host commonly
 * holds the whole /64, so single addresses would be fresh buckets for the taking), an IPv4-mapped
 * IPv6 address as the IPv4 address it is. `request.ip` already honours TRUST_PROXY.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `address:${ip}`;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return `address:${address.toString()}`;
  return `address:${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

/**
 * Requests a minute, counted on who is calling, as far as that is known at each step:
 *
 * 1. At the edge (a Fastify onRequest hook, before routing into Nest, any guard or any signature
 *    check) every request is charged to its client address and refused once the address is over
 *    the limit. A flood of bogus tokens or proofs from one address therefore ends in 429 without
 *    costing a verification each, and rotating the credential mints no fresh bucket.
 * 2. The guards verify the caller inside Nest, where the route's metadata says which credential
 *    it takes (BearerAuthGuard: a person's token; DeviceProofGuard: a battery's proof). Once one
 *    verifies, the request moves: `person:<sub>` or `device:<serial>` is charged and, unless that
 *    is over the limit too (429; a valid credential buys no unlimited verifications), the address
 *    charge is given back. A device is charged only after its proof verified, so bogus proofs
 *    sent for a victim's serial cost the sender's address and never the victim's bucket.
 * 3. Whatever never verifies (public routes, unknown routes, refused credentials) stays on the
 *    address.
 *
 * Verification stays in the guards rather than moving into a Fastify hook because only Nest knows
 * which routes are public and which take a device proof; charging first and refunding on
 * verification keeps the address count exact under concurrency (in-flight requests count).
 * Counters live in this instance's memory: behind a load balancer each instance counts its own.
 */
@Injectable()
export class RateLimits {
  private readonly limiter: RateLimiterMemory | undefined;
  private readonly limit: number;
  /** The address each request in flight was charged to, until a verified caller takes it over. */
  private readonly chargedAddress = new WeakMap<FastifyRequest, string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    /** Counts refusals when metrics are on. */
    @Optional() @Inject(RATE_LIMIT_OBSERVER) private readonly observer?: RateLimitObserver,
  ) {
    this.limit = config.RATE_LIMIT_PER_MINUTE;
    this.limiter =
      this.limit > 0 ? new RateLimiterMemory({ points: this.limit, duration: 60 }) : undefined;
  }

  /** Whether a limit is configured at all (RATE_LIMIT_PER_MINUTE > 0). */
  get enabled(): boolean {
    return this.limiter !== undefined;
  }

  /** Step 1: charges the request to its address; throws TooManyRequestsError once over. */

  async chargeAddress(request: FastifyRequest): Promise<void> {
    if (!this.limiter) return;
    const key = addressKey(request.ip);
    await this.consume(key);
    this.chargedAddress.set(request, key);
  }

  /**
   * Step 2: the request's caller verified; it counts on them from now on, not on the address. A
   * caller past their own limit keeps the address charge too: a valid token does not buy
   * unlimited signature checks, since its excess fills the address, which is then refused at step 1.
   */
  async chargeVerified(request: FastifyRequest, caller: VerifiedCaller): Promise<void> {
    if (!this.limiter) return;
    await this.consume(caller);
    const address = this.chargedAddress.get(request);
    if (address !== undefined) {
      this.chargedAddress.delete(request);
      await this.limiter.reward(address);
    }
  }

  private async consume(key: string): Promise<void> {
    try {
      await this.limiter!.consume(key);
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      // The key's prefix (address:, person:, device:) is the scope it was counted on.
      this.observer?.refused(key.slice(0, key.indexOf(':')) as RateLimitScope);
      throw new TooManyRequestsError(
        this.limit,
        Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)),
      );
    }
  }
}
