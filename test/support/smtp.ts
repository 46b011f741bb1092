import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface DeliveredMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  delivered: DeliveredMail[];
  /** The next mail to that address (waits for it), in any letter case. */
  nextMailTo(address: string, timeoutMs?: number): Promise<DeliveredMail>;
  /** Refuses every message from now on (`550`), or accepts them again. */
  refuseMail(refuse: boolean): void;
  /** Holds every message from now on without answering its DATA, until `releaseMail()`. */
  holdMail(): void;
  /** Answers the held messages (accepting them) and holds no more. */
  releaseMail(): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (the `smtp-server` package), which keeps every message it accepts,
 * parsed with `mailparser`: the tests read the codes out of the delivered mail, as a player would.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const delivered: DeliveredMail[] = [];
  const waiting: { address: string; resolve: (mail: DeliveredMail) => void }[] = [];
  const claimed = new Set<DeliveredMail>();
  let refusing = false;
  let holding = false;
  const held: (() => void)[] = [];

  const take = (address: string): DeliveredMail | undefined => {
    const mail = delivered.find((candidate) => !claimed.has(candidate) && candidate.to.includes(address.toLowerCase()));
    if (mail) claimed.add(mail);
    return mail;
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      if (refusing) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })));
        return;
      }
      const accept = (parsed: ParsedMail): void => {
        delivered.push({
          to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        });
        for (const waiter of [...waiting]) {
          const mail = take(waiter.address);
          if (mail) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.resolve(mail);
          }
        }
        callback();
      };
      simpleParser(stream)
        .then((parsed: ParsedMail) => (holding ? held.push(() => accept(parsed)) : accept(parsed)))
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    nextMailTo: (address, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const mail = take(address);
        if (mail) return resolve(mail);
        const waiter = { address: address.toLowerCase(), resolve };
        waiting.push(waiter);
        setTimeout(() => {
          if (waiting.includes(waiter)) {
            waiting.splice(waiting.indexOf(waiter), 1);
            reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      }),
    refuseMail: (refuse) => (refusing = refuse),
    holdMail: () => (holding = true),
    releaseMail: () => {
      holding = false;
      for (const release of held.splice(0)) release();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The 6-digit code of a verification mail, from its text part (the HTML part must carry the same). */
export function codeOf(mail: DeliveredMail): string {
  const code = /验证码为 (\d{6})/.exec(mail.text)?.[1];
  if (code === undefined) throw new Error(`no code in the mail: ${mail.text}`);
  expect(mail.html).toContain(`>${code}<`);
  return code;
}
