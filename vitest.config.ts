import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // After the run: fails it when a second engine, or containers or images of the suite's own, are left behind.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Docker suites share one engine; running their files one at a time keeps builds from starving each other on 2 cores.
    fileParallelism: false,
  },
});
