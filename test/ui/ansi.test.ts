import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ansiStream, ansiToHtml, stripAnsi } from '../../gateway/ui/ansi.ts';
import { encodeXML as encodeXMLInLambda } from '../../gateway/ui/entities-in-lambda.ts';

/** The `entities` that ansi-to-html itself requires (not a dependency of Portico's own). */
const require = createRequire(import.meta.url);
const { encodeXML } = createRequire(require.resolve('ansi-to-html'))('entities') as { encodeXML: (text: string) => string };

describe('ANSI colours in logs', () => {
  it('renders a colour as a span and resets after it', () => {
    expect(ansiToHtml('\x1b[31merror\x1b[0m: exit 1')).toBe('<span style="color:#f97066">error</span>: exit 1');
  });

  it('renders bold with a bright colour, as pip and npm print warnings', () => {
    expect(ansiToHtml('\x1b[1;33mWARNING\x1b[0m')).toBe('<b><span style="color:#fdb022">WARNING</span></b>');
  });

  it('escapes markup in the log so a build cannot inject HTML into the dashboard', () => {
    const html = ansiToHtml('\x1b[32m<script>alert("x")</script>\x1b[0m & <img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&amp; &lt;img src=x onerror=alert(1)&gt;');
  });

  it('drops cursor movement and line erasing (progress bars), keeping the text', () => {
    expect(ansiToHtml('50%\x1b[2K\r\x1b[1A100%\x1b]0;title\x07 done')).toBe('50%\r100% done');
  });

  it('leaves text without escapes as it is, apart from escaping', () => {
    expect(ansiToHtml('Step 1/3 : FROM node:20-slim\n ---> 1a2b\n')).toBe('Step 1/3 : FROM node:20-slim\n ---&gt; 1a2b\n');
  });

  it('carries a colour across chunks of a streamed log, as a terminal does', () => {
    const render = ansiStream();
    expect(render('\x1b[34mbuilding ')).toBe('<span style="color:#53b1fd">building </span>');
    expect(render('still blue\x1b[0m plain')).toBe('<span style="color:#53b1fd">still blue</span> plain');
  });

  it('strips every escape for plain text', () => {
    expect(stripAnsi('\x1b[31mfailed\x1b[0m at \x1b[2Kstep 3')).toBe('failed at step 3');
  });

  it('escapes in the Lambda bundles exactly as the entities package does outside them (entities-in-lambda.ts)', () => {
    const texts = ['plain', `<a href="x">Tom & 'Jerry'</a>`, 'café ✓ 日本', 'emoji 🤗 and 𝔸', 'lone \uD83D high', 'lone \uDC00 low', '\uDC00 first', 'ctl \x7f \x80 \u00a0', ''];
    for (const text of texts) expect(encodeXMLInLambda(text)).toBe(encodeXML(text));
  });
});
