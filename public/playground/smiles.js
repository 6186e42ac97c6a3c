/* global document, fetch */
import uPlot from './vendor/uPlot.esm.js';
import { apiErrorOf } from './api.js';

/**
 * Smiles of a calibrated surface (/api/v1/surfaces): one chart per expiry with the kept market quotes as bid-ask
 * bars (mid marked) and the fitted curve. The curve is not recomputed here: the page asks the API to price a strip
 * of strikes with market_data.surface_id and plots the volatility_used it reports, so what is drawn is exactly what
 * pricing uses. Reading surfaces needs market-data:read, which the playground's own token does not carry: paste a
 * token that has it (the one `npm start` prints has every scope).
 */

const CURVE_POINTS = 61;

function token() {
  // The token field accepts a pasted "Bearer ..." too, as the pricing form does.
  return (document.getElementById('field-token')?.value ?? '').trim().replace(/^bearer\s+/i, '');
}

async function call(path, body) {
  const init = { headers: { authorization: `Bearer ${token()}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await apiErrorOf(response);
  return response.json();
}

function setStatus(message, isError = false) {
  const status = document.getElementById('smiles-status');
  status.textContent = message;
  status.classList.toggle('error', isError);
}

/** The x values of a chart: every quoted strike and the curve's strip, sorted, each once. */
function strikeAxis(quoted, strip) {
  return [...new Set([...quoted, ...strip])].sort((a, b) => a - b);
}

/** Draws a vertical bar from bid to ask at each quoted strike (uPlot has no error bars of its own). */
function bidAskBars(bars) {
  return (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#b45309';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const { strike, bid, ask } of bars) {
      const x = u.valToPos(strike, 'x', true);
      ctx.moveTo(x, u.valToPos(bid, 'y', true));
      ctx.lineTo(x, u.valToPos(ask, 'y', true));
    }
    ctx.stroke();
    ctx.restore();
  };
}

function smileFigure(grid, slice) {
  const figure = document.createElement('figure');
  figure.className = 'chart-figure smile-figure';
  figure.dataset.expiry = String(slice.expiry);
  const caption = document.createElement('figcaption');
  caption.textContent = `T = ${slice.expiry} y, F = ${slice.forward.toFixed(4)}: ${slice.model}, RMSE ${slice.rmse.toExponential(2)} (${slice.quote_count} quotes)`;
  const host = document.createElement('div');
  host.className = 'chart';
  host.setAttribute('role', 'img');
  host.setAttribute(
    'aria-label',
    `Implied volatility against strike at expiry ${slice.expiry}: market bid-ask bars and the fitted ${slice.model} curve`,
  );
  figure.append(caption, host);
  grid.append(figure);
  return host;
}

function drawSmile(host, slice, quotes, curve) {
  const quoted = quotes.map((q) => q.strike);
  const xs = strikeAxis(quoted, curve.strikes);
  const fitted = new Map(curve.strikes.map((k, i) => [k, curve.vols[i]]));
  const mids = new Map();
  for (const q of quotes) mids.set(q.strike, q.mid_iv);
  const data = [xs, xs.map((k) => fitted.get(k) ?? null), xs.map((k) => mids.get(k) ?? null)];
  const bars = quotes.map((q) => ({ strike: q.strike, bid: q.bid_iv, ask: q.ask_iv }));
  const lows = bars.map((b) => b.bid).concat(curve.vols);
  const highs = bars.map((b) => b.ask).concat(curve.vols);
  const pad = 0.1 * (Math.max(...highs) - Math.min(...lows) || 0.01);
  const options = {
    width: Math.max(320, host.clientWidth || 480),
    height: 260,
    scales: { x: { time: false }, y: { range: [Math.min(...lows) - pad, Math.max(...highs) + pad] } },
    axes: [{ label: 'strike' }, { label: 'implied volatility' }],
    series: [
      {},
      { label: `fitted (${slice.model})`, stroke: '#1d4ed8', width: 2, spanGaps: true, points: { show: false } },
      {
        label: 'market mid (bars: bid-ask)',
        stroke: '#b45309',
        width: 0,
        points: { show: true, size: 5, fill: '#b45309' },
        paths: () => null,
      },
    ],
    hooks: { draw: [bidAskBars(bars)] },
  };
  return new uPlot(options, data, host);
}

async function showSurface(id) {
  const grid = document.getElementById('smiles-charts');
  grid.replaceChildren();
  setStatus('Loading the surface…');
  const surface = await call(`/api/v1/surfaces/${encodeURIComponent(id)}`);
  for (const slice of surface.slices) {
    const quotes = surface.quotes.filter((q) => q.expiry === slice.expiry);
    const lo = Math.min(...quotes.map((q) => q.strike));
    const hi = Math.max(...quotes.map((q) => q.strike));
    const strikes = Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
    const priced = await call('/api/v1/pricing/batch', {
      contracts: strikes.map((strike_price) => ({
        symbol: 'SMILE',
        strike_price,
        time_to_expiry: slice.expiry,
        option_type: 'call',
      })),
      market_data: {
        spot_price: surface.spot,
        risk_free_rate: surface.risk_free_rate,
        dividend_yield: surface.dividend_yield,
        surface_id: id,
      },
      calculate_greeks: false,
    });
    drawSmile(smileFigure(grid, slice), slice, quotes, { strikes, vols: priced.results.map((r) => r.volatility_used) });
  }
  const removed = surface.quality.removed.length;
  setStatus(
    `Surface ${id.slice(0, 12)}…: ${surface.slices.length} expiries, ${surface.quality.quotes_kept} quotes kept, ${removed} removed, ${surface.violations.length} violations.`,
  );
  document.body.dataset.smiles = 'shown';
}

async function refreshList() {
  const select = document.getElementById('smiles-surface');
  setStatus('Listing surfaces…');
  const { surfaces } = await call('/api/v1/surfaces?limit=50');
  select.replaceChildren(
    ...surfaces.map((s) => {
      const option = document.createElement('option');
      option.value = s.surface_id;
      option.textContent = `${s.as_of} · ${s.expiries.length} expiries · ${s.surface_id.slice(0, 12)}…`;
      return option;
    }),
  );
  setStatus(
    surfaces.length === 0
      ? 'No surfaces stored yet: POST a quote board to /api/v1/surfaces (docs/api.md).'
      : `${surfaces.length} surfaces.`,
  );
  return surfaces.length;
}

function guarded(action) {
  return () =>
    action().catch((error) => {
      setStatus(
        error.status === 403 ? 'This token lacks market-data:read: paste one that has it above.' : error.message,
        true,
      );
    });
}

function start() {
  const list = document.getElementById('smiles-refresh');
  const show = document.getElementById('smiles-show');
  if (list === null || show === null) return;
  list.addEventListener('click', guarded(refreshList));
  show.addEventListener(
    'click',
    guarded(async () => {
      const id = document.getElementById('smiles-surface').value;
      if (id === '') return setStatus('List the surfaces and choose one first.', true);
      return showSurface(id);
    }),
  );
}

start();
