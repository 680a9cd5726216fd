import { BATTERY_STREAM_PREFIX } from '../../batteries/domain/battery-events';
import { DEVICE_STREAM_PREFIX } from '../../devices/domain/device-events';

/** The battery a stream is about: `battery-<serial>` and `device-<serial>`; null for any other stream. */
export function serialOfStream(streamId: string): string | null {
  for (const prefix of [BATTERY_STREAM_PREFIX, DEVICE_STREAM_PREFIX]) {
    if (streamId.startsWith(prefix)) return streamId.slice(prefix.length);
  }
  return null;
}
