// The controls and lists around the picture: global mode (Force Stop asks first), time
// acceleration, the selected unit with its manual converter control, deals, the deal log and
// the errors.
import { useState } from 'preact/hooks';
import { post } from './api.js';

const MODES = [
  ['autonomous', 'Run'],
  ['heteronomous', 'Soft Stop'],
  ['stop', 'Force Stop'],
  ['manual', 'Manual'],
];

export function ModeControl({ mode, onError }) {
  const [confirming, setConfirming] = useState(false);
  const set = (m) => post('/api/mode', { mode: m }).catch(onError);
  return (
    <div class="panel modes" data-testid="modes">
      <h2>Global mode</h2>
      <div class="buttons">
        {MODES.map(([m, label]) => (
          <button key={m} class={mode === m ? 'on' : ''} data-testid={`mode-${m}`}
                  onClick={() => (m === 'stop' ? setConfirming(true) : set(m))}>{label}</button>
        ))}
      </div>
      {confirming && (
        <div class="confirm" data-testid="confirm-stop">
          Force Stop scrams every running deal.
          <button class="danger" data-testid="confirm-stop-yes" onClick={() => { setConfirming(false); set('stop'); }}>Force Stop</button>
          <button onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
    </div>
  );
}

export function Acceleration({ value, onError }) {
  const [v, setV] = useState('');
  return (
    <div class="panel accel">
      <h2>Time</h2>
      <span data-testid="acceleration">{value}×</span>
      <input type="number" min="1" max="100000" placeholder="×" value={v} onInput={(e) => setV(e.target.value)} />
      <button onClick={() => post('/api/acceleration', { acceleration: Number(v) }).catch(onError)}>Set</button>
    </div>
  );
}

const fmt = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '–');

function ManualControl({ id, onError }) {
  const [mode, setMode] = useState('0x0014');
  const [dvg, setDvg] = useState('350');
  const [dig, setDig] = useState('2');
  const send = () => post(`/api/units/${id}/dcdc`, { mode, dvg: Number(dvg), dig: Number(dig) }).catch(onError);
  return (
    <div class="manual" data-testid="manual-control">
      <select value={mode} onChange={(e) => setMode(e.target.value)} data-testid="manual-mode">
        <option value="0x0000">Stopped (0x0000)</option>
        <option value="0x0014">Voltage control (0x0014)</option>
        <option value="0x0002">Current, discharge (0x0002)</option>
        <option value="0x0041">Current, charge (0x0041)</option>
      </select>
      <label>dvg <input value={dvg} onInput={(e) => setDvg(e.target.value)} size="5" /> V</label>
      <label>dig <input value={dig} onInput={(e) => setDig(e.target.value)} size="4" data-testid="manual-dig" /> A</label>
      <button onClick={send} data-testid="manual-send">Send</button>
    </div>
  );
}

export function UnitPanel({ u, globalMode, onError }) {
  if (!u) return <div class="panel unit"><h2>Unit</h2><p class="hint">Click a unit in the picture.</p></div>;
  const m = u.dcdc.meter;
  const setLocal = (value) => post(`/api/units/${u.id}/local-mode`, { mode: value || null }).catch(onError);
  return (
    <div class="panel unit" data-testid="unit-panel">
      <h2>{u.id} {u.online === false && <span class="badge offline">offline: its agent is not running</span>} {u.grid_master && <span class="badge gm">GM</span>} {u.voltage_reference && <span class="badge vr">♛ CV</span>}</h2>
      <table>
        <tbody>
          <tr><th>RSoC</th><td data-testid="panel-rsoc">{fmt(u.rsoc, 2)} %</td><th>Converter</th><td data-testid="panel-dcdc-mode">{u.dcdc.status.status} {u.dcdc.status.operationMode}</td></tr>
          <tr><th>Grid</th><td>{fmt(m.vg)} V · {fmt(m.ig, 3)} A · {fmt(m.wg, 0)} W</td><th>Battery</th><td>{fmt(m.vb, 2)} V · {fmt(m.ib, 2)} A · {fmt(m.wb, 0)} W</td></tr>
          <tr><th>PV</th><td>{fmt(u.pv_w, 0)} W</td><th>Load</th><td>{fmt(u.load_w, 0)} W</td></tr>
          <tr><th>Utility</th><td>{fmt(u.utility_w || 0, 0)} W</td><th>Imported</th><td>{fmt(u.import_wh / 1000, 2)} kWh</td></tr>
          {u.water_heater && <tr data-testid="panel-heater"><th>Water heater</th><td>{fmt(u.water_heater.temperature_c, 1)} °C</td><th>Element</th><td>{fmt(u.water_heater.power_w, 0)} W ({fmt(u.water_heater.surplus_w, 0)} W surplus)</td></tr>}
          {u.ev && <tr data-testid="panel-ev"><th>Car</th><td>{u.ev.plugged ? 'plugged in' : 'away'} · {fmt(u.ev.energy_kwh, 1)} kWh ({fmt(u.ev.soc_pct, 0)} %)</td><th>Charging</th><td>{fmt(u.ev.amps, 1)} A · {fmt(u.ev.power_w, 0)} W ({fmt(u.ev.surplus_w, 0)} W surplus)</td></tr>}
          <tr><th>Effective</th><td>{u.effective_mode}</td><th>Local</th><td>
            <select value={u.local_mode || ''} onChange={(e) => setLocal(e.target.value)}>
              <option value="">(global)</option>
              <option value="heteronomous">Soft Stop</option>
              <option value="stop">Force Stop</option>
            </select></td></tr>
          <tr><th>Deals</th><td colSpan="3">{u.deals.length ? u.deals.join(', ') : 'none'}</td></tr>
        </tbody>
      </table>
      {globalMode === 'manual'
        ? <ManualControl id={u.id} onError={onError} />
        : <p class="hint">Manual converter control needs the Manual global mode.</p>}
    </div>
  );
}

export function Deals({ deals, log }) {
  return (
    <div class="panel deals">
      <h2>Deals <span class="count" data-testid="deal-count">{deals.length}</span></h2>
      <table data-testid="deal-list">
        <thead><tr><th>from</th><th>to</th><th>A</th><th>progress</th><th>state</th></tr></thead>
        <tbody>
          {deals.map((d) => (
            <tr key={d.dealId}><td>{d.dischargeUnitId}</td><td>{d.chargeUnitId}</td><td>{d.dealGridCurrentA}</td>
              <td><progress max="1" value={d.progress} /> {Math.round((d.cumulateAmountWh || 0))}/{d.dealAmountWh} Wh</td><td>{d.state}</td></tr>
          ))}
        </tbody>
      </table>
      <h3>Deal log</h3>
      <ul class="log" data-testid="deal-log">
        {log.map((d) => (
          <li key={d.dealId}>{(d.deactivateDateTime || d.createDateTime || '').slice(11)} {d.dischargeUnitId} → {d.chargeUnitId} {Math.round(d.cumulateAmountWh || 0)} Wh{d.abort && d.abort.length ? ' (aborted)' : ''}</li>
        ))}
      </ul>
    </div>
  );
}

export function Errors({ units, problem }) {
  const list = units.flatMap((u) => u.errors.map((e) => `${u.id}: ${e}`));
  units.forEach((u) => {
    const st = u.dcdc.status;
    if (st.alarmState !== 'No alarm') list.push(`${u.id}: converter ${st.alarmState} (${st.alarm})`);
  });
  if (problem) list.unshift(problem);
  return (
    <div class="panel errors" data-testid="errors">
      <h2>Errors and alarms</h2>
      {list.length ? <ul>{list.slice(-20).map((e, i) => <li key={i}>{e}</li>)}</ul> : <p class="hint">None.</p>}
    </div>
  );
}
