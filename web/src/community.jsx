// The community as a picture: each unit a node (battery level, PV, load, the utility flow at
// its side: + import, − export; under it its water heater's tank and its car, if it has them),
// each deal an
// animated arrow from the discharging to the charging unit with its current and progress; the
// voltage reference and the grid master carry a badge; the bus voltage sits in the middle.

// The picture grows with the community so that nodes on the ring never overlap.
function frame(n) {
  const r = Math.max(160, (n * 118) / (2 * Math.PI));
  return { W: Math.max(720, 2 * r + 200), H: Math.max(460, 2 * r + 150), r };
}

function layout(units) {
  const { W, H, r } = frame(units.length);
  const pos = {};
  units.forEach((u, i) => {
    const a = (2 * Math.PI * i) / units.length - Math.PI / 2;
    pos[u.id] = { x: W / 2 + r * Math.cos(a), y: H / 2 + r * Math.sin(a) };
  });
  return pos;
}

// "♨ 52 °C 1.2 kW · EV 61 % 6 A": the tank's temperature and element, the car's charge and
// current ("away" while it is out).
export function loadsLine(u) {
  const parts = [];
  const kw = (w) => (w >= 50 ? ` ${(w / 1000).toFixed(1)} kW` : '');
  if (u.water_heater) parts.push(`♨ ${Math.round(u.water_heater.temperature_c)} °C${kw(u.water_heater.power_w)}`);
  if (u.ev) parts.push(u.ev.plugged ? `EV ${Math.round(u.ev.soc_pct)} %${u.ev.amps >= 1 ? ` ${Math.round(u.ev.amps)} A` : ''}` : 'EV away');
  return parts.join(' · ');
}

function Node({ u, p, selected, onSelect }) {
  const w = 92;
  const h = 64;
  const level = Math.max(0, Math.min(1, u.rsoc / 100));
  const flow = u.dcdc.meter.wg;
  return (
    <g class={`unit${selected ? ' selected' : ''}${u.online === false ? ' offline' : ''}`} transform={`translate(${p.x - w / 2},${p.y - h / 2})`}
       onClick={() => onSelect(u.id)} data-testid={`unit-${u.id}`} role="button" tabIndex="0">
      <rect class="frame" width={w} height={h} rx="8" />
      <rect class="level" x="2" y={2 + (h - 4) * (1 - level)} width={w - 4} height={(h - 4) * level} rx="6" />
      <text x={w / 2} y="18" class="id">{u.id}</text>
      <text x={w / 2} y="36" class="rsoc">{u.rsoc.toFixed(1)} %</text>
      <text x={w / 2} y="54" class="flows">☀ {Math.round(u.pv_w)} · ⌂ {Math.round(u.load_w)} W</text>
      <text x={w + 4} y={h / 2 + 4} class="utility" data-testid={`utility-${u.id}`}>
        ⚡ {Math.abs(u.utility_w || 0) < 1 ? '0' : `${u.utility_w > 0 ? '+' : '−'}${Math.abs(Math.round(u.utility_w))}`} W
      </text>
      {u.voltage_reference && <text x="-6" y="-4" class="badge vr" data-testid={`vr-${u.id}`}>♛ CV</text>}
      {u.grid_master && <text x={w - 18} y="-4" class="badge gm" data-testid={`gm-${u.id}`}>GM</text>}
      {u.online === false && <text x={w / 2} y="-4" class="badge offline" data-testid={`offline-${u.id}`}>offline</text>}
      {Math.abs(flow) > 1 && <text x={w / 2} y={h + 14} class="dcdc">{flow > 0 ? '⇣' : '⇡'} {Math.abs(Math.round(flow))} W</text>}
      {(u.water_heater || u.ev) && <text x={w / 2} y={h + 28} class="loads" data-testid={`loads-${u.id}`}>{loadsLine(u)}</text>}
    </g>
  );
}

// Deals between the same two units bend apart; every arrow bends around the bus in the middle.
function Arrow({ d, pos, lane }) {
  const a = pos[d.dischargeUnitId];
  const b = pos[d.chargeUnitId];
  if (!a || !b) return null;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const from = { x: a.x + ux * 52, y: a.y + uy * 40 };
  const to = { x: b.x - ux * 52, y: b.y - uy * 40 };
  const bend = (lane % 2 ? -1 : 1) * (70 + 40 * Math.floor(lane / 2));  // alternate sides
  const c = { x: (from.x + to.x) / 2 - uy * bend, y: (from.y + to.y) / 2 + ux * bend };
  const label = { x: (from.x + 2 * c.x + to.x) / 4, y: (from.y + 2 * c.y + to.y) / 4 };
  const progress = Math.round((d.progress || 0) * 100);
  const running = d.state === 'started';
  return (
    <g class={`deal${running ? ' running' : ''}`} data-testid="deal-arrow" data-deal={d.dealId} data-progress={progress}>
      <path d={`M ${from.x} ${from.y} Q ${c.x} ${c.y} ${to.x} ${to.y}`} marker-end="url(#head)" />
      <text x={label.x} y={label.y} class="deal-label">
        {d.dealGridCurrentA} A · {Math.round(d.cumulateAmountWh || 0)}/{d.dealAmountWh} Wh
      </text>
    </g>
  );
}

export function Community({ snapshot, selected, onSelect }) {
  const pos = layout(snapshot.units);
  const { W, H } = frame(snapshot.units.length);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} class="community" data-testid="community">
      <defs>
        <marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="head" />
        </marker>
      </defs>
      <circle cx={W / 2} cy={H / 2} r="46" class="bus" />
      <text x={W / 2} y={H / 2 - 4} class="bus-label">DC bus</text>
      <text x={W / 2} y={H / 2 + 16} class="bus-v" data-testid="bus-voltage">{snapshot.totals.bus_voltage_v.toFixed(1)} V</text>
      {snapshot.deals.map((d, i) => {
        const pair = [d.dischargeUnitId, d.chargeUnitId].sort().join();
        const lane = snapshot.deals.slice(0, i).filter((e) => [e.dischargeUnitId, e.chargeUnitId].sort().join() === pair).length;
        return <Arrow key={d.dealId} d={d} pos={pos} lane={lane} />;
      })}
      {snapshot.units.map((u) => <Node key={u.id} u={u} p={pos[u.id]} selected={selected === u.id} onSelect={onSelect} />)}
    </svg>
  );
}
