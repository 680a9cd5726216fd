import type { CommandContext } from '../../policy/domain/command-context';

/** When a bundle version came into force, from the service's own record of the battery. */
export interface ServedVersion {
  version: number;
  since: Date;
}

export interface AcknowledgeBundle {
  type: 'AcknowledgeBundle';
  serial: string;
  ver: number;
  iat: number;
  /** The acknowledged version as the service knows it; null when the battery never had it. */
  servedVersion: ServedVersion | null;
  deviceKeyThumbprint: string;
  proofId: string;
  /** The actor is the device (see device-actor.ts), authenticated by its proof. */
  context: CommandContext;
}

export type DeviceCommand = AcknowledgeBundle;
