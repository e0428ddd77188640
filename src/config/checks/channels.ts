/**
 * Can each notification channel be reached? SMTP: connect through the egress guard and EHLO
 * (nodemailer `verify()`, which also authenticates when a user is set). HTTP channels: the host
 * resolves, the egress guard allows every address, and a TCP connection opens — no message is sent.
 * Lines name the channel and host only: a Slack/Teams URL's path is a credential.
 */
import nodemailer from 'nodemailer';
import { smtpTransportOptions } from '../../notify/smtp.js';
import { connectGuarded, EgressRefused } from '../../notify/egress-guard.js';
import type { EgressPolicy } from '../../notify/types.js';
import type { ChannelSettings, SmtpChannelSettings } from '../types.js';
import { fail, ok, reason, type CheckOptions, type CheckResult } from './types.js';

const EGRESS_FIX = 'the address is private or reserved: use a public host, or set egress.allowPrivate: true if the relay is on your own network';

async function checkSmtp(c: SmtpChannelSettings, policy: EgressPolicy, opts: CheckOptions): Promise<CheckResult> {
  const check = `channel ${c.name} (smtp)`;
  const timeoutMs = Math.min(c.timeoutMs ?? opts.timeoutMs, opts.timeoutMs);
  const { password, ...plain } = c;
  const options = smtpTransportOptions(password ? { ...plain, password: password.reveal() } : plain, policy, timeoutMs, timeoutMs);
  const transport = nodemailer.createTransport(options);
  try {
    await transport.verify();
    return ok(check, `${c.host}:${c.port} accepts EHLO${c.user !== undefined ? ' and the login' : ''}`);
  } catch (err) {
    if (err instanceof EgressRefused || (err as { name?: unknown }).name === 'EgressRefused') return fail(check, `${c.host}:${c.port}: ${reason(err)}`, EGRESS_FIX);
    const auth = (err as { code?: unknown }).code === 'EAUTH';
    return fail(
      check,
      `${c.host}:${c.port}: ${reason(err)}`,
      auth ? 'check user and password (notify.channels[].password)' : 'check host, port, secure/requireTLS and that the relay accepts connections from this host',
    );
  } finally {
    transport.close();
  }
}

function urlOf(c: Exclude<ChannelSettings, SmtpChannelSettings>): URL | undefined {
  try {
    return new URL(typeof c.url === 'string' ? c.url : c.url.reveal());
  } catch {
    return undefined;
  }
}

async function checkHttpChannel(c: Exclude<ChannelSettings, SmtpChannelSettings>, policy: EgressPolicy, opts: CheckOptions): Promise<CheckResult> {
  const check = `channel ${c.name} (${c.type})`;
  const u = urlOf(c);
  if (!u) return fail(check, 'the URL cannot be read', 'check the url of the channel');
  const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const host = u.hostname;
  try {
    const socket = await connectGuarded(host, port, policy, Math.min(c.timeoutMs ?? opts.timeoutMs, opts.timeoutMs));
    const peer = socket.remoteAddress ?? '';
    socket.destroy();
    return ok(check, `${host}:${port} resolves to an allowed address (${peer}) and accepts connections`);
  } catch (err) {
    if (err instanceof EgressRefused) return fail(check, `${host}:${port}: ${reason(err)}`, EGRESS_FIX);
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(check, `${host}: does not resolve (${String(code)})`, 'check the host name and this machine\'s DNS');
    return fail(check, `${host}:${port}: ${reason(err)}`, 'check the firewall / proxy for outbound HTTPS from this host');
  }
}

export function checkChannel(c: ChannelSettings, policy: EgressPolicy, opts: CheckOptions): Promise<CheckResult> {
  return c.type === 'smtp' ? checkSmtp(c, policy, opts) : checkHttpChannel(c, policy, opts);
}
