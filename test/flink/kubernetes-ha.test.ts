// Kubernetes HA with state in S3, on real Flink: Flink's own HA ConfigMaps (labelled
// configmap-type=high-availability for the cluster id) and the objects under <name>/flink/ha/ and
// checkpoints/; see test/support/ha-recovery.ts.
import { describeHaRecovery } from '../support/ha-recovery.ts';

describeHaRecovery('kubernetes', ['1.20', '2.1']);
