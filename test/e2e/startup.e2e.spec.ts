import { createApp } from '../../src/create-app';

describe('start-up', () => {
  it('refuses a wrong setting by name before starting anything', async () => {
    await expect(createApp({ PORT: 'eighty', LOG_LEVEL: 'silent' })).rejects.toThrow(
      /Invalid configuration: PORT/,
    );
    await expect(createApp({ EVENT_STORE: 'eventstoredb', LOG_LEVEL: 'silent' })).rejects.toThrow(
      /needs EVENTSTORE_CONNECTION_STRING/,
    );
  });

  it('reports a failure while starting instead of ending the process', async () => {
    await expect(
      createApp({ DATA_DIR: '/dev/null/not-a-directory', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/ENOTDIR/);
  });
});
