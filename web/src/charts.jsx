// Time series with uPlot: RSoC per unit, shared power, bus voltage and self-sufficiency. The
// history comes from the API once, then every WebSocket push appends a point.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2f7ed8', '#e4572e', '#29a36a', '#9c6ade', '#f2a541', '#17becf', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d'];

export function Chart({ title, series, data, testid, range }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(280, box.current.clientWidth);
    plot.current = new uPlot({
      title, width, height: 180,
      // Times arrive shifted to the community's local time: show them as they are.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: { x: { time: true }, ...(range ? { y: { range } } : {}) },
      series: [{}, ...series.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 1.5 }))],
      axes: [{}, { size: 56 }],
    }, data, box.current);
    const resize = () => plot.current.setSize({ width: Math.max(280, box.current.clientWidth), height: 180 });
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); plot.current.destroy(); };
  }, [series.join(',')]);
  useEffect(() => { if (plot.current) plot.current.setData(data); }, [data]);
  return <div class="chart" ref={box} data-testid={testid} />;
}

// Rows: { t (s), rsoc: {id: %}, shared_w, bus_v, ss }; offsetS: the community's UTC offset.
export function Charts({ rows, unitIds, offsetS }) {
  const t = rows.map((r) => r.t + offsetS);
  return (
    <div class="charts">
      <Chart title="RSoC (%)" testid="chart-rsoc" series={unitIds}
             data={[t, ...unitIds.map((id) => rows.map((r) => r.rsoc[id] ?? null))]} />
      <Chart title="Shared power (W)" testid="chart-shared" series={['shared']} data={[t, rows.map((r) => r.shared_w)]} />
      <Chart title="Bus voltage (V)" testid="chart-bus" series={['bus']} data={[t, rows.map((r) => r.bus_v)]} />
      <Chart title="Self-sufficiency" testid="chart-ss" series={['self-sufficiency']} range={[0, 1]}
             data={[t, rows.map((r) => r.ss)]} />
    </div>
  );
}
