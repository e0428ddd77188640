/**
 * Email over SMTP with nodemailer. The TCP connection is opened by the egress guard (getSocket),
 * so nodemailer's own DNS resolution never decides where mail goes.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { connectGuarded } from './egress-guard.js';
import type { Channel, EgressPolicy, Outgoing, SmtpChannelConfig } from './types.js';

/** a plain mailbox: local@domain, no display name, no separators nodemailer would split on */
const MAILBOX = /^[^\s@<>,;"()[\]\\]{1,64}@[A-Za-z0-9.-]{1,253}$/;

export function targetMailbox(c: SmtpChannelConfig, person: string): string | undefined {
  const mapped = c.targetAddresses !== undefined && Object.hasOwn(c.targetAddresses, person) ? c.targetAddresses[person] : undefined;
  const address = (mapped ?? person).toLowerCase();
  if (!MAILBOX.test(address)) return undefined;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const allowed = (c.targetDomains ?? []).some((d) => domain === d.toLowerCase());
  // an explicit mapping is the administrator's word; a sign-in name must be in an allowed domain
  return mapped !== undefined || allowed ? address : undefined;
}

/**
 * nodemailer options for a channel: the socket comes from the egress guard, so the address DNS
 * gives is checked at connect time. `vigil doctor` verifies a channel with the same options.
 */
export function smtpTransportOptions(c: SmtpChannelConfig, policy: EgressPolicy, timeoutMs = c.timeoutMs ?? 10_000, socketTimeoutMs = timeoutMs * 3): SMTPTransport.Options {
  return {
    host: c.host,
    port: c.port,
    secure: c.secure === true,
    requireTLS: c.requireTLS === true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: socketTimeoutMs,
    logger: false,
    ...(c.user !== undefined ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
    ...(c.tlsInsecure === true ? { tls: { rejectUnauthorized: false } } : {}),
    getSocket: (_opts, callback) => {
      connectGuarded(c.host, c.port, policy, timeoutMs).then(
        (socket) => callback(null, { connection: socket }),
        (e: unknown) => callback(e instanceof Error ? e : new Error('connection failed'), undefined),
      );
    },
  };
}

export function createSmtpChannel(c: SmtpChannelConfig, policy: EgressPolicy): Channel {
  const options = smtpTransportOptions(c, policy);
  const transport = nodemailer.createTransport(options);
  return {
    name: c.name,
    type: 'smtp',
    canReach: (person) => targetMailbox(c, person) !== undefined,
    async send(msg: Outgoing): Promise<void> {
      const to = msg.audience === 'targets' && msg.person !== undefined ? [targetMailbox(c, msg.person)] : (c.to ?? []);
      const recipients = to.filter((x): x is string => x !== undefined);
      if (recipients.length === 0) throw new Error('no recipient configured');
      try {
        const mail: SendMailOptions = { from: c.from, to: recipients, subject: msg.subject, text: msg.text, html: msg.html };
        // the same Message-ID on a resend after a crash: mail systems and clients drop the copy
        if (msg.deliveryId !== undefined) mail.messageId = `<${msg.deliveryId}@vigil.invalid>`;
        await transport.sendMail(mail);
      } catch (e) {
        // nodemailer's message names the failing step (auth, connection, recipient); never the password
        const code = (e as { code?: unknown }).code;
        throw new Error(`SMTP ${c.host}:${c.port}: ${typeof code === 'string' ? `${code} ` : ''}${e instanceof Error ? e.message : 'failed'}`);
      }
    },
    close: () => transport.close(),
  };
}
