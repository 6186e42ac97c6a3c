/**
 * Where and why a JSON text is invalid, in the words and character offsets of Python's json module, which the
 * Python service reported as `loc: ["body", offset]` and `ctx.error`. Called only after JSON.parse has refused
 * the text (V8's messages carry no stable offset), so it need not be fast: one recursive-descent pass.
 */

export interface JsonSyntaxError {
  /** Offset in UTF-16 code units (Python counts code points; they differ only after astral characters). */
  readonly position: number;
  readonly message: string;
}

class Failure {
  constructor(
    readonly position: number,
    readonly message: string,
  ) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

export function jsonSyntaxError(text: string): JsonSyntaxError {
  let i = 0;
  const skip = (): void => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const string = (): void => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) throw new Failure(start, 'Unterminated string starting at');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Failure(i, 'Invalid \\uXXXX escape');
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else if (e === undefined) throw new Failure(start, 'Unterminated string starting at');
        else throw new Failure(i, 'Invalid \\escape');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new Failure(i, 'Invalid control character at');
      i++;
    }
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') throw new Failure(i, 'Expecting property name enclosed in double quotes');
        string();
        skip();
        if (text[i] !== ':') throw new Failure(i, "Expecting ':' delimiter");
        i++;
        value();
        skip();
        if (text[i] === '}') {
          i++;
          return;
        }
        if (text[i] !== ',') throw new Failure(i, "Expecting ',' delimiter");
        i++;
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (text[i] === ']') {
          i++;
          return;
        }
        if (text[i] !== ',') throw new Failure(i, "Expecting ',' delimiter");
        i++;
      }
    }
    if (c === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match !== null && match[0] !== '') {
      i += match[0].length;
      return;
    }
    throw new Failure(i, 'Expecting value');
  };
  try {
    value();
    skip();
    if (i < text.length) throw new Failure(i, 'Extra data');
  } catch (error) {
    if (error instanceof Failure) return { position: error.position, message: error.message };
    throw error;
  }
  // JSON.parse refused what this grammar accepts (not expected): report the start.
  return { position: 0, message: 'Expecting value' };
}
