package dev.herd.bench;

import static dev.herd.bench.Scenario.Metric.higher;
import static dev.herd.bench.Scenario.Metric.lower;

import dev.herd.bench.scenarios.ClusterForkListening;
import dev.herd.bench.scenarios.ClusterShare;
import dev.herd.bench.scenarios.ExecfileEcho;
import dev.herd.bench.scenarios.FirstRequest;
import dev.herd.bench.scenarios.ForkFirstMessage;
import dev.herd.bench.scenarios.ImmediateChain;
import dev.herd.bench.scenarios.IpcHandles;
import dev.herd.bench.scenarios.IpcOneway1k;
import dev.herd.bench.scenarios.IpcPingpong;
import dev.herd.bench.scenarios.LoopExecute;
import dev.herd.bench.scenarios.ManagerCli;
import dev.herd.bench.scenarios.ManagerCluster;
import dev.herd.bench.scenarios.ManagerMemory;
import dev.herd.bench.scenarios.ManagerLogFlood;
import dev.herd.bench.scenarios.ManagerMemoryLimit;
import dev.herd.bench.scenarios.ManagerReload;
import dev.herd.bench.scenarios.ManagerReloadBad;
import dev.herd.bench.scenarios.ManagerObserve;
import dev.herd.bench.scenarios.ManagerRestart;
import dev.herd.bench.scenarios.ManagerStart;
import dev.herd.bench.scenarios.ManagerStopStubborn;
import dev.herd.bench.scenarios.MicrotaskChain;
import dev.herd.bench.scenarios.NextTickChain;
import dev.herd.bench.scenarios.Serialize;
import dev.herd.bench.scenarios.SpawnTrue;
import dev.herd.bench.scenarios.TcpEchoThroughput;
import dev.herd.bench.scenarios.TcpPingpong;
import dev.herd.bench.scenarios.TimersRandom;
import dev.herd.bench.scenarios.WorkerAtomics;
import dev.herd.bench.scenarios.WorkerIdleRss;
import dev.herd.bench.scenarios.WorkerOneway;
import dev.herd.bench.scenarios.WorkerPingpong;
import dev.herd.bench.scenarios.WorkerStart;
import dev.herd.bench.scenarios.WorkpoolRoundtrip;
import java.util.List;

/**
 * The scenario registry. Arguments are N (workload size), W (warm-up rounds) and T (timed rounds)
 * inside each process. Quick arguments keep {@code ./herd bench all --quick} within a few minutes
 * on a 2-core machine; where a target in docs/benchmarks.md is stated for a size (1e6 callbacks,
 * 1e5 timers), the full arguments use that size.
 */
public final class Scenarios {
    private Scenarios() {}

    /** The Herd http-hello server (herd-cli's example): {@code --port P --host H}, Node's hello world. */
    static final String HTTP_HELLO_MAIN = "dev.herd.examples.HttpHello";
    /** The cluster-http example with 2 workers: {@code --port P --host H}, Node's cluster hello world. */
    static final String CLUSTER_HTTP_MAIN = "dev.herd.bench.scenarios.ClusterHttp2";
    /** What http-hello answers to every request, in both runtimes. */
    static final String HTTP_HELLO_BODY = "hello world\n";

    /**
     * The JVM flags the launcher starts every Herd program with (besides
     * {@code --enable-native-access} and its AOT cache), and so the runner every scenario's Herd
     * program ({@link Runner#LAUNCHER_JVM_FLAGS}; a scenario may add its own): the flag study in
     * docs/studies/2026-12-03-jvm-flags.md ("JVM flags for a lean server") has their effect on idle
     * RSS and on http-hello throughput. RunnerTest checks the launcher has the same list.
     */
    public static final List<String> RECOMMENDED_SERVER_JVM_FLAGS = List.of(
            "-XX:+UseSerialGC", "-Xms8m", "-XX:NewSize=1m", "-XX:TrimNativeHeapInterval=1000",
            "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,jdk.internal.classfile.impl.*::*,100.0",
            "-Dslf4j.internal.verbosity=ERROR");

