import { VigilError } from '../core/errors.js';
import { pollerOptions, syslogOptions, tailOptions } from '../config/sources-wire.js';
import type { SourceConfig, VigilConfig } from '../config/types.js';
import { notifierConfig, storeLocation } from '../config/wire.js';
import { createFileTailSource } from '../sources/file-tail.js';
import { createGraphPoller, createGwsPoller, createO365Poller, createOktaPoller } from '../sources/pollers/index.js';
import { createSyslogSource } from '../sources/syslog.js';
import type { Source, SourceDeps } from '../sources/types.js';
import type { ServiceOptions } from './service.js';

/** A factory for one configured source, given the journal once the server has opened it. */
function sourceFactory(s: SourceConfig, config: VigilConfig): (deps: SourceDeps) => Source {
  switch (s.kind) {
    case 'syslog': {
      const o = syslogOptions(s);
      return (deps) => createSyslogSource({ ...o, ...deps });
    }
    case 'tail': {
      const o = tailOptions(s);
      return (deps) => createFileTailSource({ ...o, ...deps });
    }
    default: {
      const p = pollerOptions(s, { allowPrivate: config.egress.allowPrivate });
      if (!p) throw new VigilError('CONFIG', `sources: unknown kind`);
      switch (p.kind) {
        case 'graph':
          return (deps) => createGraphPoller(p.config, deps);
        case 'okta':
          return (deps) => createOktaPoller(p.config, deps);
        case 'o365':
          return (deps) => createO365Poller(p.config, deps);
        case 'gws':
          return (deps) => createGwsPoller(p.config, deps);
      }
    }
  }
}

/** `vigil serve --config vigil.yaml`: the service's options from the loaded configuration. */
export function serviceOptionsFromConfig(config: VigilConfig): ServiceOptions {
  const e = config.enrichment;
  const notify = notifierConfig(config);
  const opts: ServiceOptions = {
    serverDb: config.server.serverDb,
    store: storeLocation(config.store),
    host: config.server.host,
    port: config.server.port,
    limits: config.server.limits,
    enrichment: {
      geoDbs: e.geoDb,
      asnDbs: e.asnDb,
      torExits: e.torExits,
      intel: e.intel,
      bundled: e.bundled,
      ...(e.hostingFile !== undefined ? { hostingFile: e.hostingFile } : {}),
    },
    batch: config.detection.batch,
    snapshotEveryMs: config.detection.snapshotIntervalSeconds * 1000,
    sources: config.sources.map((s) => sourceFactory(s, config)),
  };
  if (notify) {
    // functions do not cross into the detection worker; it supplies its own log and clock
    const { log: _log, now: _now, ...plain } = notify;
    opts.notify = plain;
  }
  return opts;
}
