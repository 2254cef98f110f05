// What a failed Flink client said, from the tail of its output (a launch pod's termination message):
// the exception lines of its last stack trace, without the frames. Pure: no I/O.

const EXCEPTION_LINE = /^(Caused by: )?([\w$]+\.)+[\w$]*(Exception|Error)\b/;
const MAX_LINE = 600;

/** The client's error as one line, `A: … ← caused by B: …`; undefined when the tail shows none. */
export function clientError(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => EXCEPTION_LINE.test(line));
  const lastTop = lines.findLastIndex((line) => !line.startsWith('Caused by: '));
  const trace = lines.slice(Math.max(lastTop, 0)).map((line) => line.replace(/^Caused by: /, '').slice(0, MAX_LINE));
  return trace.length === 0 ? undefined : trace.join(' ← caused by ');
}
