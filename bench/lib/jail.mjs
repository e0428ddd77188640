// The per-address rule fail2ban's sshd jail applies ("maxretry failures within findtime"),
// replayed on the failures fail2ban-regex found.

/** addresses with at least `count` failures inside any window of `windowSec` seconds */
export function flagByWindow(timesByIp, count = 5, windowSec = 600) {
  const flagged = [];
  for (const [ip, times] of timesByIp) {
    if (times.length < count) continue;
    times.sort((a, b) => a - b);
    // times[i] and times[i + count - 1] bound `count` failures
    for (let i = 0; i + count - 1 < times.length; i++) {
      if (times[i + count - 1] - times[i] <= windowSec) {
        flagged.push(ip);
        break;
      }
    }
  }
  return flagged.sort();
}

// one `fail2ban-regex -o row` line: ['1.2.3.4',\t1708941603,\t{...}],
const ROW = /^\['([0-9A-Fa-f:.]{1,45})',\t(\d{1,12})[,.]/;

/** adds one `fail2ban-regex -o row` line to the failures per address; false when it is no row */
export function addRow(byIp, line) {
  const m = ROW.exec(line.slice(0, 80));
  if (!m) return false;
  const t = Number(m[2]);
  const list = byIp.get(m[1]);
  if (list) list.push(t);
  else byIp.set(m[1], [t]);
  return true;
}
