/**
 * Enough of the POSIX shell to read how a container starts: words of a command line (quotes,
 * backslashes, comments) with `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}`
 * expanded from the environment the image sets. Unknown variables stay as written, so
 * `--port $PORT` without a PORT is not mistaken for a number.
 */
export function shellWords(text: string, env: Readonly<Record<string, string>> = {}): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const end = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '\\' && text[i + 1] === '\n') {
      i += 2;
    } else if (/\s/.test(char)) {
      end();
      i++;
    } else if (char === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === ';' || char === '|' || char === '&' || char === '(' || char === ')') {
      // Operators end a word and stand as words of their own, so each command of a line can be found.
      end();
      let op = char;
      while (i + op.length < text.length && /[;|&]/.test(text[i + op.length]!) && op.length < 2) op += text[i + op.length];
      words.push(op);
      i += op.length;
    } else if (char === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 ? text.length : close;
      word += text.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
    } else if (char === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && /["$`\\]/.test(text[i + 1] ?? '')) {
          word += text[i + 1];
          i += 2;
        } else if (text[i] === '$') {
          const [value, next] = expandAt(text, i, env);
          word += value;
          i = next;
        } else {
          word += text[i];
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (char === '\\') {
      word += text[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (char === '$') {
      const [value, next] = expandAt(text, i, env);
      word += value;
      inWord = true;
      i = next;
    } else {
      word += char;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}

/** Expands the variable whose `$` is at `dollar`; returns its text and the index after it. */
function expandAt(text: string, dollar: number, env: Readonly<Record<string, string>>): [string, number] {
  const value = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);
  if (text[dollar + 1] !== '{') {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(dollar + 1))?.[0];
    if (!name) return ['$', dollar + 1];
    return [value(name) ?? `$${name}`, dollar + 1 + name.length];
  }
  const close = text.indexOf('}', dollar + 2);
  if (close < 0) return [text.slice(dollar), text.length];
  const inside = text.slice(dollar + 2, close);
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?$/s.exec(inside);
  if (!match) return [`\${${inside}}`, close + 1];
  const [, name, operator, operand] = match;
  const current = value(name!);
  if (operator === undefined) return [current ?? `\${${name}}`, close + 1];
  const unset = operator.startsWith(':') ? current === undefined || current === '' : current === undefined;
  const word = (): string => shellWords(operand ?? '', env).join(' ');
  // `${NAME:+word}` is the word only when NAME is set; an unknown variable may be set at run time, so it stays as written.
  if (operator.endsWith('+')) return [current === undefined ? `\${${inside}}` : unset ? '' : word(), close + 1];
  if (operator.endsWith('?')) return [current ?? `\${${name}}`, close + 1];
  return [unset ? word() : current!, close + 1];
}

/**
 * The words of a command, with every word that is itself a command line (`sh -c "…"`,
 * `CMD="vllm serve … --port 80"`) split again, so arguments inside it are seen too.
 */
export function commandWords(words: readonly string[], env: Readonly<Record<string, string>> = {}, depth = 0): string[] {
  return words.flatMap((word) => {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=(.*\s.*)$/s.exec(word);
    const inner = assignment ? assignment[1]! : word;
    if (depth >= 3 || !/\s/.test(inner.trim())) return [word];
    return commandWords(shellWords(inner, env), env, depth + 1);
  });
}
