package io.sessionoperator.sample;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * The test stack's sample job: numbers from the datagen source, keyed by n % keys, each key counting
 * in keyed state what it saw, checkpointed every second. The highest count of any key is the metric
 * "highestCount" (a gauge of each subtask), so a test reads the job's state through Flink's REST and
 * can tell a job restored from a checkpoint (its counts go on from there) from one started afresh.
 *
 * Arguments: [keys (default 4)] [records per second (default 20)].
 */
public final class KeyedCounter {
    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        double perSecond = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(1000);
        DataGeneratorSource<Long> numbers = new DataGeneratorSource<>(n -> n, Long.MAX_VALUE, RateLimiterStrategy.perSecond(perSecond), Types.LONG);
        env.fromSource(numbers, WatermarkStrategy.noWatermarks(), "numbers").uid("numbers")
            .keyBy(n -> n % keys)
            .process(new Count()).uid("count").name("count")
            .sinkTo(new DiscardingSink<>()).uid("discard");
        env.execute("keyed-counter");
    }

    /** Per key: how many numbers it saw (keyed state). Per subtask: the highest of those counts, as a gauge. */
    static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> count;
        private transient long highest;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            getRuntimeContext().getMetricGroup().gauge("highestCount", () -> highest);
        }

        @Override
        public void processElement(Long n, Context context, Collector<Long> out) throws Exception {
            Long before = count.value();
            long now = (before == null ? 0 : before) + 1;
            count.update(now);
            highest = Math.max(highest, now);
            out.collect(now);
        }
    }
}
