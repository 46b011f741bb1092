import type { ConfigType } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';

import { AppModule } from '../../src/app.module';
import { APPLICATION_OPTIONS, configureApp, createFastifyAdapter } from '../../src/app.setup';
import { authConfig } from '../../src/config/auth.config';
import { bruteForceConfig } from '../../src/config/brute-force.config';
import { registrationConfig } from '../../src/config/registration.config';
import { ApiClient } from './api-client';

export type AuthSettings = ConfigType<typeof authConfig>;
export type BruteForceSettings = ConfigType<typeof bruteForceConfig>;
export type RegistrationSettings = ConfigType<typeof registrationConfig>;

export interface TestApp {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` of the listening server. */
  url: string;
  dataSource: DataSource;
  /** The routes, as a game client calls them, on this app. */
  api: ApiClient;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Settings of the `auth` namespace over those of the environment. */
  auth?: Partial<AuthSettings>;
  bruteForce?: Partial<BruteForceSettings>;
  registration?: Partial<RegistrationSettings>;
  /**
   * Environment variables set while the app is built (its config namespaces are built from the
   * environment then; an empty string sets a variable to empty), restored at once, so other apps of
   * the file get the defaults. `DATABASE_URL` points the app at a database other than the worker's.
   */
  env?: Record<string, string>;
}

/**
 * Boots the real AppModule with the same adapter, pipes, filter and Swagger as `main.ts`, listening on
 * a real port of loopback, against the worker's PostgreSQL database (or the one `env` names).
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const environment = options.env ?? {};
  const previous = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  try {
    return await bootTestApp(options);
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function bootTestApp({ auth = {}, bruteForce = {}, registration = {} }: TestAppOptions): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(authConfig.KEY)
    .useValue({ ...authConfig(), ...auth })
    .overrideProvider(bruteForceConfig.KEY)
    .useValue({ ...bruteForceConfig(), ...bruteForce })
    .overrideProvider(registrationConfig.KEY)
    .useValue({ ...registrationConfig(), ...registration })
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), {
    ...APPLICATION_OPTIONS,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    dataSource: app.get(DataSource),
    api: new ApiClient(url),
    close: () => app.close(),
  };
}
