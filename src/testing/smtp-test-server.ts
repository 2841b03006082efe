import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps every message it accepts,
 * parsed. `refuse` decides per recipient: answer a permanent (550) or temporary (451) refusal.
 */
export interface SmtpTestServer {
  url: string;
  messages: ParsedMail[];
  /** Return a reply code to refuse RCPT TO for this address, or undefined to accept. */
  refuse: (address: string) => 451 | 550 | undefined;
  close(): Promise<void>;
}

export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const messages: ParsedMail[] = [];
  const state: SmtpTestServer = {
    url: '',
    messages,
    refuse: () => undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = state.refuse(address.address);
      if (!code) return callback();
      const error = Object.assign(new Error(code === 550 ? 'mailbox unavailable' : 'try again later'), {
        responseCode: code,
      });
      callback(error);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  return state;
}
