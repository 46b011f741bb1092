import { BrowserContext, chromium, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { LoggedIn, registerAndLogin } from '../support/accounts';
import { UUID } from '../support/contract-strings';
import { bearer, http } from '../support/http';
import { CHROMIUM, CHROMIUM_PATH, requires } from '../support/requires';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Swagger UI at /docs, driven in a real headless Chromium: the page must render under the service's
 * Content-Security-Policy, list the routes, and send a bearer token authorized in the UI.
 *
 * The browser is Debian's `chromium` package (Playwright's own download cannot be used here). Without
 * it the suite is skipped, so that `npm test` passes on a machine with only Node.js; `.ci/run` installs
 * it and sets REQUIRE_BROWSER=1, under which a missing browser fails the suite instead.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(__dirname, 'artifacts', 'swagger-me.png');
// Jest ignores a project's `testTimeout` and would allow 5 s: the start of the app and the browser, and
// the walk through the UI, take a few seconds each. Each step fails well inside that, with its own message.
const TEST_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;

requires(CHROMIUM).describe('Swagger UI at /docs in headless Chromium', () => {
  let server: TestApp;
  let account: LoggedIn;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  // Everything the page reported as an error: a CSP violation shows up here first.
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestApp();
    account = await registerAndLogin(server.url);
    userDataDir = mkdtempSync(join(tmpdir(), 'fungame-swagger-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.close();
  }, TEST_TIMEOUT_MS);

  it(
    'lists the routes, authorizes with a real bearer token and shows 200 with the profile for GET /user/me',
    async () => {
      const response = await page.goto(`${server.url}/docs`);
      expect(response?.status()).toBe(200);
      await page
        .locator('.opblock')
        .first()
        .waitFor()
        .catch((error: Error) => {
          // A blank page usually means the Content-Security-Policy blocked Swagger UI's scripts.
          throw new Error(`Swagger UI did not render; the page reported: ${pageErrors.join('\n') || 'nothing'}`, {
            cause: error,
          });
        });

      // Swagger UI breaks long paths with zero-width spaces before each slash.
      const methods = await page.locator('.opblock .opblock-summary-method').allInnerTexts();
      const paths = await page.locator('.opblock .opblock-summary-path').allInnerTexts();
      const operations = methods.map((method, i) => `${method} ${paths[i].replace(/\u200b/g, '')}`);
      expect(operations).toEqual(
        expect.arrayContaining([
          'POST /user/register',
          'POST /user/login',
          'POST /user/refresh',
          'POST /user/logout',
          'GET /user/me',
          'GET /health',
        ]),
      );

      await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
      const dialog = page.locator('.modal-ux');
      // Two entries: the player's JWT (`bearer`) and register.md's API token (`APIBearer`).
      const playerScheme = dialog.locator('form').filter({ hasText: 'bearer (http, Bearer)', hasNotText: 'APIBearer' });
      await playerScheme.getByLabel('auth-bearer-value').fill(account.bearerToken);
      await playerScheme.getByRole('button', { name: 'Apply credentials' }).click();
      await dialog.getByRole('button', { name: 'Close' }).first().click();
      await dialog.waitFor({ state: 'detached' });

      const me = page.locator('.opblock-get', { has: page.locator('[data-path="/user/me"]') });
      await me.locator('.opblock-summary').first().click();
      await me.getByRole('button', { name: 'Try it out' }).click();
      await me.getByRole('button', { name: 'Execute' }).click();

      const live = me.locator('.live-responses-table .response');
      await live.waitFor();
      // Before the assertions, so that a failure leaves the screenshot of what the UI showed.
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await me.screenshot({ path: SCREENSHOT });
      expect((await live.locator('.response-col_status').innerText()).trim()).toBe('200');
      const shownBody = await live.locator('.response-col_description .microlight').first().innerText();
      const direct = await http(server.url, 'GET', '/user/me', { headers: bearer(account.bearerToken) });
      expect(JSON.parse(shownBody)).toEqual(direct.json);
      expect(direct.json).toEqual({
        Id: expect.stringMatching(UUID),
        Username: account.username,
        Email: null,
        RegisteredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      // The token reached the server through the UI's authorization, not some other way.
      await expect(me.locator('.curl-command').innerText()).resolves.toContain(
        `Authorization: Bearer ${account.bearerToken}`,
      );

      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
