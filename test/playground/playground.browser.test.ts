import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PLAYGROUND_CSP } from '../../src/http/routes/playground.js';
import { startServer } from '../http/support.js';
import type { TestServer } from '../http/support.js';
import { startDevIdentityServer } from './dev-identity-server.js';
import type { DevIdentityServer } from './dev-identity-server.js';

/**
 * The playground in a real browser: Debian's chromium driven by playwright-core, headless, with every request that
 * leaves OPE's origin blocked and recorded (the page must work with no other network). It prices the example
 * contract and checks the displayed numbers are the API's, switches to monte_carlo_20k with a seed and reads the
 * interval and the convergence chart, provokes a validation error and finds it beside its field, and saves the
 * screenshot the README shows (docs/img/playground.png, rewritten with UPDATE_SCREENSHOTS=1). A second server with OIDC checks the paste-a-token path.
 *
 * Skipped, loudly, only when /usr/bin/chromium is absent outside CI; in CI (.ci/run installs it) its absence fails.
 */

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/**
 * The README's screenshot is rewritten only on request (`UPDATE_SCREENSHOTS=1 npm test`); otherwise the page is shot
 * into a temporary directory, so that running the suite leaves the working tree as it was.
 */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/img/playground.png', import.meta.url))
    : join(mkdtempSync(join(tmpdir(), 'ope-playground-')), 'playground.png');
const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../examples/price_single.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const TIMEOUT = { timeout: 180_000 };

