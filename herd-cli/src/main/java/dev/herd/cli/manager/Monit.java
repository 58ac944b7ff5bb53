package dev.herd.cli.manager;

import dev.herd.cli.manager.ManagerCli.UsageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * {@code herd monit} (issue 16): a full-screen terminal UI on JLine. The process list with status,
 * restarts, CPU and memory and a small CPU history, the selected app's details (script, pid,
 * uptime, mode, instance, last exit and why, a Herd program's own figures) and the end of its
 * logs. Up/down (or k/j) select, {@code q} or Ctrl-C quit; it redraws on resize and every
 * {@link #REFRESH_MS}, and gives the terminal back as it found it (the alternate screen, the
 * cursor, the modes) however it ends.
 *
 * <p>Thread rule: the command line's thread (JLine's signal handlers only set flags). Lifetime: one
 * {@code herd monit}.
 */
final class Monit {
    static final long REFRESH_MS = 1000;
    private static final int HISTORY = 20;
    private static final String BARS = "▁▂▃▄▅▆▇█";

    private final ManagerCli cli;
    private final Map<Object, ArrayDeque<Double>> cpuHistory = new HashMap<>();
    private volatile boolean resized = true;
    private volatile boolean quit;
    private int selected;
    private List<Map<String, Object>> apps = List.of();

    Monit(ManagerCli cli) {
        this.cli = cli;
    }

    void run() throws IOException {
        try (Terminal t = TerminalBuilder.builder().system(true).build()) {
            if (Terminal.TYPE_DUMB.equals(t.getType()) || Terminal.TYPE_DUMB_COLOR.equals(t.getType())) {
                throw new UsageException("monit needs a terminal (this one is '" + t.getType() + "')");
            }
            Attributes saved = t.enterRawMode();
            Terminal.SignalHandler oldWinch = t.handle(Terminal.Signal.WINCH, s -> resized = true);
            Terminal.SignalHandler oldInt = t.handle(Terminal.Signal.INT, s -> quit = true);
            t.puts(Capability.enter_ca_mode);
            t.puts(Capability.keypad_xmit);
            t.puts(Capability.cursor_invisible);
            t.flush();
            try {
                loop(t);
            } finally {
                t.puts(Capability.cursor_visible);
                t.puts(Capability.keypad_local);
                t.puts(Capability.exit_ca_mode);
                t.flush();
                t.setAttributes(saved);
                t.handle(Terminal.Signal.WINCH, oldWinch);
                t.handle(Terminal.Signal.INT, oldInt);
            }
        }
    }

    private void loop(Terminal t) throws IOException {
        Display display = new Display(t, true);
        KeyMap<String> keys = new KeyMap<>();
        keys.bind("up", KeyMap.key(t, Capability.key_up), "\033[A", "\033OA", "k");
        keys.bind("down", KeyMap.key(t, Capability.key_down), "\033[B", "\033OB", "j");
        keys.bind("quit", "q", "Q", KeyMap.ctrl('C'));
        keys.setNomatch("none");
        keys.setAmbiguousTimeout(50);
        BindingReader reader = new BindingReader(t.reader());
        NonBlockingReader in = t.reader();
        long next = 0;
        while (!quit) {
            long now = System.currentTimeMillis();
            if (now >= next) {
                refresh();
                next = now + REFRESH_MS;
                resized |= true;
            }
            if (resized) {
                resized = false;
                Size size = t.getSize();
                display.resize(size.getRows(), size.getColumns());
                display.update(draw(size.getRows(), size.getColumns()), -1);
                t.flush();
            }
            int c = in.peek(Math.max(1, next - System.currentTimeMillis()));
            if (c == NonBlockingReader.EOF) return;
            if (c == NonBlockingReader.READ_EXPIRED) continue;
            String op = reader.readBinding(keys);
            if (op == null) return;
            switch (op) {
                case "up" -> selected = Math.max(0, selected - 1);
                case "down" -> selected = Math.min(Math.max(0, apps.size() - 1), selected + 1);
                case "quit" -> quit = true;
                default -> { } // a key monit does not use
            }
            resized = true;
        }
    }