    /** Every scenario, in the order {@code ./herd bench all} runs them. */
    public static final List<Scenario> ALL = List.of(
            new Scenario("immediate-chain", "1e6 chained setImmediate callbacks",
                    ImmediateChain.class, "immediate-chain.js",
                    List.of("1000000", "3", "5"), List.of("200000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("nexttick-chain", "1e6 chained process.nextTick callbacks",
                    NextTickChain.class, "nexttick-chain.js",
                    List.of("1000000", "5", "10"), List.of("1000000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("microtask-chain", "1e6 chained queueMicrotask callbacks",
                    MicrotaskChain.class, "microtask-chain.js",
                    List.of("1000000", "5", "10"), List.of("500000", "3", "5"),
                    List.of(lower("time_ms"))),
            new Scenario("timers-random", "1e5 setTimeout calls, delays 0-100 ms from xorshift32",
                    TimersRandom.class, "timers-random.js",
                    List.of("100000", "3", "7"), List.of("100000", "2", "3"),
                    List.of(lower("schedule_ms"), lower("lateness_p50_ms"), lower("lateness_p99_ms"),
                            lower("overhead_ms"))),
            new Scenario("loop-execute", "1e6 Loop.execute wakeups from 2 producer threads (Herd only)",
                    LoopExecute.class, null,
                    List.of("1000000", "5", "10"), List.of("200000", "3", "5"),
                    List.of(lower("time_ms").herdOnly(), higher("ops_per_s").herdOnly())),
            new Scenario("workpool-roundtrip", "sequential work pool round trips (Node: crypto.randomFill of 1 byte)",
                    WorkpoolRoundtrip.class, "workpool-roundtrip.js",
                    List.of("20000", "3", "5"), List.of("5000", "2", "3"),
                    List.of(lower("time_ms"), higher("roundtrips_per_s"))),
            new Scenario("spawn-true", "N sequential spawn('/bin/true'), default stdio pipes, each to its 'exit'",
                    SpawnTrue.class, "spawn-true.js",
                    List.of("300", "3", "5"), List.of("100", "2", "3"),
                    List.of(lower("exit_ms"), higher("spawns_per_s"))),
            new Scenario("execfile-echo", "N sequential execFile('echo', ['hi']), each to its callback",
                    ExecfileEcho.class, "execfile-echo.js",
                    List.of("300", "3", "5"), List.of("100", "2", "3"),
                    List.of(lower("callback_ms"), higher("execs_per_s"))),
            new Scenario("fork-first-message", "N sequential forks of an empty child program (a Herd JVM / a Node process) to its first message",
                    ForkFirstMessage.class, "fork-first-message.js",
                    List.of("20", "1", "3"), List.of("5", "1", "2"),
                    List.of(lower("first_message_ms"), lower("exit_ms"))),
            new Scenario("ipc-pingpong", "N sequential round trips of a small message (a number) parent <-> forked child, JSON mode",
                    IpcPingpong.class, "ipc-pingpong.js",
                    List.of("50000", "2", "3"), List.of("20000", "2", "3"),
                    List.of(higher("roundtrips_per_s"), lower("rtt_us_p50"))),
            new Scenario("ipc-oneway-1k", "N one-way 1 KiB JSON messages parent -> forked child, the child acknowledging the count",
                    IpcOneway1k.class, "ipc-oneway-1k.js",
                    List.of("200000", "2", "3"), List.of("50000", "2", "3"),
                    List.of(higher("msgs_per_s"))),
            new Scenario("ipc-handles", "N accepted loopback sockets passed as handles parent -> forked child, which answers each",
                    IpcHandles.class, "ipc-handles.js",
                    List.of("10000", "1", "3"), List.of("4000", "1", "3"),
                    List.of(higher("sockets_per_s"))),
            new Scenario("tcp-echo-throughput", "N MiB in 64 KiB chunks through a TCP echo server and back, one connection",
                    TcpEchoThroughput.class, "tcp-echo-throughput.js",
                    List.of("256", "3", "5"), List.of("128", "3", "5"),
                    List.of(higher("mib_per_s"))),
            new Scenario("tcp-pingpong", "N sequential 1-byte TCP round trips, one connection",
                    TcpPingpong.class, "tcp-pingpong.js",
                    List.of("50000", "3", "5"), List.of("10000", "3", "5"),
                    List.of(lower("rtt_us_p50"), lower("rtt_us_p99"), higher("roundtrips_per_s"))),
            // A young generation for 1 MiB messages: the launcher's starts at 1 MiB (right for an
            // idle server), so every 1 MiB array would be allocated in the old generation, which
            // then grows to gigabytes of garbage, touching fresh pages all the way. 32 MiB is about
            // what V8 gives Node's young objects by default (two 16 MiB semi-spaces); Node keeps
            // its defaults, since its Buffers live outside the V8 heap (malloc) anyway.
            new Scenario("serialize", "encode+decode of a ~1 KiB object and a 1 MiB Buffer, JSON and advanced (V8) modes",
                    Serialize.class, "serialize.js",
                    List.of("20000", "2", "5"), List.of("10000", "1", "3"),
                    List.of(higher("json_obj1k_ops_per_s"), higher("json_buf1m_ops_per_s"),
                            higher("adv_obj1k_ops_per_s"), higher("adv_buf1m_ops_per_s")))
                    .withHerdJvmFlags("-Xms64m", "-XX:NewSize=32m"),
            new Scenario("http-hello-keepalive", "the http-hello server under wrk -t1 -c64, keep-alive connections",
                    HTTP_HELLO_MAIN, "http-hello.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("latency_p99_ms")),
                    new Scenario.Server(new Wrk(false, HTTP_HELLO_BODY))),
            new Scenario("http-hello-newconn", "the http-hello server under wrk -t1 -c64, a new connection per request",
                    HTTP_HELLO_MAIN, "http-hello.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("latency_p99_ms")),
                    new Scenario.Server(new Wrk(true, HTTP_HELLO_BODY))),
            new Scenario("http-idle-rss", "resident memory of an idle http-hello server, fresh and after 1000 requests",
                    HTTP_HELLO_MAIN, "http-hello.js",
                    List.of("2", "1000"), List.of("2", "1000"),
                    List.of(lower("rss_mib"), lower("rss_after_load_mib")),
                    new Scenario.Server(new IdleRss(HTTP_HELLO_BODY))),
            // Three JVMs share the cores with wrk: they run as the launcher starts them (lean flags,
            // AOT cache: every scenario's Herd program does), which the workers inherit, and warm
            // up for 10 s (every JVM's JIT).
            new Scenario("cluster-keepalive", "cluster-http, 2 round-robin workers, under wrk -t1 -c64, keep-alive connections",
                    CLUSTER_HTTP_MAIN, "cluster-http.js",
                    List.of("10", "10", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("latency_p99_ms")),
                    new Scenario.Server(new Wrk(false, HTTP_HELLO_BODY))),
            // server_cpu_us_per_req: the primary's own CPU per request, i.e. per connection it hands over.
            new Scenario("cluster-newconn", "cluster-http, 2 round-robin workers, under wrk -t1 -c64, a new connection per request",
                    CLUSTER_HTTP_MAIN, "cluster-http.js",
                    List.of("10", "10", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("latency_p99_ms"), lower("server_cpu_us_per_req")),
                    new Scenario.Server(new Wrk(true, HTTP_HELLO_BODY, true))),
            // Balance: every request on a new connection, counted per X-Worker header by wrk's script.
            new Scenario("cluster-balance-rr", "2 round-robin workers under wrk -t1 -c64, a new connection per request: the busiest worker's share",
                    ClusterShare.RoundRobin.class.getName(), "cluster-share-rr.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(lower("max_worker_share_pct"), higher("req_per_s")),
                    new Scenario.Server(new WorkerShare(ClusterShare.WORKERS, HTTP_HELLO_BODY))),
            new Scenario("cluster-balance-noprimary", "2 workers with no primary in the data path (Herd reuseport, Node SCHED_NONE), as cluster-balance-rr",
                    ClusterShare.ReusePort.class.getName(), "cluster-share-none.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(lower("max_worker_share_pct"), higher("req_per_s")),
                    new Scenario.Server(new WorkerShare(ClusterShare.WORKERS, HTTP_HELLO_BODY))),
            new Scenario("cluster-fork-listening", "N sequential cluster.fork()s, each to the worker's 'listening' (an http server on port 0), then disconnect and exit",
                    ClusterForkListening.class, "cluster-fork-listening.js",
                    List.of("10", "1", "3"), List.of("3", "1", "2"),
                    List.of(lower("listening_ms"), lower("online_ms"))),
            // Worker churn: the runner SIGKILLs the oldest worker every K ms under wrk; both
            // primaries fork a replacement on 'exit' (cluster-http does; its Node peer here too).
            new Scenario("cluster-churn", "cluster-http, 2 round-robin workers under wrk -t1 -c32, the oldest worker SIGKILLed every 2 s: keep-alive, then Connection: close",
                    CLUSTER_HTTP_MAIN, "cluster-churn.js",
                    List.of("10", "10", "32", "2000"), List.of("6", "2", "32", "2000"),
                    List.of(lower("keepalive_failed_per_kill"), lower("keepalive_p99_ms"), higher("keepalive_req_per_s"),
                            lower("close_failed_per_kill"), lower("close_p99_ms"), higher("close_req_per_s")),
                    new Scenario.Server(new Churn(HTTP_HELLO_BODY))),
            new Scenario("first-request", "N sequential cluster.fork()s; on each worker's 'listening' one request on a new connection, then 20 more: a fresh worker's first answer",
                    FirstRequest.class, "first-request.js",
                    List.of("10", "1", "3"), List.of("3", "1", "2"),
                    List.of(lower("first_request_ms"), lower("fork_to_answer_ms"), lower("later_request_ms"))),
            new Scenario("cluster-rss", "total resident memory of cluster-http with 2 workers (primary + workers), fresh and after 1000 requests",
                    CLUSTER_HTTP_MAIN, "cluster-http.js",
                    List.of("2", "1000"), List.of("2", "1000"),
                    List.of(lower("total_rss_mib"), lower("total_pss_mib"), lower("total_rss_after_load_mib")),
                    new Scenario.Server(IdleRss.processTree(HTTP_HELLO_BODY, 3))),
            new Scenario("worker-start", "N workers one after another, new Worker to its first message in the parent",
                    WorkerStart.class, "worker-start.js",
                    List.of("100", "2", "5"), List.of("30", "1", "3"),
                    List.of(lower("first_message_ms"), higher("starts_per_s"))),
            new Scenario("worker-pingpong", "N sequential postMessage round trips with one echoing worker",
                    WorkerPingpong.class, "worker-pingpong.js",
                    List.of("50000", "2", "5"), List.of("20000", "1", "3"),
                    List.of(higher("roundtrips_per_s"), lower("rtt_us"))),
            new Scenario("worker-oneway", "N small, then N 1 KiB postMessages from a worker to the main thread",
                    WorkerOneway.class, "worker-oneway.js",
                    List.of("500000", "2", "5"), List.of("200000", "1", "3"),
                    List.of(higher("small_msgs_per_s"), higher("kib_msgs_per_s"))),
            new Scenario("worker-atomics", "N Atomics.add on one Int32 from one worker, then from two at once",
                    WorkerAtomics.class, "worker-atomics.js",
                    List.of("20000000", "2", "5"), List.of("10000000", "1", "3"),
                    List.of(higher("one_worker_mops"), higher("two_workers_mops"))),
            new Scenario("worker-idle-rss", "resident memory added by N idle workers (N=1: one idle worker)",
                    WorkerIdleRss.class, "worker-idle-rss.js",
                    List.of("1", "2", "5"), List.of("1", "1", "3"),
                    List.of(lower("rss_mib"), lower("added_mib_per_worker"))),
            // The process manager against pm2 7.0.4 (issue 14): both sides drive their manager's
            // command line as a user runs it (./herd, node_modules/.bin/pm2) in a home of their
            // own, the same idle Node app (bench/node/manager-app.js) under each.
            new Scenario("manager-cli", "N idle apps under the manager, then per round 5 sequential jlist and 5 list calls of its CLI (pm2 7.0.4 as the peer)",
                    ManagerCli.class, "manager-cli.js",
                    List.of("20", "1", "3"), List.of("20", "0", "1"),
                    List.of(lower("jlist_ms"), lower("list_ms"))),
            new Scenario("manager-restart", "one app under the manager, kill -9 N times per round: the kill to the replacement's first answer (pm2 7.0.4 as the peer)",
                    ManagerRestart.class, "manager-restart.js",
                    List.of("10", "1", "3"), List.of("5", "1", "2"),
                    List.of(lower("restart_ms"))),
            // Arguments N W T SETTLE_S WINDOW_S. The window is 60 s after a 30 s settle; the
            // full run uses 10 s after 5 s so that 5 processes per side take about 5 minutes, not
            // 17 (--rounds 1 --args "20 0 1 30 60" runs the issue's).
            new Scenario("manager-memory", "RSS of the manager's processes idle and with N idle Node apps, what it adds to each app, and its CPU over a window (args N W T SETTLE_S WINDOW_S; pm2 7.0.4 as the peer)",
                    ManagerMemory.class, "manager-memory.js",
                    List.of("20", "0", "1", "5", "10"), List.of("5", "0", "1", "2", "3"),
                    List.of(lower("daemon_rss_mib"), lower("with_apps_rss_mib"), lower("added_per_app_mib"),
                            lower("manager_cost_mib"), lower("cpu_s"))),
            new Scenario("manager-stop-stubborn", "N apps that ignore SIGINT started one after another under the manager, each stopped with a 1000 ms kill timeout: stop's wall time minus the timeout (pm2 7.0.4 as the peer)",
                    ManagerStopStubborn.class, "manager-stop-stubborn.js",
                    List.of("3", "1", "3"), List.of("2", "0", "2"),
                    List.of(lower("stop_extra_ms"))),
            new Scenario("manager-start", "herd start of a Node app until it answers, N times per round cold (no daemon running) and warm (pm2 7.0.4 as the peer)",
                    ManagerStart.class, "manager-start.js",
                    List.of("3", "1", "3"), List.of("2", "0", "2"),
                    List.of(lower("cold_start_ms"), lower("warm_start_ms"))),
            new Scenario("manager-log-flood", "an app writing 100-byte lines to stdout as fast as it can for N s: throughput into its log file, the manager's RSS growth and CPU per GiB; every line checked (pm2 7.0.4 as the peer)",
                    ManagerLogFlood.class, "manager-log-flood.js",
                    List.of("5", "1", "3"), List.of("2", "1", "1"),
                    List.of(higher("flood_mib_per_s"), lower("manager_rss_growth_mib"), lower("manager_cpu_s_per_gib"))),
            // Cluster mode: the same Node app under `herd start -i 2` and `pm2 start -i 2`. Herd's
            // instances accept on sockets of their own; pm2's God daemon accepts every connection
            // and hands it on (Node's round-robin).
            new Scenario("manager-cluster-newconn", "a Node app under the manager with -i 2, wrk -t1 -c64, a new connection per request: throughput and the busiest instance's share (pm2 7.0.4 as the peer)",
                    ManagerCluster.class.getName(), "manager-cluster.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("max_worker_share_pct")),
                    new Scenario.Server(new WorkerShare(ManagerCluster.INSTANCES, HTTP_HELLO_BODY))),
            new Scenario("manager-cluster-keepalive", "a Node app under the manager with -i 2, wrk -t1 -c64, keep-alive connections (pm2 7.0.4 as the peer)",
                    ManagerCluster.class.getName(), "manager-cluster.js",
                    List.of("10", "5", "64"), List.of("3", "2", "64"),
                    List.of(higher("req_per_s"), lower("latency_p99_ms")),
                    new Scenario.Server(new Wrk(false, HTTP_HELLO_BODY))),
            // Arguments N W T C: N is unused (one reload per phase), C the clients.
            new Scenario("manager-reload", "reload of a Node app running with -i 2 under C clients, a new connection per request and then keep-alive: failed requests and the reload's duration (pm2 7.0.4 as the peer)",
                    ManagerReload.class, "manager-reload.js",
                    List.of("1", "1", "3", "16"), List.of("1", "0", "1", "8"),
                    List.of(lower("close_failed"), lower("keepalive_failed"), lower("close_p99_ms"),
                            lower("keepalive_p99_ms"), lower("reload_ms"))),
            // Arguments N W T C: N is unused (one bad reload per kind), C the clients.
            new Scenario("manager-reload-bad", "a bad deploy (the new code crashes at start, or never listens) reloaded under C clients, a new connection per request, -i 2: failed requests in the 8 s from the reload, its exit and exit code (pm2 7.0.4 as the peer)",
                    ManagerReloadBad.class, "manager-reload-bad.js",
                    List.of("1", "0", "3", "16"), List.of("1", "0", "1", "8"),
                    List.of(lower("crash_failed"), lower("crash_exit_ms"), higher("crash_exit_nonzero"),
                            lower("noready_failed"), lower("noready_exit_ms"), higher("noready_exit_nonzero"))),
            // Arguments N W T APPS WINDOW_S: N is unused.
            new Scenario("manager-observe", "APPS idle apps watched: the daemon's CPU while a dashboard holds its live list for WINDOW_S, a /metrics scrape, the daemon's RSS (pm2 7.0.4 as the peer: its API's list() every second, and timed)",
                    ManagerObserve.class, "manager-observe.js",
                    List.of("1", "1", "3", "20", "10"), List.of("1", "0", "1", "5", "3"),
                    List.of(lower("watch_cpu_pct"), lower("metrics_ms"), lower("daemon_rss_mib"))),
            // pm2 looks at memory every 30 s: its side takes up to half a minute per crossing.
            new Scenario("manager-memory-limit", "an app growing 5 MiB/s under --max-memory-restart 80M, N crossings per round: from the first /proc sample above the limit to the kill (pm2 7.0.4 as the peer)",
                    ManagerMemoryLimit.class, "manager-memory-limit.js",
                    List.of("1", "0", "3"), List.of("1", "0", "1"),
                    List.of(lower("act_ms"), lower("rss_at_act_mib"))));

    /**
     * The scenario called {@code name}, or null.
     *
     * @param name a scenario's name
     * @return the scenario, or null
     */
    public static Scenario named(String name) {
        for (Scenario s : ALL) {
            if (s.name().equals(name)) return s;
        }
        return null;
    }
}
