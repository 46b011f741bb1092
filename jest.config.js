/** Unit specs sit beside the code they test; end-to-end specs under test/ run the real app on PostgreSQL. */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }],
  // NestJS 12 ships ES modules only, and Jest on Node 20 cannot require() them: compile them to CommonJS.
  '^.+\\.m?js$': require.resolve('./test/support/esm-package-transformer.js'),
};
// Every package may be an ES module now; the transformer leaves CommonJS files as they are.
const transformIgnorePatterns = [];

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads this only at the top level, not per project. End-to-end tests start apps and PostgreSQL work.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: 'src',
      testRegex: '\\.spec\\.ts$',
      moduleFileExtensions: ['js', 'json', 'ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testRegex: 'test/.*\\.e2e-spec\\.ts$',
      moduleFileExtensions: ['js', 'json', 'ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/worker-database.ts'],
    },
  ],
};
