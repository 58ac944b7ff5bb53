package dev.herd.node.v8;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.value.SerializationException;
import dev.herd.node.value.ValueGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated payloads: the decoder returns a value or throws a SerializationException,
 * nothing else, and quickly. Mutations start from valid encodings (random values, shared and
 * circular ones among them) and flip, insert, delete and overwrite bytes, truncate, and plant huge
 * varints. A value that does come out is a value: it encodes, and what it encodes to is a fixed
 * point (read and written again, the same bytes; the first writing may normalize, e.g. a V8 view
 * into a shared buffer becomes Node's host object with bytes of its own).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class V8FuzzTest {
    private static final int PAYLOADS = 20_000;
    private static final byte[][] HUGE = {
        Hex.bytes("ff ff ff ff 0f"), Hex.bytes("80 80 80 80 08"), Hex.bytes("ff ff ff ff 07"), Hex.bytes("fe ff ff ff 0f"),
        Hex.bytes("80 80 80 80 80 80 80 80 80 01")
    };

    @Test
    void mutatedPayloadsDecodeToAValueOrFailWithASerializationException() {
        Random random = new Random(1203);
        List<byte[]> seeds = seeds();
        V8Deserializer ipc = new V8Deserializer(V8Options.CHILD_PROCESS);
        V8Deserializer plain = new V8Deserializer(V8Options.DEFAULT);
        V8Serializer writer = new V8Serializer(V8Options.DEFAULT);
        int values = 0;
        int errors = 0;
        for (int i = 0; i < PAYLOADS; i++) {
            byte[] payload = random.nextInt(20) == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            for (V8Deserializer d : List.of(ipc, plain)) {
                Object value;
                try {
                    value = d.deserialize(payload);
                } catch (SerializationException e) {
                    errors++;
                    continue;
                } catch (Throwable t) {
                    throw new AssertionError("payload " + Hex.of(payload) + " threw " + t, t);
                }
                values++;
                byte[] again;
                try {
                    again = writer.serialize(value);
                } catch (Throwable t) {
                    throw new AssertionError("the value of payload " + Hex.of(payload) + " does not encode: " + t, t);
                }
                byte[] twice = writer.serialize(new V8Deserializer().deserialize(again));
                assertThat(Hex.of(twice)).as("payload %s", Hex.of(payload)).isEqualTo(Hex.of(again));
            }
        }
        // Both outcomes are exercised.
        assertThat(values).isGreaterThan(PAYLOADS / 20);
        assertThat(errors).isGreaterThan(PAYLOADS / 2);
    }

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        ValueGenerator generator = new ValueGenerator(7);
        V8Serializer ipc = new V8Serializer(V8Options.CHILD_PROCESS);
        V8Serializer plain = new V8Serializer(V8Options.DEFAULT);
        for (int i = 0; i < 200; i++) {
            Object v = i % 2 == 0 ? generator.withSharing(3) : generator.any(3);
            byte[] b = (i % 3 == 0 ? ipc : plain).serialize(v);
            if (b.length < 4096) {
                seeds.add(b);
            }
        }
        seeds.add(V8.serialize(V8NodeInteropTest.order()));
        seeds.add(Hex.bytes("ff 0f 41 02 42 04 00 00 00 00 56 42 00 04 00 5e 01 56 62 02 02 00 24 00 02"));
        seeds.add(Hex.bytes("ff 0f 5c 01 6f 22 07 72 65 61 64 69 6e 67 46 7b 01"));
        seeds.add(Hex.bytes("ff 0f 72 54 6d 22 01 74 63 22 01 63 73 22 01 53 2e"));
        seeds.add(Hex.bytes("ff 0f 41 03 49 02 2d 49 06 24 00 03"));
        seeds.add(Hex.bytes("ff 0f 3b 6f 22 01 61 49 02 7b 01 22 01 76 3a 02"));
        return seeds;
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            b = switch (random.nextInt(7)) {
                case 0 -> { // flip a bit
                    b[at] ^= (byte) (1 << random.nextInt(8));
                    yield b;
                }
                case 1 -> { // overwrite a byte
                    b[at] = (byte) random.nextInt(256);
                    yield b;
                }
                case 2 -> splice(b, at, 0, new byte[] {(byte) random.nextInt(256)}); // insert
                case 3 -> splice(b, at, 1, new byte[0]); // delete
                case 4 -> Arrays.copyOf(b, at); // truncate
                case 5 -> splice(b, at, Math.min(1 + random.nextInt(5), b.length - at), HUGE[random.nextInt(HUGE.length)]);
                default -> { // repeat a slice (more nesting, more back-references)
                    int n = Math.min(1 + random.nextInt(8), b.length - at);
                    yield splice(b, at, 0, Arrays.copyOfRange(b, at, at + n));
                }
            };
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[2 + random.nextInt(40)];
        random.nextBytes(b);
        b[0] = (byte) 0xff;
        b[1] = 0x0f;
        return b;
    }
}
