/**
 * An error message made fit for the operator's log: passwords in URLs (`scheme://user:pass@host`)
 * and anything shaped like a Vigil token are cut out, and the length is bounded.
 */
export function scrubForLog(message: string, max = 300): string {
  return message
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]*@/gi, '$1:***@')
    .replace(/vgl_[0-9a-f]{16}_[A-Za-z0-9_-]+/g, 'vgl_***')
    .replace(/(password|passwd|secret|token)=[^&\s]*/gi, '$1=***')
    .slice(0, max);
}