    @SuppressWarnings("unchecked")
    private void refresh() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Object o : (List<?>) cli.call("jlist", Map.of())) list.add((Map<String, Object>) o);
        apps = list;
        for (Map<String, Object> a : apps) {
            ArrayDeque<Double> h = cpuHistory.computeIfAbsent(a.get("pm_id"), k -> new ArrayDeque<>());
            h.addLast(num(monit(a).get("cpu")));
            while (h.size() > HISTORY) h.removeFirst();
        }
        selected = Math.min(selected, Math.max(0, apps.size() - 1));
    }

    private List<AttributedString> draw(int rows, int cols) {
        List<AttributedString> lines = new ArrayList<>();
        AttributedStyle inverse = AttributedStyle.INVERSE;
        String title = " herd monit   ↑/↓ select   q quit";
        String clock = LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " ";
        lines.add(new AttributedString(pad(title, cols - clock.length()) + clock, inverse));
        lines.add(new AttributedString(fit(String.format(" %-3s %-16s %-8s %-8s %-9s %3s %6s %9s  %s", "id", "name", "mode", "pid",
                "status", "↺", "cpu", "mem", "cpu history"), cols), AttributedStyle.BOLD));
        int listRows = Math.max(1, Math.min(apps.size(), rows / 2 - 3));
        int first = Math.max(0, Math.min(selected - listRows + 1, apps.size() - listRows));
        for (int i = first; i < Math.min(apps.size(), first + listRows); i++) {
            Map<String, Object> a = apps.get(i);
            Map<String, Object> env = env(a);
            String status = String.valueOf(env.get("status"));
            String row = String.format("%s%-3s %-16s %-8s %-8s %-9s %3s %5.1f%% %9s  %s", i == selected ? ">" : " ", a.get("pm_id"),
                    cut(String.valueOf(a.get("name")), 16), String.valueOf(env.get("exec_mode")).replace("_mode", ""), a.get("pid"),
                    status, env.get("restart_time"), num(monit(a).get("cpu")), mem(num(monit(a).get("memory"))),
                    spark(cpuHistory.get(a.get("pm_id"))));
            AttributedStyle style = status.equals("online") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN)
                    : status.equals("errored") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED) : AttributedStyle.DEFAULT;
            if (i == selected) style = style.inverse();
            lines.add(new AttributedString(fit(row, cols), style));
        }
        if (apps.isEmpty()) lines.add(new AttributedString(fit(" no apps: herd start app.js", cols)));
        if (!apps.isEmpty()) details(apps.get(selected), rows, cols, lines);
        while (lines.size() < rows) lines.add(AttributedString.EMPTY);
        return lines.subList(0, Math.min(rows, lines.size()));
    }

    private void details(Map<String, Object> a, int rows, int cols, List<AttributedString> lines) {
        Map<String, Object> env = env(a);
        Map<?, ?> herd = a.get("herd") instanceof Map<?, ?> h ? h : Map.of();
        lines.add(new AttributedString(fit(" " + a.get("name") + ":" + a.get("pm_id") + " ", cols), AttributedStyle.INVERSE));
        long up = env.get("pm_uptime") instanceof Number n && num(a.get("pid")) > 0 ? System.currentTimeMillis() - n.longValue() : 0;
        lines.add(new AttributedString(fit(" script   " + env.get("pm_exec_path"), cols)));
        lines.add(new AttributedString(fit(" pid      " + a.get("pid") + "   uptime " + (up > 0 ? duration(up) : "-") + "   mode "
                + env.get("exec_mode") + "   instance " + env.get("NODE_APP_INSTANCE"), cols)));
        lines.add(new AttributedString(fit(" last     exit code " + env.get("exit_code") + ", signal " + herd.get("exit_signal")
                + ", restart cause " + herd.get("last_restart_cause") + (herd.get("last_error") != null ? ", error " + herd.get("last_error") : ""), cols)));
        if (herd.get("runtime") instanceof Map<?, ?> r) {
            lines.add(new AttributedString(fit(String.format(" runtime  heap %s   loop %.0f%% busy, lag %.1f ms   gc %s (%s ms)   handles %s",
                    mem(num(r.get("heap_used_bytes"))), 100 * num(r.get("loop_utilization")), num(r.get("loop_lag_ms")),
                    r.get("gc_count"), r.get("gc_ms"), r.get("active_handles")), cols)));
        }
        int room = rows - lines.size() - 1;
        if (room < 2) return;
        lines.add(new AttributedString(fit(" logs", cols), AttributedStyle.BOLD));
        int errRows = room / 3;
        List<String> out = tail(env.get("pm_out_log_path"), room - errRows);
        List<String> err = tail(env.get("pm_err_log_path"), errRows);
        for (String l : out) lines.add(new AttributedString(fit(" " + l, cols)));
        for (String l : err) lines.add(new AttributedString(fit(" " + l, cols), AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)));
    }

    /** The last {@code n} lines of a log file (none if it cannot be read). */
    static List<String> tail(Object path, int n) {
        if (!(path instanceof String p) || n <= 0) return List.of();
        try (FileChannel ch = FileChannel.open(Path.of(p), StandardOpenOption.READ)) {
            long size = ch.size();
            int len = (int) Math.min(size, 64 * 1024);
            ByteBuffer buf = ByteBuffer.allocate(len);
            ch.read(buf, size - len);
            List<String> all = new ArrayList<>(List.of(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).split("\n")));
            if (len < size && !all.isEmpty()) all.removeFirst();
            all.removeIf(String::isEmpty);
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String spark(ArrayDeque<Double> h) {
        if (h == null) return "";
        StringBuilder b = new StringBuilder();
        for (double v : h) b.append(BARS.charAt((int) Math.min(BARS.length() - 1, Math.max(0, v / 100 * BARS.length()))));
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> a) {
        return a.get("pm2_env") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> monit(Map<String, Object> a) {
        return a.get("monit") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static String mem(double bytes) {
        if (bytes >= 1 << 30) return String.format("%.1fgb", bytes / (1 << 30));
        if (bytes >= 1 << 20) return String.format("%.1fmb", bytes / (1 << 20));
        return String.format("%.0fkb", bytes / 1024);
    }

    private static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m";
        if (s < 86400) return s / 3600 + "h";
        return s / 86400 + "D";
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String pad(String s, int n) {
        if (n <= 0) return "";
        return s.length() >= n ? s.substring(0, n) : s + " ".repeat(n - s.length());
    }

    /** {@code s} cut to the width (Display wraps lines that are too long). */
    private static String fit(String s, int cols) {
        return s.length() < cols ? s : s.substring(0, Math.max(0, cols - 1));
    }
}
