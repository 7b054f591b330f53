import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandWords, shellWords } from '../../gateway/domain/shell-words.ts';

describe('shellWords', () => {
  it('splits on blanks and keeps quoted text together', () => {
    expect(shellWords(`streamlit run "my app.py" --server.port '8501'`)).toEqual(['streamlit', 'run', 'my app.py', '--server.port', '8501']);
  });

  it('joins backslash-continued lines', () => {
    expect(shellWords('uvicorn main:app \\\n  --port 8000')).toEqual(['uvicorn', 'main:app', '--port', '8000']);
  });

  it('skips comments', () => {
    expect(shellWords('# start it\nollama serve # on 11434')).toEqual(['ollama', 'serve']);
  });

  it('stands operators apart so each command of a line is seen', () => {
    expect(shellWords('service redis-server start && uvicorn app:app --port=8000')).toEqual(['service', 'redis-server', 'start', '&&', 'uvicorn', 'app:app', '--port=8000']);
  });

  it('expands $NAME and ${NAME} from the environment and leaves unknown ones as written', () => {
    expect(shellWords('--port $PORT --host ${HOST}', { PORT: '7860' })).toEqual(['--port', '7860', '--host', '${HOST}']);
  });

  it('takes the default of ${NAME:-default} when NAME is unset or empty, and NAME otherwise', () => {
    expect(shellWords('--port ${PORT:-7860}')).toEqual(['--port', '7860']);
    expect(shellWords('--port ${PORT:-7860}', { PORT: '' })).toEqual(['--port', '7860']);
    expect(shellWords('--port ${PORT-7860}', { PORT: '9000' })).toEqual(['--port', '9000']);
  });

  it('keeps ${NAME:+word} as written when NAME is unknown (it may be set at run time)', () => {
    expect(shellWords('--model m ${REVISION:+--revision "$REVISION"}')).toEqual(['--model', 'm', '${REVISION:+--revision "$REVISION"}']);
    expect(shellWords('${DEBUG:+--reload}', { DEBUG: '1' })).toEqual(['--reload']);
  });
});

describe('commandWords', () => {
  it('splits a sh -c script into its own words', () => {
    expect(commandWords(['sh', '-c', 'uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-7860}'])).toEqual([
      'sh', '-c', 'uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '7860',
    ]);
  });

  it('splits a command line stored in a variable (CMD="vllm serve … --port 80")', () => {
    const words = commandWords(shellWords(`CMD="vllm serve $MODEL_PATH --host '0.0.0.0' --port 80"`));
    expect(words).toContain('--port');
    expect(words[words.indexOf('--port') + 1]).toBe('80');
  });

  it('stops splitting a word that keeps splitting into itself', () => {
    expect(() => commandWords(['${A:+x ${A:+y}}'])).not.toThrow();
  });
});

describe('shellWords on any text', () => {
  it('never throws, whatever quotes, escapes and expansions the text holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom(...'ab $"\'\\{}:-+?#;&|\n=01'.split('')) }), (text) => {
        const words = commandWords(shellWords(text, { A: '1' }), { A: '1' });
        expect(Array.isArray(words)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
