'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A uPlot chart that follows its container's width. The chart is created once per `optsKey`
 * (series layout) and only fed new data afterwards: uPlot redraws a few thousand points in well
 * under a millisecond, rebuilding it on every snapshot would not.
 */
export function UPlotChart({
  opts,
  data,
  optsKey,
  height,
}: {
  opts: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  optsKey: string;
  height: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const u = new uPlot({ ...opts, width: Math.max(200, el.clientWidth), height }, latest.current, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- opts is a new object every render; optsKey says when it changed (a new uPlot is costly)
  }, [optsKey, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} className="chart" />;
}

/** Chart colors from the theme's CSS variables, so charts follow dark/light. */
export function themeColors(): { fg: string; grid: string; palette: string[] } {
  const s = typeof window === 'undefined' ? null : getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s?.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg-muted', '#999'),
    grid: v('--border', '#333'),
    // Eight distinct colours: CounterChart draws at most eight lines.
    palette: ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7', '--c8'].map((n, i) =>
      v(n, ['#4e9af1', '#f5a623', '#7ed321', '#d0021b', '#9013fe', '#50e3c2', '#f78fc4', '#c9d46a'][i]!),
    ),
  };
}
