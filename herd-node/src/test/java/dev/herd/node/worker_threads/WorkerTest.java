package dev.herd.node.worker_threads;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static dev.herd.node.worker_threads.WorkerThreads.isMainThread;
import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.threadId;
import static dev.herd.node.worker_threads.WorkerThreads.workerData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.Herd;
import dev.herd.node.value.ArrayBuffer;
import dev.herd.node.value.DataCloneError;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A Worker's life: start, messages, exit codes, errors, env, argv (Node's test-worker-*.js). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith({FdLeakCheck.class, WorkerLeakCheck.class})
class WorkerTest {
    static int run(Herd.Main main) {
        return Herd.call(new String[0], main);
    }

    /** Records a worker's events, in order, as strings, into {@code events}. */
    static void record(Worker w, List<String> events) {
        w.on("online", a -> events.add("online"));
        w.on("message", a -> events.add("message " + a[0]));
        w.on("error", a -> events.add("error " + ((Throwable) a[0]).getMessage()));
        w.on("exit", a -> events.add("exit " + a[0]));
    }

    @Test
    void theSeedsWorkerGreetsWithItsWorkerData() {
        List<String> events = new ArrayList<>();
        int code = run(a -> {
            Worker w = new Worker(args -> {
                String name = (String) ((Map<?, ?>) workerData()).get("name");
                parentPort().postMessage("Hello world!" + name);
            }, WorkerOptions.builder().workerData(Map.of("name", "xiaoming")).build());
            record(w, events);
            w.on("message", m -> events.add("main thread: " + isMainThread()));
        });
        assertThat(code).isZero();
        assertThat(events).containsExactly("online", "message Hello world!xiaoming", "main thread: true", "exit 0");
    }

