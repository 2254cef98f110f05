import { describe, expect, it } from 'vitest';
import { isFlinkHaConfigMapOf } from './ownership.ts';

const flink = { app: 'orders', type: 'flink-native-kubernetes' };
const job = '2367408f3e13ea68546e7658120a69e3';

describe("which ConfigMaps hold a cluster's Kubernetes HA data", () => {
  it.each([
    ['Flink 1.x: labelled configmap-type=high-availability', 'orders-cluster-config-map', { ...flink, 'configmap-type': 'high-availability' }, true],
    ['Flink 1.x: an older per-component name, labelled', 'orders-dispatcher-leader', { ...flink, 'configmap-type': 'high-availability' }, true],
    ["Flink 2.x: the cluster's, by its name", 'orders-cluster-config-map', flink, true],
    ["Flink 2.x: a job's, by its name", `orders-${job}-config-map`, flink, true],
    ["Flink's configuration of the cluster", 'flink-config-orders', flink, false],
    ["Flink's pod template", 'pod-template-orders', flink, false],
    ["another cluster's, whose name starts with this one's", `orders-eu-cluster-config-map`, { ...flink, app: 'orders-eu' }, false],
    ['a job id that is not one', 'orders-xyz-config-map', flink, false],
    ["the name without Flink's labels", 'orders-cluster-config-map', { app: 'orders' }, false],
    ["Flink's labels of another cluster", `orders-${job}-config-map`, { ...flink, app: 'other' }, false],
  ])('%s', (_case, name, labels, expected) => {
    expect(isFlinkHaConfigMapOf(name, labels, 'orders')).toBe(expected);
  });
});
