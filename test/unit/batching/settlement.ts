/**
 * `track(promise)`: records how a promise settled without awaiting it, so a test can check
 * "not settled yet" after moving a fake clock.
 */
export function track<T>(promise: Promise<T>): { settled: () => 'pending' | 'fulfilled' | 'rejected'; error: () => unknown } {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  let reason: unknown;
  promise.then(() => { state = 'fulfilled'; }, (error: unknown) => { state = 'rejected'; reason = error; });
  return { settled: () => state, error: () => reason };
}
