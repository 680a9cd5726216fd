import 'reflect-metadata';
import { loadAppConfig } from './config/app-config';
import { createApp } from './create-app';
import { DataDirLock } from './data-dir/data-dir-lock';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  // A second instance on this DATA_DIR stops here with one line; the app claims it for good itself.
  DataDirLock.assertAvailable(config.DATA_DIR);
  const app = await createApp(process.env);
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
