import {
  createParamDecorator,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../shared/domain/actor';
import { RateLimits } from '../../auth/rate-limits';
import {
  BATTERY_READ_MODEL,
  type BatteryReadModel,
  type BatteryFacts,
} from '../../batteries/queries/battery-read-model';
import { DEVICE_PROOF_HEADER } from '../authentication/device-proof';
import { DeviceProofError } from '../authentication/device-proof.error';
import type { DeviceProofVerifier, VerifiedProof } from '../authentication/device-proof-verifier';
import { deviceActor } from '../domain/device-actor';

export const DEVICE_PROOF_VERIFIER = Symbol('DeviceProofVerifier');

/** The device behind a request, once its proof verified. */
export interface AuthenticatedDevice {
  battery: BatteryFacts;
  proof: VerifiedProof;
}

type DeviceRequest = FastifyRequest & { device?: AuthenticatedDevice; actor?: Actor };

/**
 * Device routes take no person's Bearer token (they are @PublicRoute for the global guard); this
 * guard authenticates the battery itself by its Device-Proof. The device becomes the request's
 * actor, so its commands are recorded like anyone else's.
 */
@Injectable()
export class DeviceProofGuard implements CanActivate {
  constructor(
    @Inject(DEVICE_PROOF_VERIFIER) private readonly verifier: DeviceProofVerifier,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
    private readonly rateLimits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<DeviceRequest>();
    const given = (request.params as Record<string, unknown> | undefined)?.serial;
    const serial = typeof given === 'string' ? given : '';
    const header = request.headers[DEVICE_PROOF_HEADER];
    const battery = this.batteries.facts(serial);
    const proof = await this.verifier.verify({
      proof: Array.isArray(header) ? header.join(',') : header,
      method: request.method,
      url: request.url,
      serial,
      deviceKey: battery?.deviceKey,
    });
    // The verifier refuses a proof without the battery's key, so a battery is known here.
    if (!battery)
      throw new DeviceProofError(
        'device-proof-unknown-key',
        `No identity key is registered for battery ${serial}`,
      );
    request.device = { battery, proof };
    request.actor = deviceActor(serial, battery.manufacturerId);
    // Until here the request counted on its address (see RateLimits): never charge `device:<serial>`
    // for a proof that did not verify, or anyone could lock a battery out by sending bogus ones.
    await this.rateLimits.chargeVerified(request, `device:${serial}`);
    return true;
  }
}

export const CurrentDevice = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedDevice => {
    const device = context.switchToHttp().getRequest<DeviceRequest>().device;
    if (!device)
      throw new DeviceProofError(
        'device-proof-missing',
        'Device requests carry a Device-Proof header',
      );
    return device;
  },
);
