/**
 * Generated from openapi/openapi.json by openapi-typescript (npm run openapi:types).
 * Do not edit: change the contract in the code, then run npm run openapi:export.
 */
export interface paths {
  '/v1/policy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The policy in force (version and document) and any change waiting for approval */
    get: operations['getPolicy'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/proposals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Propose a new policy document (platform administrators); validated now, adopted after approval */
    post: operations['proposePolicyChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/proposals/{proposalId}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Approve a policy change; the last approval adopts it as the next version */
    post: operations['approvePolicyChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/proposals/{proposalId}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reject a policy change */
    post: operations['rejectPolicyChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/proposals/{proposalId}/withdraw': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Withdraw your own policy change */
    post: operations['withdrawPolicyChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/parties': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** All parties, paged by id */
    get: operations['listParties'];
    put?: never;
    /** Register an organisation (platform administrators only) */
    post: operations['registerParty'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/parties/{partyId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One party */
    get: operations['getParty'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Batteries by owner or operator, paged by serial */
    get: operations['listBatteries'];
    put?: never;
    /** Provision a battery (manufacturer provisioner): serial, hard limits, device key, first owner */
    post: operations['provisionBattery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/leases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Lease the battery to an operator (owner) */
    post: operations['assignOperator'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/leases/{leaseId}/end': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** End the lease (owner); keys issued under it are revoked in the same write */
    post: operations['endLease'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Issue a key to a holder (owner: layers 1–2; operator: layer 1 to its own people) */
    post: operations['issueKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/keys/{keyId}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Revoke a key with a reason (owner, or the operator that issued it) */
    post: operations['revokeKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/specialists': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Contract a cell specialist for this battery (owner); its cell engineers then sign off parameter changes */
    post: operations['contractSpecialist'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/specialists/{contractId}/end': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** End the specialist's contract (owner) */
    post: operations['endSpecialistContract'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/theft-report': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Report the battery stolen (owner): the next bundle locks it to read-only status */
    post: operations['reportStolen'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/transfers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Request an ownership transfer to another lessor (owner) */
    post: operations['requestTransfer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/transfers/{transferId}/accept': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Accept a transfer (receiving lessor). With every approval in, ownership moves and the old authority ends in the same write */
    post: operations['acceptTransfer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/transfers/{transferId}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Approve a transfer as any approver the policy names (the receiving lessor accepts the same way) */
    post: operations['approveTransfer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/transfers/{transferId}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel an open transfer (either lessor) */
    post: operations['cancelTransfer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/parameter-proposals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Propose new tunable parameters; refused outright outside the hard limits; applies when the approvals are in */
    post: operations['proposeParameterChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/recovery-proposals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Ask to recover a stolen battery (owner); needs one more approver */
    post: operations['requestRecovery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/proposals/{proposalId}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Approve a proposal: never its proposer, one person once, in one role */
    post: operations['approveProposal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/proposals/{proposalId}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reject a proposal (any eligible approver) */
    post: operations['rejectProposal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/proposals/{proposalId}/withdraw': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Withdraw your own proposal */
    post: operations['withdrawProposal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A battery's current state; its ETag is the revision to send as If-Match */
    get: operations['getBattery'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A battery's full history: every event with actor, time, reason, request id and position */
    get: operations['getBatteryHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy/explain': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** May person P of party Q do action A on battery B, and why or why not: rule, relationship, approvals missing */
    get: operations['explainDecision'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/proposals/pending': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What is waiting on me: open proposals and transfers I could approve, with the full request */
    get: operations['listPendingApprovals'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batteries/{serial}/bundle': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The battery's current signed key bundle (compact JWS); 304 when If-None-Match names it */
    get: operations['getBundle'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/.well-known/jwks.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Public keys that sign key bundles now (the online keys the root delegates to) */
    get: operations['getJwks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/.well-known/bundle-trust.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The chain of trust: the root pinned at manufacture, root rotations and the current delegation (public; devices get it with every bundle) */
    get: operations['getBundleTrust'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/devices/{serial}/bundle': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The battery pulls its bundle with the chain of trust; 304 when If-None-Match names it; Prefer: wait=N waits for a change */
    get: operations['pullDeviceBundle'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/devices/{serial}/acknowledgements': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The battery acknowledges the bundle it applied (ver, iat); recorded as BundleApplied, never advances the version */
    post: operations['acknowledgeBundle'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/devices/{serial}/sync': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A battery's sync state: the version served now, the one its device applied and when, and revoked keys still live on it */
    get: operations['getSyncStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/devices/{serial}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The device's acknowledgements, in order, with the audit facts of each */
    get: operations['getDeviceHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fleet/lagging': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Batteries whose device has not applied the bundle version served now, paged by serial */
    get: operations['listLaggingDevices'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fleet/exposure': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Revoked keys still listed in the bundle a device applied (or may hold: never acknowledged), with since when, oldest revocation first (then by serial and key id); for the fleet, or for one key (kid) */
    get: operations['listExposure'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who changed what, across batteries: by acting party, person and time range, paged in global order */
    get: operations['queryAudit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/checkpoint': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The newest signed checkpoint (C2SP tlog-checkpoint), with its cosignatures */
    get: operations['getLogCheckpoint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/.well-known/audit-log-key': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The log's verifier key (C2SP signed-note), what an auditor saves as log.pub */
    get: operations['getLogKey'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/proofs/consistency': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** RFC 9162 consistency proof between two signed tree sizes */
    get: operations['getConsistencyProof'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/proofs/inclusion': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** RFC 9162 inclusion proof of a leaf (by index or event id) in a signed tree */
    get: operations['getInclusionProof'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/entries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Leaves by index: every leaf's hash; its text only where the audit view shows the event */
    get: operations['listLogEntries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/log/cosignatures': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A trusted witness's cosignature of a checkpoint this log signed */
    post: operations['submitCosignature'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A battery's history, or a party's or person's acts, as JSON lines with inclusion proofs against one signed checkpoint (verify offline with npm run audit-verify) */
    get: operations['exportAudit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/changes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The events you may see (the audit view’s rule) as Server-Sent Events, resumable from Last-Event-ID */
    get: operations['streamChanges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your party's endpoints (the platform's oversight: any party's) */
    get: operations['listWebhooks'];
    put?: never;
    /** Register an endpoint of your party for event kinds; the answer holds its signing secret, once */
    post: operations['registerWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{endpointId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete an endpoint: nothing more is sent to it */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{endpointId}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An endpoint's deliveries, newest first: outcome, attempts, last status */
    get: operations['listWebhookDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: 200 whenever the process answers; never asks the store */
    get: operations['getLiveness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: store, read model caught up, projection, signing key */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The same as /health/ready */
    get: operations['getHealth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/console/config.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The console's sign-in settings (public: names no secret) */
    get: operations['getConsoleSettings'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/console/sign-in': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Redeem a one-time sign-in code from `npm run token -- … --console` for a token (embedded local issuer only) */
    post: operations['redeemConsoleSignIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AcknowledgementRequest: {
      ver: number;
      iat: number;
    };
    ActiveKey: {
      keyId: string;
      holder: {
        personId: string;
        partyId: string;
      };
      publicKey: components['schemas']['RecordedPublicKey'];
      capabilities: (
        | 'status.read'
        | 'discharge'
        | 'charge'
        | 'diagnostics.read'
        | 'cells.balance'
        | 'faults.reset'
        | 'firmware.install-signed'
        | 'soc-window.change'
        | 'rate-limits.change'
        | 'lease.assign'
        | 'ownership.transfer'
        | 'remote.disable'
        | 'hard-limits.exceed'
      )[];
      /** Format: date-time */
      notBefore: string;
      /** Format: date-time */
      notAfter: string;
      /** @description The authority the key lives by: it ends when that does */
      authority:
        | {
            /** @constant */
            relationship: 'owner';
            partyId: string;
          }
        | {
            /** @constant */
            relationship: 'operator';
            partyId: string;
            leaseId: string;
          };
      /** Format: date-time */
      issuedAt: string;
    };
    /** @description The bundle the device last acknowledged, and when */
    AppliedBundle: {
      ver: number;
      iat: number;
      /** Format: date-time */
      at: string;
    };
    /** @description One approval: any one person matching one of these */
    ApprovalSlot: {
      anyOf: components['schemas']['PartyRole'][];
    };
    AssignOperatorRequest: {
      operatorId: string;
      leaseId?: string;
      reason?: string;
    };
    AuditEntry: {
      position: string;
      eventId: string;
      streamId: string;
      revision: number;
      type: string;
      /** @description The event as recorded */
      data: {
        [key: string]: unknown;
      };
      actor: components['schemas']['RecordedActor'];
      /** Format: date-time */
      occurredAt: string;
      reason: string | null;
      requestId: string;
      /** @description The policy version the decision was made under */
      policyVersion: number | null;
      /** @description The event's leaf in the audit log (GET /v1/log/proofs/inclusion proves it); null while the log has not recorded it */
      leafIndex: number | null;
    };
    AuditPage: {
      items: components['schemas']['AuditEntry'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    Battery: {
      serial: string;
      model: string;
      chemistry: string;
      manufacturerId: string;
      ownerId: string;
      lease: {
        leaseId: string;
        operatorId: string;
        /** Format: date-time */
        since: string;
      } | null;
      specialist: {
        contractId: string;
        specialistId: string;
        /** Format: date-time */
        since: string;
      } | null;
      /** @enum {string} */
      status: 'active' | 'stolen';
      openTransfer: components['schemas']['OpenTransfer'] | null;
      proposals: components['schemas']['OpenProposal'][];
      hardLimits: components['schemas']['HardLimits'];
      parameters: components['schemas']['TunableParameters'];
      deviceKey: components['schemas']['RecordedPublicKey'];
      /** @description Keys not revoked, in issue order */
      keys: components['schemas']['ActiveKey'][];
      /** @description Also the ETag: send it as If-Match */
      revision: number;
      bundleVersion: number;
      position: string;
    };
    BatteryPage: {
      items: components['schemas']['Battery'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    BatterySyncStatus: {
      serial: string;
      current: {
        ver: number;
        /** Format: date-time */
        since: string;
      };
      applied: components['schemas']['AppliedBundle'] | null;
      lagging: boolean;
      lagSince: string | null;
      exposures: components['schemas']['Exposure'][];
    };
    BundleEnvelope: {
      /**
       * @description Envelope format; a device refuses one it does not know
       * @constant
       */
      fmt: 1;
      /** @description The signed bundle: a compact JWS, or that JWS encrypted to the device (JWE) */
      bundle: string;
      /** @description The root’s delegation naming the online keys that sign bundles */
      delegation: string;
      /** @description Root rotation statements, oldest first; empty under the first root */
      rootChain: string[];
    };
    BundleTrust: {
      /** @description Version 1 of the root, pinned at manufacture */
      firstRoot: {
        kid: string;
        jwk: {
          [key: string]: unknown;
        };
      };
      currentRoot: {
        kid: string;
        jwk: {
          [key: string]: unknown;
        };
        version: number;
      };
      /** @description Root rotation statements, oldest first */
      rootChain: string[];
      /** @description The root’s statement naming the signing keys */
      delegation: string;
      delegationVersion: number;
    };
    /** @description The events a command recorded, and where */
    CommandOutcome: {
      /** @example battery-TT2-0001 */
      streamId: string;
      /** @description Revision of the stream after the command: send it as If-Match next time */
      revision: number;
      /** @description Global position of the last event: send it as X-Min-Position to read your write on any instance */
      position: string;
      events: {
        id: string;
        /** @example KeyIssued */
        type: string;
        revision: number;
        /** @description The event as recorded */
        data: {
          [key: string]: unknown;
        };
      }[];
      /** @description True when this repeats the first answer to the same Idempotency-Key */
      replayed: boolean;
    };
    ConsistencyProof: {
      from: number;
      to: number;
      /** @description RFC 9162 §2.1.4 consistency proof */
      proof: string[];
    };
    ConsoleSettings: {
      oidc: {
        issuer: string;
        clientId: string;
        scope: string;
        resource: string | null;
      } | null;
      localSignIn: boolean;
    };
    ConsoleSignInRequest: {
      code: string;
    };
    ConsoleToken: {
      accessToken: string;
      /** @constant */
      tokenType: 'Bearer';
      expiresIn: number;
      personId: string;
      partyId: string;
      roles: string[];
    };
    ContractSpecialistRequest: {
      specialistId: string;
      contractId?: string;
      reason?: string;
    };
    CosignatureRequest: {
      checkpoint: string;
      cosignature: string;
    };
    DeleteWebhookRequest: {
      reason?: string;
    };
    ExplainDecisionResponse: {
      allowed: boolean;
      action: string;
      policyVersion: number;
      /** @description Path of the deciding rule, e.g. actions.lease.assign.performers[0] */
      rule: string | null;
      relationship:
        | (
            | 'owner'
            | 'operator'
            | 'cell-specialist'
            | 'receiving-lessor'
            | 'manufacturer'
            | 'platform'
          )
        | null;
      role: string | null;
      /** @description Stable code of the refusal; null if allowed */
      code: string | null;
      reason: string;
      approvalsRequired: components['schemas']['ApprovalSlot'][];
      subject: {
        personId: string;
        partyId: string;
        roles: string[];
      };
      serial: string | null;
      relationships: (
        'owner' | 'operator' | 'cell-specialist' | 'receiving-lessor' | 'manufacturer' | 'platform'
      )[];
      approvalsMissing: components['schemas']['MissingApproval'][];
    };
    /** @description A revoked key the device may still honour, and since when */
    Exposure: {
      serial: string;
      keyId: string;
      /** @description The holder key’s thumbprint, as in the bundle */
      kid: string;
      /** Format: date-time */
      revokedAt: string;
      /** Format: date-time */
      keyNotAfter: string;
      applied: components['schemas']['AppliedBundle'] | null;
      currentVersion: number;
    };
    ExposurePage: {
      items: components['schemas']['Exposure'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    GetPolicyResponse: {
      version: number;
      document: components['schemas']['PolicyDocument'];
      pendingChange: {
        proposalId: string;
        basedOnVersion: number;
        document: components['schemas']['PolicyDocument'];
        proposedBy: components['schemas']['RecordedActor'];
        required: components['schemas']['ApprovalSlot'][];
        approvals: components['schemas']['RecordedApproval'][];
      } | null;
    };
    HardLimits: {
      cellVoltageMinV: number;
      cellVoltageMaxV: number;
      chargeCurrentMaxA: number;
      dischargeCurrentMaxA: number;
      temperatureMinC: number;
      temperatureMaxC: number;
    };
    InclusionProof: {
      leafIndex: number;
      treeSize: number;
      /** @description Base64 (RFC 4648 §4) */
      leafHash: string;
      /** @description Base64 (RFC 4648 §4) */
      rootHash: string;
      /** @description RFC 9162 §2.1.3 inclusion proof */
      proof: string[];
    };
    IssueKeyRequest: {
      keyId?: string;
      holder: {
        personId: string;
        partyId: string;
      };
      publicKey: components['schemas']['PublicJwk'];
      capabilities: (
        | 'status.read'
        | 'discharge'
        | 'charge'
        | 'diagnostics.read'
        | 'cells.balance'
        | 'faults.reset'
        | 'firmware.install-signed'
        | 'soc-window.change'
        | 'rate-limits.change'
        | 'lease.assign'
        | 'ownership.transfer'
        | 'remote.disable'
        | 'hard-limits.exceed'
      )[];
      /** Format: date-time */
      notBefore?: string;
      /** Format: date-time */
      notAfter: string;
      reason?: string;
    };
    Jwks: {
      /** @description ES256 public JWKs with kid */
      keys: {
        [key: string]: unknown;
      }[];
    };
    Liveness: {
      /** @constant */
      status: 'up';
    };
    LogEntries: {
      entries: {
        leafIndex: number;
        /** @description Base64 (RFC 4648 §4) */
        leafHash: string;
        /** @description The leaf text, only where the audit view shows the event */
        leaf?: string;
      }[];
    };
    MissingApproval: {
      slot: number;
      anyOf: components['schemas']['PartyRole'][];
    };
    OpenProposal: {
      proposalId: string;
      /** @enum {string} */
      kind: 'parameter-change' | 'theft-recovery';
      actions: (
        | 'party.register'
        | 'battery.provision'
        | 'ownership.transfer'
        | 'ownership.transfer.cancel'
        | 'lease.assign'
        | 'lease.end'
        | 'specialist.contract'
        | 'specialist.end'
        | 'key.revoke'
        | 'theft.report'
        | 'theft.recovery'
        | 'parameters.soc-window'
        | 'parameters.charge-voltage'
        | 'parameters.rate-limits'
        | 'policy.change'
      )[];
      parameters: {
        from: components['schemas']['TunableParameters'];
        to: components['schemas']['TunableParameters'];
      } | null;
      proposedBy: components['schemas']['RecordedActor'];
      /** Format: date-time */
      proposedAt: string;
      /** Format: date-time */
      expiresAt: string;
      policyVersion: number;
      required: components['schemas']['ApprovalSlot'][];
      approvals: components['schemas']['RecordedApproval'][];
    };
    OpenTransfer: {
      transferId: string;
      fromOwnerId: string;
      toOwnerId: string;
      /** Format: date-time */
      requestedAt: string;
      proposedBy: components['schemas']['RecordedActor'];
      required: components['schemas']['ApprovalSlot'][];
      approvals: components['schemas']['RecordedApproval'][];
    };
    Party: {
      partyId: string;
      name: string;
      /** @example lessor */
      kind: string;
      /** Format: date-time */
      registeredAt: string;
    };
    PartyPage: {
      items: components['schemas']['Party'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    PartyRole: {
      /** @enum {string} */
      relationship:
        'owner' | 'operator' | 'cell-specialist' | 'receiving-lessor' | 'manufacturer' | 'platform';
      role: string;
    };
    PendingApprovals: {
      items: {
        serial: string;
        proposalId: string;
        /** @description parameter-change, theft-recovery or ownership-transfer */
        kind: string;
        expiresAt: string | null;
        proposal: components['schemas']['OpenProposal'] | components['schemas']['OpenTransfer'];
        approvalsMissing: components['schemas']['MissingApproval'][];
      }[];
    };
    PolicyDocument: {
      roles: string[];
      capabilities: {
        [key: string]: 1 | 2 | 3 | 4;
      };
      issuance: {
        id: string;
        /** @enum {string} */
        relationship: 'owner' | 'operator';
        role: string;
        maxLayer: number;
        /** @enum {string} */
        holders: 'anyone' | 'own-party';
      }[];
      actions: {
        'party.register'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'battery.provision'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'ownership.transfer'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'ownership.transfer.cancel'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'lease.assign'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'lease.end'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'specialist.contract'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'specialist.end'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'key.revoke'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'theft.report'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'theft.recovery'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'parameters.soc-window'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'parameters.charge-voltage'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'parameters.rate-limits'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
        'policy.change'?: {
          performers: {
            /** @enum {string} */
            relationship:
              | 'owner'
              | 'operator'
              | 'cell-specialist'
              | 'receiving-lessor'
              | 'manufacturer'
              | 'platform';
            role: string;
          }[];
          approvals: {
            anyOf: {
              /** @enum {string} */
              relationship:
                | 'owner'
                | 'operator'
                | 'cell-specialist'
                | 'receiving-lessor'
                | 'manufacturer'
                | 'platform';
              role: string;
            }[];
          }[];
        };
      };
      regulatoryReadAccess: {
        /** @constant */
        capability: 'status.read';
        relationships: (
          | 'owner'
          | 'operator'
          | 'cell-specialist'
          | 'receiving-lessor'
          | 'manufacturer'
          | 'platform'
        )[];
      };
      keyLifetimeMaxDays?: number;
    };
    /** @description RFC 9457 problem details (application/problem+json) */
    Problem: {
      /**
       * @description A URI naming the problem: urn:battery-keys:problem:<code>, or about:blank
       * @example urn:battery-keys:problem:battery-not-found
       */
      type: string;
      /**
       * @description The HTTP status phrase
       * @example Not Found
       */
      title: string;
      status: number;
      /** @description What went wrong, in a sentence of ours */
      detail: string;
      /** @description The request path */
      instance?: string;
      /**
       * @description Stable machine-readable reason; branch on this, not on `detail`
       * @example battery-not-found
       */
      code: string;
      /** @description The X-Request-Id of the request; quote it to support */
      requestId?: string;
      /** @description On 400 invalid-request: each field refused and why */
      errors?: {
        path: string;
        message: string;
      }[];
      /** @description On 409 concurrency-conflict: the revision to decide on again */
      currentRevision?: number | null;
    } & {
      [key: string]: unknown;
    };
    ProposeParameterChangeRequest: {
      proposalId?: string;
      parameters: {
        socMinPercent?: number;
        socMaxPercent?: number;
        chargeCellVoltageMaxV?: number;
        chargeCurrentLimitA?: number;
        dischargeCurrentLimitA?: number;
      };
      /** Format: date-time */
      expiresAt?: string;
      reason?: string;
    };
    ProposePolicyChangeRequest: {
      proposalId?: string;
      document: components['schemas']['PolicyDocument'];
      reason?: string;
    };
    ProvisionBatteryRequest: {
      serial: string;
      model: string;
      /** @enum {string} */
      chemistry: 'NMC' | 'NCA' | 'LCO' | 'LMO' | 'LFP' | 'LTO' | 'Na-ion';
      manufacturerId: string;
      firstOwnerId: string;
      hardLimits: components['schemas']['HardLimits'];
      parameters?: components['schemas']['TunableParameters'];
      deviceKey: components['schemas']['PublicJwk'];
      reason?: string;
    };
    PublicJwk:
      | {
          /** @constant */
          kty: 'EC';
          /** @constant */
          crv: 'P-256';
          x: string;
          y: string;
          kid?: string;
        }
      | {
          /** @constant */
          kty: 'OKP';
          /** @constant */
          crv: 'Ed25519';
          x: string;
          kid?: string;
        };
    Readiness: {
      /** @enum {string} */
      status: 'ok' | 'error' | 'shutting_down';
      info?: {
        [key: string]: {
          /** @enum {string} */
          status: 'up' | 'down';
        } & {
          [key: string]: unknown;
        };
      };
      error?: {
        [key: string]: {
          /** @enum {string} */
          status: 'up' | 'down';
        } & {
          [key: string]: unknown;
        };
      };
      details: {
        [key: string]: {
          /** @enum {string} */
          status: 'up' | 'down';
        } & {
          [key: string]: unknown;
        };
      };
    };
    /** @default {} */
    ReasonRequest: {
      reason?: string;
    };
    RecordedActor: {
      personId: string;
      partyId: string;
      role: string;
    };
    RecordedApproval: {
      slot: number;
      approver: components['schemas']['RecordedActor'];
      /** @enum {string} */
      relationship:
        'owner' | 'operator' | 'cell-specialist' | 'receiving-lessor' | 'manufacturer' | 'platform';
    };
    RecordedPublicKey: {
      /** @description The members that define the key */
      jwk: {
        [key: string]: string;
      };
      /** @description RFC 7638 SHA-256 thumbprint (base64url) */
      thumbprint: string;
    };
    RegisterPartyRequest: {
      partyId: string;
      name: string;
      /** @enum {string} */
      kind: 'manufacturer' | 'lessor' | 'operator' | 'cell-specialist' | 'service-provider';
      reason?: string;
    };
    RegisterWebhookRequest: {
      url: string;
      kinds: (
        'approval.waiting' | 'transfer.requested' | 'theft.reported' | 'revoked-key.still-live'
      )[];
      description?: string;
      revokedKeyLiveAfterHours?: number;
      reason?: string;
    };
    RegisteredWebhook: {
      /** @example battery-TT2-0001 */
      streamId: string;
      /** @description Revision of the stream after the command: send it as If-Match next time */
      revision: number;
      /** @description Global position of the last event: send it as X-Min-Position to read your write on any instance */
      position: string;
      events: {
        id: string;
        /** @example KeyIssued */
        type: string;
        revision: number;
        /** @description The event as recorded */
        data: {
          [key: string]: unknown;
        };
      }[];
      /** @description True when this repeats the first answer to the same Idempotency-Key */
      replayed: boolean;
      endpoint: {
        id: string;
        partyId: string;
        url: string;
        kinds: (
          'approval.waiting' | 'transfer.requested' | 'theft.reported' | 'revoked-key.still-live'
        )[];
        description: string | null;
        revokedKeyLiveAfterHours: number;
        /** Format: date-time */
        registeredAt: string;
        /** @description The Standard Webhooks signing secret (whsec_…), shown this once */
        secret: string;
      };
    };
    RejectPolicyChangeRequest: {
      reason: string;
    };
    RejectProposalRequest: {
      reason: string;
    };
    /** @default {} */
    RequestRecoveryRequest: {
      proposalId?: string;
      /** Format: date-time */
      expiresAt?: string;
      reason?: string;
    };
    RequestTransferRequest: {
      toOwnerId: string;
      transferId?: string;
      reason?: string;
    };
    RevokeKeyRequest: {
      reason: string;
    };
    SyncStatus: {
      serial: string;
      current: {
        ver: number;
        /** Format: date-time */
        since: string;
      };
      applied: components['schemas']['AppliedBundle'] | null;
      lagging: boolean;
      lagSince: string | null;
    };
    SyncStatusPage: {
      items: components['schemas']['SyncStatus'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    TunableParameters: {
      socMinPercent: number;
      socMaxPercent: number;
      chargeCellVoltageMaxV: number;
      chargeCurrentLimitA: number;
      dischargeCurrentLimitA: number;
    };
    WebhookDeliveryPage: {
      items: {
        deliveryId: string;
        kind: string;
        /** @enum {string} */
        status: 'pending' | 'delivered' | 'failed' | 'cancelled';
        attempts: number;
        lastStatus: number | null;
        lastError:
          | ('timeout' | 'connection-failed' | 'dns-failed' | 'address-not-allowed' | 'http-status')
          | null;
        eventPosition: string | null;
        /** Format: date-time */
        createdAt: string;
        lastAttemptAt: string | null;
        nextAttemptAt: string | null;
        deliveredAt: string | null;
      }[];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    WebhookEndpoint: {
      id: string;
      partyId: string;
      url: string;
      kinds: (
        'approval.waiting' | 'transfer.requested' | 'theft.reported' | 'revoked-key.still-live'
      )[];
      description: string | null;
      revokedKeyLiveAfterHours: number;
      /** Format: date-time */
      registeredAt: string;
    };
    WebhookEndpointPage: {
      items: components['schemas']['WebhookEndpoint'][];
      /** @description Pass back as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
  };
  responses: {
    /** @description invalid-request: the body, a path or query parameter or a header has the wrong shape (`errors` names each field); or the body is not JSON */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The credential is missing or refused (`code` says why); WWW-Authenticate names the scheme */
    Unauthorized: {
      headers: {
        /** @description Bearer realm="battery-keys" or DeviceProof, with the error */
        'WWW-Authenticate'?: string;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The caller is known but the policy does not let them do this; `code` and `detail` name the rule */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Not found, or not visible to the caller: a battery unrelated to the caller answers as one never provisioned */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The request contradicts the current state (already exists, already open, revoked); concurrency-conflict carries `currentRevision` */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The body is larger than this service accepts */
    ContentTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Request bodies are application/json only */
    UnsupportedMediaType: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description A domain rule refuses it whatever the state (outside hard limits, unregistered party, weak key), or the Idempotency-Key was used with another body */
    UnprocessableContent: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Over the rate limit of the caller or its address; retry after Retry-After */
    TooManyRequests: {
      headers: {
        /** @description Seconds to wait */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description The event store or the identity provider is unreachable, or X-Min-Position was not reached in time; nothing was recorded, retry after Retry-After */
    ServiceUnavailable: {
      headers: {
        /** @description Seconds to wait */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getPolicy: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The policy in force */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GetPolicyResponse'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  proposePolicyChange: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProposePolicyChangeRequest'];
      };
    };
    responses: {
      /** @description Proposed. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  approvePolicyChange: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Approved. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  rejectPolicyChange: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RejectPolicyChangeRequest'];
      };
    };
    responses: {
      /** @description Rejected. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  withdrawPolicyChange: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Withdrawn. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listParties: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PartyPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  registerParty: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegisterPartyRequest'];
      };
    };
    responses: {
      /** @description Registered. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getParty: {
    parameters: {
      query?: never;
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        partyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Party'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listBatteries: {
    parameters: {
      query?: {
        owner?: string;
        operator?: string;
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatteryPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  provisionBattery: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "serial": "TT2-0001",
         *       "model": "T2-48V",
         *       "chemistry": "NMC",
         *       "manufacturerId": "oem",
         *       "firstOwnerId": "lessor-a",
         *       "hardLimits": {
         *         "cellVoltageMinV": 2.8,
         *         "cellVoltageMaxV": 4.25,
         *         "chargeCurrentMaxA": 100,
         *         "dischargeCurrentMaxA": 200,
         *         "temperatureMinC": -20,
         *         "temperatureMaxC": 60
         *       },
         *       "deviceKey": {
         *         "kty": "OKP",
         *         "crv": "Ed25519",
         *         "x": "GECXZ96Mx78zgumvYtm2rqTTR5cef_4T1YQdLGN__aU"
         *       }
         *     }
         */
        'application/json': components['schemas']['ProvisionBatteryRequest'];
      };
    };
    responses: {
      /** @description Provisioned. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "streamId": "battery-TT2-0001",
           *       "revision": 0,
           *       "position": "7",
           *       "events": [
           *         {
           *           "id": "6f1c7d3e-0d3b-5a43-9a55-1f0e1d2c3b4a",
           *           "type": "BatteryProvisioned",
           *           "revision": 0,
           *           "data": {
           *             "serial": "TT2-0001",
           *             "model": "T2-48V",
           *             "ownerId": "lessor-a"
           *           }
           *         }
           *       ],
           *       "replayed": false
           *     }
           */
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  assignOperator: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AssignOperatorRequest'];
      };
    };
    responses: {
      /** @description Leased. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  endLease: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        leaseId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Lease ended. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  issueKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "keyId": "tom-diag",
         *       "holder": {
         *         "personId": "tom",
         *         "partyId": "workshop"
         *       },
         *       "publicKey": {
         *         "kty": "OKP",
         *         "crv": "Ed25519",
         *         "x": "_SE5hA4O3MWdy8f7E9bgRjR-bA5qJym30zLBBsjc9j8"
         *       },
         *       "capabilities": [
         *         "diagnostics.read",
         *         "faults.reset"
         *       ],
         *       "notAfter": "2027-05-04T00:00:00Z"
         *     }
         */
        'application/json': components['schemas']['IssueKeyRequest'];
      };
    };
    responses: {
      /** @description Issued. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RevokeKeyRequest'];
      };
    };
    responses: {
      /** @description Revoked. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  contractSpecialist: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ContractSpecialistRequest'];
      };
    };
    responses: {
      /** @description Contracted. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  endSpecialistContract: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        contractId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Contract ended. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  reportStolen: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Reported stolen. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  requestTransfer: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "toOwnerId": "lessor-b",
         *       "transferId": "q4-sale",
         *       "reason": "Q4 portfolio sale"
         *     }
         */
        'application/json': components['schemas']['RequestTransferRequest'];
      };
    };
    responses: {
      /** @description Transfer requested. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  acceptTransfer: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        transferId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Accepted; with the last approval the ownership moved in the same write. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "streamId": "battery-TT2-0001",
           *       "revision": 4,
           *       "position": "15",
           *       "events": [
           *         {
           *           "id": "0b9a3c1e-8f4d-5b2a-9c1d-2e3f4a5b6c7d",
           *           "type": "OwnershipTransferAccepted",
           *           "revision": 2,
           *           "data": {
           *             "transferId": "q4-sale",
           *             "toOwnerId": "lessor-b"
           *           }
           *         },
           *         {
           *           "id": "1c8b4d2f-9e5a-5c3b-8d2e-3f4a5b6c7d8e",
           *           "type": "KeyRevoked",
           *           "revision": 3,
           *           "data": {
           *             "keyId": "tom-diag",
           *             "cause": "ownership-transferred"
           *           }
           *         },
           *         {
           *           "id": "2d7c5e3a-8f6b-5d4c-9e3f-4a5b6c7d8e9f",
           *           "type": "OwnershipTransferred",
           *           "revision": 4,
           *           "data": {
           *             "transferId": "q4-sale",
           *             "fromOwnerId": "lessor-a",
           *             "toOwnerId": "lessor-b"
           *           }
           *         }
           *       ],
           *       "replayed": false
           *     }
           */
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  approveTransfer: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        transferId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Approved. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  cancelTransfer: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        transferId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Cancelled. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  proposeParameterChange: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProposeParameterChangeRequest'];
      };
    };
    responses: {
      /** @description Proposed. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  requestRecovery: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RequestRecoveryRequest'];
      };
    };
    responses: {
      /** @description Recovery proposed. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  approveProposal: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Approved; with the last approval the change applied in the same write. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  rejectProposal: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RejectProposalRequest'];
      };
    };
    responses: {
      /** @description Rejected. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  withdrawProposal: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        serial: string;
        proposalId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReasonRequest'];
      };
    };
    responses: {
      /** @description Withdrawn. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getBattery: {
    parameters: {
      query?: never;
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The battery */
      200: {
        headers: {
          /** @description The revision, quoted: send it as If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Battery'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getBatteryHistory: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  explainDecision: {
    parameters: {
      query: {
        action:
          | 'party.register'
          | 'battery.provision'
          | 'ownership.transfer'
          | 'ownership.transfer.cancel'
          | 'lease.assign'
          | 'lease.end'
          | 'specialist.contract'
          | 'specialist.end'
          | 'key.revoke'
          | 'theft.report'
          | 'theft.recovery'
          | 'parameters.soc-window'
          | 'parameters.charge-voltage'
          | 'parameters.rate-limits'
          | 'policy.change'
          | 'key.issue'
          | 'proposal.approve'
          | 'health.read';
        serial?: string;
        person?: string;
        party?: string;
        roles?: string;
        capabilities?: string;
        holderPerson?: string;
        holderParty?: string;
        proposalId?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ExplainDecisionResponse'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listPendingApprovals: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PendingApprovals'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getBundle: {
    parameters: {
      query?: never;
      header?: {
        /** @description The ETag of the bundle held; 304 if it is still current */
        'If-None-Match'?: string;
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The signed bundle (RFC 7519 compact JWS); docs/key-bundle.md says how to verify it */
      200: {
        headers: {
          /** @description Names this bundle (version and issue time): send it as If-None-Match */
          ETag?: string;
          /** @description no-cache: ask again, with If-None-Match */
          'Cache-Control'?: string;
          /** @description The bundle version */
          'X-Bundle-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /** @example eyJhbGciOiJFUzI1NiIsInR5cCI6ImJhdHRlcnkta2V5LWJ1bmRsZStqd3QiLCJraWQiOiJvbmxpbmUtMSJ9.eyJzdWIiOiJUVDItMDAwMSIsInZlciI6NH0.c2lnbmF0dXJl */
          'application/jwt': string;
        };
      };
      /** @description If-None-Match names the current bundle */
      304: {
        headers: {
          /** @description Names this bundle (version and issue time): send it as If-None-Match */
          ETag?: string;
          /** @description no-cache: ask again, with If-None-Match */
          'Cache-Control'?: string;
          /** @description The bundle version */
          'X-Bundle-Version'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getJwks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Jwks'];
        };
      };
      429: components['responses']['TooManyRequests'];
    };
  };
  getBundleTrust: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BundleTrust'];
        };
      };
      429: components['responses']['TooManyRequests'];
    };
  };
  pullDeviceBundle: {
    parameters: {
      query?: {
        encrypt?: 'true' | 'false';
      };
      header?: {
        /** @description The ETag of the bundle the device holds */
        'If-None-Match'?: string;
        /**
         * @description wait=N: hold the request up to N seconds (bounded) until a newer bundle exists
         * @example wait=30
         */
        Prefer?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The bundle envelope */
      200: {
        headers: {
          /** @description Names this bundle: send it as If-None-Match on the next pull */
          ETag?: string;
          /** @description no-store */
          'Cache-Control'?: string;
          /** @description The bundle version */
          'X-Bundle-Version'?: string;
          /** @description wait=N when the request waited for a change */
          'Preference-Applied'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "fmt": 1,
           *       "bundle": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImJhdHRlcnkta2V5LWJ1bmRsZStqd3QiLCJraWQiOiJvbmxpbmUtMSJ9.eyJzdWIiOiJUVDItMDAwMSIsInZlciI6NH0.c2lnbmF0dXJl",
           *       "delegation": "eyJhbGciOiJFUzI1NiIsInR5cCI6ImJhdHRlcnktc2lnbmluZy1kZWxlZ2F0aW9uK2p3dCJ9.eyJ2ZXIiOjF9.c2lnbmF0dXJl",
           *       "rootChain": []
           *     }
           */
          'application/json': components['schemas']['BundleEnvelope'];
        };
      };
      /** @description The device already holds the current bundle */
      304: {
        headers: {
          /** @description Names this bundle: send it as If-None-Match on the next pull */
          ETag?: string;
          /** @description no-store */
          'Cache-Control'?: string;
          /** @description The bundle version */
          'X-Bundle-Version'?: string;
          /** @description wait=N when the request waited for a change */
          'Preference-Applied'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  acknowledgeBundle: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AcknowledgementRequest'];
      };
    };
    responses: {
      /** @description Recorded. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getSyncStatus: {
    parameters: {
      query?: never;
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatterySyncStatus'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getDeviceHistory: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        serial: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listLaggingDevices: {
    parameters: {
      query?: {
        owner?: string;
        operator?: string;
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SyncStatusPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listExposure: {
    parameters: {
      query?: {
        owner?: string;
        operator?: string;
        kid?: string;
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ExposurePage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  queryAudit: {
    parameters: {
      query?: {
        party?: string;
        person?: string;
        from?: string;
        to?: string;
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getLogCheckpoint: {
    parameters: {
      query?: {
        cosigned?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A C2SP signed note */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      400: components['responses']['BadRequest'];
      429: components['responses']['TooManyRequests'];
    };
  };
  getLogKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The verifier key, one line */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      429: components['responses']['TooManyRequests'];
    };
  };
  getConsistencyProof: {
    parameters: {
      query: {
        from: string;
        to: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsistencyProof'];
        };
      };
      400: components['responses']['BadRequest'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
    };
  };
  getInclusionProof: {
    parameters: {
      query: {
        leafIndex?: string;
        eventId?: string;
        treeSize: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InclusionProof'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listLogEntries: {
    parameters: {
      query: {
        start: string;
        limit?: number;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LogEntries'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  submitCosignature: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CosignatureRequest'];
      };
    };
    responses: {
      /** @description Accepted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
    };
  };
  exportAudit: {
    parameters: {
      query?: {
        battery?: string;
        party?: string;
        person?: string;
        from?: string;
        to?: string;
        previousSize?: string;
      };
      header?: {
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description JSON lines: a header with the checkpoint (and a consistency proof from previousSize), then one line per event with its leaf text and inclusion proof */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/x-ndjson': string;
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  streamChanges: {
    parameters: {
      query?: {
        after?: 'now' | string;
      };
      header?: {
        /** @description The id of the last message processed: the feed resumes strictly after it */
        'Last-Event-ID'?: string;
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A Server-Sent Events stream (docs/change-feed.md): one message per event, id = its position */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listWebhooks: {
    parameters: {
      query?: {
        party?: string;
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpointPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  registerWebhook: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegisterWebhookRequest'];
      };
    };
    responses: {
      /** @description Registered; the secret is shown this once */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RegisteredWebhook'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
      };
      path: {
        endpointId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['DeleteWebhookRequest'];
      };
    };
    responses: {
      /** @description Deleted. A retry with the same Idempotency-Key answers the same, with "replayed": true */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CommandOutcome'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listWebhookDeliveries: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: {
        /** @description A retry with the same key returns the first answer and records nothing new */
        'Idempotency-Key'?: string;
        /** @description The stream revision ("3") the change was decided on; 409 if it moved */
        'If-Match'?: string;
        /** @description Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time */
        'X-Min-Position'?: string;
      };
      path: {
        endpointId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookDeliveryPage'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getLiveness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process answers */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Liveness'];
        };
      };
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready: every check is up */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      /** @description Not ready: the checks that are down say why (a fixed reason, never an error text) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
    };
  };
  getHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready: every check is up */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      /** @description Not ready: the checks that are down say why (a fixed reason, never an error text) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
    };
  };
  getConsoleSettings: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsoleSettings'];
        };
      };
      429: components['responses']['TooManyRequests'];
    };
  };
  redeemConsoleSignIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ConsoleSignInRequest'];
      };
    };
    responses: {
      /** @description A token for the console */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConsoleToken'];
        };
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      413: components['responses']['ContentTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
    };
  };
}
