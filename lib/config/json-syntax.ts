/**
 * Where JSON text first breaks the grammar (RFC 8259), and what was expected there: `JSON.parse` says only that it
 * failed (V8 names no position for most errors), and a config author needs the line and column.
 */
export interface JsonSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;
  const fail = (expected: string): never => {
    throw new SyntaxAt(at, expected);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail('a value (an object, array, string, number, true, false or null)');
  };
  const string = () => {
    at++;
    while (at < text.length) {
      const c = text[at] as string;
      if (c === '"') {
        at++;
        return;
      }
      if (c === '\\') {
        const next = text[at + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next !== '') at += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) at += 6;
        else fail('an escape (\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u and four hex digits)');
      } else if (c < ' ') fail('a closing quote before the end of the line (control characters must be escaped)');
      else at++;
    }
    fail('a closing quote');
  };
  const number = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at));
    if (!match || match[0] === '' || match[0] === '-') fail('a number');
    at += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const c = text[at];
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('a value (an object, array, string, number, true, false or null)');
  };
  const object = () => {
    at++;
    space();
    if (text[at] === '}') {
      at++;
      return;
    }
    for (;;) {
      space();
      if (text[at] !== '"')
        fail(text[at] === '}' ? 'a key after the comma (JSON allows no trailing comma)' : 'a key in double quotes');
      string();
      space();
      if (text[at] !== ':') fail('":" after the key');
      at++;
      value();
      space();
      if (text[at] === ',') at++;
      else if (text[at] === '}') {
        at++;
        return;
      } else fail('"," or "}"');
    }
  };
  const array = () => {
    at++;
    space();
    if (text[at] === ']') {
      at++;
      return;
    }
    for (;;) {
      space();
      if (text[at] === ']') fail('a value after the comma (JSON allows no trailing comma)');
      value();
      space();
      if (text[at] === ',') at++;
      else if (text[at] === ']') {
        at++;
        return;
      } else fail('"," or "]"');
    }
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) at = 1;
    value();
    space();
    if (at < text.length) fail('the end of the file after the value');
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxAt)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split('\n').length;
    const column = error.offset - (before.lastIndexOf('\n') + 1) + 1;
    const found =
      error.offset < text.length ? `found ${JSON.stringify(text[error.offset])}` : 'found the end of the file';
    return { line, column, message: `expected ${error.expected}, ${found}` };
  }
}

class SyntaxAt extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}
