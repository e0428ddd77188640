/** The `rel="next"` target of an RFC 8288 Link header (Okta paging), or undefined. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (text === undefined || text.length > 16_384) return undefined;
  for (const m of text.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]*)*)/g)) {
    const params = m[2] ?? '';
    if (/;\s*rel\s*=\s*"?([^";,]*\s)?next(\s[^";,]*)?"?/i.test(params)) return m[1];
  }
  return undefined;
}
