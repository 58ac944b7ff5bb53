package dev.herd.cli.manager;

/** Fixture programs of the manager's tests, as text (shell, Node, Python). */
final class Fixtures {
    private Fixtures() {}

    /** Prints a numbered line on stdout and on stderr every 100 ms, for ever. */
    static final String TICKER_SH = """
            #!/bin/bash
            i=0
            while true; do echo "out $i pid $$"; echo "err $i" >&2; i=$((i+1)); sleep 0.1; done
            """;

    /** Says whether it has an IPC channel, then ticks. */
    static final String IPC_JS = """
            console.log('node ipc=' + (typeof process.send === 'function'));
            setInterval(() => {}, 1000);
            """;

    /** Python: a line with its pid, then sleeps. */
    static final String SLEEPER_PY = """
            import os, sys, time
            print('python pid', os.getpid(), flush=True)
            while True:
                time.sleep(1)
            """;

    /** Exits with $CODE (default 1) at once. */
    static final String CRASH_SH = """
            #!/bin/bash
            echo "crash $$"
            exit ${CODE:-1}
            """;

    /** Ignores SIGINT and SIGTERM and sleeps. */
    static final String STUBBORN_SH = """
            #!/bin/bash
            trap '' INT TERM
            echo "stubborn $$"
            while true; do sleep 0.2; done
            """;

    /** Forks two grandchildren (one in a session of its own), writes their pids, and waits. */
    static final String FORKER_SH = """
            #!/bin/bash
            sleep 1000 &
            echo "child $!" > "$PIDS"
            setsid sleep 1001 &
            sleep 0.2
            echo "setsid $(pgrep -f 'sleep 1001' -n)" >> "$PIDS"
            echo ready >> "$PIDS"
            wait
            """;

    /** Prints $N numbered lines of 100 bytes as fast as it can on stdout, then sleeps. */
    static final String FLOOD_JS = """
            const n = +process.env.N;
            const pad = 'x'.repeat(80);
            let i = 0;
            function more() {
              while (i < n) {
                const line = 'line ' + String(i).padStart(8, '0') + ' ' + pad + '\\n';
                i++;
                if (!process.stdout.write(line)) { process.stdout.once('drain', more); return; }
              }
              console.log('done');
            }
            more();
            setInterval(() => {}, 1000);
            """;

    /** Prints a numbered line every 5 ms for ever. */
    static final String COUNTER_SH = """
            #!/bin/bash
            i=0
            while true; do echo "n $i"; i=$((i+1)); sleep 0.005; done
            """;
}
