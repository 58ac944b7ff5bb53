package dev.herd.node.worker_threads;

import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.workerData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.v8.V8;
import dev.herd.node.value.DataCloneError;
import dev.herd.node.value.StructuredClone;
import dev.herd.node.value.TypedArray.Kind;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** SharedArrayBuffer and Atomics: operations, wait/notify, and memory shared between workers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith({FdLeakCheck.class, WorkerLeakCheck.class})
class AtomicsTest {
    private static SharedTypedArray view(Kind kind, int length) {
        int width = switch (kind) {
            case INT8, UINT8 -> 1;
            case INT16, UINT16 -> 2;
            case INT32, UINT32 -> 4;
            default -> 8;
        };
        return new SharedTypedArray(kind, new SharedArrayBuffer(length * width));
    }

    @Test
    void readModifyWritesReturnTheOldValueOfAnInt32() {
        SharedTypedArray a = view(Kind.INT32, 2);
        assertThat(Atomics.add(a, 1, 5)).isZero();
        assertThat(Atomics.sub(a, 1, 2)).isEqualTo(5);
        assertThat(Atomics.or(a, 1, 0b1100)).isEqualTo(3);
        assertThat(Atomics.and(a, 1, 0b0110)).isEqualTo(0b1111);
        assertThat(Atomics.xor(a, 1, 0b0011)).isEqualTo(0b0110);
        assertThat(Atomics.exchange(a, 1, -7)).isEqualTo(0b0101);
        assertThat(Atomics.load(a, 1)).isEqualTo(-7);
        assertThat(Atomics.load(a, 0)).isZero();
    }

    @Test
    void compareExchangeWritesOnlyOnAMatch() {
        SharedTypedArray a = view(Kind.INT32, 1);
        Atomics.store(a, 0, 10);
        assertThat(Atomics.compareExchange(a, 0, 11, 20)).isEqualTo(10);
        assertThat(Atomics.load(a, 0)).isEqualTo(10);
        assertThat(Atomics.compareExchange(a, 0, 10, 20)).isEqualTo(10);
        assertThat(Atomics.load(a, 0)).isEqualTo(20);
    }

