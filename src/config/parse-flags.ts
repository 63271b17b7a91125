/**
 * Command-line parsing shared by our CLIs, in the style Paddle's Python tools accept:
 * `--flag value`, `--flag=value`, and boolean flags given alone (`--ir_optim`) or with a value
 * (`--ir_optim true`, `--use_gpu False`).
 *
 * Contract: `parseFlags` returns the values of the declared flags (strings, numbers, booleans,
 * lists) or throws one Error listing every problem (unknown flag, missing value, bad number).
 * An unknown flag names the closest declared one ("did you mean --port?") when one is close.
 * `parseFlagsOrHelp` also answers `--help`/`-h` and `--version` for every CLI.
 */
import { closestFlag } from './closest-flag';
import { versionLine } from './package-version';

export type FlagKind = 'string' | 'integer' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Shown in --help; parsing never fills defaults (callers do, so "unset" stays visible). */
  readonly defaultText?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;
export type FlagValue = string | number | boolean | string[];
export type ParsedFlags = Record<string, FlagValue | undefined>;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export class FlagError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'FlagError';
  }
}

export function parseFlags(argv: readonly string[], specs: FlagSpecs): ParsedFlags {
  const values: ParsedFlags = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}" (flags look like --name value)`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).replace(/-/g, '_');
    const spec = specs[name];
    if (spec === undefined) {
      const guess = closestFlag(name, Object.keys(specs));
      problems.push(`unknown flag --${name}${guess === undefined ? '' : `; did you mean --${guess}?`}`);
      // Its value, if any, is not a second problem.
      if (eq === -1 && i + 1 < argv.length && !argv[i + 1].startsWith('--')) i++;
      continue;
    }
    let raw: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (spec.kind === 'boolean') {
      if (raw === undefined && i + 1 < argv.length && isBooleanWord(argv[i + 1])) raw = argv[++i];
      if (raw === undefined) values[name] = true;
      else if (isBooleanWord(raw)) values[name] = TRUE_WORDS.has(raw.toLowerCase());
      else problems.push(`--${name} takes true or false; got "${raw}"`);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && spec.kind !== 'number' && spec.kind !== 'integer')) {
        if (spec.kind === 'list') {
          values[name] = [];
          continue;
        }
        problems.push(`--${name} needs a value`);
        continue;
      }
      raw = argv[++i];
      // Python's nargs="+" lists: `--gpu_ids 0 1` as well as `--gpu_ids 0,1`.
      if (spec.kind === 'list') {
        const items = [raw];
        while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) items.push(argv[++i]);
        raw = items.join(',');
      }
    }
    const parsed = convert(name, spec.kind, raw);
    if (typeof parsed === 'object' && 'problem' in parsed) problems.push(parsed.problem);
    else values[name] = parsed;
  }
  if (problems.length > 0) throw new FlagError(problems);
  return values;
}

function isBooleanWord(word: string): boolean {
  const lower = word.toLowerCase();
  return TRUE_WORDS.has(lower) || FALSE_WORDS.has(lower);
}

function convert(name: string, kind: FlagKind, raw: string): FlagValue | { problem: string } {
  switch (kind) {
    case 'string':
      return raw;
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
    case 'integer': {
      const value = Number(raw);
      return Number.isSafeInteger(value) ? value : { problem: `--${name} takes an integer; got "${raw}"` };
    }
    case 'number': {
      const value = Number(raw);
      return Number.isFinite(value) && raw.trim() !== '' ? value : { problem: `--${name} takes a number; got "${raw}"` };
    }
    default:
      return { problem: `--${name}: unsupported flag kind ${kind}` };
  }
}

/**
 * The flags of a command line program: `parseFlags(argv)`, except that `--help` (or `-h`) prints
 * `usage` and the flags to stdout, and `--version` prints `<program> <version>` (the program is
 * the word after "usage: "), and both return undefined (the caller then exits 0).
 */
export function parseFlagsOrHelp(argv: readonly string[], usage: string, specs: FlagSpecs): ParsedFlags | undefined {
  if (answerHelpOrVersion(argv, usage, specs)) return undefined;
  return parseFlags(argv, specs);
}

/**
 * Prints the help (`--help`, `-h`) or the version (`--version`) when asked and returns true;
 * false when neither was asked. For CLIs that parse their flags themselves.
 */
export function answerHelpOrVersion(argv: readonly string[], usage: string, specs: FlagSpecs, program = programOf(usage)): boolean {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${formatHelp(usage, specs)}\n`);
    return true;
  }
  if (specs.version === undefined && argv.includes('--version')) {
    process.stdout.write(`${versionLine(program)}\n`);
    return true;
  }
  return false;
}

function programOf(usage: string): string {
  const match = /^usage:\s+(\S+(?:\s+(?!-|\[|<)[a-z][\w-]*)?)/.exec(usage);
  return match === null ? 'rec-serving' : match[1];
}

export function formatHelp(usage: string, specs: FlagSpecs): string {
  const lines = [usage, '', 'Flags:'];
  if (specs.version === undefined) lines.push('  --version\n      print the version and exit');
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.kind === 'boolean' ? '' : ` <${spec.kind}>`;
    const def = spec.defaultText === undefined ? '' : ` (default: ${spec.defaultText})`;
    lines.push(`  --${name}${value}\n      ${spec.help}${def}`);
  }
  return lines.join('\n');
}
