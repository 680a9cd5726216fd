import { DEFAULT_READINESS_OPTIONS, judgeCatchUp, within } from './readiness';

describe('judgeCatchUp: is the read model close enough to the store to take traffic', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const options = { ...DEFAULT_READINESS_OPTIONS, maxLagEvents: 1000, maxLagSeconds: 10 };

  it('is caught up with nothing waiting', () => {
    expect(judgeCatchUp({ events: 0, oldestAt: undefined }, options, now)).toEqual({
      caughtUp: true,
      behindEvents: 0,
      behindSeconds: 0,
    });
  });

  it('is caught up a few recent events behind', () => {
    expect(judgeCatchUp({ events: 1000, oldestAt: secondsAgo(10) }, options, now)).toEqual({
      caughtUp: true,
      behindEvents: 1000,
      behindSeconds: 10,
    });
  });

  it('is not, more events behind than the bound (counted up to bound + 1)', () => {
    expect(judgeCatchUp({ events: 1001, oldestAt: secondsAgo(0) }, options, now)).toEqual({
      caughtUp: false,
      behindEvents: 'more than 1000',
      behindSeconds: 0,
    });
  });

  it('is not, one event behind that has waited longer than the bound', () => {
    expect(judgeCatchUp({ events: 1, oldestAt: secondsAgo(11) }, options, now)).toEqual({
      caughtUp: false,
      behindEvents: 1,
      behindSeconds: 11,
    });
  });
});

describe('within', () => {
  it('passes a prompt answer through and refuses a late one', async () => {
    await expect(within(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(within(new Promise(() => undefined), 20)).rejects.toThrow(
      'no answer within 20 ms',
    );
  });
});
