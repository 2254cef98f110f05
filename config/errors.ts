/** Settings that cannot be used, every problem listed with the variable (or flag) to fix. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[], what = 'configuration') {
    super(`invalid ${what}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
