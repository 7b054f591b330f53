import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDemoCard } from '../../gateway/domain/demo-card.ts';

const readme = (...lines: string[]): string => lines.join('\n');

describe('parseDemoCard', () => {
  it('reads title, emoji, short description, sdk and app_port of a Docker Space', () => {
    const card = parseDemoCard(
      readme('---', 'title: CodeSeek AI', 'emoji: 🔎', 'colorFrom: blue', 'sdk: docker', 'app_port: 8501', 'tags:', '- streamlit', 'pinned: false', 'short_description: Semantic search engine for programming questions', '---', '', '# CodeSeek AI'),
    );
    expect(card).toEqual({ title: 'CodeSeek AI', emoji: '🔎', description: 'Semantic search engine for programming questions', sdk: 'docker', appPort: 8501 });
  });

  it('returns null when the README has no front matter', () => {
    expect(parseDemoCard('# Chat UI\n\nA chat interface for LLMs.\n')).toBeNull();
    expect(parseDemoCard('')).toBeNull();
  });

  it('returns null for front matter that is not a YAML mapping, without throwing', () => {
    expect(parseDemoCard(readme('---', '- a list', '- not a card', '---'))).toBeNull();
    expect(parseDemoCard(readme('---', 'title: [unclosed', '---'))).toBeNull();
  });

  it('ignores an app_port that is no port, keeping the rest', () => {
    for (const value of ['"eighty"', '0', '70000', '80.5', 'true', '[80]']) {
      const card = parseDemoCard(readme('---', 'title: Demo', 'sdk: docker', `app_port: ${value}`, '---'));
      expect(card, value).toEqual({ title: 'Demo', emoji: null, description: null, sdk: 'docker', appPort: null });
    }
  });

  it('accepts app_port written as a quoted number', () => {
    expect(parseDemoCard(readme('---', 'sdk: docker', 'app_port: "7860"', '---'))?.appPort).toBe(7860);
  });

  it('decodes YAML escapes in the emoji (the IFCore Space writes "\\U0001F3D7\\uFE0F")', () => {
    const card = parseDemoCard(readme('---', 'title: IFCore Platform', 'emoji: "\\U0001F3D7\\uFE0F"', 'sdk: docker', 'app_port: 7860', '---'));
    expect(card?.emoji).toBe('🏗️');
  });

  it('allows blank lines, a BOM and CRLF line ends before and in the block', () => {
    const card = parseDemoCard('\uFEFF\r\n---\r\ntitle: Askmyuni\r\nsdk: docker\r\napp_port: 8501\r\n---\r\n# AskMyUni');
    expect(card).toMatchObject({ title: 'Askmyuni', sdk: 'docker', appPort: 8501 });
  });

  it('leaves out missing fields as null and lowercases the sdk', () => {
    expect(parseDemoCard(readme('---', 'sdk: Gradio', 'sdk_version: 4.41.0', 'app_file: app.py', '---'))).toEqual({
      title: null,
      emoji: null,
      description: null,
      sdk: 'gradio',
      appPort: null,
    });
  });

  it('does not read a horizontal rule further down as front matter', () => {
    expect(parseDemoCard(readme('# Title', '', '---', 'title: not front matter', '---'))).toBeNull();
  });

  it('never throws, whatever the README holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        const card = parseDemoCard(`---\n${body}\n---\n`);
        if (card) expect(card.appPort === null || (card.appPort >= 1 && card.appPort <= 65535)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
