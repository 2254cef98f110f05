import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';

/** The error is the non-retryable BadInput failure an activity throws for input it must not act on. */
export function expectBadInput(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect(failure.type).toBe('BadInput');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(message);
}
