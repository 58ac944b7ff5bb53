package dev.herd.node.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.NodeError;
import dev.herd.node.v8.Hex;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.SerializationException;
import dev.herd.node.value.Undefined;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two serialization modes by Node's names, and the bytes each writes for a message. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SerializationTest {

    /**
     * The sender's half of a long message: its frame is written into one array grown once and
     * sent as it is, where a doubling buffer and a final copy of its exact size cost 4 to 5 times.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Serialization.class)
    void aLongMessageIsEncodedIntoOneArrayWithoutAFinalCopy(Serialization serialization) {
        String text = "x".repeat(16 << 20);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        java.nio.ByteBuffer frame = serialization.encodeToBuffer(text);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        byte[] exact = new byte[frame.remaining()];
        frame.duplicate().get(exact);
        assertThat(exact).isEqualTo(serialization.encode(text));
        assertThat(allocated).as("bytes allocated encoding a %d-byte frame", exact.length).isLessThan(exact.length * 3L / 2);
    }

    @Test
    void nodesTwoNamesNameTheTwoModes() {
        assertThat(Serialization.of("json")).isEqualTo(Serialization.JSON);
        assertThat(Serialization.of("advanced")).isEqualTo(Serialization.ADVANCED);
        assertThat(Serialization.JSON.nodeName()).isEqualTo("json");
        assertThat(Serialization.ADVANCED.nodeName()).isEqualTo("advanced");
    }

    @Test
    void noNameIsJsonAsUndefinedIsInNode() {
        assertThat(Serialization.of(null)).isEqualTo(Serialization.JSON);
    }

    @Test
    void anyOtherNameIsNodesInvalidArgValue() {
        assertThatThrownBy(() -> Serialization.of("Advanced")).isInstanceOf(NodeError.class)
                .hasMessage("The property 'options.serialization' must be one of: undefined, 'json', 'advanced'. Received 'Advanced'")
                .satisfies(e -> {
                    assertThat(((NodeError) e).code()).isEqualTo("ERR_INVALID_ARG_VALUE");
                    assertThat(((NodeError) e).kind()).isEqualTo(IllegalArgumentException.class);
                });
    }

    @Test
    void advancedModeWritesTheLengthThenTheV8Payload() {
        assertThat(Hex.of(Serialization.ADVANCED.encode("hello"))).isEqualTo("00 00 00 09 ff 0f 22 05 68 65 6c 6c 6f");
        assertThat(Hex.of(Serialization.ADVANCED.encode(Map.of("a", 1)))).isEqualTo("00 00 00 0a ff 0f 6f 22 01 61 49 02 7b 01");
    }

    @Test
    void advancedModeWritesViewsAsChildProcessHostObjects() {
        assertThat(Hex.of(Serialization.ADVANCED.encode("hi".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("00 00 00 08 ff 0f 5c 00 0a 02 68 69");
    }

    @Test
    void advancedModeWritesATopLevelBigIntSinceRefusingItIsTheChannelsJob() {
        assertThat(Hex.of(Serialization.ADVANCED.encode(BigInteger.ONE))).isEqualTo("00 00 00 0c ff 0f 5a 10 01 00 00 00 00 00 00 00");
    }

    @Test
    void advancedModeRefusesAFunction() {
        Runnable f = () -> { };
        assertThatThrownBy(() -> Serialization.ADVANCED.encode(List.of(f))).isInstanceOf(DataCloneError.class);
    }

    @Test
    void jsonModeRefusesWhatJsonStringifyMakesUndefined() {
        assertThatThrownBy(() -> Serialization.JSON.encode(Undefined.INSTANCE)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("JSON.stringify gives undefined");
    }

    @Test
    void jsonModeWritesOneLine() {
        assertThat(new String(Serialization.JSON.encode(Map.of("a", 1)), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n");
        assertThat(new String(Serialization.JSON.encode("hello"), StandardCharsets.UTF_8)).isEqualTo("\"hello\"\n");
    }
}
