import { describe, expect, it } from 'vitest';
import { UsageError } from '../../gateway/cli/exit-codes.ts';
import { settingsBody } from '../../gateway/cli/settings.ts';

describe('settingsBody', () => {
  it('sends only the settings given, named as the API names them', () => {
    expect(settingsBody({})).toStrictEqual({});
    expect(settingsBody({ env: ['A=1', 'B=x=y'], gpu: '2', idle: '30', port: '8501', startupTimeout: '900', dockerfile: 'docker/Dockerfile', context: 'app' })).toStrictEqual({
      env: { A: '1', B: 'x=y' },
      gpu: 2,
      idleTimeoutSeconds: 30,
      port: 8501,
      startupTimeoutSeconds: 900,
      dockerfile: 'docker/Dockerfile',
      context: 'app',
    });
  });

  it('clears the port with auto and the startup timeout with default', () => {
    expect(settingsBody({ port: 'auto', startupTimeout: 'default' })).toStrictEqual({ port: null, startupTimeoutSeconds: null });
  });

  it.each([
    [{ port: '0' }, '--port takes a port from 1 to 65535, got "0"; or auto to let Portico find it'],
    [{ port: '70000' }, '--port takes a port from 1 to 65535'],
    [{ port: '80a' }, '--port takes a port from 1 to 65535, got "80a"'],
    [{ idle: '1.5' }, '--idle takes a whole number'],
    [{ startupTimeout: 'soon' }, '--startup-timeout takes a whole number'],
    [{ gpu: '17' }, '--gpu takes auto, prefer, off or a number of GPUs (0 to 16), got "17"'],
    [{ env: ['=x'] }, '--env wants NAME=value'],
  ])('refuses %o', (flags, message) => {
    expect(() => settingsBody(flags)).toThrow(UsageError);
    expect(() => settingsBody(flags)).toThrow(message);
  });
});
