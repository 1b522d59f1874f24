import type { RuntimeStatsEvent } from '@spindle/types';

const COLORS = ['#7aa2ff', '#3ecf8e', '#f5b94a', '#ff6b6b', '#c792ea', '#4fd6be'];
const WINDOW = 60;

interface Series {
  color: string;
  /** MB per sample; `null` where the runtime was not running (a gap in its line). */
  points: (number | null)[];
  /** What the legend says when the runtime is not running (`hibernated (idle)`, …). */
  status?: string;
}

/**
 * A small SVG line chart of memory over time, one line per runtime: PSS where the host can
 * measure it (shared pages divided among the processes that map them, so the lines add up),
 * RSS otherwise. A runtime that hibernates or stops leaves a gap and says why in the legend.
 */
export class RssChart {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly legend: HTMLElement,
    private readonly note: HTMLElement,
  ) {}

  add(event: RuntimeStatsEvent): void {
    const kb = event.pssKb ?? event.rssKb;
    if (kb === undefined) {
      if (event.note) this.note.textContent = event.note;
      return;
    }
    const s = this.seriesOf(event.extension);
    if (event.phase === 'shutdown') {
      s.points.push(null);
    } else {
      s.points.push(kb / 1024);
      delete s.status;
    }
    if (s.points.length > WINDOW) s.points.shift();
    const what = event.pssKb === undefined ? 'RSS' : 'PSS';
    this.note.textContent = `${what} · ${event.runtimeMode} mode · sampled by the host${event.note ? ` · ${event.note}` : ''}`;
    this.render();
  }

  /** The extension's state changed: a runtime that is not running shows its state and why. */
  setState(extension: string, state: string, lastExitReason?: string): void {
    const s = this.series.get(extension);
    if (!s) return;
    if (state === 'running') delete s.status;
    else s.status = lastExitReason ? `${state} (${lastExitReason})` : state;
    this.render();
  }

  private seriesOf(extension: string): Series {
    let s = this.series.get(extension);
    if (!s) {
      s = { color: COLORS[this.series.size % COLORS.length]!, points: [] };
      this.series.set(extension, s);
    }
    return s;
  }

  private render(): void {
    const values = [...this.series.values()].flatMap((s) => s.points.filter((p) => p !== null));
    const max = Math.max(1, ...values) * 1.1;
    const ns = 'http://www.w3.org/2000/svg';
    const lines = [...this.series.values()].flatMap((s) => {
      // One polyline per run of samples: a hibernation breaks the line.
      const runs: string[][] = [[]];
      s.points.forEach((v, i) => {
        if (v === null) runs.push([]);
        else runs.at(-1)!.push(`${(i / (WINDOW - 1)) * 600},${180 - (v / max) * 170}`);
      });
      return runs
        .filter((run) => run.length > 0)
        .map((run) => {
          const line = document.createElementNS(ns, 'polyline');
          line.setAttribute('points', run.join(' '));
          line.setAttribute('fill', 'none');
          line.setAttribute('stroke', s.color);
          line.setAttribute('stroke-width', '2');
          return line;
        });
    });
    this.svg.replaceChildren(...lines);
    this.legend.replaceChildren(
      ...[...this.series.entries()].map(([name, s]) => {
        const li = document.createElement('li');
        li.style.setProperty('--c', s.color);
        const last = s.points.at(-1);
        li.textContent =
          s.status !== undefined
            ? `${name}: ${s.status}`
            : `${name}: ${last == null ? '—' : `${last.toFixed(1)} MB`}`;
        return li;
      }),
    );
  }
}
