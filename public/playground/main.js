/* global document, Node, crypto, AbortController, FormData, Option */
import { ApiError, createApiClient, fetchDevelopmentToken } from './api.js';
import { clearChart, renderChart, setChartStatus } from './charts.js';
import { formatCount, formatInterval, formatNumber } from './format.js';
import { CONTRACT_FIELDS, MARKET_FIELDS, pricingRequest, requestJson } from './request-body.js';
import {
  CONVERGENCE_RUNS,
  GREEKS,
  PATHS_PER_RUN,
  convergenceCurve,
  convergenceRequest,
  spotGrid,
  spotSweepCurves,
  spotSweepRequest,
  volatilityGrid,
  volatilitySweepCurve,
  volatilitySweepPoints,
  volatilitySweepRequest,
} from './sweeps.js';

/**
 * The playground page: reads the form, prices through /api/v1, shows the API's answer (or its errors beside the
 * fields they name) and draws the curves. `document.body.dataset.state` says where it is (ready, pricing, drawing,
 * done, partial: priced but some chart failed, error) and `dataset.run` counts the pricings started, for people and
 * for the browser test alike. Each chart costs one request per press, whatever its number of points (sweeps.js).
 * A new chart is one `draw...` function below that returns null when drawn, or why it was not, plus its <figure>.
 */

const $ = (id) => document.getElementById(id);
const form = $('pricing-form');
const tokenInput = $('field-token');
const FIELDS = ['token', ...CONTRACT_FIELDS, ...MARKET_FIELDS, 'model', 'seed'];
const COLOURS = {
  price: '#1f5fbf',
  delta: '#b3471d',
  gamma: '#7a3fb0',
  theta: '#b0312f',
  vega: '#1d7f5f',
  rho: '#8a6d00',
  marker: '#111',
  band: 'rgba(31, 95, 191, 0.16)',
};

function setState(state, message) {
  document.body.dataset.state = state;
  if (message !== undefined) $('status').textContent = message;
}

// ---- the bearer token: the development hand-off, or what the user pasted ---------------------------------------

let development = null;

function pastedToken() {
  return tokenInput.value.trim().replace(/^Bearer\s+/i, '');
}

async function renewDevelopmentToken() {
  if (pastedToken() !== '') return false;
  development = await fetchDevelopmentToken();
  return development !== null;
}

const api = createApiClient({
  async current() {
    const pasted = pastedToken();
    if (pasted !== '') return pasted;
    // Renewed a minute before it expires, so a long session never sends an expired token.
    if (development !== null && development.expiresAt - Date.now() < 60_000) await renewDevelopmentToken();
    return development?.token ?? null;
  },
  renew: renewDevelopmentToken,
});

// ---- errors beside their fields ------------------------------------------------------------------------------------

function clearErrors() {
  for (const name of FIELDS) {
    $(`error-${name}`).textContent = '';
    $(`field-${name}`).removeAttribute('aria-invalid');
  }
  $('form-error').textContent = '';
}

function showError(error) {
  const apiError = error instanceof ApiError ? error : new ApiError(0, String(error?.message ?? error));
  let first = null;
  const unplaced = [];
  for (const [name, message] of apiError.fields) {
    if (!FIELDS.includes(name)) {
      unplaced.push(`${name}: ${message}`);
      continue;
    }
    $(`error-${name}`).textContent = message;
    const input = $(`field-${name}`);
    input.setAttribute('aria-invalid', 'true');
    if (first === null || first.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_PRECEDING) first = input;
  }
  $('form-error').textContent = unplaced.length > 0 ? `${apiError.message} ${unplaced.join('; ')}` : apiError.message;
  first?.focus();
}

// ---- the result table ----------------------------------------------------------------------------------------------

function showResult(result) {
  const table = $('results-table');
  for (const cell of table.querySelectorAll('td[data-field]')) {
    const field = cell.dataset.field;
    const value = result[field];
    cell.dataset.value = JSON.stringify(value);
    if (field === 'confidence_interval') cell.textContent = formatInterval(value);
    else if (field === 'model_used') cell.textContent = value;
    else if (field === 'computation_time_ms') cell.textContent = formatNumber(value, 3);
    else cell.textContent = formatNumber(value);
  }
  const monteCarlo = result.standard_error !== null;
  for (const row of table.querySelectorAll('tr.monte-carlo')) row.hidden = !monteCarlo;
  $('results-caption').textContent =
    `${result.contract_id}, quantity ${result.quantity}${result.cached ? ' (from the result cache)' : ''}`;
  table.hidden = false;
  $('results-empty').hidden = true;
}

