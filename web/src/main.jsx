// The wattshare dashboard: a live picture of the community from the WebSocket, with mode
// control, unit details, charts, deals and errors.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { connect, get, setToken, token } from './api.js';
import { Charts } from './charts.jsx';
import { Community } from './community.jsx';
import { Acceleration, Deals, Errors, ModeControl, UnitPanel } from './panels.jsx';
import './style.css';

const MAX_ROWS = 2000;

// One chart row from a snapshot; shared power from the change of shared energy since the last.
function row(s, last) {
  const t = s.t_ms / 1000;
  const rsoc = {};
  s.units.forEach((u) => { rsoc[u.id] = u.rsoc; });
  const dt = last ? t - last.t : 0;
  const shared_w = last && dt > 0 ? Math.max(0, (s.totals.shared_wh - last.shared_wh) * 3600 / dt) : 0;
  return { t, rsoc, shared_w, shared_wh: s.totals.shared_wh, bus_v: s.totals.bus_voltage_v, ss: s.totals.self_sufficiency };
}

// Each unit's utility power from its meter's change since the previous push (import > 0).
function withUtilityFlows(s, prev) {
  const dt = prev ? (s.t_ms - prev.t_ms) / 1000 : 0;
  s.units.forEach((u) => {
    const p = prev && prev.units.find((q) => q.id === u.id);
    u.utility_w = p && dt > 0 ? ((u.import_wh - p.import_wh) - (u.export_wh - p.export_wh)) * 3600 / dt : (p ? p.utility_w : 0);
  });
  return s;
}

async function loadHistory(unitIds) {
  const totals = await get('/api/totals/history?points=500');
  const per = await Promise.all(unitIds.map((id) => get(`/api/history/${id}?points=500`)));
  return totals.samples.map((s, i) => {
    const rsoc = {};
    per.forEach((p, k) => { const x = p.samples.find((q) => q.t_ms === s.t_ms); if (x) rsoc[unitIds[k]] = x.rsoc; });
    const prev = totals.samples[i - 1];
    const dt = prev ? (s.t_ms - prev.t_ms) / 1000 : 0;
    return { t: s.t_ms / 1000, rsoc, shared_wh: s.shared_wh, bus_v: s.bus_voltage_v, ss: s.self_sufficiency,
             shared_w: prev && dt > 0 ? Math.max(0, (s.shared_wh - prev.shared_wh) * 3600 / dt) : 0 };
  });
}

function TokenBox() {
  const [t, setT] = useState(token());
  if (token()) return null;
  return (
    <div class="token">
      Writes need the token <code>wattshare demo</code> printed:
      <input value={t} onInput={(e) => setT(e.target.value)} placeholder="token" />
      <button onClick={() => { setToken(t); location.reload(); }}>Use</button>
    </div>
  );
}

function App() {
  const [snap, setSnap] = useState(null);
  const [live, setLive] = useState(false);
  const [selected, setSelected] = useState(null);
  const [rows, setRows] = useState([]);
  const [log, setLog] = useState([]);
  const [problem, setProblem] = useState('');

  useEffect(() => connect((s) => {
    setSnap((prev) => withUtilityFlows(s, prev));
    setRows((r) => {
      const next = [...r, row(s, r[r.length - 1])];
      return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
    });
  }, setLive), []);

  const unitIds = snap ? snap.units.map((u) => u.id) : [];
  useEffect(() => {
    if (unitIds.length) loadHistory(unitIds).then((h) => setRows((r) => [...h.filter((x) => !r.length || x.t < r[0].t), ...r])).catch(() => {});
  }, [unitIds.join(',')]);
  const completed = snap ? snap.totals.deals_completed + snap.totals.deals_aborted + snap.totals.deals_scrammed : 0;
  useEffect(() => { get('/api/deals?state=history&limit=20').then((h) => setLog(h.deals)).catch(() => {}); }, [completed]);

  if (!snap) return <p class="connecting">Connecting to wattshare…</p>;
  const onError = (e) => setProblem(`${new Date().toLocaleTimeString()} ${e.message}`);
  const unit = snap.units.find((u) => u.id === selected);
  const t = snap.totals;
  return (
    <div class="app">
      <header>
        <h1>wattshare</h1>
        <span class={`live ${live ? 'on' : 'off'}`} data-testid="live">{live ? 'live' : 'reconnecting'}</span>
        <span data-testid="clock">{snap.time}</span>
        <span>self-sufficiency <b data-testid="ss">{(t.self_sufficiency * 100).toFixed(1)} %</b></span>
        <span>shared <b data-testid="shared">{(t.shared_wh / 1000).toFixed(2)} kWh</b></span>
        <span>import {(t.import_wh / 1000).toFixed(2)} kWh · export {(t.export_wh / 1000).toFixed(2)} kWh</span>
        {(t.heater_wh > 0 || t.ev_wh > 0) &&
          <span>curtailment avoided <b data-testid="curtailment-avoided">{(t.curtailment_avoided_wh / 1000).toFixed(2)} kWh</b> · curtailed {(t.curtailed_wh / 1000).toFixed(2)} kWh</span>}
      </header>
      <TokenBox />
      <main>
        <section class="picture"><Community snapshot={snap} selected={selected} onSelect={setSelected} /></section>
        <aside>
          <ModeControl mode={snap.mode.global} onError={onError} />
          <Acceleration value={snap.acceleration} onError={onError} />
          <UnitPanel u={unit} globalMode={snap.mode.global} onError={onError} />
        </aside>
      </main>
      <Charts rows={rows} unitIds={unitIds} offsetS={snap.utc_offset_s} />
      <div class="lists">
        <Deals deals={snap.deals} log={log} />
        <Errors units={snap.units} problem={problem} />
      </div>
    </div>
  );
}

render(<App />, document.getElementById('app'));
