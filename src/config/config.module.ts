import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DATA_DIR_LOCK, DataDirLockModule } from '../data-dir/data-dir-lock.module';
import { APP_CONFIG, type AppConfig } from './app-config';

/**
 * Provides the configuration validated once at start (see create-app.ts) to every module. It is
 * handed out only once this instance holds DATA_DIR, so nothing that reads the configuration can
 * open a file there before the directory is claimed.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [DataDirLockModule.forRoot(config.DATA_DIR)],
      providers: [{ provide: APP_CONFIG, inject: [DATA_DIR_LOCK], useFactory: () => config }],
      exports: [APP_CONFIG],
    };
  }
}
