import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './sdk';

/** At shutdown, the spans still buffered are exported before the process exits (a no-op when tracing is off). */
@Module({})
export class TracingModule implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}
