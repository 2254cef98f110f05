import { describe, expect, it } from 'vitest';
import { clientError } from './client-error.ts';

const trace = [
  'org.apache.flink.configuration.IllegalConfigurationException: JobManager memory configuration failed: Either …',
  '\tat org.apache.flink.runtime.jobmanager.JobManagerProcessUtils.processSpecFromConfig(JobManagerProcessUtils.java:78)',
  'Caused by: org.apache.flink.configuration.IllegalConfigurationException: Either required fine-grained memory … need to be configured explicitly.',
  '\tat org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils.failBecauseRequiredOptionsNotConfigured(ProcessMemoryUtils.java:129)',
  '\t... 5 more',
].join('\n');

describe('clientError', () => {
  it.each([
    [
      'a whole trace',
      `[main] ERROR Error while running the Flink session.\n${trace}\n\n The program finished with the following exception:\n\n${trace}`,
      'org.apache.flink.configuration.IllegalConfigurationException: JobManager memory configuration failed: Either … ' +
        '← caused by org.apache.flink.configuration.IllegalConfigurationException: Either required fine-grained memory … need to be configured explicitly.',
    ],
    [
      'a tail that starts inside a trace',
      trace.split('\n').slice(2).join('\n'),
      'org.apache.flink.configuration.IllegalConfigurationException: Either required fine-grained memory … need to be configured explicitly.',
    ],
    ['no exception', 'exit 1\nsomething else', undefined],
  ])('%s', (_what, output, expected) => {
    expect(clientError(output)).toBe(expected);
  });
});
