import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { registrationConfig } from '../config/registration.config';
import { DEFAULT_API_TOKEN_ID } from './api-token-scopes';
import { ApiTokenExistsError, ApiTokensService } from './api-tokens.service';

/** The file, under DATA_DIR, where development keeps the default API token (beside `jwt-secret`). */
export const DEFAULT_API_TOKEN_FILE = 'api-token';

/**
 * Development only: the first start issues the default API token (`fungame_web_api`, scope `register`)
 * and keeps it in `<DATA_DIR>/api-token`, so the registration walk-through works out of the box.
 * Production never issues a token by itself: an operator runs `npm run api-tokens:create`.
 */
@Injectable()
export class DefaultApiTokenService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiTokens');

  public constructor(
    private readonly tokens: ApiTokensService,
    @Inject(registrationConfig.KEY) private readonly config: ConfigType<typeof registrationConfig>,
  ) {}

  public async onApplicationBootstrap(): Promise<void> {
    if (this.config.nodeEnv !== 'development') return;
    const path = join(this.config.dataDir, DEFAULT_API_TOKEN_FILE);
    if (await this.tokens.exists(DEFAULT_API_TOKEN_ID)) {
      if (existsSync(path)) this.logger.log(`The default API token ${DEFAULT_API_TOKEN_ID} is in ${path}`);
      else this.logger.warn(`The API token ${DEFAULT_API_TOKEN_ID} exists, but ${path} does not hold it`);
      return;
    }
    let token: string;
    try {
      token = await this.tokens.create(DEFAULT_API_TOKEN_ID, ['register']);
    } catch (error) {
      // Another instance on the same database issued it a moment ago.
      if (error instanceof ApiTokenExistsError) return;
      throw error;
    }
    mkdirSync(this.config.dataDir, { recursive: true });
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
    this.logger.log(`Created the default API token ${DEFAULT_API_TOKEN_ID} (scope register); it is in ${path}`);
  }
}
