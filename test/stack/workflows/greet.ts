// The smallest workflow there is: proves a worker runs workflow code against the dev server.
import { sleep } from '@temporalio/workflow';

export async function greet(name: string): Promise<string> {
  await sleep(10);
  return `hello, ${name}`;
}
