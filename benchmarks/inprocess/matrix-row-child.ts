/**
 * Child-process entry for one in-process matrix row (forked by inprocess-matrix.ts with an IPC
 * channel): receives RowPassOptions (without callbacks) as its first message, sends progress
 * messages `{ progressLines }` and finally `{ result }`, then exits. An unexpected error is sent
 * as `{ error }` and exits with code 1.
 *
 * @private
 */
import { runMatrixRowPass, type RowPassOptions } from './matrix-row-pass';

process.once('message', (message: RowPassOptions) => {
  runMatrixRowPass({ ...message, onProgress: (lines) => process.send!({ progressLines: lines }) }).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
