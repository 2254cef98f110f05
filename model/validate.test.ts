import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { describeProblems, validateSpec } from './validate.ts';

describe('validateSpec', () => {
  it.each<[string, FlinkSessionSpec]>([
    ['a minimal spec', { image: 'flink:1.20' }],
    [
      'the earlier operator sample',
      {
        image: 'f',
        resource: {
          jobManager: { cpu: '1', memory: '1G', 'jvm-metaspace': '128M', 'off-heap': '128M' },
          taskManager: {
            cpu: '1',
            memory: '3G',
            'jvm-metaspace': '128M',
            framework: { heap: '' },
            netWork: { fraction: '0.1', min: '512M', max: '1G' },
            managed: { fraction: '0.1', min: '512M', max: '1G' },
          },
        },
      },
    ],
    [
      'Flink 2.1 with a 1728m TaskManager',
      { image: 'f', flinkVersion: '2.1', resource: { taskManager: { memory: '1728m' }, jobManager: { memory: '1600m' } } },
    ],
  ])('accepts %s', (_case, spec) => {
    expect(validateSpec(spec)).toEqual([]);
  });

  it.each<[string, FlinkSessionSpec, string, RegExp]>([
    ['an unknown Flink version', { image: 'f', flinkVersion: '1.9' }, 'spec.flinkVersion', /Flink 1\.9 is not supported; use one of 1\.14, .*2\.1/],
    [
      'a JobManager with no room for heap',
      { image: 'f', resource: { jobManager: { memory: '512m' } } },
      'spec.resource.jobManager.memory',
      /512m leaves no JVM heap: .*give at least/,
    ],
    [
      'a TaskManager smaller than its parts',
      { image: 'f', resource: { taskManager: { memory: '1g', managed: { max: '512m' }, netWork: { min: '256m' } } } },
      'spec.resource.taskManager.memory',
      /1g is smaller than its parts: .*managed 512m/,
    ],
    [
      'network min above max',
      { image: 'f', resource: { taskManager: { netWork: { min: '1g', max: '128m' } } } },
      'spec.resource.taskManager.netWork.min',
      /1g is larger than netWork.max 128m/,
    ],
    [
      'managed min above max',
      { image: 'f', resource: { taskManager: { managed: { min: '1g', max: '128m' } } } },
      'spec.resource.taskManager.managed.min',
      /larger than managed.max/,
    ],
    ['a zero size', { image: 'f', resource: { jobManager: { 'off-heap': '0m' } } }, 'spec.resource.jobManager.off-heap', /must be larger than 0/],
    [
      'a size Flink cannot read',
      { image: 'f', resource: { taskManager: { framework: { heap: '1.5g' } } } },
      'spec.resource.taskManager.framework.heap',
      /is not a Flink memory size/,
    ],
    ['zero cores', { image: 'f', resource: { taskManager: { cpu: '0' } } }, 'spec.resource.taskManager.cpu', /not a positive number of cores/],
    [
      'a fraction above 1',
      { image: 'f', resource: { taskManager: { managed: { fraction: '1.5' } } } },
      'spec.resource.taskManager.managed.fraction',
      /between 0 and 1/,
    ],
    ['a mount of a missing volume', { image: 'f', volumeMounts: [{ name: 'data', mountPath: '/d' }] }, 'spec.volumeMounts[0].name', /no volume named "data"/],
  ])('refuses %s', (_case, spec, field, message) => {
    const problems = validateSpec(spec);
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems.find((p) => p.field === field)!.message).toMatch(message);
  });

  it('reports every problem at once, in one readable line', () => {
    const problems = validateSpec({ image: 'f', flinkVersion: '3.0', resource: { taskManager: { cpu: '0', framework: { heap: '1.5g' } } } });
    expect(problems).toHaveLength(3);
    expect(describeProblems(problems)).toMatch(/^spec\.flinkVersion: .*; spec\.resource\.taskManager\.framework\.heap: .*; spec\.resource\.taskManager\.cpu: /);
  });
});
