// First of all: tracing, when configured, must hook http, gRPC and Fastify before they load.
import './tracing';
import 'reflect-metadata';
import { loadAppConfig, type AppConfig } from './config/app-config';
import { createApp } from './create-app';
import { DataDirLock } from './data-dir/data-dir-lock';
import { assertKeyFilesReadable } from './data-dir/key-files';
import { MetricsListenError } from './metrics/metrics-listener';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  // A second instance on this DATA_DIR, or a file where it should be, stops here with one line;
  // the app claims the directory for good itself.
  DataDirLock.assertAvailable(config.DATA_DIR);
  assertKeyFilesReadable(config);
  const app = await createApp(process.env);
  try {
    await app.listen(config.PORT, config.HOST);
  } catch (error) {
    throw new Error(listenFailure(error, config), { cause: error });
  }
  // Listening: the app writes its one start-up line itself (see reportStartup).
}

/** Why the port could not be opened, in words an operator acts on. */
function listenFailure(error: unknown, config: AppConfig): string {
  // The metrics port opens first, as the app initialises; its error names its own port.
  if (error instanceof MetricsListenError) return error.message;
  const where = `port ${config.PORT} on ${config.HOST}`;
  switch ((error as { code?: unknown }).code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: it is in use by another process; stop it or set PORT`;
    case 'EACCES':
      return `Cannot listen on ${where}: not permitted for this user; use a port above 1023 or set PORT`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: no interface has that address; set HOST`;
    default:
      return `Cannot listen on ${where}: ${oneLine(error)}`;
  }
}

/** An error as one line: its message, never its stack. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ');
}

main().catch((error: unknown) => {
  console.error(oneLine(error));
  process.exit(1);
});