    @Test
    void valuesWrapToTheElementTypeAsInJavaScript() {
        SharedTypedArray i8 = view(Kind.INT8, 4);
        assertThat(Atomics.store(i8, 1, 200)).isEqualTo(200); // store returns its argument
        assertThat(Atomics.load(i8, 1)).isEqualTo(-56);
        assertThat(Atomics.add(i8, 1, 100)).isEqualTo(-56);
        assertThat(Atomics.load(i8, 1)).isEqualTo(44);
        assertThat(Atomics.load(i8, 0)).isZero(); // neighbours untouched
        assertThat(Atomics.load(i8, 2)).isZero();

        SharedTypedArray u8 = view(Kind.UINT8, 3);
        Atomics.sub(u8, 2, 1);
        assertThat(Atomics.load(u8, 2)).isEqualTo(255);

        SharedTypedArray i16 = view(Kind.INT16, 3);
        Atomics.store(i16, 1, 0x8000);
        assertThat(Atomics.load(i16, 1)).isEqualTo(-32768);
        assertThat(Atomics.compareExchange(i16, 1, -32768, 7)).isEqualTo(-32768);
        assertThat(Atomics.load(i16, 1)).isEqualTo(7);

        SharedTypedArray u16 = view(Kind.UINT16, 2);
        Atomics.exchange(u16, 0, -1);
        assertThat(Atomics.load(u16, 0)).isEqualTo(65535);
        assertThat(Atomics.load(u16, 1)).isZero();

        SharedTypedArray u32 = view(Kind.UINT32, 1);
        Atomics.sub(u32, 0, 1);
        assertThat(Atomics.load(u32, 0)).isEqualTo(4294967295L);

        SharedTypedArray i64 = view(Kind.BIGINT64, 1);
        Atomics.store(i64, 0, Long.MAX_VALUE);
        assertThat(Atomics.add(i64, 0, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Atomics.load(i64, 0)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void plainGetAndSetSeeTheSameMemory() {
        SharedArrayBuffer sab = new SharedArrayBuffer(8);
        SharedTypedArray i32 = SharedTypedArray.int32(sab);
        SharedTypedArray u8 = new SharedTypedArray(Kind.UINT8, sab);
        i32.set(0, 0x01020304);
        assertThat(u8.get(0)).isEqualTo(4); // little-endian
        assertThat(Atomics.load(u8, 3)).isEqualTo(1);
        assertThat(sab.data().getInt(0)).isEqualTo(0x01020304);
    }

    @Test
    void anIndexOutsideTheViewThrows() {
        SharedTypedArray a = view(Kind.INT32, 2);
        assertThatThrownBy(() -> Atomics.add(a, 2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Atomics.load(a, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void viewsAreCheckedAgainstTheirBuffer() {
        SharedArrayBuffer sab = new SharedArrayBuffer(10);
        assertThatThrownBy(() -> new SharedTypedArray(Kind.INT32, sab)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SharedTypedArray(Kind.INT32, sab, 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SharedTypedArray(Kind.INT32, sab, 4, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SharedTypedArray(Kind.FLOAT64, sab, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an integer typed array");
        assertThat(new SharedTypedArray(Kind.INT16, sab, 8, 1).length()).isEqualTo(1);
        assertThatThrownBy(() -> new SharedArrayBuffer(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sliceCopiesWithJavaScriptIndices() {
        SharedArrayBuffer sab = new SharedArrayBuffer(6);
        for (int i = 0; i < 6; i++) sab.data().put(i, (byte) i);
        SharedArrayBuffer s = sab.slice(-4, -1);
        assertThat(s.byteLength()).isEqualTo(3);
        assertThat(s.data().get(0)).isEqualTo((byte) 2);
        s.data().put(0, (byte) 9);
        assertThat(sab.data().get(2)).isEqualTo((byte) 2);
        assertThat(sab.slice(5, 2).byteLength()).isZero();
    }

    @Test
    void isLockFreeForOneTwoFourAndEightBytes() {
        assertThat(Atomics.isLockFree(4)).isTrue();
        assertThat(Atomics.isLockFree(8)).isTrue();
        assertThat(Atomics.isLockFree(3)).isFalse();
    }

    // ---------------------------------------------------------------- wait and notify

    @Test
    void waitReturnsNotEqualAtOnceWhenTheValueDiffers() {
        SharedTypedArray a = view(Kind.INT32, 1);
        Atomics.store(a, 0, 1);
        assertThat(Atomics.wait(a, 0, 0)).isEqualTo("not-equal");
    }

    @Test
    void waitTimesOut() {
        SharedTypedArray a = view(Kind.INT32, 1);
        long start = System.nanoTime();
        assertThat(Atomics.wait(a, 0, 0, 30)).isEqualTo("timed-out");
        assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(29);
        assertThat(Atomics.wait(a, 0, 0, 0)).isEqualTo("timed-out");
    }

    @Test
    void notifyWakesWaitersOldestFirstAndCountsThem() throws InterruptedException {
        SharedTypedArray a = view(Kind.INT32, 2);
        List<String> woke = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "w" + i;
            Thread t = Thread.ofPlatform().start(() -> woke.add(name + " " + Atomics.wait(a, 0, 0)));
            waiters.add(t);
            while (a.buffer.waiters.count <= i) Thread.onSpinWait(); // queued in this order
        }
        assertThat(Atomics.notify(a, 1)).isZero(); // another element: nobody waits there
        assertThat(Atomics.notify(a, 0, 2)).isEqualTo(2);
        waiters.get(0).join();
        waiters.get(1).join();
        assertThat(woke).containsExactlyInAnyOrder("w0 ok", "w1 ok");
        assertThat(waiters.get(2).isAlive()).isTrue();
        assertThat(Atomics.notify(a, 0)).isEqualTo(1);
        waiters.get(2).join();
        assertThat(Atomics.notify(a, 0)).isZero();
    }

    @Test
    void waitOnAnotherElementTypeIsRefused() {
        assertThatThrownBy(() -> Atomics.wait(view(Kind.UINT32, 1), 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Int32Array or BigInt64Array");
        assertThatThrownBy(() -> Atomics.notify(view(Kind.INT16, 1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Atomics.wait(view(Kind.BIGINT64, 1), 0, 1)).isEqualTo("not-equal");
    }

    @Test
    void anInterruptedWaitOutsideAWorkerThrowsCancellationAndKeepsTheStatus() throws InterruptedException {
        SharedTypedArray a = view(Kind.INT32, 1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            started.countDown();
            try {
                Atomics.wait(a, 0, 0);
                outcome.set("returned");
            } catch (CancellationException e) {
                outcome.set("cancelled, interrupted=" + Thread.currentThread().isInterrupted());
            }
        });
        started.await();
        while (a.buffer.waiters.count == 0) Thread.onSpinWait();
        t.interrupt();
        t.join();
        assertThat(outcome.get()).isEqualTo("cancelled, interrupted=true");
        assertThat(a.buffer.waiters.count).isZero();
    }

    // ---------------------------------------------------------------- shared between workers

    @Test
    void aSharedArrayBufferIsSharedNotCopied() {
        SharedArrayBuffer sab = new SharedArrayBuffer(8);
        SharedTypedArray view = SharedTypedArray.int32(sab);
        assertThat(StructuredClone.clone(Map.of("s", sab, "v", view))).isEqualTo(Map.of("s", sab, "v", view));
        assertThat(((Map<?, ?>) StructuredClone.clone(Map.of("s", sab))).get("s")).isSameAs(sab);
        assertThatThrownBy(() -> V8.serialize(sab)).isInstanceOf(DataCloneError.class);
    }

    @Test
    void twoWorkersIncrementOneCounterExactly() {
        int perWorker = 100_000;
        SharedArrayBuffer sab = new SharedArrayBuffer(4);
        int code = Herd.call(new String[0], a -> {
            for (int w = 0; w < 2; w++) {
                new Worker(args -> {
                    SharedTypedArray counter = SharedTypedArray.int32((SharedArrayBuffer) workerData());
                    for (int i = 0; i < perWorker; i++) Atomics.add(counter, 0, 1);
                }, WorkerOptions.builder().workerData(sab).build());
            }
        });
        assertThat(code).isZero();
        assertThat(Atomics.load(SharedTypedArray.int32(sab), 0)).isEqualTo(2L * perWorker);
    }

    @Test
    void plainWritesBeforeAnAtomicStoreAreSeenAfterTheFlagIsSeen() {
        // The message-passing litmus test: data written plainly, a flag stored atomically; whoever
        // sees the flag sees the data (JMM happens-before of volatile accesses).
        AtomicReference<Object> seen = new AtomicReference<>();
        int code = Herd.call(new String[0], a -> {
            SharedArrayBuffer sab = new SharedArrayBuffer(4 * 1025);
            Worker w = new Worker(args -> {
                SharedTypedArray mem = SharedTypedArray.int32((SharedArrayBuffer) workerData());
                Atomics.wait(mem, 0, 0); // until the flag is set
                long sum = 0;
                for (int i = 1; i <= 1024; i++) sum += mem.get(i);
                parentPort().postMessage(sum);
            }, WorkerOptions.builder().workerData(sab).build());
            w.on("online", () -> {
                SharedTypedArray mem = SharedTypedArray.int32(sab);
                for (int i = 1; i <= 1024; i++) mem.set(i, i);
                Atomics.store(mem, 0, 1);
                Atomics.notify(mem, 0);
            });
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(code).isZero();
        assertThat(seen.get()).isEqualTo(1024 * 1025 / 2);
    }

    @Test
    void aSharedArrayBufferPostedToAWorkerIsTheSameMemory() {
        SharedArrayBuffer sab = new SharedArrayBuffer(4);
        AtomicReference<Object> same = new AtomicReference<>();
        Herd.call(new String[0], a -> {
            Worker w = new Worker(args -> parentPort().once("message", m -> {
                SharedTypedArray v = (SharedTypedArray) m[0];
                Atomics.store(v, 0, 42);
                parentPort().postMessage(v.buffer());
                parentPort().close();
            }));
            w.postMessage(SharedTypedArray.int32(sab));
            w.on("message", m -> same.set(m[0]));
        });
        assertThat(same.get()).isSameAs(sab);
        assertThat(Atomics.load(SharedTypedArray.int32(sab), 0)).isEqualTo(42);
    }
}