function hideResult() {
  $('results-table').hidden = true;
  $('results-empty').hidden = false;
}

// ---- the curves ----------------------------------------------------------------------------------------------------

const figures = {
  price: $('chart-price-spot'),
  delta: $('chart-delta-spot'),
  gamma: $('chart-gamma-spot'),
  theta: $('chart-theta-spot'),
  vega: $('chart-vega-spot'),
  rho: $('chart-rho-spot'),
  volatility: $('chart-price-volatility'),
  convergence: $('chart-convergence'),
};
const SPOT_LABELS = {
  price: 'price',
  delta: 'delta',
  gamma: 'gamma',
  theta: 'theta / day',
  vega: 'vega / vol point',
  rho: 'rho / rate point',
};

function messageOf(error) {
  return error instanceof ApiError ? error.message : String(error?.message ?? error);
}

function withMarker(x, values, at) {
  return x.map((v, i) => (v === at ? values[i] : null));
}

async function drawSpotCharts(request, seedText, signal) {
  const spot = request.market_data.spot_price;
  const contract = request.contracts[0];
  const grid = spotGrid({
    spot,
    strike: contract.strike_price,
    volatility: request.market_data.volatility,
    expiry: contract.time_to_expiry,
  });
  const spotFigures = ['price', ...GREEKS].map((name) => figures[name]);
  for (const figure of spotFigures) setChartStatus(figure, 'Pricing the sweep…');
  let response;
  try {
    response = await api.post('/api/v1/pricing/batch', requestJson(spotSweepRequest(request, grid), seedText), signal);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    for (const figure of spotFigures) clearChart(figure, `The sweep failed: ${messageOf(error)}`);
    return `the spot sweep failed: ${messageOf(error)}`;
  }
  const curves = spotSweepCurves(response, grid, spot);
  const failed = curves.price.filter((v) => v === null).length;
  for (const name of ['price', ...GREEKS]) {
    renderChart(figures[name], {
      xLabel: 'spot',
      yLabel: SPOT_LABELS[name],
      x: grid,
      series: [
        { label: `${SPOT_LABELS[name]} (one option)`, values: curves[name], stroke: COLOURS[name] },
        {
          label: 'at the form’s spot',
          values: withMarker(grid, curves[name], spot),
          stroke: COLOURS.marker,
          marker: true,
          table: false,
        },
      ],
    });
    setChartStatus(
      figures[name],
      failed > 0 ? `${failed} of ${grid.length} points could not be priced.` : '',
      failed > 0,
    );
  }
  return failed > 0 ? `${failed} of ${grid.length} spot points could not be priced` : null;
}

async function drawVolatilityChart(request, seedText, signal) {
  const figure = figures.volatility;
  if (request.contracts[0].exercise_style === 'american') {
    clearChart(figure, 'Drawn for European exercise: an American price cannot be swept in volatility by one request.');
    return null;
  }
  const volatility = request.market_data.volatility;
  const points = volatilitySweepPoints(request, volatilityGrid(volatility));
  const grid = points.map((p) => p.volatility);
  setChartStatus(figure, 'Pricing the sweep…');
  let prices;
  try {
    prices = volatilitySweepCurve(
      await api.post('/api/v1/pricing/batch', requestJson(volatilitySweepRequest(request, points), seedText), signal),
      points,
    );
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    clearChart(figure, `The sweep failed: ${messageOf(error)}`);
    return `the volatility sweep failed: ${messageOf(error)}`;
  }
  renderChart(figure, {
    xLabel: 'volatility',
    yLabel: 'price',
    x: grid,
    series: [
      { label: 'price (one option)', values: prices, stroke: COLOURS.price },
      {
        label: 'at the priced volatility',
        values: withMarker(grid, prices, volatility),
        stroke: COLOURS.marker,
        marker: true,
        table: false,
      },
    ],
  });
  const failed = prices.filter((v) => v === null).length;
  setChartStatus(figure, failed > 0 ? `${failed} of ${grid.length} points could not be priced.` : '', failed > 0);
  return failed > 0 ? `${failed} of ${grid.length} volatility points could not be priced` : null;
}

