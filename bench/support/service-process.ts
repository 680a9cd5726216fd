import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { buildNodePath, buildService, builtScript } from './build';

/** A free loopback port (the OS picks it; a tiny race with other processes is acceptable here). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export interface ServiceOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** How long to wait for /health/live to answer 200 (the process started and listens). */
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. --max-old-space-size. */
  nodeArgs?: string[];
  /** Run this entry point instead of the build of the current sources. */
  mainJs?: string;
}

/**
 * The real service as a child process (`node <transpiled>/src/main.js`) on 127.0.0.1 with its own
 * data directory. `kill()` is SIGKILL (a crash), `stop()` is SIGTERM (a normal shutdown).
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  port = 0;
  stderr = '';

  constructor(private readonly options: ServiceOptions) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    const mainJs = this.options.mainJs ?? buildService().mainJs;
    this.port = await freePort();
    this.stderr = '';
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), mainJs], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: buildNodePath(),
        DATA_DIR: this.options.dataDir,
        HOST: '127.0.0.1',
        PORT: String(this.port),
        LOG_LEVEL: 'error',
        // Load tests measure the service, not its rate limit.
        RATE_LIMIT_PER_MINUTE: '0',
        ...(this.options.env ?? {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await this.waitReady(this.options.readyTimeoutMs ?? 20_000);
    return this;
  }

  /** Waits until the process answers its liveness probe (/health/live); readiness comes with catch-up. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited?.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`The service exited during start: ${this.stderr.slice(-2000)}`);
      try {
        const response = await fetch(`${this.baseUrl}/health/live`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(
      `The service did not answer /health/live within ${timeoutMs} ms: ${this.stderr.slice(-2000)}`,
    );
  }

  /** The read model's position and the store's head, from /health. */
  async progress(): Promise<{ position: bigint; head: bigint }> {
    const body = (await (await fetch(`${this.baseUrl}/health`)).json()) as {
      details: { eventStore: { head: string | null }; projections: { position: string } };
    };
    return {
      position: BigInt(body.details.projections.position),
      head: BigInt(body.details.eventStore.head ?? 0),
    };
  }

  /** Polls /health until the read model has applied the store's head; returns the time taken. */
  async waitCaughtUp(timeoutMs = 600_000, pollMs = 100): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const { position, head } = await this.progress();
      if (position >= head) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`The read model did not catch up within ${timeoutMs} ms`);
  }

  /**
   * Polls /health until the audit log's first tamper check since start has finished (its state
   * is no longer "checking"; at once when the log is off). That check re-reads the whole store
   * once after catch-up and then only every AUDIT_LOG_VERIFY_INTERVAL_SECONDS: loads measured
   * after it see the service's steady state, not the minutes after a deploy. Returns the time taken.
   */
  async waitAuditChecked(timeoutMs = 600_000, pollMs = 250): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const body = (await (await fetch(`${this.baseUrl}/health`)).json()) as {
        details: { auditLog?: { state?: string } };
      };
      const state = body.details.auditLog?.state;
      if (state !== 'checking') return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`The audit log's tamper check did not finish within ${timeoutMs} ms`);
  }

  /** Resident set size of the child in bytes, from /proc/<pid>/status (VmRSS). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child?.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!match) throw new Error('No VmRSS in /proc status');
    return Number(match[1]) * 1024;
  }

  /** kill -9: the process gets no chance to flush or close anything. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** A normal shutdown (SIGTERM), with SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}

/** Runs a task of bench/support/worker.ts in a child process built like the service; returns its JSON line. */
export async function runWorker<T>(task: string, args: Record<string, unknown>): Promise<T> {
  const build = buildService();
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      builtScript(build, 'bench/support/worker'),
      task,
      JSON.stringify(args),
    ],
    {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: buildNodePath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-10_000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`worker ${task} failed (${code}): ${stderr}`);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
