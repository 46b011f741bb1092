import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { databaseConfig } from '../config/database.config';
import { DatabaseUrlProvider } from './database-url.provider';
import { runMigrationsExclusively } from './migration-runner';
import { typeormOptions } from './typeorm-options';

@Module({
  exports: [DatabaseUrlProvider],
  providers: [DatabaseUrlProvider],
})
class DatabaseUrlModule {}

/** PostgreSQL through TypeORM, with the schema migrated before the first request is served. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseUrlModule],
      inject: [databaseConfig.KEY, DatabaseUrlProvider],
      useFactory: async (config: ConfigType<typeof databaseConfig>, urls: DatabaseUrlProvider) =>
        typeormOptions(await urls.resolveUrl(), config.poolSize),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrationsExclusively(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
