/**
 * One interface for every way finflow sends payment files to a bank and picks up what the bank sends
 * back (status reports, statements): a folder drop, SFTP and HTTP. The payments domain talks to this
 * interface only; docs/bank-connectors.md describes each kind and its guarantees.
 */
export interface BankFile {
  name: string;
  content: Buffer;
}

export interface DeliveryReceipt {
  name: string;
  /** ISO 8601. For a file found already delivered, the time the remote reports for it when it does. */
  deliveredAt: string;
  /** Where the file is (a path, an sftp:// or http(s):// URL), for the audit trail. */
  location: string;
  alreadyDelivered: boolean;
}

export interface CollectedFile extends BankFile {
  location: string;
}

export interface CollectResult {
  /** Names handled and archived (acknowledged) in this run, in the order they were handled. */
  collected: string[];
  /** Files left in place: their handler threw, their name was refused, or archiving failed. */
  failed: { name: string; error: string }[];
}

export interface BankConnector {
  readonly kind: 'folder' | 'sftp' | 'http';
  /** Sends one file. Idempotent by name: if a file of that name was already delivered (present in the outbox or the
   *  remote's archive), it is not sent again and alreadyDelivered is true. Writes atomically (temp name + rename) so
   *  the bank never picks up half a file. */
  deliver(file: BankFile): Promise<DeliveryReceipt>;
  /** Picks up inbound files (statements, status reports) in name order; for each calls handle(file); only after
   *  handle resolves is the file moved to the archive, so a crash re-delivers it (at-least-once; the importer is
   *  idempotent by content). A handle that throws leaves the file in place and collect reports it in `failed`. */
  collect(handle: (file: CollectedFile) => Promise<void>): Promise<CollectResult>;
  close(): Promise<void>;
}
