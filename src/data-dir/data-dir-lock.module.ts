import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataDirLock } from './data-dir-lock';

/** DI token of the held lock; whatever opens files in DATA_DIR is built after it (see AppConfigModule). */
export const DATA_DIR_LOCK = Symbol('DataDirLock');

/**
 * Claims DATA_DIR for this instance before anything opens a file in it, and gives it up when the
 * application closes. Global modules shut down last, after the read model and the store are closed.
 */
@Global()
@Module({})
export class DataDirLockModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_DIR_LOCK) private readonly lock: DataDirLock) {}

  static forRoot(dataDir: string): DynamicModule {
    return {
      module: DataDirLockModule,
      providers: [{ provide: DATA_DIR_LOCK, useFactory: () => DataDirLock.acquire(dataDir) }],
      exports: [DATA_DIR_LOCK],
    };
  }

  onApplicationShutdown(): void {
    this.lock.release();
  }
}
