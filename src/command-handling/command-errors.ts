/** The stream moved on since the client read it (If-Match), or kept moving through every retry. */
export class ConcurrencyConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedRevision: number | undefined,
    readonly currentRevision: number | undefined,
  ) {
    super(
      `Stream ${streamId} is at revision ${currentRevision ?? 'none'}` +
        (expectedRevision === undefined
          ? ' and kept changing; try again'
          : `, not ${expectedRevision} as the request expected`),
    );
    this.name = 'ConcurrencyConflictError';
  }
}

/** The same Idempotency-Key came back with a different request. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
