/**
 * The one way our command-line programs end: run `main`, exit with its code; on a FlagError
 * print each problem and exit 2; on anything else print the message (the stack with
 * REC_SERVING_DEBUG=1) and exit `failureCode` (default 1).
 */
import { FlagError } from '../config/parse-flags';

export function runMain(name: string, main: () => Promise<number>, options: { failureCode?: number; helpHint?: string } = {}): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof FlagError) {
        const hint = options.helpHint === undefined ? '' : `${options.helpHint}\n`;
        process.stderr.write(`${name}: ${error.problems.join(`\n${name}: `)}\n${hint}`);
        process.exit(2);
      }
      const debug = process.env.REC_SERVING_DEBUG === '1';
      const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
      process.stderr.write(`${name}: ${text}\n`);
      process.exit(options.failureCode ?? 1);
    },
  );
}
