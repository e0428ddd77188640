/** Removes configured secrets (webhook keys, SMTP passwords, secret-bearing URLs) from any text. */
import type { ChannelConfig } from './types.js';

const MIN_SECRET = 4; // shorter strings would redact ordinary words

function urlSecrets(raw: string): string[] {
  const out = [raw];
  try {
    const u = new URL(raw);
    // the path and query of an incoming-webhook URL are the credential
    if (u.pathname.length > 1) out.push(u.pathname, u.pathname.slice(1));
    if (u.search.length > 1) out.push(u.search.slice(1));
    if (u.password !== '') out.push(u.password, decodeURIComponent(u.password));
    for (const v of u.searchParams.values()) out.push(v);
  } catch {
    // not a URL: the raw string alone is redacted
  }
  return out;
}

export function secretsOf(channels: readonly ChannelConfig[]): string[] {
  const found: string[] = [];
  for (const c of channels) {
    if (c.type === 'smtp') {
      if (c.password !== undefined) found.push(c.password);
    } else {
      found.push(...urlSecrets(c.url));
      if (c.type === 'webhook') found.push(c.secret);
    }
  }
  // longest first, so a URL is replaced whole before its path
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET))].sort((a, b) => b.length - a.length);
}

export function makeRedactor(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    return out;
  };
}
