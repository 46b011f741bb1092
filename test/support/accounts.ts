import { randomBytes } from 'node:crypto';

import { ApiClient } from './api-client';

export const PASSWORD = 'Passw0rd!';

/** A username no other test uses. */
export function uniqueUsername(prefix = 'player'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Registers at once, as the test app does by default (REGISTRATION_EMAIL_VERIFICATION and
 * REGISTRATION_REQUIRES_API_TOKEN off); the registration tests themselves go through the mailed code.
 */
export async function register(baseUrl: string, username = uniqueUsername(), password = PASSWORD): Promise<string> {
  const response = await new ApiClient(baseUrl).register({ Username: username, Password: password });
  if (response.status !== 200 || (response.json as { Data?: { success?: unknown } }).Data?.success !== true) {
    throw new Error(`register failed: ${response.status} ${response.text}`);
  }
  return username;
}

export interface LoggedIn {
  username: string;
  bearerToken: string;
  openToken: string;
}

export async function registerAndLogin(baseUrl: string, username = uniqueUsername()): Promise<LoggedIn> {
  await register(baseUrl, username);
  return login(baseUrl, username);
}

export async function login(baseUrl: string, username: string, password = PASSWORD): Promise<LoggedIn> {
  const response = await new ApiClient(baseUrl).login(username, password);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  const { Data } = response.json as { Data: { bearerToken: string; openToken: string } };
  return { username, ...Data };
}

/** The claims of a JWT, without verifying it (the server does that). */
export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
