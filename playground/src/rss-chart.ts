import type { RuntimeStatsEvent } from '@spindle/types';

const COLORS = ['#7aa2ff', '#3ecf8e', '#f5b94a', '#ff6b6b', '#c792ea', '#4fd6be'];
const WINDOW = 60;

/** A small SVG line chart of RSS over time, one line per runtime. */
export class RssChart {
  private readonly series = new Map<string, { color: string; points: number[] }>();

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly legend: HTMLElement,
    private readonly note: HTMLElement,
  ) {}

  add(event: RuntimeStatsEvent): void {
    if (event.rssKb === undefined) {
      if (event.note) this.note.textContent = event.note;
      return;
    }
    let s = this.series.get(event.extension);
    if (!s) {
      s = { color: COLORS[this.series.size % COLORS.length]!, points: [] };
      this.series.set(event.extension, s);
    }
    s.points.push(event.rssKb / 1024);
    if (s.points.length > WINDOW) s.points.shift();
    this.note.textContent = `${event.runtimeMode} mode · sampled by the host${event.note ? ` · ${event.note}` : ''}`;
    this.render();
  }

  private render(): void {
    const max = Math.max(1, ...[...this.series.values()].flatMap((s) => s.points)) * 1.1;
    const ns = 'http://www.w3.org/2000/svg';
    const lines = [...this.series.values()].map((s) => {
      const line = document.createElementNS(ns, 'polyline');
      const pts = s.points.map((v, i) => `${(i / (WINDOW - 1)) * 600},${180 - (v / max) * 170}`);
      line.setAttribute('points', pts.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', s.color);
      line.setAttribute('stroke-width', '2');
      return line;
    });
    this.svg.replaceChildren(...lines);
    this.legend.replaceChildren(
      ...[...this.series.entries()].map(([name, s]) => {
        const li = document.createElement('li');
        li.style.setProperty('--c', s.color);
        li.textContent = `${name}: ${(s.points.at(-1) ?? 0).toFixed(1)} MB`;
        return li;
      }),
    );
  }
}
