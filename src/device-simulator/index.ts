/** The device simulator: a fleet of reference devices driven against a local service. */
export {
  acknowledgeBundle,
  pullBundleOnce,
  type PullOptions,
  type PullResult,
} from './device-client';
export { SimulatedDevice, type SyncOutcome } from './simulated-device';
export { identityOf, provisionFleet, type FleetDevice, type FleetFixture } from './simulated-fleet';
export { runSimulation, type SimulationOptions, type SimulationSummary } from './simulation';
export { assertLoopback } from './loopback';