function randomSeed() {
  return String(crypto.getRandomValues(new Uint32Array(1))[0]);
}

async function drawConvergenceChart(request, seedText, signal) {
  const figure = figures.convergence;
  if (request.model !== 'monte_carlo_20k') {
    clearChart(figure, 'Drawn for monte_carlo_20k.');
    return null;
  }
  // The runs are seeded even when the form has no seed, so the chart can be reproduced: the seed is shown.
  const seed = seedText.trim() === '' ? randomSeed() : seedText.trim();
  setChartStatus(figure, 'Running…');
  const european = request.contracts[0].exercise_style !== 'american';
  let response;
  let reference = null;
  try {
    [response, reference] = await Promise.all([
      api.post('/api/v1/pricing/batch', requestJson(convergenceRequest(request), seed), signal),
      european
        ? api.post(
            '/api/v1/pricing/single',
            requestJson({ ...request, model: 'black_scholes', calculate_greeks: false }),
            signal,
          )
        : Promise.resolve(null),
    ]);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    clearChart(figure, `The runs failed: ${messageOf(error)}`);
    return `the Monte Carlo runs failed: ${messageOf(error)}`;
  }
  const curve = convergenceCurve(response);
  const series = [
    { label: 'combined estimate', values: curve.estimate, stroke: COLOURS.price },
    { label: '95% low', values: curve.low, stroke: 'rgba(31, 95, 191, 0.5)' },
    { label: '95% high', values: curve.high, stroke: 'rgba(31, 95, 191, 0.5)' },
  ];
  if (reference !== null) {
    const exact = reference.results[0].theoretical_price;
    series.push({ label: 'black_scholes', values: curve.paths.map(() => exact), stroke: COLOURS.marker, dash: [6, 4] });
  }
  renderChart(figure, {
    xLabel: `paths (runs of ${formatCount(PATHS_PER_RUN)})`,
    yLabel: 'price',
    x: curve.paths,
    series,
    band: { upper: 2, lower: 1, fill: COLOURS.band },
    xDigits: 0,
  });
  figure.dataset.seed = seed;
  const runs = curve.paths.length;
  setChartStatus(
    figure,
    `${runs} of ${CONVERGENCE_RUNS} seeded runs (seed ${seed}, child streams 0 to ${runs - 1}); after k runs the estimate is their mean and the ` +
      'interval ±1.96 √(Σ se²) / k.' +
      (reference !== null ? ' Dashed: the Black-Scholes value.' : ''),
    runs < CONVERGENCE_RUNS,
  );
  return runs < CONVERGENCE_RUNS ? `${CONVERGENCE_RUNS - runs} of ${CONVERGENCE_RUNS} Monte Carlo runs failed` : null;
}

// ---- the form ------------------------------------------------------------------------------------------------------

let inFlight = null;

