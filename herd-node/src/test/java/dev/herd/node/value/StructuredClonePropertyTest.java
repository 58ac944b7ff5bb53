package dev.herd.node.value;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link StructuredClone} on random values of the whole model, with shared and circular structure. */
@Timeout(30)
class StructuredClonePropertyTest {
    private static final int VALUES = 1000;

    @Test
    void everyRandomValueClonesToTheSameGraph() {
        ValueGenerator generator = new ValueGenerator(20_240_601);
        int shared = 0;
        for (int i = 0; i < VALUES; i++) {
            Object value = generator.withSharing(5);
            Object clone = StructuredClone.clone(value);
            String difference = ValueEquality.difference(value, clone);
            assertThat(difference).as("value #%d", i).isNull();
            if (walk(value).revisits > 0) {
                shared++;
            }
        }
        assertThat(shared).as("values with shared or circular structure").isGreaterThan(VALUES / 10);
    }

    @Test
    void aCloneSharesNoMutableObjectOrMemoryWithItsSource() {
        ValueGenerator generator = new ValueGenerator(7);
        for (int i = 0; i < VALUES; i++) {
            Object value = generator.withSharing(5);
            Graph source = walk(value);
            Graph clone = walk(StructuredClone.clone(value));
            assertThat(Collections.disjoint(source.objects.keySet(), clone.objects.keySet())).as("value #%d", i).isTrue();
            assertThat(Collections.disjoint(source.memory.keySet(), clone.memory.keySet())).as("memory of value #%d", i).isTrue();
            assertThat(clone.objects).hasSameSizeAs(source.objects);
        }
    }

    @Test
    void cloningAFreshValueTwiceGivesEqualClones() {
        ValueGenerator generator = new ValueGenerator(99);
        for (int i = 0; i < VALUES; i++) {
            Object value = generator.any(5);
            ValueEquality.assertSame(StructuredClone.clone(value), StructuredClone.clone(StructuredClone.clone(value)));
        }
    }

    @Test
    void jsonValuesCloneToThemselves() {
        ValueGenerator generator = new ValueGenerator(3);
        for (int i = 0; i < VALUES; i++) {
            Object value = generator.jsonValue(6);
            ValueEquality.assertSame(value, StructuredClone.clone(value));
        }
    }

    /** The objects with identity a value reaches, the byte arrays behind its buffers, and how often one was met again. */
    private record Graph(IdentityHashMap<Object, Boolean> objects, IdentityHashMap<Object, Boolean> memory, int revisits) {
    }

    private static Graph walk(Object root) {
        IdentityHashMap<Object, Boolean> objects = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> memory = new IdentityHashMap<>();
        int revisits = 0;
        ArrayDeque<Object> work = new ArrayDeque<>();
        work.push(root == null ? Undefined.INSTANCE : root);
        while (!work.isEmpty()) {
            Object v = work.pop();
            boolean container = v instanceof Map<?, ?> || v instanceof List<?> || v instanceof Set<?> || v instanceof JsError
                    || v instanceof byte[] || v instanceof ArrayBuffer || v instanceof TypedArray;
            if (!container) {
                continue;
            }
            if (objects.put(v, Boolean.TRUE) != null) {
                revisits++;
                continue;
            }
            switch (v) {
                case JsArray a -> a.elements().values().forEach(e -> push(work, e));
                case List<?> l -> l.forEach(e -> push(work, e));
                case Map<?, ?> m -> m.forEach((k, e) -> {
                    push(work, k);
                    push(work, e);
                });
                case Set<?> s -> s.forEach(e -> push(work, e));
                case JsError e -> push(work, e.jsCause());
                case TypedArray t -> push(work, t.buffer());
                case ArrayBuffer b -> {
                    ByteBuffer data = b.data();
                    memory.put(data.array(), Boolean.TRUE);
                }
                case byte[] b -> memory.put(b, Boolean.TRUE);
                default -> {
                }
            }
        }
        return new Graph(objects, memory, revisits);
    }

    private static void push(ArrayDeque<Object> work, Object v) {
        if (v != null) {
            work.push(v);
        }
    }
}
