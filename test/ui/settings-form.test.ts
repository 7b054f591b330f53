import { describe, expect, it } from 'vitest';
import { draftOf, settingsPatch } from '../../gateway/ui/settings-form.ts';
import { makeProject } from '../support/fixtures.ts';

const project = makeProject({ env: { MODE: 'demo', OLD: 'x' }, secrets: { HF_TOKEN: 'hf_secret', B_KEY: 'b' }, idleTimeoutSeconds: 900, gpu: 'auto' });
const unchanged = draftOf(project);

describe('the settings form as a PATCH body', () => {
  it('sends nothing when the form is sent as it was shown', () => {
    expect(settingsPatch(project, { ...unchanged })).toStrictEqual({ ok: true, patch: {} });
  });

  it('fills the form from the project, secrets left out', () => {
    expect(unchanged).toStrictEqual({ env: 'MODE=demo\nOLD=x', idleTimeoutSeconds: '900', gpu: 'auto', port: '', startupTimeoutSeconds: '', dockerfile: 'Dockerfile', context: '.' });
    expect(JSON.stringify(unchanged)).not.toContain('hf_secret');
  });

  it('sends changed and new variables, and null for a variable left out; comments, blank lines and = in values are fine', () => {
    const result = settingsPatch(project, { ...unchanged, env: '# the mode\nMODE=prod\n\nURL=http://x/?a=b\r\n' });
    expect(result).toStrictEqual({ ok: true, patch: { env: { MODE: 'prod', URL: 'http://x/?a=b', OLD: null } } });
  });

  it('refuses a line that is not NAME=value, saying which', () => {
    expect(settingsPatch(project, { ...unchanged, env: 'MODE=demo\njust words' })).toStrictEqual({ ok: false, error: 'environment line 2 ("just words") is not NAME=value' });
  });

  it('removes ticked secrets and sets a new one, never reading the values it has', () => {
    const result = settingsPatch(project, { ...unchanged, removeSecret: ['B_KEY', 'NOT_THERE'], secretName: ' OPENAI_KEY ', secretValue: 'sk-1' });
    expect(result).toStrictEqual({ ok: true, patch: { secrets: { B_KEY: null, OPENAI_KEY: 'sk-1' } } });
  });

  it('refuses half a secret', () => {
    expect(settingsPatch(project, { ...unchanged, secretName: 'A' })).toMatchObject({ ok: false, error: expect.stringContaining('needs a value') });
    expect(settingsPatch(project, { ...unchanged, secretValue: 'v' })).toMatchObject({ ok: false, error: expect.stringContaining('without its name') });
  });

  it('sends numbers as numbers, a GPU count as a number, and text it cannot read as text for the schema to refuse', () => {
    expect(settingsPatch(project, { ...unchanged, idleTimeoutSeconds: '60', gpu: '2' })).toStrictEqual({ ok: true, patch: { idleTimeoutSeconds: 60, gpu: 2 } });
    expect(settingsPatch(project, { ...unchanged, gpu: 'off', idleTimeoutSeconds: 'soon' })).toStrictEqual({ ok: true, patch: { idleTimeoutSeconds: 'soon', gpu: 'off' } });
  });

  it('sends port and startup timeout only when edited, an empty one as null (unset)', () => {
    const withPort = { ...project, port: 7860, startupTimeoutSeconds: null } as typeof project;
    expect(settingsPatch(withPort, { ...draftOf(withPort) })).toStrictEqual({ ok: true, patch: {} });
    expect(settingsPatch(withPort, { ...draftOf(withPort), port: '', startupTimeoutSeconds: '600' })).toStrictEqual({ ok: true, patch: { port: null, startupTimeoutSeconds: 600 } });
  });

  it('sends the Dockerfile path and context only when they change', () => {
    expect(settingsPatch(project, { ...unchanged, dockerfile: 'docker/Dockerfile.gpu', context: '.' })).toStrictEqual({ ok: true, patch: { dockerfile: 'docker/Dockerfile.gpu' } });
  });
});
