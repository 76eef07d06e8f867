/** Where a request came from; recorded on the sessions it creates and on its events. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}
