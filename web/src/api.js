// The dashboard's link to `wattshare demo`: REST calls (writes carry the bearer token) and the
// WebSocket that pushes a full snapshot at every update, reconnecting by itself.

const TOKEN_KEY = 'wattshare.token';

// The demo prints http://host:port/#token=…; the token is kept for later visits.
export function token() {
  const m = location.hash.match(/token=([0-9a-zA-Z]+)/);
  if (m) {
    localStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', location.pathname);
  }
  return localStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  localStorage.setItem(TOKEN_KEY, t.trim());
}

export async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error((await r.json()).error || r.statusText);
  return r.json();
}

export async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
    body: JSON.stringify(body),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// Calls onUpdate(snapshot) for every push; onState(true|false) as the link comes and goes.
export function connect(onUpdate, onState) {
  let ws;
  let closed = false;
  const open = () => {
    // The server wants the token on its WebSocket (a browser's WebSocket cannot send headers).
    const t = token();
    const query = t ? `?token=${encodeURIComponent(t)}` : '';
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query}`);
    ws.onopen = () => onState(true);
    ws.onmessage = (e) => onUpdate(JSON.parse(e.data));
    ws.onclose = () => {
      onState(false);
      if (!closed) setTimeout(open, 1000);
    };
  };
  open();
  return () => {
    closed = true;
    ws.close();
  };
}
