// Scores and the final table.

/** recall of the file's attacker addresses, and addresses flagged that no campaign used */
export function scoreIps(flaggedIps, meta) {
  const flagged = new Set(flaggedIps);
  const attackers = new Set(meta.campaigns.flatMap((c) => c.ips));
  const anyAttacker = new Set(meta.allAttackerIps);
  let hit = 0;
  for (const ip of attackers) if (flagged.has(ip)) hit++;
  let benign = 0;
  for (const ip of flagged) if (!attackers.has(ip) && !anyAttacker.has(ip)) benign++;
  const byCampaign = {};
  for (const c of meta.campaigns) {
    const h = c.ips.filter((ip) => flagged.has(ip)).length;
    byCampaign[c.id] = { kind: c.kind, ips: c.ips.length, found: h };
  }
  return { attackerIps: attackers.size, found: hit, recall: attackers.size ? hit / attackers.size : 0, flagged: flagged.size, benignFlagged: benign, byCampaign };
}

export const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0));
export const fmtMb = (kb) => `${Math.round(kb / 1024)} MB`;
export const fmtPct = (x) => `${(x * 100).toFixed(1)}%`;

export function renderTable(rows) {
  const head = ['format', 'tool', 'seconds', 'events/s', '× floor', 'vigil ×', 'peak RSS', 'recall', 'benign IPs', 'note'];
  const body = rows.map((r) => [
    r.format,
    r.tool,
    r.seconds !== undefined ? r.seconds.toFixed(2) : '–',
    r.rate !== undefined ? fmtRate(r.rate) : '–',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '–',
    r.vigilVs !== undefined ? `${r.vigilVs.toFixed(2)}×` : '',
    r.rssKb ? fmtMb(r.rssKb) : '–',
    r.recall !== undefined ? fmtPct(r.recall) : '',
    r.benign !== undefined ? String(r.benign) : '',
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (i === head.length - 1 ? 0 : b[i].length))));
  const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
