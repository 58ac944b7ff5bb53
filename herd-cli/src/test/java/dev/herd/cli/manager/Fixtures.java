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

    /**
     * A Python HTTP server (answering its pid) that takes its socket from socket activation (fd 3),
     * exits when LISTEN_PID or LISTEN_FDS are not its own, and on SIGINT finishes the request it
     * serves and exits (a graceful stop, as a reload's old instance needs one).
     */
    static final String ACTIVATED_PY = """
            import os, signal, socket, sys, threading
            from http.server import HTTPServer, BaseHTTPRequestHandler
            if os.environ.get("LISTEN_PID") != str(os.getpid()) or os.environ.get("LISTEN_FDS") != "1":
                sys.exit("LISTEN_PID %s LISTEN_FDS %s" % (os.environ.get("LISTEN_PID"), os.environ.get("LISTEN_FDS")))
            class H(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    body = str(os.getpid()).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a):
                    pass
            server = HTTPServer(("", 0), H, bind_and_activate=False)
            server.socket = socket.socket(fileno=3)
            signal.signal(signal.SIGINT, lambda *a: threading.Thread(target=server.shutdown).start())
            server.serve_forever()
            """;
}
