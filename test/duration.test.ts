import { describe, expect, it } from 'vitest';
import { parseDurationMilliseconds, parseDurationSeconds } from '../src/duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['900', 900],
    ['0', 0],
    ['30s', 30],
    ['15m', 900],
    ['12h', 43_200],
    ['14d', 1_209_600],
    [' 10s ', 10],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '-5', '1.5h', '15 m', '15M', '10w', 'ten', '1e3', '99999999999', '3651d'])(
    'refuses %j',
    (text) => {
      expect(parseDurationSeconds(text)).toBeNull();
    },
  );
});

describe('parseDurationMilliseconds', () => {
  it.each([
    ['500ms', 500],
    ['0ms', 0],
    ['5s', 5000],
    ['2m', 120_000],
    [' 1s ', 1000],
  ])('reads %j as %i ms', (text, milliseconds) => {
    expect(parseDurationMilliseconds(text)).toBe(milliseconds);
  });

  it.each(['', '500', '1.5s', '5 s', '5MS', '1h', '-5ms', '9999999999m'])('refuses %j', (text) => {
    expect(parseDurationMilliseconds(text)).toBeNull();
  });
});
