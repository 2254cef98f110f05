// Kubernetes HA with state in S3, on real Flink: Flink's own HA ConfigMaps (the ones without an
// owner: <name>-cluster-config-map, <name>-<job id>-config-map) and the objects under
// <name>/flink/ha/ and checkpoints/; see test/support/ha-recovery.ts. Flink 2.1 only in the suite, for
// its time: 2.x is where the HA ConfigMaps lack configmap-type=high-availability; 1.20 (labelled, the
// case model/ownership.test.ts covers, and the ZooKeeper file runs 1.20 through the same scenario)
// passes too: add '1.20' below to run it (~2–6 min more, load-dependent).
import { describeHaRecovery } from '../support/ha-recovery.ts';

describeHaRecovery('kubernetes', ['2.1']);
