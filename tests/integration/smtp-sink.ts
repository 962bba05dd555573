import type { AddressInfo } from 'node:net';

import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for integration tests, as e2e/mail-sink.ts is for the e2e
 * suite (same smtp-server and mailparser, in the test's process), that can be
 * stopped and started again on the same port to play an outage. It refuses
 * recipients whose address starts with "nobody-" (550).
 */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  private readonly server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    // A mailbox that does not exist: refused for good, as a real server does.
    onRcptTo: (address, _session, callback) => {
      if (address.address.startsWith('nobody-')) {
        const error = new Error('5.1.1 mailbox unavailable') as Error & { responseCode?: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData: (stream, _session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          this.messages.push(parsed);
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });

  constructor(readonly port: number) {}

  /** Listens; connections are accepted again. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.server.listen(this.port, '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening: connections are refused, as with a mail server that is down. */
  stop(): Promise<void> {
    if (!this.server.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.server.close(() => resolve()));
  }

  get listeningPort(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  to(address: string): ParsedMail[] {
    return this.messages.filter((mail) => {
      const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      return to.some((field) => field.value.some((entry) => entry.address?.toLowerCase() === address.toLowerCase()));
    });
  }
}
