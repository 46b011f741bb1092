import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';

import { databaseConfig } from '../config/database.config';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { connectionsClosed, pgPoolOf } from './pg-pool';

/** How long the shutdown waits for the pool's connections to close before it stops PostgreSQL anyway. */
const POOL_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Resolves the connection URL: the configured DATABASE_URL, or else an embedded PostgreSQL this
 * process starts and, at shutdown, stops once TypeORM's pool is closed.
 */
@Injectable()
export class DatabaseUrlProvider implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedPostgres');
  private embedded?: RunningEmbeddedPostgres;

  public constructor(
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
    private readonly moduleRef: ModuleRef,
  ) {}

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
    if (!this.embedded) return;
    // TypeORM's module is global, so its own shutdown hook (which closes the pool) runs after this one:
    // close the pool first, or the server would end each open connection, and each would log an error.
    try {
      const dataSource = this.moduleRef.get(DataSource, { strict: false });
      if (dataSource.isInitialized) {
        const closed = connectionsClosed(pgPoolOf(dataSource), POOL_CLOSE_TIMEOUT_MS);
        await dataSource.destroy();
        await closed;
      }
    } finally {
      // Whatever became of the pool, the server this process started does not outlive it.
      await this.embedded.stop();
      this.embedded = undefined;
    }
  }
}
