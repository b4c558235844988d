'use client';

import { useMemo } from 'react';
import uPlot from 'uplot';
import { bucketLabel, occupiedRange } from '../../state/maps';
import { UPlotChart, themeColors } from './UPlotChart';

/** A log2 histogram as bars, one per occupied power-of-two bucket (like libbpf-tools' print_log2_hist). */
export function Log2HistChart({ counts, theme }: { counts: number[]; theme: string }) {
  const range = occupiedRange(counts);
  const data = useMemo<uPlot.AlignedData>(() => {
    if (!range) return [[], []];
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = range[0]; i <= range[1]; i++) {
      xs.push(i);
      ys.push(counts[i] ?? 0);
    }
    return [xs, ys];
  }, [counts, range?.[0], range?.[1]]);
  const opts = useMemo(() => {
    const c = themeColors();
    const axis = { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid } };
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: (_u: uPlot, lo: number, hi: number) => [lo - 0.6, hi + 0.6] as [number, number] },
      },
      axes: [
        {
          ...axis,
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? bucketLabel(t) : '')),
          incrs: [1],
          size: 34,
        },
        { ...axis, size: 56 },
      ],
      series: [
        {},
        {
          label: 'count',
          fill: c.palette[0] + 'cc',
          stroke: c.palette[0],
          width: 1,
          paths: uPlot.paths.bars!({ size: [0.8, 60] }),
          points: { show: false },
        },
      ],
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme]);
  if (!range) return <p className="muted">all buckets are zero so far</p>;
  return (
    <div data-testid="hist-chart">
      <UPlotChart opts={opts} data={data} optsKey={`hist-${theme}`} height={170} />
    </div>
  );
}
