// The config.yaml a Flink image ships (apache/flink images of 1.19 and later, 2.x included): the
// values of flink-dist's default file, with the edits the image's Dockerfile makes to it (REST and
// RPC bound to 0.0.0.0, no fixed taskmanager.host). The launch runner and the Flink kubelet lay it
// into a pod's conf dir where the image would have it, so a FlinkSession that sets nothing behaves
// as on a real cluster. Generated, not copied: the comments of the original are left out.
import { stringify } from 'yaml';

/** Java 17 needs these opens and exports for Flink (the default file sets them for every process). */
const JAVA_17_OPTS = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  ...[
    'java.lang',
    'java.net',
    'java.io',
    'java.nio',
    'sun.nio.ch',
    'java.lang.reflect',
    'java.text',
    'java.time',
    'java.util',
    'java.util.concurrent',
    'java.util.concurrent.atomic',
    'java.util.concurrent.locks',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`),
];

export const IMAGE_JAVA_OPTS = JAVA_17_OPTS.join(' ');

/** The options of the image's conf/config.yaml (nested, as the file has them). */
function imageConfig(): Record<string, unknown> {
  return {
    env: { java: { opts: { all: IMAGE_JAVA_OPTS } } },
    jobmanager: {
      'bind-host': '0.0.0.0',
      rpc: { address: 'localhost', port: 6123 },
      memory: { process: { size: '1600m' } },
      execution: { 'failover-strategy': 'region' },
    },
    taskmanager: {
      'bind-host': '0.0.0.0',
      numberOfTaskSlots: 1,
      memory: { process: { size: '1728m' } },
    },
    parallelism: { default: 1 },
    rest: { address: '0.0.0.0', 'bind-address': '0.0.0.0' },
  };
}

export function imageConfigYaml(): string {
  return `# conf/config.yaml as a Flink image ships it (see stack/flink-image-config.ts)\n${stringify(imageConfig())}`;
}
