/**
 * JSON that a test parsed (an HTTP response body, an event's data read from the store) and then
 * checks with expect(). It is `any` on purpose, so that specs can navigate it freely: typing it
 * would restate the API in every test, and the assertions are the check. eslint.config.mjs turns
 * the no-unsafe-* rules off in specs for the same reason and keeps them on in support code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the specs' assertions
export type ParsedJson = any;
