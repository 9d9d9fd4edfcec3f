// The one shape of domain errors: a reason code for callers to branch on, and a message the
// person at the desk can act on (conventions: typed errors with a reason code).
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}
