package dev.herd.node.cluster;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.node.internal.net.NetAccess;
import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildProcess;
import dev.herd.node.child_process.ChildProcesses;
import dev.herd.node.child_process.SpawnOptions;
import dev.herd.node.json.Json;
import dev.herd.node.value.Values;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.dgram.Dgram;
import dev.herd.node.net.Net;
import dev.herd.node.net.Server;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cluster module with real worker processes (JVMs running {@link ClusterWorkerMain}): the
 * behaviours of Node's test/parallel/test-cluster-*.js that apply on Linux. Each test's primary
 * is a {@link Herd#call} on the test thread; it ends when every worker is gone, and a guard kills
 * the workers if a test hangs.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTest {
    /** Options for a lean, quick JVM worker. */
    static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"));

    static ClusterSettings.Builder workers(String... args) {
        return ClusterSettings.builder().exec(ClusterWorkerMain.class.getName()).args(args).execArgv(JVM);
    }

    /** Runs {@code main} as the primary; fails the test if a worker is still alive after 40 s. */
    static void run(Herd.Main main) {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int code = Herd.call(new String[0], args -> {
            List<Worker> forked = new ArrayList<>();
            Cluster.on("fork", x -> forked.add((Worker) x[0]));
            setTimeout(() -> {
                problems.add("timed out with workers " + Cluster.workers().keySet() + " of " + forked);
                for (Worker w : forked) if (!w.isDead()) w.process().kill("SIGKILL");
            }, 40_000).unref();
            main.main(args);
        });
        assertThat(problems).isEmpty();
        assertThat(code).as("primary's exit code").isZero();
    }

    /** Connects to 127.0.0.1:port and gives what the server wrote before closing ("" if nothing). */
    static void fetch(int port, Consumer<String> done) {
        Socket s = Net.createConnection(port, "127.0.0.1", null);
        collect(s, done);
    }

    static void collect(Socket s, Consumer<String> done) {
        StringBuilder b = new StringBuilder();
        s.setEncoding("utf8");
        s.on("data", a -> b.append(a[0]));
        s.on("error", a -> { });
        s.on("close", a -> done.accept(b.toString().trim()));
    }

    // ---------------------------------------------------------------- lifecycle and events

    @Test
    void eventsComeInNodesOrderOnTheWorkerAndTheCluster() {
        List<String> events = new ArrayList<>();
        Object[] exit = new Object[3];
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker w = Cluster.fork();
            for (String e : List.of("online", "listening", "disconnect", "exit")) {
                w.on(e, x -> events.add("worker " + e + " " + w.state()));
            }
            for (String e : List.of("fork", "online", "listening", "disconnect", "exit")) {
                Cluster.on(e, x -> events.add("cluster " + e));
            }
            assertThat(w.state()).isEqualTo("none");
            assertThat(w.exitedAfterDisconnect()).isNull();
            w.on("listening", x -> w.disconnect());
            w.on("exit", x -> {
                exit[0] = x[0];
                exit[1] = x[1];
                exit[2] = w.exitedAfterDisconnect();
            });
        });
        assertThat(events).containsExactly("cluster fork", "worker online online", "cluster online", "worker listening listening",
                "cluster listening", "worker disconnect disconnected", "cluster disconnect", "worker exit dead", "cluster exit");
        assertThat(exit).containsExactly(0, null, true);
    }

    @Test
    void idsStartAtOneAndAreNeverReusedAndACrashIsNotAVoluntaryExit() {
        List<String> exits = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("exit", "3").build());
            Cluster.on("fork", x -> ids.add(((Worker) x[0]).id()));
            Cluster.on("exit", x -> {
                Worker w = (Worker) x[0];
                exits.add(w.id() + " " + x[1] + " " + x[2] + " " + w.exitedAfterDisconnect() + " " + w.isDead()
                        + " " + Cluster.workers().containsKey(w.id()));
                if (w.id() == 2) Cluster.fork();
            });
            Cluster.fork();
            Cluster.fork();
            assertThat(Cluster.workers().keySet()).containsExactly(1, 2);
        });
        assertThat(ids).containsExactly(1, 2, 3);
        assertThat(exits).containsExactlyInAnyOrder("1 3 null false true false", "2 3 null false true false",
                "3 3 null false true false");
    }

    @Test
    void killingTheProcessIsNotAVoluntaryExitAndDisconnectComesFirst() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker w = Cluster.fork();
            w.on("listening", x -> w.process().kill("SIGKILL"));
            w.on("disconnect", x -> events.add("disconnect " + w.state() + " " + w.exitedAfterDisconnect()));
            w.on("exit", x -> events.add("exit " + x[0] + " " + x[1] + " " + w.exitedAfterDisconnect()));
        });
        assertThat(events).containsExactly("disconnect disconnected false", "exit null SIGKILL false");
    }

    /** What a test sees of a worker at one point: exitedAfterDisconnect, state, connected, dead, in workers(). */
    static String flags(Worker w) {
        return w.exitedAfterDisconnect() + " " + w.state() + " " + w.isConnected() + " " + w.isDead() + " "
                + Cluster.workers().containsKey(w.id());
    }

    /** Node v20 (as since v15) signals at once: a Node primary gives the sequence below on every run. */
    @ParameterizedTest
    @ValueSource(strings = {"", "SIGTERM", "SIGKILL"})
    void workerKillInThePrimarySignalsAtOnceAndIsNotAVoluntaryExit(String signal) {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("idle").build());
            Worker w = Cluster.fork();
            w.on("online", x -> {
                if (signal.isEmpty()) w.kill();
                else w.kill(signal);
                events.add("kill " + flags(w));
            });
            w.on("disconnect", x -> events.add("disconnect " + flags(w)));
            w.on("exit", x -> events.add("exit " + x[0] + " " + x[1] + " " + flags(w)));
            Cluster.on("exit", x -> events.add("cluster exit " + x[1] + " " + x[2] + " " + ((Worker) x[0]).exitedAfterDisconnect()));
        });
        String sig = signal.isEmpty() ? "SIGTERM" : signal;
        assertThat(events).containsExactly("kill null online true false true", "disconnect false disconnected false false true",
                "exit null " + sig + " false dead false true false", "cluster exit null " + sig + " false");
    }

    @Test
    void workerKillAfterDisconnectStillCountsAsVoluntary() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker w = Cluster.fork();
            w.on("listening", x -> {
                w.disconnect();
                w.kill("SIGKILL");
                events.add("kill " + w.exitedAfterDisconnect() + " " + Cluster.workers().size());
            });
            w.on("disconnect", x -> events.add("disconnect " + w.exitedAfterDisconnect()));
            w.on("exit", x -> events.add("exit " + x[0] + " " + x[1] + " " + w.exitedAfterDisconnect()));
        });
        assertThat(events).hasSize(3);
        assertThat(events.subList(0, 2)).containsExactly("kill true 0", "disconnect true");
        // The worker may finish its disconnect and exit by itself before the signal lands.
        assertThat(events.get(2)).isIn("exit null SIGKILL true", "exit 0 null true");
    }

    @Test
    void aWorkerThatDisconnectsItselfExitsVoluntarily() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("self-disconnect").build());
            Worker w = Cluster.fork();
            for (String e : List.of("listening", "disconnect")) w.on(e, x -> events.add(e));
            w.on("exit", x -> events.add("exit " + x[0] + " " + x[1] + " " + w.exitedAfterDisconnect()));
        });
        assertThat(events).containsExactly("listening", "disconnect", "exit 0 null true");
    }

    @Test
    void theJavaShapedAccessorsAnswerFalseAndThePidWhereNodesAnswerNull() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("exit", "3").build());
            Worker crashing = Cluster.fork();
            events.add("before exit " + crashing.exitedAfterDisconnect() + " " + crashing.isExitedAfterDisconnect() + " "
                    + crashing.pidIfStarted().equals(java.util.OptionalInt.of(crashing.pid())));
            Cluster.on(Cluster.EXIT, (worker, code, signal) -> {
                events.add("exit " + code + " " + signal + " " + worker.exitedAfterDisconnect() + " "
                        + worker.isExitedAfterDisconnect());
                if (worker == crashing) {
                    Cluster.setupPrimary(workers("self-disconnect").build());
                    Cluster.fork();
                }
            });
        });
        assertThat(events).containsExactly("before exit null false true", "exit 3 null false false", "exit 0 null true true");
    }

    /** In a worker, kill() ignores its signal: it tells the primary, disconnects and exits with 0 (Node v20, probed). */
    @ParameterizedTest
    @ValueSource(strings = {"", "SIGKILL"})
    void aWorkerThatKillsItselfExitsVoluntarily(String signal) {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers(signal.isEmpty() ? new String[] {"self-kill"} : new String[] {"self-kill", signal}).build());
            Worker w = Cluster.fork();
            w.on("listening", x -> events.add("listening"));
            w.on("disconnect", x -> events.add("disconnect " + w.exitedAfterDisconnect()));
            w.on("exit", x -> events.add("exit " + x[0] + " " + x[1] + " " + w.exitedAfterDisconnect()));
        });
        assertThat(events).containsExactly("listening", "disconnect true", "exit 0 null true");
    }

    @Test
    void clusterDisconnectCallsBackOnceEveryWorkerHasExited() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            int[] listening = {0};
            Cluster.on("listening", x -> {
                if (++listening[0] == 2) {
                    Cluster.disconnect(() -> events.add("callback " + Cluster.workers().size()));
                    events.add("disconnecting " + Cluster.workers().size());
                }
            });
            Cluster.on("exit", x -> events.add("exit " + x[1] + " " + ((Worker) x[0]).exitedAfterDisconnect()));
            Cluster.fork();
            Cluster.fork();
        });
        assertThat(events).hasSize(4);
        assertThat(events.getFirst()).isEqualTo("disconnecting 0");
        assertThat(events).containsOnlyOnce("callback 0");
        assertThat(events.stream().filter(e -> e.equals("exit 0 true"))).hasSize(2);
        // Node runs the callback when the last worker has exited, before that worker's 'exit'.
        assertThat(events.getLast()).isEqualTo("exit 0 true");
    }

    @Test
    void clusterDisconnectWithoutWorkersCallsBackOnTheNextTick() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.disconnect(() -> events.add("callback"));
            events.add("after");
        });
        assertThat(events).containsExactly("after", "callback");
    }

    // ---------------------------------------------------------------- servers

    @ParameterizedTest
    @ValueSource(ints = {Cluster.SCHED_RR, Cluster.SCHED_NONE, Cluster.SCHED_REUSEPORT})
    void listenZeroGivesEveryWorkerTheSamePort(int policy) {
        List<Integer> ports = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        run(a -> {
            Cluster.schedulingPolicy(policy);
            Cluster.setupPrimary(workers("net").build());
            Cluster.on("listening", x -> {
                ListeningAddress addr = (ListeningAddress) x[1];
                assertThat(addr.addressType()).isEqualTo(4);
                ports.add(addr.port());
                if (ports.size() < 2) return;
                Runnable[] next = new Runnable[1];
                next[0] = () -> fetch(addr.port(), s -> {
                    answers.add(s);
                    if (answers.size() < 12) next[0].run();
                    else Cluster.disconnect();
                });
                next[0].run();
            });
            Cluster.fork();
            Cluster.fork();
        });
        assertThat(ports).hasSize(2);
        assertThat(ports.get(0)).isPositive().isEqualTo(ports.get(1));
        assertThat(answers).hasSize(12).isSubsetOf("1", "2");
        // Round-robin alternates; SO_REUSEPORT hashes each new connection's source port, so both
        // workers get some of twelve (all twelve on one: p = 2^-11). Shared sockets promise nothing.
        if (policy != Cluster.SCHED_NONE) assertThat(answers).contains("1", "2");
    }

    @Test
    void advancedSerializationCarriesTheProtocolToo() {
        List<String> answers = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").serialization("advanced").build());
            Cluster.on("listening", x -> fetch(((ListeningAddress) x[1]).port(), s -> {
                answers.add(s);
                Cluster.disconnect();
            }));
            Cluster.fork();
        });
        assertThat(answers).containsExactly("1");
    }

    @Test
    void aPortInUseIsAnErrorOnTheWorkersServerAndThePrimaryStaysHealthy() {
        List<Object> errors = new ArrayList<>();
        run(a -> {
            Server taken = Net.createServer(c -> c.end("primary\n"));
            taken.listen(0, "127.0.0.1", 0, () -> {
                int port = taken.address().port();
                Cluster.setupPrimary(workers("listen-error").build());
                Worker w = Cluster.fork(Map.of("PORT", Integer.toString(port), "HOST", "127.0.0.1"));
                w.on("message", x -> {
                    errors.add(x[0]);
                    fetch(port, s -> {
                        errors.add(s);
                        w.disconnect();
                        taken.close();
                    });
                });
            });
        });
        assertThat(errors).hasSize(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) errors.get(0);
        assertThat(e).containsEntry("error", "EADDRINUSE").containsEntry("syscall", "bind");
        assertThat((String) e.get("message")).startsWith("bind EADDRINUSE 127.0.0.1:");
        assertThat(errors.get(1)).isEqualTo("primary");
    }

    @Test
    void roundRobinAlternatesStrictlyBetweenIdleWorkers() {
        List<String> answers = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            int[] listening = {0};
            Cluster.on("listening", x -> {
                if (++listening[0] < 2) return;
                int port = ((ListeningAddress) x[1]).port();
                Runnable[] next = new Runnable[1];
                next[0] = () -> fetch(port, s -> {
                    answers.add(s);
                    if (answers.size() < 10) next[0].run();
                    else Cluster.disconnect();
                });
                next[0].run();
            });
            Cluster.fork();
            Cluster.fork();
        });
        assertThat(answers).hasSize(10);
        for (int i = 1; i < answers.size(); i++) assertThat(answers.get(i)).isNotEqualTo(answers.get(i - 1));
        assertThat(answers.stream().filter("1"::equals)).hasSize(5);
    }

    @Test
    void aConnectionTheWorkerRejectsGoesToAnotherWorker() {
        List<String> answers = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            int[] listening = {0};
            Cluster.on("listening", x -> {
                if (++listening[0] < 2) return;
                int port = ((ListeningAddress) x[1]).port();
                for (int i = 0; i < 6; i++) fetch(port, s -> {
                    answers.add(s);
                    if (answers.size() == 6) Cluster.disconnect();
                });
            });
            Cluster.fork(Map.of("MAXCONN", "0")); // worker 1 takes no connection at all
            Cluster.fork();
        });
        assertThat(answers).containsOnly("2").hasSize(6);
    }

    @Test
    void aConnectionHandedToAWorkerThatDiesUnansweredIsServedByAnother() {
        List<String> answers = new ArrayList<>();
        String[] stalledAnswer = {null};
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker stalling = Cluster.fork(Map.of("STALL", "1"));
            stalling.on("listening", x -> {
                int port = ((ListeningAddress) x[0]).port();
                Worker healthy = Cluster.fork();
                healthy.on("listening", y -> fetch(port, s -> stalledAnswer[0] = s)); // goes to the first free worker
                stalling.on("message", y -> {
                    // The stalling worker is stuck in its 'connection' listener. Of five more
                    // connections one goes to it and is never answered, four to the other.
                    for (int i = 0; i < 5; i++) fetch(port, s -> {
                        answers.add(s);
                        if (answers.size() == 4) stalling.process().kill("SIGKILL");
                        if (answers.size() == 5) Cluster.disconnect();
                    });
                });
            });
        });
        assertThat(answers).containsExactly("2", "2", "2", "2", "2");
        assertThat(stalledAnswer[0]).isEmpty(); // reset when its worker died
    }

    @Test
    void sigkillingAWorkerUnderLoadLosesOnlyTheConnectionsItHeld() {
        int total = 300;
        int concurrency = 16;
        List<String> answers = new ArrayList<>();
        List<String> afterExit = new ArrayList<>();
        boolean[] exited = {false};
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker victim = Cluster.fork();
            Worker survivor = Cluster.fork();
            victim.on("exit", x -> exited[0] = true);
            int[] listening = {0};
            Cluster.on("listening", x -> {
                if (++listening[0] < 2) return;
                int port = ((ListeningAddress) x[1]).port();
                int[] started = {0};
                Runnable[] next = new Runnable[1];
                next[0] = () -> {
                    if (started[0] == total) return;
                    started[0]++;
                    // A reply the victim wrote just before dying can still be read after its
                    // 'exit': only connections opened after the exit count as "after".
                    boolean openedAfterExit = exited[0];
                    fetch(port, s -> {
                        answers.add(s);
                        if (openedAfterExit) afterExit.add(s);
                        if (answers.size() == 100) victim.process().kill("SIGKILL");
                        if (answers.size() == total) survivor.disconnect();
                        else next[0].run();
                    });
                };
                for (int i = 0; i < concurrency; i++) next[0].run();
            });
        });
        // Only connections the victim had accepted when it died can go unanswered (""): at most
        // one per client in flight. Every connection not yet handed to it was served by worker 2.
        assertThat(answers).hasSize(total).isSubsetOf("1", "2", "");
        assertThat(answers.stream().filter(""::equals).count()).isLessThanOrEqualTo(concurrency);
        assertThat(answers.subList(0, 100)).doesNotContain("");
        assertThat(afterExit).isNotEmpty().containsOnly("2");
    }

    @Test
    void disconnectingAWorkerClosesItsIdleKeepAliveHttpConnections() {
        List<String> events = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("http-long-keepalive").build());
            Worker w = Cluster.fork();
            w.on("listening", x -> {
                Socket s = Net.createConnection(((ListeningAddress) x[0]).port(), "127.0.0.1", null);
                s.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
                s.setEncoding("utf8");
                s.once("data", d -> {
                    events.add(((String) d[0]).startsWith("HTTP/1.1 200") ? "response" : "bad response " + d[0]);
                    w.disconnect(); // the connection stays open and idle: keep-alive for ten minutes
                });
                s.on("error", e -> { });
                s.on("close", c -> events.add("client closed"));
            });
            w.on("exit", x -> events.add("exit " + x[0]));
        });
        // Without closing idle connections the worker would wait out its ten-minute keep-alive.
        assertThat(events).containsExactlyInAnyOrder("response", "client closed", "exit 0");
    }

    @Test
    void disconnectingAWorkerUnderKeepAliveLoadFailsNoRequestAndItsClientsReconnectToTheOther() {
        // A rolling reload: two workers share the port, keep-alive clients send back to back,
        // and worker 1 is disconnected under that load (its http server closes). Every request
        // sent gets a complete 200 answer: a connection of worker 1 ends only after an answer
        // that says Connection: close, and its client reconnects (to worker 2). Worker 1 exits
        // while the clients still send.
        BackToBackLoad load = new BackToBackLoad(4);
        int[] exit = {-1};
        run(a -> {
            Cluster.setupPrimary(workers("http").build());
            Worker w1 = Cluster.fork();
            Cluster.fork();
            int[] listening = {0};
            Cluster.on("listening", x -> {
                if (++listening[0] < 2) return;
                load.start(((ListeningAddress) x[1]).port(), answers -> {
                    if (answers == 400) w1.disconnect();
                    // Well after worker 1 is gone, the clients stop, and then worker 2 too.
                    return exit[0] >= 0 && answers >= load.answersAtExit + 400;
                }, Cluster::disconnect);
            });
            w1.on("exit", x -> {
                exit[0] = (Integer) x[0];
                load.answersAtExit = load.answered;
            });
        });
        assertThat(load.failures).isEmpty();
        assertThat(load.answered).isEqualTo(load.sent);
        assertThat(exit[0]).isZero();
        assertThat(load.byWorker.keySet()).containsExactlyInAnyOrder("worker 1\n", "worker 2\n");
        assertThat(load.reconnects).as("clients of worker 1 reconnected").isPositive();
    }

    /**
     * Keep-alive HTTP clients on the primary's loop, each sending its next GET as soon as the
     * last answer is in, reconnecting when the server ends a connection after
     * {@code Connection: close}. Records every request with no complete answer (or not 200),
     * and every connection ended without {@code Connection: close}.
     */
    static final class BackToBackLoad {
        private static final String REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        final int clients;
        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> byWorker = new LinkedHashMap<>();
        int sent;
        int answered;
        int reconnects;
        int answersAtExit = Integer.MAX_VALUE;
        private int port;
        /** Called with the count after each answer; true: the clients stop. */
        private java.util.function.IntPredicate stopAfter;
        private Runnable done;
        private boolean stopping;
        private int stopped;

        BackToBackLoad(int clients) {
            this.clients = clients;
        }

        void start(int port, java.util.function.IntPredicate stopAfter, Runnable done) {
            this.port = port;
            this.stopAfter = stopAfter;
            this.done = done;
            for (int i = 0; i < clients; i++) connect();
        }

        private void connect() {
            Socket s = Net.createConnection(port, "127.0.0.1", null);
            StringBuilder got = new StringBuilder();
            boolean[] inFlight = {false};
            boolean[] closeSaid = {false};
            Runnable send = () -> {
                inFlight[0] = true;
                sent++;
                s.write(REQUEST);
            };
            s.setEncoding("latin1");
            s.on("connect", send);
            s.on("data", d -> {
                got.append((String) d[0]);
                for (int head; (head = got.indexOf("\r\n\r\n")) >= 0; ) {
                    String[] lines = got.substring(0, head).split("\r\n");
                    int length = -1;
                    boolean close = false;
                    for (String l : lines) {
                        String lower = l.toLowerCase(java.util.Locale.ROOT);
                        if (lower.startsWith("content-length:")) length = Integer.parseInt(l.substring(15).trim());
                        if (lower.startsWith("connection:")) close = lower.contains("close");
                    }
                    if (length < 0 || got.length() < head + 4 + length) return; // the rest is on its way
                    String body = got.substring(head + 4, head + 4 + length);
                    got.delete(0, head + 4 + length);
                    inFlight[0] = false;
                    answered++;
                    if (!lines[0].startsWith("HTTP/1.1 200 ")) failures.add("answered " + lines[0]);
                    byWorker.merge(body, 1, Integer::sum);
                    if (!stopping && stopAfter.test(answered)) stopping = true;
                    if (close) {
                        closeSaid[0] = true; // the server ends the connection now
                    } else if (stopping) {
                        s.end();
                    } else {
                        send.run();
                    }
                }
            });
            s.on("error", e -> { });
            s.on("close", c -> {
                if (inFlight[0]) failures.add("a request got no answer (" + got.length() + " bytes of it)");
                else if (!closeSaid[0] && !stopping) failures.add("a connection ended without Connection: close");
                if (!stopping) {
                    reconnects++;
                    connect();
                } else if (++stopped == clients) {
                    done.run();
                }
            });
        }
    }

    @Test
    void aWorkerListensOnAUnixSocketThroughThePrimary(@TempDir Path dir) {
        String path = dir.resolve("s.sock").toString();
        List<Object> got = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("net").build());
            Worker w = Cluster.fork(Map.of("SOCKET", path));
            w.on("listening", x -> {
                ListeningAddress addr = (ListeningAddress) x[0];
                got.add(addr.addressType() + " " + addr.port() + " " + addr.address());
                collect(Net.createConnection(path, null), s -> {
                    got.add(s);
                    w.disconnect();
                });
            });
        });
        assertThat(got).containsExactly("-1 -1 " + path, "1");
    }

    @Test
    void dgramSocketsInWorkersShareThePrimarysSocket() {
        List<Object> got = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("dgram").build());
            List<Integer> ports = new ArrayList<>();
            Cluster.on("message", x -> {
                ports.add((Integer) ((Map<?, ?>) x[1]).get("bound"));
                if (ports.size() < 2) return;
                got.add(ports.get(0).equals(ports.get(1)));
                var client = Dgram.createSocket("udp4");
                client.on("message", y -> {
                    got.add(new String((byte[]) y[0], StandardCharsets.UTF_8));
                    client.close();
                    Cluster.disconnect();
                });
                client.send("hi", ports.get(0), "127.0.0.1", null);
            });
            Cluster.on("listening", x -> got.add(((ListeningAddress) x[1]).addressType()));
            Cluster.fork();
            Cluster.fork();
        });
        // The answer can overtake the second worker's 'listening': both reach the primary in the
        // same poll, the datagram on its own socket, the message through the channel.
        assertThat(got).hasSize(4);
        assertThat(got.stream().filter("udp4"::equals)).hasSize(2);
        assertThat(got).contains(true);
        assertThat(got).containsAnyOf("worker 1", "worker 2");
    }

    // ---------------------------------------------------------------- messages and settings

    @Test
    void messagesTravelBothWaysAndReachTheWorkerAndTheCluster() {
        List<Object> onWorker = new ArrayList<>();
        List<Object> onCluster = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("echo").build());
            Worker w = Cluster.fork();
            w.on("message", x -> {
                onWorker.add(x[0]);
                if (onWorker.size() == 3) w.disconnect();
            });
            Cluster.on("message", x -> onCluster.add(((Worker) x[0]).id() + " " + x[1]));
            w.on("online", x -> {
                w.send("a");
                w.send(List.of(1, 2));
                w.send(Map.of("k", "v"));
            });
        });
        assertThat(onWorker).containsExactly(Map.of("echo", "a", "id", 1), Map.of("echo", List.of(1, 2), "id", 1),
                Map.of("echo", Map.of("k", "v"), "id", 1));
        assertThat(onCluster).hasSize(3);
        assertThat((String) onCluster.getFirst()).startsWith("1 {");
    }

    @Test
    void handlesTravelBothWaysWithoutDeadlock() {
        List<String> got = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("handles").build());
            Worker w = Cluster.fork();
            Server local = Net.createServer(conn -> w.send("socket", conn));
            w.on("message", x -> {
                assertThat(x[0]).isEqualTo("server");
                // The primary's copy of the worker's listening socket: close it, so that only the
                // worker accepts on the port it names.
                Server fromWorker = (Server) x[1];
                int port = fromWorker.address().port();
                fromWorker.close();
                fetch(port, s -> {
                    got.add(s);
                    local.listen(0, "127.0.0.1", 0, () -> fetch(local.address().port(), t -> {
                        got.add(t);
                        local.close();
                        w.disconnect();
                    }));
                });
            });
        });
        assertThat(got).containsExactly("own server of worker 1", "socket via worker 1");
    }

    @Test
    void setupPrimarySettingsReachTheWorker(@TempDir Path dir) throws java.io.IOException {
        List<Object> got = new ArrayList<>();
        run(a -> {
            Cluster.on("setup", x -> got.add(((ClusterSettings) x[0]).silent()));
            List<String> execArgv = new ArrayList<>(JVM);
            execArgv.addFirst("-Dherd.test=yes");
            Cluster.setupPrimary(workers("print", "x y").execArgv(execArgv).cwd(dir.toString()).silent(true).build());
            ClusterSettings s = Cluster.settings();
            assertThat(s.exec()).isEqualTo(ClusterWorkerMain.class.getName());
            assertThat(s.args()).containsExactly("print", "x y");
            assertThat(s.silent()).isTrue();
            Worker w = Cluster.fork(Map.of("EXTRA", "e"));
            StringBuilder out = new StringBuilder();
            w.process().stdout().setEncoding("utf8");
            w.process().stdout().on("data", x -> out.append(x[0]));
            w.process().on("close", x -> got.add(out.toString().trim()));
        });
        // 'setup' twice: fork() calls setupPrimary() too, as in Node.
        assertThat(got).containsExactly(true, true,
                "cwd=" + dir.toRealPath() + " prop=yes args=print,x y extra=e id=1");
    }

    @Test
    void malformedClusterMessagesAreIgnoredByThePrimary() {
        List<String> got = new ArrayList<>();
        run(a -> {
            Cluster.setupPrimary(workers("junk").build());
            Worker w = Cluster.fork();
            w.on("message", x -> {
                got.add(String.valueOf(x[0]));
                w.disconnect();
            });
            w.on("exit", x -> got.add("exit " + x[0]));
        });
        assertThat(got).containsExactly("junk-done", "exit 0");
    }

    @Test
    void aWorkerSpeaksNodesWireProtocolToItsPrimary() {
        // The test is the primary here, a fake one answering by hand as Node's primary does.
        List<String> wire = new ArrayList<>();
        String[] served = {null};
        String key = "null:8000:4:undefined:0";
        run(a -> {
            Map<String, String> env = new LinkedHashMap<>(process().env());
            env.put("NODE_UNIQUE_ID", "5");
            env.put("PORT", "8000"); // never bound: the primary listens in round-robin
            ChildProcess w = ChildProcesses.fork(ClusterWorkerMain.class.getName(), List.of("net"),
                    SpawnOptions.builder().execArgv(JVM).env(env).build());
            Server local = Net.createServer(conn -> w.send(Values.object("cmd", "NODE_CLUSTER", "act", "newconn", "key", key, "seq", 1),
                    NetAccess.get().detachHandle(conn)));
            w.on("internalMessage", x -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) x[0];
                wire.add(Json.stringify(m));
                if ("queryServer".equals(m.get("act"))) {
                    w.send(Values.object("cmd", "NODE_CLUSTER", "errno", null, "key", key, "ack", m.get("seq"), "data", null, "sockname",
                            Values.object("address", "::", "family", "IPv6", "port", 8000), "seq", 0));
                } else if ("listening".equals(m.get("act"))) {
                    local.listen(0, "127.0.0.1", 0, () -> fetch(local.address().port(), got -> served[0] = got));
                } else if (Boolean.TRUE.equals(m.get("accepted"))) {
                    w.send(Values.object("cmd", "NODE_CLUSTER", "act", "disconnect", "seq", 2));
                } else if ("close".equals(m.get("act"))) {
                    local.close();
                }
            });
        });
        // Byte for byte the transcript of a real Node worker (node-ipc-protocol.md §7.5, Appendix A).
        assertThat(wire).containsExactly(
                "{\"cmd\":\"NODE_CLUSTER\",\"act\":\"online\",\"seq\":0}",
                "{\"cmd\":\"NODE_CLUSTER\",\"act\":\"queryServer\",\"index\":0,\"data\":null,\"address\":null,\"port\":8000,"
                        + "\"addressType\":4,\"backlog\":0,\"seq\":1}",
                "{\"cmd\":\"NODE_CLUSTER\",\"act\":\"listening\",\"index\":0,\"data\":null,\"address\":null,\"port\":8000,"
                        + "\"addressType\":4,\"backlog\":0,\"seq\":2}",
                "{\"cmd\":\"NODE_CLUSTER\",\"ack\":1,\"accepted\":true,\"seq\":3}",
                "{\"cmd\":\"NODE_CLUSTER\",\"act\":\"close\",\"key\":\"null:8000:4:undefined:0\",\"seq\":4}");
        assertThat(served[0]).isEqualTo("5");
    }

    // ---------------------------------------------------------------- API misuse

    @Test
    void primaryOnlyCallsRefuseBadInput() {
        run(a -> {
            assertThat(Cluster.isPrimary()).isTrue();
            assertThat(Cluster.isMaster()).isTrue();
            assertThat(Cluster.isWorker()).isFalse();
            assertThat(Cluster.worker()).isNull();
            assertThat(Cluster.workers()).isEmpty();
            assertThat(Cluster.schedulingPolicy()).isEqualTo(Cluster.SCHED_RR);
            assertThatThrownBy(() -> Cluster.schedulingPolicy(7)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ClusterSettings.builder().serialization("xml").build())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ClusterSettings.builder().inspectPort("9229").build())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Cluster.workers().put(1, null)).isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void settingsMergeFieldByField() {
        ClusterSettings base = ClusterSettings.builder().exec("A").args("1").silent(false).build();
        ClusterSettings merged = base.with(ClusterSettings.builder().args("2", "3").cwd("/tmp").build());
        assertThat(merged.exec()).isEqualTo("A");
        assertThat(merged.args()).containsExactly("2", "3");
        assertThat(merged.cwd()).isEqualTo("/tmp");
        assertThat(merged.silent()).isFalse();
        assertThat(base.with(null)).isEqualTo(base);
    }

    @Test
    void theDefaultExecIsThisJvmsOwnCommand() {
        List<String> command = ClusterSettings.jvmCommand();
        assertThat(String.join(" ", command)).isEqualTo(System.getProperty("sun.java.command"));
    }
}
