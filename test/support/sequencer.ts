// The order vitest starts test files in. Its own order runs larger files first, so two small files that
// run Flink's own JobManagers for minutes (test/flink/ha-recovery.test.ts, kubernetes-ha.test.ts) started
// last and ended the run (measured: 1,950 s for files whose times add up to 3,273 s, two at a time). The
// files under test/flink/ and test/e2e/ all start and redeploy JobManagers: they go first, in vitest's own
// order among them, and the short files fill the end (the next run: 1,852 s).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONG_RUNNING = ['test/flink/', 'test/e2e/'];

export class LongRunningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const longRunning = (file: TestSpecification): boolean => {
      const path = relative(this.ctx.config.root, file.moduleId).split('\\').join('/');
      return LONG_RUNNING.some((dir) => path.startsWith(dir));
    };
    return [...sorted.filter(longRunning), ...sorted.filter((file) => !longRunning(file))];
  }
}
