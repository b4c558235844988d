'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Ring } from '../../state/ring';
import type { SeriesPoint } from '../../state/streams';
import { UPlotChart, themeColors } from './UPlotChart';
import { compactNumber, topSeries } from '../../state/maps';

/**
 * Lines drawn at most, one colour each (themeColors has as many): the table below the chart lists
 * every key. With fewer colours than lines, two keys shared one and the legend could not tell them apart.
 */
const MAX_LINES = 8;

/** Counters of a map over time: one line per key, x in seconds since the run attached. */
export function CounterChart({
  series,
  theme,
  version,
}: {
  series: Map<string, Ring<SeriesPoint>>;
  theme: string;
  version: number;
}) {
  // Chosen by size, but kept in name order so a line keeps its color while the ranking shifts.
  const keys = topSeries(series, MAX_LINES).sort();
  const data = useMemo<uPlot.AlignedData>(() => {
    const ts = new Set<number>();
    for (const r of series.values()) for (const p of r.toArray()) ts.add(p.t);
    const xs = [...ts].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const ys = keys.map(() => new Array<number | null>(xs.length).fill(null));
    keys.forEach((k, si) => {
      for (const p of series.get(k)!.toArray()) ys[si]![index.get(p.t)!] = p.v;
    });
    return [xs.map((t) => t / 1000), ...ys] as uPlot.AlignedData;
    // The keys too: the rings fill in place, so a render that is not a new version (the panes
    // redraw at most 30 times a second) can still see a new key, and data and series must agree.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version and the keys' text stand for rings that change in place
  }, [series, version, keys.join('\u0000')]);
  const opts = useMemo(() => {
    const c = themeColors();
    const axis = { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid } };
    return {
      legend: { show: true, live: false },
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 's', size: 30, labelSize: 14 },
        // Short ticks (4.2M) and an axis as wide as its longest one: "4,000,000" in 60 px was cut to "000,000".
        {
          ...axis,
          values: (_u: uPlot, ticks: number[]) => ticks.map(compactNumber),
          size: (_u: uPlot, values: string[] | null) => 14 + 7 * Math.max(3, ...(values ?? []).map((v) => v.length)),
        },
      ],
      series: [
        { label: 't' },
        ...keys.map((k, i) => ({ label: k, stroke: c.palette[i]!, width: 1.5, spanGaps: true })),
      ],
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keys by their text (a new array each render); theme: themeColors() reads its CSS
  }, [theme, keys.join('\u0000')]);
  return (
    <div data-testid="counter-chart" data-points={data[0].length}>
      <UPlotChart opts={opts} data={data} optsKey={`counters-${theme}-${keys.join('\u0000')}`} height={180} />
    </div>
  );
}
