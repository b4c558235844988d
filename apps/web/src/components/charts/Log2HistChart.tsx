'use client';

import { useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import { log2BucketLabel, log2HistText, occupiedBuckets, unitLabel } from '@bpfplay/protocol';
import { compactNumber } from '../../state/maps';
import { UPlotChart, themeColors } from './UPlotChart';

/**
 * A log2 histogram as bars, one per bucket from the first to the last occupied one (like
 * libbpf-tools' print_log2_hist): each labelled `[8, 16)` with the unit under the axis, the
 * bucket under the mouse read out with its count, and the same histogram as bpftrace's text to copy.
 */
export function Log2HistChart({
  name,
  counts,
  unit,
  theme,
}: {
  /** For the text form's `@name:` line. */
  name: string;
  counts: number[];
  unit: string | undefined;
  theme: string;
}) {
  const range = occupiedBuckets(counts);
  const [hover, setHover] = useState<number | null>(null);
  const [asText, setAsText] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const onHover = useRef(setHover);
  // The bounds, not the array occupiedBuckets makes anew each render, decide when data changes.
  const [first, last] = range ?? [-1, -1];
  const data = useMemo<uPlot.AlignedData>(() => {
    if (first < 0) return [[], []];
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = first; i <= last; i++) {
      xs.push(i);
      ys.push(counts[i] ?? 0);
    }
    return [xs, ys];
  }, [counts, first, last]);
  const units = unitLabel(unit);
  const opts = useMemo(() => {
    const c = themeColors();
    const axis = { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid } };
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: (_u: uPlot, lo: number, hi: number) => [lo - 0.6, hi + 0.6] as [number, number] },
      },
      axes: [
        {
          ...axis,
          // Every bucket when they fit, else every 2nd, 4th…: uPlot picks the first step whose
          // ticks are `space` pixels apart. At 45° a `[16K, 32K)` needs about 26 px across and
          // 60 px down, so the axis is that tall plus its unit under the labels.
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? log2BucketLabel(t) : '')),
          incrs: [1, 2, 4, 8, 16],
          space: 26,
          rotate: -45,
          size: 66,
          label: units || 'value',
          labelSize: 18,
          labelGap: 0,
          font: '11px system-ui, sans-serif',
        },
        { ...axis, values: (_u: uPlot, ticks: number[]) => ticks.map(compactNumber), size: 48 },
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
      hooks: {
        setCursor: [
          (u: uPlot) => {
            const i = u.cursor.idx;
            onHover.current(i === null || i === undefined ? null : (u.data[0][i] ?? null));
          },
        ],
      },
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- theme: themeColors() reads the CSS variables it sets
  }, [theme, units]);
  if (!range) return <p className="muted">all buckets are zero so far</p>;
  const total = counts.reduce((a, b) => a + b, 0);
  const text = log2HistText(name, counts, unit);
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => setCopied('copied'),
      (e: Error) => setCopied(`copy failed: ${e.message}; select the text instead`),
    );
  return (
    <div data-testid="hist-chart" data-unit={unit ?? ''}>
      <div className="hist-bar">
        <span className="hist-hover" data-testid="hist-hover">
          {hover !== null
            ? `${log2BucketLabel(hover)}${units ? ` ${units}` : ''}: ${(counts[hover] ?? 0).toLocaleString('en-US')} (${total ? Math.round((100 * (counts[hover] ?? 0)) / total) : 0}%)`
            : `${total.toLocaleString('en-US')} values${units ? ` in ${units}` : ''} — point at a bar for its count`}
        </span>
        <span className="spacer" />
        <button className="btn-small" onClick={() => setAsText((t) => !t)} data-testid="hist-as-text">
          {asText ? 'chart' : 'as text'}
        </button>
        <button
          className="btn-small"
          onClick={() => void copy()}
          data-testid="hist-copy"
          title="Copy in bpftrace's @hist layout"
        >
          copy
        </button>
        {copied && <span className="muted small">{copied}</span>}
      </div>
      {asText ? (
        <pre className="hist-text" data-testid="hist-text">
          {text}
        </pre>
      ) : (
        <UPlotChart opts={opts} data={data} optsKey={`hist-${theme}-${units}`} height={230} />
      )}
    </div>
  );
}
