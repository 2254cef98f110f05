// ZooKeeper HA with state in S3, on real Flink: the znodes under <root>/<name> and the objects under
// <name>/flink/ha/ and checkpoints/ are the ones Flink wrote; see test/support/ha-recovery.ts.
import { describeHaRecovery } from '../support/ha-recovery.ts';

describeHaRecovery('zookeeper', ['1.20', '2.1']);
