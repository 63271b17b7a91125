/**
 * Tokens of protobuf text format, read lazily from a string in one pass.
 *
 * Contract: `next()` returns identifiers, numbers (the raw text: decimal, hex, octal, floats with
 * an exponent or an `f` suffix; the sign is a separate `-` symbol), string literals (one literal,
 * its escapes decoded to bytes: C escapes, octal `\NNN`, hex `\xHH`, `\uXXXX` and `\UXXXXXXXX`
 * as UTF-8), the symbols `{ } < > [ ] : , ; -`, and finally `eof`. `#` comments and whitespace
 * are skipped. Every character is looked at a bounded number of times (linear time); anything
 * else (a stray character, an unterminated string, a bad escape) throws `ProtobufTextError` with
 * its line and column.
 */
import { ProtobufTextError } from './protobuf-text-error';

export type TokenKind = 'identifier' | 'number' | 'string' | 'symbol' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for a string, the literal with its quotes). */
  readonly text: string;
  /** A string literal's bytes, escapes decoded. */
  readonly bytes?: Uint8Array;
  readonly line: number;
  readonly column: number;
  /** Where the token ends (just after its last character). */
  readonly endLine: number;
  readonly endColumn: number;
}

const SYMBOLS = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-']);
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f,
};
const encoder = new TextEncoder();

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

