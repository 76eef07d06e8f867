/**
 * Thrown by a store write whose transaction failed at COMMIT: the connection died, say, before
 * the answer came back. The write may or may not have committed, and only reading the store
 * again tells which. Every other error from a write means that it wrote nothing.
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super('The store failed during COMMIT: the write may or may not have committed.', { cause });
    this.name = 'CommitOutcomeUnknownError';
  }
}