const present = existsSync(CHROMIUM);
const skip = !present && !process.env.CI;
if (skip) {
  process.stderr.write(
    `\n*** SKIPPED: the playground browser test needs ${CHROMIUM} (apt-get install chromium); CI installs it and fails without it. ***\n\n`,
  );
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The browser's document, as the functions below that run inside chromium (not in Node) use it. */
declare const document: {
  readonly body: { readonly dataset: Record<string, string | undefined> };
  readonly activeElement: { readonly id: string } | null;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (event: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
};
const sweeps = await import(new URL('../../public/playground/sweeps.js', import.meta.url).href);

interface Watch {
  /** Requests to any origin but OPE's (aborted). */
  readonly foreign: string[];
  /** Console errors and uncaught exceptions, CSP violations included; not the browser's note on each HTTP error answer. */
  readonly errors: string[];
  /** `status path` of every answer >= 400, to compare with the refusals a test provokes. */
  readonly refused: string[];
}

/** A fresh context whose requests to any other origin are aborted and recorded, and whose console errors are kept. */
async function watchedPage(
  browser: Browser,
  origin: string,
): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
  const context = await browser.newContext({
    viewport: { width: 1560, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-US',
  });
  const watch: Watch = { foreign: [], errors: [], refused: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    watch.foreign.push(url);
    return route.abort('blockedbyclient');
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (
      message.type() === 'error' &&
      !message.text().startsWith('Failed to load resource: the server responded with a status of')
    )
      watch.errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) watch.refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.on('pageerror', (error) => watch.errors.push(`page error: ${error.message}`));
  return { context, page, watch };
}

async function waitForState(page: Page, state: string): Promise<void> {
  await page.waitForFunction((wanted) => document.body.dataset.state === wanted, state, { timeout: 60_000 });
}

/** Does `action` (which submits the form) and waits until that pricing has ended in `state`. */
async function priceAndWait(
  page: Page,
  action: () => Promise<void>,
  state: 'done' | 'error' | 'partial',
): Promise<void> {
  const run = Number(await page.evaluate(() => document.body.dataset.run ?? '0'));
  await action();
  await page.waitForFunction(
    ([after, wanted]) => Number(document.body.dataset.run ?? '0') > after && document.body.dataset.state === wanted,
    [run, state] as const,
    { timeout: 60_000 },
  );
}

async function shown(page: Page, field: string): Promise<{ text: string; value: Json }> {
  const cell = page.locator(`td[data-field="${field}"]`);
  return {
    text: (await cell.textContent()) ?? '',
    value: JSON.parse((await cell.getAttribute('data-value')) ?? 'null'),
  };
}

async function points(page: Page, figure: string): Promise<number> {
  return Number(await page.locator(`#${figure}`).getAttribute('data-points'));
}

async function apiPrice(url: string, token: string, body: string): Promise<Json> {
  const response = await fetch(`${url}/api/v1/pricing/single`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as Json).results[0];
}

describe('the pricing playground in chromium', { skip: skip ? `${CHROMIUM} is absent` : false }, () => {
  let browser: Browser;
  before(async () => {
    assert.ok(present, `${CHROMIUM} is required in CI (.ci/run installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  });
  after(async () => browser?.close());

  describe('with the embedded development identity', () => {
    let server: DevIdentityServer;
    before(async () => {
      server = await startDevIdentityServer();
    });
    after(async () => server?.close());

    it(
      'prices the example contract with the handed-over token and shows the API’s numbers and every curve',
      TIMEOUT,
      async () => {
        const { context, page, watch } = await watchedPage(browser, server.url);
        try {
          const response = await page.goto(`${server.url}/`);
          assert.equal(response?.status(), 200);
          assert.equal(response?.headers()['content-security-policy'], PLAYGROUND_CSP);
          // With the development token the page prices the form's example on load.
          await page.waitForFunction(
            () => document.body.dataset.run === '1' && document.body.dataset.state === 'done',
            undefined,
            { timeout: 60_000 },
          );
          assert.match(
            (await page.locator('#hint-token').textContent()) ?? '',
            /development token from this server \(scope pricing:read/,
          );
          // The model list came from GET /api/v1/models with that token.
          assert.ok((await page.locator('#field-model option').count()) >= 7);

          // The form's defaults are the example contract; the fields are found by their labels.
          for (const [label, value] of [
            ['Symbol', 'ABC'],
            ['Strike', '100'],
            ['Time to expiry (years)', '0.5'],
            ['Quantity', '10'],
            ['Spot', '102'],
            ['Risk-free rate', '0.01'],
            ['Dividend yield', '0'],
            ['Volatility', '0.2'],
          ] as const) {
            assert.equal(await page.getByLabel(label, { exact: true }).inputValue(), value, label);
          }
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'done');

          const expected = await apiPrice(
            server.url,
            await server.identity.mintToken({ scopes: ['pricing:read'] }),
            JSON.stringify(EXAMPLE),
          );
          const price = await shown(page, 'theoretical_price');
          assert.equal(price.value, expected.theoretical_price);
          assert.equal(price.text, expected.theoretical_price.toFixed(6));
          for (const field of ['position_value', 'delta', 'gamma', 'theta', 'vega', 'rho', 'volatility_used']) {
            const cell = await shown(page, field);
            assert.equal(cell.value, expected[field], field);
            assert.equal(cell.text, expected[field].toFixed(6), field);
          }
          assert.equal(await page.locator('tr.monte-carlo').first().isVisible(), false);
          for (const figure of [
            'chart-price-spot',
            'chart-delta-spot',
            'chart-gamma-spot',
            'chart-theta-spot',
            'chart-vega-spot',
            'chart-rho-spot',
          ]) {
            assert.equal(await points(page, figure), 42, figure);
            assert.equal(await page.locator(`#${figure} canvas`).count(), 1, figure);
          }
          assert.equal(await points(page, 'chart-price-volatility'), sweeps.volatilityGrid(0.2).length);
          assert.equal(await points(page, 'chart-convergence'), 0);
          assert.equal(
            await page.locator('#chart-convergence .chart-status').textContent(),
            'Drawn for monte_carlo_20k.',
          );
          // The data table under a chart is reachable from the keyboard and lists the points.
          await page.locator('#chart-price-spot summary').focus();
          await page.keyboard.press('Enter');
          assert.equal(await page.locator('#chart-price-spot .chart-data tbody tr').count(), 42);

          // Monte Carlo with a seed, submitted with Enter from the seed field.
          await page.getByLabel('Model', { exact: true }).selectOption('monte_carlo_20k');
          await page.getByLabel('Seed', { exact: true }).fill('42');
          await priceAndWait(page, () => page.getByLabel('Seed', { exact: true }).press('Enter'), 'done');
          assert.equal((await shown(page, 'model_used')).value, 'monte_carlo_20k');
          const mc = await apiPrice(
            server.url,
            await server.identity.mintToken({ scopes: ['pricing:read'] }),
            JSON.stringify({ ...EXAMPLE, model: 'monte_carlo_20k', seed: 42 }),
          );
          const interval = await shown(page, 'confidence_interval');
          assert.deepEqual(interval.value, mc.confidence_interval);
          assert.equal(
            interval.text,
            `[${mc.confidence_interval[0].toFixed(6)}, ${mc.confidence_interval[1].toFixed(6)}]`,
          );
          assert.equal((await shown(page, 'standard_error')).value, mc.standard_error);
          assert.equal((await shown(page, 'theoretical_price')).value, mc.theoretical_price);
          assert.equal(await page.locator('tr.monte-carlo').first().isVisible(), true);
          assert.equal(await points(page, 'chart-convergence'), 20);
          assert.equal(await page.locator('#chart-convergence').getAttribute('data-seed'), '42');
          assert.match(
            (await page.locator('#chart-convergence .chart-status').textContent()) ?? '',
            /^20 of 20 seeded runs \(seed 42/,
          );

          mkdirSync(dirname(SCREENSHOT), { recursive: true });
          await page.locator('#chart-price-spot summary').click();
          await page.mouse.move(0, 0);
          await page.screenshot({ path: SCREENSHOT, fullPage: true, animations: 'disabled' });
          assert.ok(statSync(SCREENSHOT).size > 50_000);

          // A value the API refuses: its message appears beside the strike field, which gets the focus.
          await page.getByLabel('Strike', { exact: true }).fill('-5');
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'error');
          const strike = page.getByLabel('Strike', { exact: true });
          assert.equal(await page.locator('#error-strike_price').textContent(), 'Input should be greater than 0');
          assert.equal(await strike.getAttribute('aria-invalid'), 'true');
          assert.match((await strike.getAttribute('aria-describedby')) ?? '', /\berror-strike_price\b/);
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-strike_price');
          const [input, message] = [
            await strike.boundingBox(),
            await page.locator('#error-strike_price').boundingBox(),
          ];
          assert.ok(
            input &&
              message &&
              message.y >= input.y + input.height &&
              message.y - (input.y + input.height) < 24 &&
              Math.abs(message.x - input.x) < 4,
          );
          assert.equal(await page.locator('#results-table').isVisible(), false);
          assert.equal(await page.locator('[aria-invalid="true"]').count(), 1);

          // Corrected from the keyboard, the errors go and the result comes back.
          await strike.fill('100');
          await priceAndWait(page, () => strike.press('Enter'), 'done');
          assert.equal(await page.locator('#error-strike_price').textContent(), '');
          assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);

          assert.deepEqual(watch.foreign, []);
          assert.deepEqual(watch.errors, []);
          assert.deepEqual(watch.refused, ['422 /api/v1/pricing/single']);
        } finally {
          await context.close();
        }
      },
    );

    it(
      'shows the Price button without scrolling at 1366x900, offers only models that price the chosen exercise, and says when a chart failed',
      TIMEOUT,
      async () => {
        const { context, page, watch } = await watchedPage(browser, server.url);
        try {
          await page.setViewportSize({ width: 1366, height: 900 });
          await page.goto(`${server.url}/`);
          await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 60_000 });
          const button = await page.getByRole('button', { name: 'Price' }).boundingBox();
          assert.ok(
            button !== null && button.y >= 0 && button.y + button.height <= 900,
            `the button is at ${JSON.stringify(button)}`,
          );
          assert.equal(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY), 0);
          // Nothing covers it: a click at its centre lands on it.
          await priceAndWait(
            page,
            () => page.mouse.click(button.x + button.width / 2, button.y + button.height / 2),
            'done',
          );

          const model = page.getByLabel('Model', { exact: true });
          const disabled = async () => (await page.locator('#field-model option:disabled').allTextContents()).sort();
          assert.deepEqual(await disabled(), ['bjerksund_stensland', 'bjerksund_stensland_1993']);
          await model.selectOption('monte_carlo_20k');
          await page.getByLabel('Exercise', { exact: true }).selectOption('american');
          assert.deepEqual(await disabled(), ['black_scholes', 'monte_carlo_20k']);
          assert.equal(
            await model.inputValue(),
            'binomial_200',
            'the unsupported model was replaced by the first that prices American exercise',
          );
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'done');
          assert.match(
            (await page.locator('#chart-price-volatility .chart-status').textContent()) ?? '',
            /^Drawn for European exercise/,
          );
          await page.getByLabel('Exercise', { exact: true }).selectOption('european');

          // A chart whose request fails: the page says the pricing was partial, not "curves drawn".
          await page.route('**/api/v1/pricing/batch', (route) =>
            route.fulfill({
              status: 503,
              headers: { 'retry-after': '1', 'content-type': 'application/json' },
              body: '{"detail":"Service overloaded","request_id":"x"}',
            }),
          );
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'partial');
          assert.match(
            (await page.locator('#status').textContent()) ?? '',
            /^Priced with binomial_200, but not every curve could be drawn: the spot sweep failed: Service overloaded/,
          );
          assert.deepEqual(watch.foreign, []);
          assert.deepEqual(watch.errors, []);
        } finally {
          await context.close();
        }
      },
    );

    it('reaches every field and the Price button with Tab alone', TIMEOUT, async () => {
      const { context, page, watch } = await watchedPage(browser, server.url);
      try {
        await page.goto(`${server.url}/`);
        await waitForState(page, 'done');
        const seen: string[] = [];
        for (let i = 0; i < 20 && !seen.includes('price-button'); i += 1) {
          await page.keyboard.press('Tab');
          seen.push((await page.evaluate(() => document.activeElement?.id)) ?? '');
        }
        const fields = [
          'field-token',
          'field-symbol',
          'field-option_type',
          'field-exercise_style',
          'field-strike_price',
          'field-time_to_expiry',
          'field-quantity',
          'field-spot_price',
          'field-risk_free_rate',
          'field-dividend_yield',
          'field-volatility',
          'field-model',
          'field-seed',
          'price-button',
        ];
        assert.deepEqual(
          seen.filter((id) => fields.includes(id)),
          fields,
        );
        assert.deepEqual(watch.errors, []);
      } finally {
        await context.close();
      }
    });
  });

  describe('with the development identity and the default rate limit (60 a minute)', () => {
    let server: DevIdentityServer;
    before(async () => {
      server = await startDevIdentityServer({ RATE_LIMIT_DEFAULT: '60/minute' });
    });
    after(async () => server?.close());

    it(
      'sends one request per chart, not one per point, so fifteen presses in a minute are all answered',
      TIMEOUT,
      async () => {
        const { context, page, watch } = await watchedPage(browser, server.url);
        const perPress: number[] = [];
        let count = 0;
        page.on('request', (request) => {
          if (new URL(request.url()).pathname.startsWith('/api/v1/pricing/')) count += 1;
        });
        try {
          await page.goto(`${server.url}/`);
          await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 60_000 });
          for (let press = 0; press < 15; press += 1) {
            count = 0;
            await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'done');
            perPress.push(count);
          }
          // The price, the spot sweep and the volatility sweep (black_scholes: no Monte Carlo chart).
          assert.deepEqual(new Set(perPress), new Set([3]));
          assert.deepEqual(watch.refused, []);
          assert.deepEqual(watch.errors, []);
        } finally {
          await context.close();
        }
      },
    );
  });

  describe('with OIDC (no development identity): the user pastes a token', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer();
    });
    after(async () => server?.close());

    it(
      'asks for a token, shows a missing or under-scoped one beside the token field, and prices with a pasted one',
      TIMEOUT,
      async () => {
        const { context, page, watch } = await watchedPage(browser, server.url);
        try {
          await page.goto(`${server.url}/`);
          await waitForState(page, 'ready');
          assert.match(
            (await page.locator('#hint-token').textContent()) ?? '',
            /^Paste a bearer token with the pricing:read scope/,
          );

          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'error');
          assert.equal(await page.locator('#error-token').textContent(), 'Required');
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-token');

          await page.getByLabel('Bearer token').fill(await server.token(['risk:read']));
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'error');
          assert.match(
            (await page.locator('#error-token').textContent()) ?? '',
            /^Permission 'pricing:read' required \(request [\w-]+\)$/,
          );

          const token = await server.token(['pricing:read']);
          await page.getByLabel('Bearer token').fill(`Bearer ${token}`);
          await priceAndWait(page, () => page.getByRole('button', { name: 'Price' }).click(), 'done');
          const expected = await apiPrice(server.url, token, JSON.stringify(EXAMPLE));
          assert.equal((await shown(page, 'theoretical_price')).value, expected.theoretical_price);
          assert.equal(await page.locator('#error-token').textContent(), '');
          assert.equal(await points(page, 'chart-price-spot'), 42);

          assert.deepEqual(watch.foreign, []);
          assert.deepEqual(watch.errors, []);
          // No token route without the development identity; then the under-scoped token (the missing one never left the page).
          assert.deepEqual(watch.refused, ['404 /playground/token', '403 /api/v1/pricing/single']);
        } finally {
          await context.close();
        }
      },
    );
  });
});
