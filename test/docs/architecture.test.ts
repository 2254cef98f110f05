// The README's architecture picture (docs/images/architecture.svg, drawn from architecture.dot) and its
// ASCII twin name the same steps of the worker, so neither goes stale alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The activity names (camelCase words) in the ASCII picture's worker box. */
function asciiWorkerSteps(readme: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.includes('│ worker: flinkSessionWorkflow'));
  const end = lines.findIndex((line, i) => i > start && line.includes('└'));
  if (start < 0 || end < 0) throw new Error('README.md has no worker box in its architecture picture');
  return lines.slice(start + 1, end).flatMap((line) => line.match(/\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g) ?? []);
}

describe('the architecture picture', () => {
  const steps = asciiWorkerSteps(read('README.md'));

  it('the README shows the image and names its source', () => {
    expect(read('README.md')).toContain('](docs/images/architecture.svg)');
    expect(read('README.md')).toContain('docs/images/architecture.dot');
  });

  it.each(['docs/images/architecture.dot', 'docs/images/architecture.svg'])("%s names every step of the ASCII picture's worker", (file) => {
    expect(steps.length).toBeGreaterThan(10);
    const text = read(file);
    expect(steps.filter((step) => !text.includes(step))).toEqual([]);
  });

  it("the SVG is Graphviz's drawing of the current source: the same nodes, each named in a comment", () => {
    const nodes = [...read('docs/images/architecture.dot').matchAll(/^\s*([a-z][a-z0-9_]*)\s+\[label=/gm)].map((m) => m[1]!);
    const drawn = [...read('docs/images/architecture.svg').matchAll(/<!-- ([a-z][a-z0-9_]*) -->/g)].map((m) => m[1]!);
    expect(nodes.length).toBeGreaterThan(5);
    expect(drawn.sort()).toEqual(nodes.sort());
  });
});
