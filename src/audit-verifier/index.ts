/**
 * The audit log's offline tools: verify an export, run a witness. Written from docs/audit-log.md
 * and the C2SP and RFC 9162 texts alone, importing nothing from the service, as an auditor's or a
 * witness operator's own copy would not.
 */
export * from './checkpoint';
export * from './cosignature';
export { decodeBase64, encodeBase64 } from './encoding';
export * from './export-verifier';
export { leafProblem, type LeafEvent } from './leaf';
export * from './merkle';
export * from './note-verifier';
export * from './signed-note';
export * from './verifier-key';
export * from './witness';
export * from './witness-key';
export * from './witness-state';
