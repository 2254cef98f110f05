// Every test file's process ends when vitest's main process does, even when that one is SIGKILLed (a
// CI timeout, a killed terminal): vitest runs files in forked processes that would otherwise live on
// (reparented to init), their tests running, with the operators and Flink processes they started
// (which die with their starter: stack/processes.ts). A fork hears of its runner's end as the close
// of their IPC channel.
process.once('disconnect', () => {
  process.exit(1);
});
