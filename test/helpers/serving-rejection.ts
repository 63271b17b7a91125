/**
 * The ServingError a promise rejects with; fails the test when it resolves or rejects with
 * anything else.
 */
import * as assert from 'node:assert/strict';
import { ServingError } from '../../src/core/errors';

export async function servingRejection(promise: Promise<unknown>): Promise<ServingError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServingError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}
