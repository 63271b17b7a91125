/**
 * A small reader for the YAML subset our deploy manifests use (no YAML library is a dependency):
 * `---` separated documents, `#` comments, block mappings and sequences by indentation (a
 * sequence may sit at its key's indentation), `- key: value` items, plain, single- and
 * double-quoted scalars, integers, booleans, null, and JSON-style flow lists (`["sleep", "5"]`).
 *
 * Contract: `parseYamlDocuments(text)` returns one value per document, or throws naming the line
 * it cannot read (anchors, multi-line strings, flow maps and tags are outside the subset).
 */

interface Line { readonly indent: number; readonly text: string; readonly number: number }

export function parseYamlDocuments(text: string): unknown[] {
  const docs: Line[][] = [[]];
  text.split('\n').forEach((raw, index) => {
    if (/^---\s*$/.test(raw)) { docs.push([]); return; }
    const stripped = stripComment(raw).replace(/\s+$/, '');
    if (stripped.trim() === '') return;
    if (/\t/.test(stripped.slice(0, stripped.length - stripped.trimStart().length))) throw new Error(`line ${index + 1}: tab indentation`);
    docs[docs.length - 1].push({ indent: stripped.length - stripped.trimStart().length, text: stripped.trim(), number: index + 1 });
  });
  return docs.filter((d) => d.length > 0).map((lines) => {
    const [value, next] = parseBlock(lines, 0, lines[0].indent);
    if (next !== lines.length) throw new Error(`line ${lines[next].number}: unexpected indentation: "${lines[next].text}"`);
    return value;
  });
}

function parseBlock(lines: Line[], start: number, indent: number): [unknown, number] {
  return isItem(lines[start].text) ? parseSequence(lines, start, indent) : parseMapping(lines, start, indent);
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function parseSequence(lines: Line[], start: number, indent: number): [unknown[], number] {
  const items: unknown[] = [];
  let i = start;
  while (i < lines.length && lines[i].indent === indent && isItem(lines[i].text)) {
    const rest = lines[i].text.slice(1).trim();
    if (rest === '') {
      const [value, next] = parseBlock(lines, i + 1, lines[i + 1].indent);
      items.push(value);
      i = next;
    } else if (keyValue(rest) !== undefined) {
      // `- key: value` starts a mapping whose keys sit two columns in.
      const copy = [...lines];
      copy[i] = { indent: indent + 2, text: rest, number: lines[i].number };
      const [value, next] = parseMapping(copy, i, indent + 2);
      items.push(value);
      i = next;
    } else {
      items.push(scalar(rest, lines[i].number));
      i++;
    }
  }
  return [items, i];
}

function parseMapping(lines: Line[], start: number, indent: number): [Record<string, unknown>, number] {
  const map: Record<string, unknown> = {};
  let i = start;
  while (i < lines.length && lines[i].indent === indent && !isItem(lines[i].text)) {
    const kv = keyValue(lines[i].text);
    if (kv === undefined) throw new Error(`line ${lines[i].number}: expected "key: value"; got "${lines[i].text}"`);
    const [key, value] = kv;
    if (key in map) throw new Error(`line ${lines[i].number}: duplicate key "${key}"`);
    if (value !== '') {
      map[key] = scalar(value, lines[i].number);
      i++;
    } else if (i + 1 < lines.length && (lines[i + 1].indent > indent || (lines[i + 1].indent === indent && isItem(lines[i + 1].text)))) {
      const [child, next] = parseBlock(lines, i + 1, lines[i + 1].indent);
      map[key] = child;
      i = next;
    } else {
      map[key] = null;
      i++;
    }
  }
  return [map, i];
}

function keyValue(text: string): [string, string] | undefined {
  const match = /^("[^"]*"|'[^']*'|[^\s"'{[][^:]*?):(?:\s+(.*))?$/.exec(text);
  if (match === null) return undefined;
  return [match[1].replace(/^["']|["']$/g, ''), (match[2] ?? '').trim()];
}

function scalar(text: string, line: number): unknown {
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`line ${line}: only JSON-style flow lists are in the subset; got ${text}`);
    }
  }
  if (text.startsWith('"')) return JSON.parse(text);
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (/^[&*!|>{]/.test(text)) throw new Error(`line ${line}: "${text}" is outside the YAML subset`);
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}