async function price() {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const { signal } = controller;
  document.body.dataset.run = String(Number(document.body.dataset.run ?? '0') + 1);
  clearErrors();
  setState('pricing', 'Pricing…');
  const values = Object.fromEntries(new FormData(form));
  const request = pricingRequest(values);
  const seedText = String(values.seed ?? '');
  let result;
  try {
    const response = await api.post('/api/v1/pricing/single', requestJson(request, seedText), signal);
    result = response.results[0];
  } catch (error) {
    if (error?.name === 'AbortError') return;
    hideResult();
    for (const figure of Object.values(figures)) clearChart(figure, 'Not drawn: the contract was not priced.');
    showError(error);
    setState('error', 'Not priced: see the messages above.');
    return;
  }
  showResult(result);
  setState('drawing', `Priced with ${result.model_used}. Drawing the curves…`);
  // Every curve uses the volatility the price used (the form's, or the surface's estimate), held fixed.
  const priced = { ...request, market_data: { ...request.market_data, volatility: result.volatility_used } };
  $('curves-note').textContent =
    `Volatility held at ${formatNumber(result.volatility_used, 4)} in the spot charts (sticky strike). ` +
    (request.model === 'monte_carlo_20k'
      ? 'Monte Carlo: each spot is an independent run of 20,000 paths, so greeks are noisy.'
      : '');
  let failures;
  try {
    failures = (
      await Promise.all([
        drawSpotCharts(priced, seedText, signal),
        drawVolatilityChart(priced, seedText, signal),
        drawConvergenceChart(priced, seedText, signal),
      ])
    ).filter((failure) => failure !== null);
  } catch (error) {
    if (error?.name === 'AbortError') return;
    // The API errors are shown per chart; anything else is a fault of the page, said here rather than lost.
    $('form-error').textContent = `The curves could not be drawn: ${messageOf(error)}`;
    setState('error', 'Priced, but the curves failed.');
    return;
  }
  if (inFlight !== controller) return;
  await loadModels();
  if (failures.length > 0) {
    // Priced, but not every curve is there: say which, rather than "drawn".
    setState(
      'partial',
      `Priced with ${result.model_used}, but not every curve could be drawn: ${failures.join('; ')}.`,
    );
    return;
  }
  setState('done', `Priced with ${result.model_used}; curves drawn.`);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void price();
});

// ---- start-up: a token, then the model list -------------------------------------------------------------------------

const modelDescriptions = new Map();
/** Exercise styles each model prices: the page's built-in three until GET /api/v1/models answers. */
const modelExercises = new Map([
  ['black_scholes', ['european']],
  ['binomial_200', ['european', 'american']],
  ['monte_carlo_20k', ['european']],
]);

function describeModel() {
  $('hint-model').textContent = modelDescriptions.get($('field-model').value) ?? '';
}

/**
 * A model that does not price the chosen exercise style cannot be chosen (its option is disabled); changing the
 * exercise style away from what the selected model prices moves the selection to the first model that does.
 */
function enforceSupportedPairs() {
  const select = $('field-model');
  const exercise = $('field-exercise_style').value;
  for (const option of select.options) {
    const styles = modelExercises.get(option.value);
    option.disabled = styles !== undefined && !styles.includes(exercise);
  }
  if (select.selectedOptions[0]?.disabled) {
    const first = [...select.options].find((option) => !option.disabled);
    if (first !== undefined) select.value = first.value;
    describeModel();
  }
}

$('field-exercise_style').addEventListener('change', enforceSupportedPairs);

let modelsLoaded = false;

/**
 * The model list from the API (GET /api/v1/models), replacing the page's built-in three; kept when it fails. Loaded
 * at start-up with a development token, else after the first pricing with a pasted one (never while the user is
 * typing or clicking: the descriptions change the layout).
 */
async function loadModels() {
  if (modelsLoaded) return;
  const select = $('field-model');
  let body;
  try {
    body = await api.get('/api/v1/models');
  } catch {
    return;
  }
  modelsLoaded = true;
  const selected = select.value;
  modelDescriptions.clear();
  modelExercises.clear();
  for (const model of body.models) {
    modelDescriptions.set(model.name, `${model.description} Exercise: ${model.exercise_styles.join(', ')}.`);
    modelExercises.set(model.name, model.exercise_styles);
  }
  select.replaceChildren(
    ...body.models.map((model) => new Option(model.name, model.name, false, model.name === selected)),
  );
  describeModel();
  enforceSupportedPairs();
}

$('field-model').addEventListener('change', describeModel);

async function start() {
  development = await fetchDevelopmentToken();
  $('hint-token').textContent =
    development !== null
      ? `Using a development token from this server (scope ${development.scope}, renewed automatically). Paste another token to use it instead.`
      : 'Paste a bearer token with the pricing:read scope (from your identity provider, or npm run token with DEV_JWT_SECRET).';
  tokenInput.placeholder = development !== null ? 'development token in use' : 'paste a token';
  enforceSupportedPairs();
  if (development !== null) await loadModels();
  setState('ready', '');
  // With a token at hand, the page shows a priced example at once rather than an empty result.
  if (development !== null) await price();
}

void start();
