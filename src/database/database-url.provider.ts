import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';

import { databaseConfig } from '../config/database.config';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/**
 * Resolves the connection URL: the configured DATABASE_URL, or else an embedded PostgreSQL this
 * process starts and, at shutdown (after TypeORM has closed its pool), stops.
 */
@Injectable()
export class DatabaseUrlProvider implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedPostgres');
  private embedded?: RunningEmbeddedPostgres;

  public constructor(@Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>) {}

  public async resolveUrl(): Promise<string> {
    if (this.config.url) return this.config.url;
    this.embedded ??= await startEmbeddedPostgres({
      dataDir: this.config.dataDir,
      port: this.config.embeddedPort,
      persistent: true,
      log: (message) => this.logger.log(message),
      logError: (message) => this.logger.error(message),
    });
    return this.embedded.url;
  }

  public async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
