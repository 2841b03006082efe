import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that accepts every message and keeps only its envelope
 * recipients: the simulation sends tens of thousands of emails, too many to parse and keep whole.
 * `url` asks nodemailer for a pooled connection (`?pool=true`), as a production installation
 * sending this volume would configure `smtpUrl`: every new connection costs smtp-server's 100 ms
 * greeting delay.
 */
export interface SmtpSink {
  url: string;
  /** Recipients of the accepted messages, one entry per message, in order. */
  recipients: string[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const recipients: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        for (const to of session.envelope.rcptTo) recipients.push(to.address);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}/?pool=true&maxConnections=2&maxMessages=100000`,
    recipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
