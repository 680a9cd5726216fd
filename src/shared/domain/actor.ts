/** Who asks: a person acting for one party, holding one or more roles there (from a verified token). */
export interface Actor {
  personId: string;
  partyId: string;
  roles: readonly string[];
}

/** Who did it, as recorded: the one role that authorised the action is named, not all of them. */
export interface RecordedActor {
  personId: string;
  partyId: string;
  role: string;
}
