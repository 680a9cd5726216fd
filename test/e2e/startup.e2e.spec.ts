import { createApp } from '../../src/create-app';

describe('start-up', () => {
  it('refuses a wrong setting by name before starting anything', async () => {
    await expect(createApp({ PORT: 'eighty', LOG_LEVEL: 'silent' })).rejects.toThrow(
      /Invalid configuration: PORT/,
    );
    await expect(createApp({ EVENT_STORE: 'eventstoredb', LOG_LEVEL: 'silent' })).rejects.toThrow(
      /needs EVENTSTORE_CONNECTION_STRING/,
    );
    // A seed is only ever checked against a key: no setting turns the check off.
    await expect(
      createApp({ READ_MODEL_SEED: '/snapshots/read-model.db', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/READ_MODEL_SEED needs READ_MODEL_SEED_PUBLIC_KEY_FILE/);
  });

  it('reports a failure while starting instead of ending the process', async () => {
    await expect(
      createApp({ DATA_DIR: '/dev/null/not-a-directory', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/ENOTDIR/);
  });
});
