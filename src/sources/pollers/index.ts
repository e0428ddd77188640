/** API pollers for `vigil serve`: each is a Source that commits vendor records and its checkpoint to the journal. */
export { createGraphPoller, graphConfigSchema, type GraphPollerConfig } from './graph.js';
export { createOktaPoller, oktaConfigSchema, OKTA_AUTH_FILTER, type OktaPollerConfig } from './okta.js';
export { createO365Poller, o365ConfigSchema, O365_CONTENT_TYPES, type O365ContentType, type O365PollerConfig } from './o365.js';
export { createGwsPoller, gwsConfigSchema, type GwsPollerConfig } from './gws.js';
export { DEFAULTS as POLLER_DEFAULTS, type PollerCommonConfig } from './common.js';
export { PollError, type RetryOptions, type Sleep } from './http.js';
export type { Poller, PollerDeps } from './runner.js';