    @Test
    void insideAWorkerTheModuleDescribesTheWorker() {
        AtomicReference<Object> seen = new AtomicReference<>();
        int[] id = new int[1];
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage(List.of(isMainThread(), threadId(),
                    parentPort() != null, String.valueOf(workerData()))));
            id[0] = w.threadId();
            w.on("message", m -> seen.set(m[0]));
            assertThat(isMainThread()).isTrue();
            assertThat(threadId()).isZero();
            assertThat(parentPort()).isNull();
        });
        assertThat(seen.get()).isEqualTo(List.of(false, id[0], true, "null"));
        assertThat(id[0]).isPositive();
    }

    @Test
    void threadIdsGrowAndBecomeMinusOneAfterExit() {
        List<Integer> ids = new ArrayList<>();
        run(a -> {
            Worker w1 = new Worker(args -> {});
            Worker w2 = new Worker(args -> {});
            ids.add(w1.threadId());
            ids.add(w2.threadId());
            w2.on("exit", c -> ids.add(w2.threadId()));
        });
        assertThat(ids.get(1)).isGreaterThan(ids.get(0));
        assertThat(ids.get(2)).isEqualTo(-1);
    }

    @Test
    void messagesBothWaysArriveInOrder() {
        int n = 10_000;
        List<Object> back = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> {
                parentPort().postMessage(m[0]);
                if (m[0].equals(n - 1)) parentPort().close();
            }));
            w.on("message", m -> back.add(m[0]));
            for (int i = 0; i < n; i++) w.postMessage(i);
        });
        assertThat(back).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(back.get(i)).isEqualTo(i);
    }

    @Test
    void everythingTheWorkerPostedArrivesBeforeExit() {
        List<String> events = new ArrayList<>();
        run(a -> record(new Worker(args -> {
            for (int i = 0; i < 1000; i++) parentPort().postMessage(i);
        }), events));
        assertThat(events).hasSize(1002);
        assertThat(events.getFirst()).isEqualTo("online");
        assertThat(events.get(1000)).isEqualTo("message 999");
        assertThat(events.getLast()).isEqualTo("exit 0");
    }

    @Test
    void messagesPostedBeforeTheWorkerListensAreQueuedForIt() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> setTimeout(() -> parentPort().once("message", m -> {
                parentPort().postMessage("got " + m[0]);
                parentPort().close();
            }), 20));
            record(w, events);
            w.postMessage("early");
        });
        assertThat(events).containsExactly("online", "message got early", "exit 0");
    }

    @Test
    void manyRoundTripsNeverStall() {
        // Each round trip is a sender appending while the receiver's drain finishes: the window in
        // which a release-only inbox link once lost a wakeup (both loops then slept for good).
        int n = 20_000;
        int[] count = new int[1];
        run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> parentPort().postMessage(m[0])));
            w.once("online", () -> w.postMessage(0));
            w.on("message", m -> {
                if (++count[0] < n) w.postMessage(count[0]);
                else w.terminate();
            });
        });
        assertThat(count[0]).isEqualTo(n);
    }

    @Test
    void aMessagePostedJustAsTheWorkerStartsListeningIsNeverLost() {
        // The message arrives between the port's binding (before the entry runs) and its first
        // listener; 200 workers give that window many chances.
        int rounds = 200;
        int[] answered = new int[1];
        run(a -> new Object() {
            void next(int i) {
                if (i == rounds) return;
                Worker w = new Worker(args -> parentPort().once("message", m -> {
                    parentPort().postMessage(m[0]);
                    parentPort().close();
                }));
                w.once("online", () -> w.postMessage(i));
                w.on("message", m -> answered[0]++);
                w.once("exit", () -> next(i + 1));
            }
        }.next(0));
        assertThat(answered[0]).isEqualTo(rounds);
    }

    @Test
    void processExitEndsOnlyTheWorkerWithItsCode() {
        List<String> events = new ArrayList<>();
        boolean[] parentGoesOn = new boolean[1];
        int code = run(a -> {
            Worker w = new Worker(args -> {
                process().on("exit", c -> parentPort().postMessage("worker exit event " + c[0]));
                process().exit(7);
            });
            record(w, events);
            w.on("exit", c -> setTimeout(() -> parentGoesOn[0] = true, 1));
        });
        assertThat(code).isZero();
        assertThat(events).containsExactly("online", "message worker exit event 7", "exit 7");
        assertThat(parentGoesOn[0]).isTrue();
    }

    @Test
    void theWorkersExitCodeIsItsProcessExitCode() {
        List<String> events = new ArrayList<>();
        run(a -> record(new Worker(args -> process().exitCode(3)), events));
        assertThat(events).containsExactly("online", "exit 3");
    }

    @Test
    void anUncaughtExceptionBecomesErrorAfterTheWorkersExitListenersThenExitOne() {
        List<String> events = new ArrayList<>();
        AtomicReference<Object> error = new AtomicReference<>();
        int code = run(a -> {
            Worker w = new Worker(args -> {
                process().on("exit", c -> parentPort().postMessage("exit listener " + c[0]));
                parentPort().postMessage("a");
                setTimeout(() -> {
                    throw new IllegalStateException("late");
                }, 1);
            });
            record(w, events);
            w.on("error", e -> error.set(e[0]));
        });
        assertThat(code).isZero();
        assertThat(events).containsExactly("online", "message a", "message exit listener 1", "error late", "exit 1");
        assertThat(error.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anExceptionFromTheEntryItselfIsTheWorkersError() {
        List<String> events = new ArrayList<>();
        run(a -> record(new Worker(args -> {
            throw new java.io.IOException("from main");
        }), events));
        assertThat(events).containsExactly("online", "error from main", "exit 1");
    }

    @Test
    void aThrowingMessageListenerInTheWorkerBecomesItsError() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> {
                throw new IllegalArgumentException("handler " + m[0]);
            }));
            record(w, events);
            w.postMessage("hi");
        });
        assertThat(events).containsExactly("online", "error handler hi", "exit 1");
    }

    @Test
    void anUncaughtExceptionListenerInTheWorkerKeepsItRunning() {
        List<String> events = new ArrayList<>();
        run(a -> record(new Worker(args -> {
            process().on("uncaughtException", e -> parentPort().postMessage("caught " + ((Throwable) e[0]).getMessage()));
            setTimeout(() -> {
                throw new IllegalStateException("x");
            }, 1);
        }), events));
        assertThat(events).containsExactly("online", "message caught x", "exit 0");
    }

    @Test
    void anErrorWithoutListenerIsThrownInTheParent() {
        int code = run(a -> new Worker(args -> {
            throw new IllegalStateException("nobody listens");
        }));
        assertThat(code).isEqualTo(1);
    }

    // ---------------------------------------------------------------- terminate

    @Test
    void terminateEndsAnIdleWorkerWithCodeOneWithoutItsExitListeners() {
        List<String> events = new ArrayList<>();
        AtomicReference<Integer> resolved = new AtomicReference<>();
        run(a -> {
            Worker w = new Worker(args -> {
                process().on("exit", c -> parentPort().postMessage("exit listener ran"));
                parentPort().on("message", m -> {});
                parentPort().postMessage("up");
            });
            record(w, events);
            w.once("message", m -> w.terminate().thenAccept(resolved::set));
        });
        assertThat(events).containsExactly("online", "message up", "exit 1");
        assertThat(resolved.get()).isEqualTo(1);
    }

    @Test
    void terminateBeforeTheWorkerStartsGivesZeroAndNoOnline() {
        List<String> events = new ArrayList<>();
        AtomicReference<Integer> resolved = new AtomicReference<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage("never"));
            record(w, events);
            w.terminate().thenAccept(resolved::set);
        });
        // The race is the worker thread's start against terminate(): Node gives 0 and no 'online'
        // when terminate wins; 1 when it stops a running worker; and a worker quick enough to run
        // its entry and end before terminate() is called exits 0 on its own.
        assertThat(events.getLast()).isIn("exit 0", "exit 1");
        if (events.getLast().equals("exit 0")) {
            assertThat(events).isIn(List.of("exit 0"), List.of("online", "message never", "exit 0"));
        }
        assertThat(resolved.get()).isEqualTo(Integer.valueOf(events.getLast().substring(5)));
    }

    @Test
    void terminateTwiceGivesTheSameFutureAndAfterExitNull() {
        List<Object> results = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> {}));
            w.once("online", () -> {
                CompletableFuture<Integer> first = w.terminate();
                results.add(first == w.terminate());
                first.thenAccept(code -> results.add(w.terminate().getNow(-2)));
            });
        });
        assertThat(results).containsExactly(true, null);
    }

    @Test
    void terminateInterruptsAWorkerBlockedInAtomicsWait() {
        List<String> events = new ArrayList<>();
        run(a -> {
            SharedArrayBuffer sab = new SharedArrayBuffer(4);
            Worker w = new Worker(args -> {
                parentPort().postMessage("waiting");
                Atomics.wait(SharedTypedArray.int32((SharedArrayBuffer) workerData()), 0, 0);
                parentPort().postMessage("woke up");
            }, WorkerOptions.builder().workerData(sab).build());
            record(w, events);
            w.once("message", m -> setTimeout(w::terminate, 20));
        });
        assertThat(events).containsExactly("online", "message waiting", "exit 1");
    }

    @Test
    void terminateWaitsForCodeThatNeverYieldsToReturnToTheLoop() {
        long[] times = new long[2];
        List<String> events = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> {
                parentPort().postMessage("busy");
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) Thread.onSpinWait(); // never yields, never checks
                parentPort().postMessage("done spinning");
            });
            record(w, events);
            w.once("message", m -> {
                times[0] = System.nanoTime();
                w.terminate().thenAccept(c -> times[1] = System.nanoTime());
            });
        });
        assertThat(events).containsExactly("online", "message busy", "message done spinning", "exit 1");
        assertThat((times[1] - times[0]) / 1e6).isGreaterThan(100);
    }

    @Test
    void theParentsEndTerminatesAnUnrefdWorker() {
        List<String> events = new ArrayList<>();
        int code = run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> {}));
            w.unref();
            record(w, events);
        });
        assertThat(code).isZero();
        assertThat(events).doesNotContain("exit 0");
        // WorkerLeakCheck: the worker's thread ends soon after.
    }

    @Test
    void anUnrefdWorkerStillDeliversWhileTheParentIsAlive() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage("hi"));
            w.unref();
            record(w, events);
            setTimeout(() -> {}, 500);
            w.on("exit", () -> w.ref()); // ref after exit is harmless
        });
        assertThat(events).containsExactly("online", "message hi", "exit 0");
    }

    // ---------------------------------------------------------------- data and messages

    @Test
    void workerDataIsACloneTakenAtConstruction() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("list", new ArrayList<>(List.of(1, 2)));
            Worker w = new Worker(args -> parentPort().postMessage(workerData()),
                    WorkerOptions.builder().workerData(data).build());
            ((List<Object>) data.get("list")).add(3);
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(seen.get()).isEqualTo(Map.of("list", List.of(1, 2)));
    }

    @Test
    void workerDataTransferListMovesAnArrayBuffer() {
        AtomicReference<Object> seen = new AtomicReference<>();
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[] {1, 2, 3});
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage(((ArrayBuffer) workerData()).byteLength()),
                    WorkerOptions.builder().workerData(buffer).transferList(List.of(buffer)).build());
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(buffer.isDetached()).isTrue();
        assertThat(seen.get()).isEqualTo(3);
    }

    @Test
    void aPostedValueIsNeverAliased() {
        List<Object> seen = new ArrayList<>();
        Map<String, Object> sent = new LinkedHashMap<>(Map.of("k", new ArrayList<>(List.of("v"))));
        run(a -> {
            Worker w = new Worker(args -> parentPort().once("message", m -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> got = (Map<String, Object>) m[0];
                ((List<Object>) got.get("k")).add("changed by the worker");
                parentPort().postMessage(got);
                parentPort().close();
            }));
            w.on("message", m -> seen.add(m[0]));
            w.postMessage(sent);
        });
        assertThat(sent).isEqualTo(Map.of("k", List.of("v")));
        assertThat(seen).containsExactly(Map.of("k", List.of("v", "changed by the worker")));
        assertThat(seen.getFirst()).isNotSameAs(sent);
    }

    @Test
    void aTransferredArrayBufferIsDetachedHereAndWholeThere() {
        AtomicReference<Object> seen = new AtomicReference<>();
        ArrayBuffer buffer = ArrayBuffer.wrap(new byte[1024]);
        run(a -> {
            Worker w = new Worker(args -> parentPort().once("message", m -> {
                parentPort().postMessage(((ArrayBuffer) m[0]).byteLength());
                parentPort().close();
            }));
            w.on("message", m -> seen.set(m[0]));
            w.postMessage(buffer, List.of(buffer));
            assertThat(buffer.isDetached()).isTrue();
        });
        assertThat(seen.get()).isEqualTo(1024);
    }

    @Test
    void anUncloneableValueThrowsDataCloneErrorAndSendsNothing() {
        List<String> events = new ArrayList<>();
        List<Throwable> thrown = new ArrayList<>();
        ArrayBuffer buffer = ArrayBuffer.allocate(8);
        run(a -> {
            Worker w = new Worker(args -> parentPort().on("message", m -> {
                parentPort().postMessage("got " + m[0]);
                parentPort().close();
            }));
            record(w, events);
            Runnable notAValue = () -> {};
            try {
                w.postMessage(List.of(buffer, notAValue), List.of(buffer));
            } catch (DataCloneError e) {
                thrown.add(e);
            }
            w.postMessage("after");
        });
        assertThat(thrown).singleElement().asString().contains("function could not be cloned");
        assertThat(buffer.isDetached()).isFalse();
        assertThat(events).containsExactly("online", "message got after", "exit 0");
    }

    @Test
    void postingToAWorkerThatExitedIsDroppedSilently() {
        List<String> events = new ArrayList<>();
        int code = run(a -> {
            Worker w = new Worker(args -> {});
            record(w, events);
            w.on("exit", () -> {
                w.postMessage("late");
                w.postMessage(ArrayBuffer.allocate(4));
            });
        });
        assertThat(code).isZero();
        assertThat(events).containsExactly("online", "exit 0");
    }

    @Test
    void anUncloneableWorkerDataThrowsAtConstruction() {
        int code = run(a -> assertThatThrownBy(() -> new Worker(args -> {},
                WorkerOptions.builder().workerData(new Object()).build())).isInstanceOf(DataCloneError.class));
        assertThat(code).isZero();
    }

    // ---------------------------------------------------------------- env, argv, entry classes

    @Test
    void theDefaultEnvIsACopyOfTheParentsAtConstruction() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            process().env().put("HERD_WT_FOO", "parent");
            Worker w = new Worker(args -> {
                parentPort().postMessage(process().env().get("HERD_WT_FOO"));
                process().env().put("HERD_WT_FOO", "child");
            });
            process().env().put("HERD_WT_FOO", "parent again");
            w.on("message", m -> seen.set(m[0]));
            w.on("exit", () -> assertThat(process().env().get("HERD_WT_FOO")).isEqualTo("parent again"));
        });
        assertThat(seen.get()).isEqualTo("parent");
    }

    @Test
    void anEnvMapIsTheWholeEnvironmentWithStringValues() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            Map<String, Object> env = new LinkedHashMap<>();
            env.put("A", 1);
            env.put("B", "x");
            Worker w = new Worker(args -> parentPort().postMessage(new LinkedHashMap<>(process().env())),
                    WorkerOptions.builder().env(env).build());
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(seen.get()).isEqualTo(Map.of("A", "1", "B", "x"));
    }

    @Test
    void shareEnvSharesWritesBothWays() {
        List<Object> seen = new ArrayList<>();
        run(a -> {
            process().env().put("HERD_WT_SHARED", "parent");
            Worker w = new Worker(args -> {
                parentPort().postMessage(process().env().get("HERD_WT_SHARED"));
                process().env().put("HERD_WT_SHARED", "child");
            }, WorkerOptions.builder().env(WorkerThreads.SHARE_ENV).build());
            w.on("message", m -> seen.add(m[0]));
            w.on("exit", () -> seen.add(process().env().get("HERD_WT_SHARED")));
        });
        assertThat(seen).containsExactly("parent", "child");
    }

    @Test
    void argvIsAppendedToProcessArgvAndGivenToTheEntry() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage(List.of(List.of(args),
                    process().argv().subList(2, process().argv().size()))),
                    WorkerOptions.builder().argv(List.of("a", 2)).build());
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(seen.get()).isEqualTo(List.of(List.of("a", "2"), List.of("a", "2")));
    }

    /** Node's {@code new Worker(__filename)}: one class, both sides, Herd.run in its main. */
    public static final class SeedProgram {
        public static void main(String[] args) {
            Herd.run(args, argv -> {
                if (isMainThread()) {
                    Worker w = new Worker(SeedProgram.class, WorkerOptions.builder()
                            .workerData(Map.of("name", "xiaoming")).argv(List.of("from-class")).build());
                    w.on("message", m -> process().exitCode(m[0].equals("Hello world!xiaoming from-class") ? 42 : 2));
                } else {
                    parentPort().postMessage("Hello world!" + ((Map<?, ?>) workerData()).get("name") + " " + argv[0]);
                }
            });
        }
    }

    @Test
    void aClassEntryWhoseMainCallsHerdRunRunsInsideTheWorker() {
        AtomicReference<Integer> code = new AtomicReference<>();
        int parentCode = run(a -> {
            Worker w = new Worker(args -> {
                // The seed program's parent side, started in a worker so that Herd.run does not exit the JVM.
                Worker inner = new Worker(SeedProgram.class, WorkerOptions.builder()
                        .workerData(Map.of("name", "xiaoming")).argv(List.of("from-class")).build());
                inner.on("message", m -> parentPort().postMessage(m[0]));
            });
            w.on("message", m -> process().exitCode(m[0].equals("Hello world!xiaoming from-class") ? 0 : 2));
            w.on("exit", c -> code.set((Integer) c[0]));
        });
        assertThat(parentCode).isZero();
        assertThat(code.get()).isZero();
    }

    static final class NoMain {
    }

    @Test
    void aClassWithoutAPublicMainIsRefused() {
        int code = run(a -> assertThatThrownBy(() -> new Worker(NoMain.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public static void main"));
        assertThat(code).isZero();
    }

    @Test
    void aWorkerCanStartWorkers() {
        List<Object> seen = new ArrayList<>();
        run(a -> {
            Worker w = new Worker(args -> {
                Worker inner = new Worker(args2 -> parentPort().postMessage("grandchild " + threadId()));
                inner.on("message", m -> parentPort().postMessage(m[0] + " via child " + threadId()));
            });
            w.on("message", m -> seen.add(m[0]));
            seen.add(w.threadId());
        });
        int child = (Integer) seen.get(0);
        assertThat(seen.get(1)).isEqualTo("grandchild " + (child + 1) + " via child " + child);
    }

    @Test
    void environmentDataIsClonedIntoNewWorkers() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            WorkerThreads.setEnvironmentData("k", Map.of("v", 1));
            WorkerThreads.setEnvironmentData("gone", "x");
            WorkerThreads.setEnvironmentData("gone", null);
            Worker w = new Worker(args -> parentPort().postMessage(List.of(
                    WorkerThreads.getEnvironmentData("k"), String.valueOf(WorkerThreads.getEnvironmentData("gone")))));
            w.on("message", m -> seen.set(m[0]));
        });
        assertThat(seen.get()).isEqualTo(List.of(Map.of("v", 1), "null"));
    }

    // ---------------------------------------------------------------- resource limits

    @Test
    void resourceLimitsAreReportedWithTheDefaultStackSize() {
        AtomicReference<Object> seen = new AtomicReference<>();
        run(a -> {
            Worker w = new Worker(args -> parentPort().postMessage(WorkerThreads.resourceLimits().toString()),
                    WorkerOptions.builder().resourceLimits(ResourceLimits.builder().maxOldGenerationSizeMb(64).build()).build());
            assertThat(w.resourceLimits().stackSizeMb()).isEqualTo(ResourceLimits.DEFAULT_STACK_SIZE_MB);
            w.on("message", m -> seen.set(m[0]));
            assertThat(WorkerThreads.resourceLimits()).isEqualTo(ResourceLimits.NONE);
        });
        assertThat(seen.get()).isEqualTo(new ResourceLimits(0, 64, 0, 4).toString());
    }

    @Test
    void stackSizeMbBoundsTheWorkersRecursion() {
        List<Object> depths = new ArrayList<>();
        run(a -> {
            for (double mb : new double[] {0.25, 16}) {
                Worker w = new Worker(args -> {
                    int[] depth = new int[1];
                    try {
                        recurse(depth);
                    } catch (StackOverflowError e) {
                        parentPort().postMessage(depth[0]);
                    }
                }, WorkerOptions.builder().resourceLimits(ResourceLimits.builder().stackSizeMb(mb).build()).build());
                w.on("message", m -> depths.add(m[0]));
            }
        });
        assertThat(depths).hasSize(2);
        int small = Math.min((Integer) depths.get(0), (Integer) depths.get(1));
        int big = Math.max((Integer) depths.get(0), (Integer) depths.get(1));
        assertThat(big).isGreaterThan(8 * small);
    }

    private static void recurse(int[] depth) {
        depth[0]++;
        recurse(depth);
    }

    @Test
    void aNegativeResourceLimitIsOutOfRange() {
        assertThatThrownBy(() -> ResourceLimits.builder().stackSizeMb(-1).build())
                .isInstanceOf(dev.herd.node.NodeError.class).hasMessageContaining("out of range");
    }

    // ---------------------------------------------------------------- threads

    @Test
    void aWorkerRefusesCallsFromOtherThreads() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        run(a -> {
            Worker w = new Worker(args -> {});
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    w.postMessage("x");
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.join();
        });
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("loop-thread-only");
    }

    @Test
    void aWorkerNeedsAHerdThread() {
        assertThatThrownBy(() -> new Worker(args -> {})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no Herd environment");
    }
}
