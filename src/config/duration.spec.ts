import { parseDurationMs } from './duration';
import { DURATION_PATTERN } from './environment.validation';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['45', 45_000],
    ['0', 0],
    [' 30m ', 1_800_000],
  ])('reads %p as %p ms', (value: string, milliseconds: number) => {
    expect(parseDurationMs(value)).toBe(milliseconds);
  });

  it.each(['', 'm', '30 m', '1.5h', '-5s', '30M', '1w', '30min'])('refuses %p, naming it', (value: string) => {
    expect(() => parseDurationMs(value)).toThrow(new Error(`Not a duration: ${value}`));
  });

  // Every value the environment validation lets through must parse, or the process would fail later.
  it.each([
    ['1', 1000],
    ['1ms', 1],
    ['1s', 1000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ])('parses %p, which DURATION_PATTERN accepts, as %p ms', (value: string, milliseconds: number) => {
    expect(DURATION_PATTERN.test(value)).toBe(true);
    expect(parseDurationMs(value)).toBe(milliseconds);
  });
});
