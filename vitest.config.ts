import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // After the run: fails it when a second engine, or containers or images of the suite's own, are left behind.
    globalSetup: ['test/global-setup.ts'],
    // The AWS SDK's own switch for its notice that releases after January 2027 need Node 22: true of every test, useful in none.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Docker suites share one engine; running their files one at a time keeps builds from starving each other on 2 cores.
    fileParallelism: false,
  },
});
