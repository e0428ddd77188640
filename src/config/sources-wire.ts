/**
 * vigil.yaml sources → the option objects of the source factories (createSyslogSource,
 * createFileTailSource, create*Poller). The caller adds the journal and the other SourceDeps.
 * Secrets are revealed here, into objects handed straight to the factories.
 */
import { readFileSync } from 'node:fs';
import type { EgressPolicy } from '../notify/types.js';
import type { FileTailSourceConfig } from '../sources/file-tail.js';
import type { GraphPollerConfig, GwsPollerConfig, O365PollerConfig, OktaPollerConfig } from '../sources/pollers/index.js';
import type { SyslogSourceConfig as SyslogOptions } from '../sources/syslog.js';
import type { SourceDeps } from '../sources/types.js';
import type { SourceConfig, SyslogSourceConfig, TailSourceConfig } from './types.js';

type WithoutDeps<T> = Omit<T, keyof SourceDeps>;

const MINUTE = 60_000;

/** Only the keys whose value is defined (the factories treat a present undefined as given). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Syslog listener options; the TLS PEM files are read now (an unreadable file throws, naming it). */
export function syslogOptions(s: SyslogSourceConfig, readPem: (file: string) => Buffer = (f) => readFileSync(f)): WithoutDeps<SyslogOptions> {
  const { kind: _kind, tls, ...rest } = s;
  return defined({
    ...rest,
    ...(tls
      ? { tls: defined({ cert: readPem(tls.cert), key: readPem(tls.key), ca: tls.ca !== undefined ? readPem(tls.ca) : undefined, requireClientCert: tls.requireClientCert }) }
      : {}),
  });
}

export function tailOptions(s: TailSourceConfig): WithoutDeps<FileTailSourceConfig> {
  const { kind: _kind, ...rest } = s;
  return defined(rest);
}

export type PollerOptions =
  | { kind: 'graph'; config: GraphPollerConfig }
  | { kind: 'okta'; config: OktaPollerConfig }
  | { kind: 'o365'; config: O365PollerConfig }
  | { kind: 'gws'; config: GwsPollerConfig };

/** Poller options with the egress policy of vigil.yaml; undefined for syslog and tail sources. */
export function pollerOptions(s: SourceConfig, egress: EgressPolicy): PollerOptions | undefined {
  if (s.kind === 'syslog' || s.kind === 'tail') return undefined;
  const common = defined({
    tenant: s.tenant,
    name: s.name,
    intervalMs: s.pollSeconds * 1000,
    overlapMs: s.overlapMinutes * MINUTE,
    lookbackMs: s.lookbackMinutes * MINUTE,
    maxPagesPerPoll: s.maxPagesPerPoll,
    timeoutMs: s.timeoutMs,
    egress,
  });
  switch (s.kind) {
    case 'graph':
      return {
        kind: 'graph',
        config: defined({ ...common, tenantId: s.tenantId, clientId: s.clientId, clientSecret: s.clientSecret.reveal(), graphBaseUrl: s.baseUrl, loginBaseUrl: s.loginUrl, pageSize: s.pageSize }),
      };
    case 'okta':
      return { kind: 'okta', config: defined({ ...common, baseUrl: s.baseUrl, apiToken: s.token.reveal(), events: s.events, pageSize: s.pageSize }) };
    case 'o365':
      return {
        kind: 'o365',
        config: defined({
          ...common,
          tenantId: s.tenantId,
          clientId: s.clientId,
          clientSecret: s.clientSecret.reveal(),
          contentTypes: s.contentTypes,
          apiBaseUrl: s.baseUrl,
          loginBaseUrl: s.loginUrl,
          publisherId: s.publisherId,
        }),
      };
    case 'gws':
      return {
        kind: 'gws',
        config: defined({
          ...common,
          // checked at load time to be a JSON key with client_email and private_key
          serviceAccountKey: JSON.parse(s.serviceAccountKey.reveal()) as GwsPollerConfig['serviceAccountKey'],
          adminEmail: s.adminEmail,
          customerId: s.customerId,
          apiBaseUrl: s.baseUrl,
          tokenUrl: s.tokenUrl,
          pageSize: s.pageSize,
        }),
      };
  }
}
