import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { keptPort } from '../net/ports.ts';
import { startProcess, waitUntilHealthy, type ManagedProcess } from './processes.ts';

export interface ZooKeeperEndpoints {
  /** Connect string, host:port. */
  connect: string;
}

export interface ZooKeeperOptions {
  java: string;
  classpath: string;
  stateDir: string;
  logDir: string;
}

/** Starts a standalone ZooKeeper (Debian's package) on 127.0.0.1 with its admin server off. */
export async function startZooKeeper(options: ZooKeeperOptions): Promise<{ process: ManagedProcess; endpoints: ZooKeeperEndpoints }> {
  const dataDir = join(options.stateDir, 'zookeeper');
  mkdirSync(dataDir, { recursive: true });
  // Kept with the data: a dev example's spec.ha.quorum stays true on a restart.
  const port = await keptPort(join(dataDir, 'port'));
  const config = join(dataDir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      'tickTime=2000',
      `dataDir=${dataDir}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      'maxClientCnxns=0',
      '4lw.commands.whitelist=ruok,srvr',
      '',
    ].join('\n'),
  );
  const process = startProcess({
    name: 'zookeeper',
    command: options.java,
    args: ['-Xmx256m', '-cp', options.classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config],
    logDir: options.logDir,
  });
  const connectString = `127.0.0.1:${port}`;
  await waitUntilHealthy(process, async () => ((await fourLetterWord(port, 'ruok')) === 'imok' ? true : undefined), 60_000);
  return { process, endpoints: { connect: connectString } };
}

/** Sends one of ZooKeeper's four-letter commands and returns its answer. */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(word));
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
