/**
 * Turning the loaded config into what the existing libraries take. These are the only places a
 * secret is revealed, and only into objects handed straight to a client.
 */
import type { ChannelConfig, NotifierConfig } from '../notify/types.js';
import type { ChannelSettings, StoreConfig, VigilConfig } from './types.js';

/** The location `openAsyncStore` takes: the SQLite path, or the PostgreSQL URL with its password put in. */
export function storeLocation(store: StoreConfig): string {
  if (store.kind === 'sqlite') return store.path;
  const u = new URL(store.url);
  if (store.password) u.password = encodeURIComponent(store.password.reveal());
  return u.toString();
}

/** The same channel with its secrets revealed, for createNotifier. */
export function channelConfig(c: ChannelSettings): ChannelConfig {
  switch (c.type) {
    case 'smtp': {
      const { password, ...rest } = c;
      return password ? { ...rest, password: password.reveal() } : rest;
    }
    case 'slack':
    case 'teams':
      return { ...c, url: c.url.reveal() };
    case 'webhook':
      return { ...c, url: typeof c.url === 'string' ? c.url : c.url.reveal(), secret: c.secret.reveal() };
  }
}

/** NotifierConfig for createNotifier, or undefined when vigil.yaml has no notify section. */
export function notifierConfig(config: VigilConfig): NotifierConfig | undefined {
  const n = config.notify;
  if (!n) return undefined;
  return {
    channels: n.channels.map(channelConfig),
    routes: n.routes,
    egress: { allowPrivate: config.egress.allowPrivate },
    ...(n.perMinute !== undefined ? { perMinute: n.perMinute } : {}),
    ...(n.templatesDir !== undefined ? { templatesDir: n.templatesDir } : {}),
    ...(n.contact !== undefined ? { contact: n.contact } : {}),
  };
}
