/** One jest run covers the whole suite: unit specs next to the code, contract and e2e under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // jose 6, content-disposition 3 (under @fastify/static) and @noble/curves 2 ship ES modules only; ts-jest turns
    // them into CommonJS for jest's module system (Node itself loads them with require(esm)).
    '^.+\\.(t|j)s$': [
      'ts-jest',
      {
        tsconfig: {
          allowJs: true,
          isolatedModules: true,
          esModuleInterop: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          target: 'ES2022',
          module: 'commonjs',
        },
        diagnostics: false,
      },
    ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|content-disposition|@noble/curves|@noble/hashes)/)',
  ],
  testTimeout: 30000,
  // In CI a service a timed-out test could not stop would hold jest open until CI's own limit and
  // fail the whole run without a result; there the run ends when the tests have (jest still names
  // the open handles). Locally jest waits, so a leak shows.
  forceExit: process.env.CI === 'true',
};
