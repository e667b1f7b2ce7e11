// The PV-surplus router's status page (`wattshare surplus`): surplus, grid and available amps,
// each load with its mode, power and set-point, Boost / Eco buttons (for one hour, or until
// changed), the last 15 minutes as a chart, and the car's charging sessions (energy, solar
// share, cost; CSV to download). Live from the WebSocket (one push per cycle), falling back to
// polling every 2 s while it is down; the sessions are read every 30 s.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { connect, get, post } from './api.js';
import { Chart } from './charts.jsx';
import './style.css';

const MODES = ['off', 'eco', 'boost', 'scheduled'];
// minpv: the car's minimum current always, more from the surplus (the other loads: eco).
const EV_MODES = ['off', 'eco', 'minpv', 'boost', 'scheduled'];
const WINDOW_S = 15 * 60;
const LOADS = [['ev', 'EV charger'], ['dimmer', 'Water heater'], ['relay', 'Relay load']];

// "2021/05/22-12:03:59" (the house's local time) → seconds, shown as is by the chart.
function seconds(apisTime) {
  const m = apisTime.match(/^(\d+)\/(\d+)\/(\d+)-(\d+):(\d+):(\d+)$/);
  return m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : 0;
}

const fmt = (v, unit, digits = 0) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(digits)} ${unit}`);

function Figure({ label, value, testid }) {
  return <div class="figure" data-testid={testid}><span>{label}</span><strong>{value}</strong></div>;
}

function LoadPanel({ id, title, load, onMode }) {
  const details = {
    ev: [['Connected', load.connected ? 'yes' : 'no'], ['Limit', fmt(load.command_a, 'A')],
         ['Drawing', fmt(load.actual_a, 'A', 1)], ['Power', fmt(load.power_w, 'W')],
         ...(load.soc !== null && load.soc !== undefined ? [['Car battery', fmt(100 * load.soc, '%')]] : [])],
    dimmer: [['Command', fmt(load.command_pct, '%', 1)], ['Power', fmt(load.power_w, 'W')],
             ['Water', fmt(load.temperature_c, '°C', 1)],
             ['Output', load.output === 'burst_fire' ? 'burst fire' : `phase angle, fires ${fmt(load.firing_delay_us, 'µs')}`],
             ...(load.error ? [['Error', load.error]] : [])],
    relay: [['State', load.on ? 'on' : 'off'], ['Power', fmt(load.power_w, 'W')],
            ...(load.error ? [['Error', load.error]] : [])],
  }[id];
  return (
    <div class="panel load" data-testid={`load-${id}`}>
      <h2>{title} <span class="count" data-testid={`mode-${id}`}>{load.mode}{load.mode_until ? ` until ${load.mode_until.slice(11)}` : ''}</span></h2>
      <table><tbody>{details.map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}</tbody></table>
      <div class="buttons">
        {(id === 'ev' ? EV_MODES : MODES).map((m) => (
          <button key={m} class={load.mode === m ? 'on' : ''} data-testid={`set-${id}-${m}`}
                  onClick={() => onMode({ load: id, mode: m })}>{m}</button>
        ))}
        <button data-testid={`boost-${id}`} onClick={() => onMode({ load: id, mode: 'boost', duration_s: 3600 })}>
          boost 1 h</button>
      </div>
    </div>
  );
}

function Sessions({ running }) {
  const [list, setList] = useState(null);
  useEffect(() => {
    const load = () => get('/api/sessions').then((r) => setList(r.sessions)).catch(() => {});
    load();
    const timer = setInterval(load, 30000);
    return () => clearInterval(timer);
  }, [running ? running.start : null]);  // and when a session starts or ends
  const rows = [...(running ? [{ ...running, running: true }] : []), ...(list || [])];
  const money = (r) => (r.cost === null ? '—' : `${r.cost.toFixed(2)} ${r.currency}`);
  return (
    <div class="panel" data-testid="sessions">
      <h2>Charging sessions <a href="/api/sessions.csv" download="sessions.csv">CSV</a></h2>
      {rows.length === 0 ? <p class="hint">No session yet: one starts when the car is plugged in.</p> : (
        <table>
          <thead><tr><th>Start</th><th>End</th><th>Energy</th><th>Solar</th><th>Cost</th></tr></thead>
          <tbody>{rows.map((r) => (
            <tr key={r.start} data-testid={r.running ? 'session-running' : 'session'}>
              <td>{r.start}</td><td>{r.running ? 'charging' : r.end}</td><td>{fmt(r.energy_wh / 1000, 'kWh', 2)}</td>
              <td>{fmt(100 * r.solar_share, '%')}</td><td>{money(r)}</td>
            </tr>))}
          </tbody>
        </table>)}
    </div>
  );
}

function App() {
  const [s, setS] = useState(null);
  const [live, setLive] = useState(false);
  const [rows, setRows] = useState([]);
  const [error, setError] = useState('');
  const update = (next) => {
    setS(next);
    const t = seconds(next.time);
    setRows((r) => [...r.filter((x) => x.t > t - WINDOW_S && x.t < t), {
      t, surplus: next.surplus_w, grid: next.grid_export_w, ev: next.ev.power_w, dimmer: next.dimmer.power_w,
    }]);
  };
  useEffect(() => connect(update, setLive), []);
  useEffect(() => {  // the WebSocket is down: poll
    if (live) return undefined;
    const timer = setInterval(() => get('/api/surplus').then(update).catch((e) => setError(String(e.message || e))), 2000);
    return () => clearInterval(timer);
  }, [live]);
  const mode = (body) => post('/api/surplus/mode', body).then((next) => { setError(''); update(next); })
    .catch((e) => setError(e.message));
  if (!s) return <div class="connecting">Connecting to the router…</div>;
  return (
    <div>
      <header>
        <h1>{s.name} — PV surplus</h1>
        <span data-testid="clock">{s.time}</span>
        <span class={`live ${live ? 'on' : 'off'}`} data-testid="live">{live ? 'live' : 'polling'}</span>
        {s.safe_state && <span class="alarm" data-testid="safe-state">safe state: {s.meter_error || 'no meter reading'}</span>}
        {!s.safe_state && !s.meter_ok && <span class="alarm">meter: {s.meter_error}</span>}
      </header>
      {error && <div class="token" data-testid="error">{error}</div>}
      <div class="figures">
        <Figure label="Surplus" value={fmt(s.surplus_w, 'W')} testid="surplus" />
        <Figure label={s.grid_export_w >= 0 ? 'Export' : 'Import'} value={fmt(Math.abs(s.grid_export_w ?? 0), 'W')} testid="grid" />
        <Figure label="Available" value={fmt(s.available_amps, 'A', 2)} testid="available" />
        <Figure label="Pulling" value={fmt(s.pulling_amps, 'A', 2)} testid="pulling" />
        {s.inverter_power_w !== null && <Figure label="PV" value={fmt(s.inverter_power_w, 'W')} testid="pv" />}
      </div>
      <div class="panel buttons boost">
        <button data-testid="boost" onClick={() => mode({ mode: 'boost', duration_s: 3600 })}>Boost for 1 h</button>
        <button data-testid="eco" onClick={() => mode({ mode: 'eco' })}>Eco</button>
        <span class="hint">Boost runs every load at full power, then returns to its configured mode.</span>
      </div>
      <div class="lists">
        {LOADS.filter(([id]) => s[id].present).map(([id, title]) => (
          <LoadPanel key={id} id={id} title={title} load={s[id]} onMode={mode} />
        ))}
      </div>
      {s.ev.present && <div class="lists"><Sessions running={s.session} /></div>}
      <div class="charts">
        <Chart title="Power (W)" testid="chart-power" series={['surplus', 'grid export', 'EV', 'water heater']}
               data={[rows.map((r) => r.t), rows.map((r) => r.surplus), rows.map((r) => r.grid), rows.map((r) => r.ev),
                 rows.map((r) => r.dimmer)]} />
      </div>
    </div>
  );
}

render(<App />, document.getElementById('app'));
