#!/usr/bin/env node
/**
 * `rec-serving <command>`: tools around the server. `rec-serving convert` is Paddle's
 * `python3 -m paddle_serving_client.convert` for ONNX models (same flag names):
 *
 *   rec-serving convert --dirname ./model_dir [--model_filename model.onnx]
 *     [--serving_server serving_server] [--serving_client serving_client]
 *     [--feed_alias_names a,b] [--fetch_alias_names c] [--show_proto]
 *
 * `rec-serving generate-data --out FILE [--lines N] [--seed S] [--files K]` writes synthetic
 * Criteo-shaped data (generate-data.ts). `rec-serving --help` lists the commands,
 * `rec-serving --version` prints the version, `rec-serving <command> --help` a command's flags.
 * `rec-serving repository index|load|unload --connect host:port [--model NAME]`: the model
 * repository extension over HTTP (repository-command.ts).
 *
 * Exit codes: 0 on success, 2 for bad flags, 1 when the model cannot be converted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlagError, answerHelpOrVersion, parseFlags, type FlagSpecs } from '../config/parse-flags';
import { versionLine } from '../config/package-version';
import { closestFlag } from '../config/closest-flag';
import { generateData, GENERATE_DATA_USAGE } from './generate-data';
import { formatGeneralModelConfigText, fromModelSignature } from '../model/paddle-config';
import { convertOnnxModel } from '../paddle/convert/convert-onnx-model';
import { REPOSITORY_USAGE, runRepositoryCommand } from './repository-command';

const CONVERT_FLAGS: FlagSpecs = {
  dirname: { kind: 'string', help: 'directory holding the ONNX model (or the model file itself)' },
  model_filename: { kind: 'string', help: 'model file name inside --dirname', defaultText: 'model.onnx, or the only *.onnx' },
  params_filename: { kind: 'string', help: 'Paddle\'s separate parameters file: ONNX models carry their weights, so it is refused' },
  serving_server: { kind: 'string', help: 'output directory for the server side', defaultText: 'serving_server' },
  serving_client: { kind: 'string', help: 'output directory for the client config', defaultText: 'serving_client' },
  feed_alias_names: { kind: 'list', help: 'one alias per model input, in order', defaultText: 'the real names' },
  fetch_alias_names: { kind: 'list', help: 'one alias per model output, in order', defaultText: 'the real names' },
  show_proto: { kind: 'boolean', help: 'print the written serving_server_conf.prototxt', defaultText: 'false' },
  help: { kind: 'boolean', help: 'print this help' },
};

const USAGE = 'usage: rec-serving convert --dirname <dir> [--model_filename model.onnx] [--serving_server serving_server] [--serving_client serving_client] [--feed_alias_names a,b] [--fetch_alias_names c]';

const COMMANDS_HELP = [
  'usage: rec-serving <command> [flags]   (rec-serving <command> --help for its flags)',
  '',
  'Commands:',
  '  convert        write Paddle\'s serving_server/ and serving_client/ configs for an ONNX model',
  `                 ${USAGE.replace('usage: ', '')}`,
  '  generate-data  write synthetic Criteo-shaped samples in PaddleRec\'s slot format',
  `                 ${GENERATE_DATA_USAGE.replace('usage: ', '')}`,
  '  repository     list, load or unload models of a running rec-serve (the model repository extension)',
  ...REPOSITORY_USAGE.split('\n').map((line) => `                 ${line.replace('usage: ', '')}`),
  '',
  'The server is rec-serve (rec-serve --help), the load client rec-client (rec-client --help).',
  'Flags: --help, --version',
].join('\n');

function convert(argv: readonly string[]): number {
  if (answerHelpOrVersion(argv, USAGE, CONVERT_FLAGS)) return 0;
  const flags = parseFlags(argv, CONVERT_FLAGS);
  if (flags.params_filename !== undefined) {
    throw new FlagError(['--params_filename is a Paddle inference-model file; an ONNX model holds its weights, so convert takes only --dirname and --model_filename']);
  }
  const dirname = flags.dirname as string | undefined;
  if (dirname === undefined) throw new FlagError(['--dirname is required (the directory holding model.onnx)']);
  const modelPath = resolveModel(dirname, flags.model_filename as string | undefined);
  const result = convertOnnxModel({
    modelPath,
    servingServerDir: (flags.serving_server as string | undefined) ?? 'serving_server',
    servingClientDir: (flags.serving_client as string | undefined) ?? 'serving_client',
    feedAliasNames: flags.feed_alias_names as string[] | undefined,
    fetchAliasNames: flags.fetch_alias_names as string[] | undefined,
  });
  if (flags.show_proto === true) process.stdout.write(formatGeneralModelConfigText(fromModelSignature(result.signature)));
  for (const file of result.files) process.stderr.write(`wrote ${file}\n`);
  return 0;
}

function resolveModel(dirname: string, modelFilename: string | undefined): string {
  if (fs.existsSync(dirname) && fs.statSync(dirname).isFile()) return dirname;
  if (modelFilename !== undefined) return path.join(dirname, modelFilename);
  const direct = path.join(dirname, 'model.onnx');
  if (fs.existsSync(direct)) return direct;
  const candidates = fs.existsSync(dirname) ? fs.readdirSync(dirname).filter((name) => name.endsWith('.onnx')) : [];
  if (candidates.length === 1) return path.join(dirname, candidates[0]);
  throw new FlagError([`no model in ${dirname}: expected model.onnx or exactly one *.onnx (found ${candidates.length === 0 ? 'none' : candidates.join(', ')}); name it with --model_filename`]);
}

const COMMANDS = ['convert', 'generate-data', 'repository'];

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'convert') return convert(rest);
  if (command === 'generate-data') return generateData(rest);
  if (command === 'repository') return runRepositoryCommand(rest, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${COMMANDS_HELP}\n`);
    return 0;
  }
  if (command === '--version') {
    process.stdout.write(`${versionLine('rec-serving')}\n`);
    return 0;
  }
  const guess = command === undefined ? undefined : closestFlag(command, COMMANDS);
  const problem = command === undefined ? 'a command is required' : `unknown command "${command}"${guess === undefined ? '' : `; did you mean ${guess}?`}`;
  process.stderr.write(`rec-serving: ${problem}\n${COMMANDS_HELP}\n`);
  return 2;
}

const commandName = `rec-serving${COMMANDS.includes(process.argv[2] ?? '') ? ` ${process.argv[2]}` : ''}`;
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof FlagError) {
      process.stderr.write(`${commandName}: ${error.problems.join(`\n${commandName}: `)}\nrun ${commandName} --help for the flags\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${commandName}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