export class ProtobufTextLexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private peeked: Token | undefined;
  /** The end of the last token returned by `next()`: where an early end of input is reported. */
  lastEnd = { line: 1, column: 1 };

  constructor(private readonly text: string) {}

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    if (token.kind !== 'eof') this.lastEnd = { line: token.endLine, column: token.endColumn };
    return token;
  }

  private column(pos = this.pos): number {
    return pos - this.lineStart + 1;
  }

  private fail(reason: string, line = this.line, column = this.column()): never {
    throw new ProtobufTextError(line, column, reason);
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === '\n') {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') {
        this.pos++;
      } else if (c === '#') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private read(): Token {
    this.skipSpaceAndComments();
    const line = this.line;
    const column = this.column();
    const start = this.pos;
    const make = (kind: TokenKind, bytes?: Uint8Array): Token => ({
      kind, text: this.text.slice(start, this.pos), line, column, endLine: this.line, endColumn: this.column(), ...(bytes === undefined ? {} : { bytes }),
    });
    if (this.pos >= this.text.length) return make('eof');
    const c = this.text[this.pos]!;
    if (isIdentStart(c)) {
      while (this.pos < this.text.length && isIdentPart(this.text[this.pos]!)) this.pos++;
      return make('identifier');
    }
    if (isDigit(c) || (c === '.' && isDigit(this.text[this.pos + 1] ?? ''))) {
      this.readNumber();
      return make('number');
    }
    if (c === '"' || c === "'") return make('string', this.readString(c, line, column));
    if (SYMBOLS.has(c)) {
      this.pos++;
      return make('symbol');
    }
    const shown = c.codePointAt(0)! < 0x20 ? `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}` : `"${c}"`;
    return this.fail(`unexpected character ${shown}`);
  }

  /** Digits, hex digits, a fraction, an exponent and an `f` suffix; validated by the parser. */
  private readNumber(): void {
    const text = this.text;
    const start = this.pos;
    if (text[this.pos] === '0' && (text[this.pos + 1] === 'x' || text[this.pos + 1] === 'X')) {
      this.pos += 2;
      while (this.pos < text.length && isHex(text[this.pos]!)) this.pos++;
    } else {
      while (this.pos < text.length && isDigit(text[this.pos]!)) this.pos++;
      if (text[this.pos] === '.') {
        this.pos++;
        while (this.pos < text.length && isDigit(text[this.pos]!)) this.pos++;
      }
      if (text[this.pos] === 'e' || text[this.pos] === 'E') {
        const sign = text[this.pos + 1] === '+' || text[this.pos + 1] === '-' ? 1 : 0;
        if (isDigit(text[this.pos + 1 + sign] ?? '')) {
          this.pos += 1 + sign;
          while (this.pos < text.length && isDigit(text[this.pos]!)) this.pos++;
        }
      }
      if (text[this.pos] === 'f' || text[this.pos] === 'F') this.pos++;
    }
    // "12abc", "0x", "1.2.3": one malformed token, not a number followed by a name.
    if (this.pos < text.length && (isIdentPart(text[this.pos]!) || text[this.pos] === '.') || /^0[xX]$/.test(text.slice(start, this.pos))) {
      let end = this.pos;
      while (end < text.length && (isIdentPart(text[end]!) || text[end] === '.')) end++;
      this.fail(`invalid number "${text.slice(start, end)}"`, this.line, this.column(start));
    }
  }

  private readString(quote: string, line: number, column: number): Uint8Array {
    const text = this.text;
    const chunks: Uint8Array[] = [];
    const escaped: number[] = [];
    const flushEscaped = () => {
      if (escaped.length > 0) chunks.push(Uint8Array.from(escaped.splice(0)));
    };
    this.pos++;
    let runStart = this.pos;
    const flushRun = () => {
      if (this.pos > runStart) chunks.push(encoder.encode(text.slice(runStart, this.pos)));
    };
    for (;;) {
      if (this.pos >= text.length || text[this.pos] === '\n') {
        this.fail(`unterminated string (opened at line ${line}, column ${column})`);
      }
      const c = text[this.pos]!;
      if (c === quote) {
        flushEscaped();
        flushRun();
        this.pos++;
        break;
      }
      if (c !== '\\') {
        if (escaped.length > 0) flushEscaped();
        this.pos++;
        continue;
      }
      flushRun();
      this.readEscape(escaped);
      runStart = this.pos;
    }
    return concat(chunks);
  }

  /** One escape sequence at `this.pos` (the backslash), appended to `out` as bytes. */
  private readEscape(out: number[]): void {
    const text = this.text;
    const at = this.column();
    const c = text[this.pos + 1] ?? '';
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      out.push(simple);
      this.pos += 2;
      return;
    }
    if (c >= '0' && c <= '7') {
      let end = this.pos + 1;
      while (end < this.pos + 4 && text[end]! >= '0' && text[end]! <= '7') end++;
      const value = parseInt(text.slice(this.pos + 1, end), 8);
      if (value > 0xff) this.fail(`octal escape "${text.slice(this.pos, end)}" is above \\377`, this.line, at);
      out.push(value);
      this.pos = end;
      return;
    }
    if (c === 'x' || c === 'X') {
      let end = this.pos + 2;
      while (end < this.pos + 4 && isHex(text[end] ?? '')) end++;
      if (end === this.pos + 2) this.fail('"\\x" escape without hex digits', this.line, at);
      out.push(parseInt(text.slice(this.pos + 2, end), 16));
      this.pos = end;
      return;
    }
    if (c === 'u' || c === 'U') {
      const digits = c === 'u' ? 4 : 8;
      const hex = text.slice(this.pos + 2, this.pos + 2 + digits);
      if (hex.length !== digits || ![...hex].every(isHex)) this.fail(`"\\${c}" escape needs ${digits} hex digits`, this.line, at);
      let code = parseInt(hex, 16);
      this.pos += 2 + digits;
      if (code >= 0xd800 && code <= 0xdbff && text[this.pos] === '\\' && text[this.pos + 1] === 'u') {
        const low = parseInt(text.slice(this.pos + 2, this.pos + 6), 16);
        if (low >= 0xdc00 && low <= 0xdfff && /^[0-9a-fA-F]{4}$/.test(text.slice(this.pos + 2, this.pos + 6))) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          this.pos += 6;
        }
      }
      if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
        this.fail(`"\\${c}${hex}" is not a Unicode scalar value (a lone surrogate or above U+10FFFF)`, this.line, at);
      }
      out.push(...encoder.encode(String.fromCodePoint(code)));
      return;
    }
    const shown = c === '' || c === '\n' ? 'end of line' : `"\\${c}"`;
    this.fail(`invalid escape ${shown} in string`, this.line, at);
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
