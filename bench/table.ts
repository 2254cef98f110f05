// The one table `npm run bench` prints: each row a piece of work, timed for this project, for the
// tool a user would otherwise reach for, and for a lower bound the servers allow. Pure formatting.

export interface Timing {
  /** What was run, e.g. `s5cmd rm` or `max(list 6.1 s, delete 9.8 s)`. */
  label: string;
  seconds: number;
}

export interface BenchRow {
  work: string;
  project: Timing | string;
  peers: Timing[];
  lowerBound?: Timing;
  /** Anything else the row should say (counts, memory, which kubelet). */
  note?: string;
}

export const seconds = (ms: number): number => ms / 1000;
export const formatSeconds = (s: number): string => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

function timingText(timing: Timing): string {
  return timing.label === '' ? formatSeconds(timing.seconds) : `${timing.label} ${formatSeconds(timing.seconds)}`;
}

/** `s5cmd 2.1× slower`: how much longer the other took than this project. */
function ratioText(project: number, other: Timing, what: string): string {
  const ratio = other.seconds / project;
  return ratio >= 1 ? `${what} ${ratio.toFixed(1)}× this project's time` : `${what} ${ratio.toFixed(2)}× (this project ${(1 / ratio).toFixed(2)}× slower)`;
}

export function renderTable(rows: readonly BenchRow[]): string {
  const lines = ['| work | this project | peer tool, same run | lower bound, same run | ratios |', '|---|---|---|---|---|'];
  for (const row of rows) {
    const project = typeof row.project === 'string' ? row.project : formatSeconds(row.project.seconds);
    const ratios: string[] = [];
    if (typeof row.project !== 'string') {
      for (const peer of row.peers) ratios.push(ratioText(row.project.seconds, peer, peer.label.split(' ')[0] ?? peer.label));
      if (row.lowerBound) ratios.push(`this project / lower bound ${(row.project.seconds / row.lowerBound.seconds).toFixed(2)}`);
    }
    if (row.note) ratios.push(row.note);
    lines.push(
      `| ${row.work} | ${project} | ${row.peers.map(timingText).join('; ') || '—'} ` +
        `| ${row.lowerBound ? timingText(row.lowerBound) : '—'} | ${ratios.join('; ') || '—'} |`,
    );
  }
  return lines.join('\n');
}
