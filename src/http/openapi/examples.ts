/**
 * Examples of the main flows (the README walk-through) shown in the document. Redocly checks each
 * against its schema (no-invalid-media-type-examples), so they cannot drift from the contract.
 */

const ISSUED_AT = '2026-05-04T09:30:00.000Z';

export const PROVISION_EXAMPLE = {
  serial: 'TT2-0001',
  model: 'T2-48V',
  chemistry: 'NMC',
  manufacturerId: 'oem',
  firstOwnerId: 'lessor-a',
  hardLimits: {
    cellVoltageMinV: 2.8,
    cellVoltageMaxV: 4.25,
    chargeCurrentMaxA: 100,
    dischargeCurrentMaxA: 200,
    temperatureMinC: -20,
    temperatureMaxC: 60,
  },
  deviceKey: { kty: 'OKP', crv: 'Ed25519', x: 'GECXZ96Mx78zgumvYtm2rqTTR5cef_4T1YQdLGN__aU' },
};

export const PROVISIONED_EXAMPLE = {
  streamId: 'battery-TT2-0001',
  revision: 0,
  position: '7',
  events: [
    {
      id: '6f1c7d3e-0d3b-5a43-9a55-1f0e1d2c3b4a',
      type: 'BatteryProvisioned',
      revision: 0,
      data: { serial: 'TT2-0001', model: 'T2-48V', ownerId: 'lessor-a' },
    },
  ],
  replayed: false,
};

export const ISSUE_KEY_EXAMPLE = {
  keyId: 'tom-diag',
  holder: { personId: 'tom', partyId: 'workshop' },
  publicKey: { kty: 'OKP', crv: 'Ed25519', x: '_SE5hA4O3MWdy8f7E9bgRjR-bA5qJym30zLBBsjc9j8' },
  capabilities: ['diagnostics.read', 'faults.reset'],
  notAfter: '2027-05-04T00:00:00Z',
};

export const TRANSFER_EXAMPLE = {
  toOwnerId: 'lessor-b',
  transferId: 'q4-sale',
  reason: 'Q4 portfolio sale',
};

export const ACCEPTED_EXAMPLE = {
  streamId: 'battery-TT2-0001',
  revision: 4,
  position: '15',
  events: [
    {
      id: '0b9a3c1e-8f4d-5b2a-9c1d-2e3f4a5b6c7d',
      type: 'OwnershipTransferAccepted',
      revision: 2,
      data: { transferId: 'q4-sale', toOwnerId: 'lessor-b' },
    },
    {
      id: '1c8b4d2f-9e5a-5c3b-8d2e-3f4a5b6c7d8e',
      type: 'KeyRevoked',
      revision: 3,
      data: { keyId: 'tom-diag', cause: 'ownership-transferred' },
    },
    {
      id: '2d7c5e3a-8f6b-5d4c-9e3f-4a5b6c7d8e9f',
      type: 'OwnershipTransferred',
      revision: 4,
      data: { transferId: 'q4-sale', fromOwnerId: 'lessor-a', toOwnerId: 'lessor-b' },
    },
  ],
  replayed: false,
};

/** A compact JWS, shortened: header.payload.signature (docs/key-bundle.md has a full one). */
export const BUNDLE_JWS_EXAMPLE =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImJhdHRlcnkta2V5LWJ1bmRsZStqd3QiLCJraWQiOiJvbmxpbmUtMSJ9.eyJzdWIiOiJUVDItMDAwMSIsInZlciI6NH0.c2lnbmF0dXJl';

export const ENVELOPE_EXAMPLE = {
  fmt: 1,
  bundle: BUNDLE_JWS_EXAMPLE,
  delegation:
    'eyJhbGciOiJFUzI1NiIsInR5cCI6ImJhdHRlcnktc2lnbmluZy1kZWxlZ2F0aW9uK2p3dCJ9.eyJ2ZXIiOjF9.c2lnbmF0dXJl',
  rootChain: [],
};

export const BATTERY_EXAMPLE_ISSUED_AT = ISSUED_AT;
