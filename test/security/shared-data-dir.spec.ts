import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { buildNodePath, buildService } from '../../bench/support/build';
import { freePort } from '../../bench/support/service-process';
import { ReliabilityService } from '../reliability/support/harness';
import { TestApp } from '../support/test-app';

/**
 * Issue 9, class 7. Two processes on one DATA_DIR both run projections into one read model: UNIQUE
 * constraint failures, `database is locked`, reads with X-Min-Position that time out, and a /health
 * that stays 200 over a projection that stopped. One instance holds a data directory; a second is
 * refused before it opens anything there.
 */
describe('A second instance started on the same data directory corrupts the read model', () => {
  jest.setTimeout(120_000);
  let service: ReliabilityService;

  beforeAll(async () => {
    service = await ReliabilityService.start();
  });
  afterAll(async () => service?.stop());

  /** `node src/main.js` on the given data directory, run until it exits by itself (or 30 s). */
  async function startAnother(
    dataDir: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [buildService().mainJs], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: buildNodePath(),
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  async function writeAndReadBack(partyId: string): Promise<void> {
    const written = await service.request('POST', '/v1/parties', {
      as: 'platform',
      body: { partyId, name: partyId.toUpperCase(), kind: 'lessor' },
    });
    expect(written.status).toBe(201);
    const read = await service.request('GET', '/v1/parties', {
      as: 'platform',
      headers: { 'x-min-position': String(written.body.position) },
    });
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain(`"${partyId}"`);
    expect((await service.request('GET', '/health')).status).toBe(200);
  }

  it('refuses the second start with one line naming the directory and the holder, and the first keeps serving', async () => {
    await writeAndReadBack('before-second');
    const second = await startAnother(service.dataDir);
    expect(second.code).not.toBe(0);
    expect(second.code).not.toBeNull(); // it exited by itself, it was not killed by the timer
    expect(second.stderr).toBe(
      `DATA_DIR ${service.dataDir} is in use by another instance (pid ${service.process.pid}); stop it or use another DATA_DIR\n`,
    );
    expect(second.stdout).toBe('');
    await writeAndReadBack('after-second');
    expect((await service.progress()).position).toBe((await service.progress()).head);
  });

  it('lets a new instance start at once after the holder is killed with kill -9', async () => {
    await service.process.kill();
    await service.process.start();
    const parties = await service.request('GET', '/v1/parties', { as: 'platform' });
    expect(parties.status).toBe(200);
    expect(JSON.stringify(parties.body)).toContain('"after-second"');
    await writeAndReadBack('after-kill');
  });

  it('lets an app restart in the same process on its data directory, which it holds while it runs', async () => {
    const app = await TestApp.start();
    try {
      const platform = await app.caller('pat', 'platform', ['platform-admin']);
      expect(
        (
          await app.request('POST', '/v1/parties', {
            as: platform,
            body: { partyId: 'oem', name: 'OEM', kind: 'manufacturer' },
          })
        ).status,
      ).toBe(201);
      const refused = await startAnother(app.dataDir);
      expect(refused.stderr).toBe(
        `DATA_DIR ${app.dataDir} is in use by another instance (pid ${process.pid}); stop it or use another DATA_DIR\n`,
      );
      await app.restart();
      expect((await app.request('GET', '/v1/parties/oem', { as: platform })).status).toBe(200);
      expect((await app.request('GET', '/health')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
