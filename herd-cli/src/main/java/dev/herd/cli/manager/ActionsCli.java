package dev.herd.cli.manager;

import dev.herd.cli.manager.ManagerCli.UsageException;
import dev.herd.node.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code herd trigger TARGET ACTION [PARAM] [--timeout MS]} (pm2's {@code trigger}: runs an action
 * the target's processes registered and prints each reply as {@code [name:id:namespace]=json}) and
 * the "Actions available" part of {@code describe}. Stateless.
 */
final class ActionsCli {
    private ActionsCli() {}

    /**
     * Runs {@code trigger}.
     *
     * @return false when a process did not reply (its error printed on stderr)
     */
    static boolean trigger(ManagerCli cli, List<String> argv) {
        List<String> positional = new java.util.ArrayList<>();
        Long timeout = null;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String value = null;
            if (a.startsWith("--timeout=")) value = a.substring("--timeout=".length());
            else if (a.equals("--timeout")) {
                if (i + 1 >= argv.size()) throw new UsageException("--timeout needs a number of milliseconds");
                value = argv.get(++i);
            } else {
                positional.add(a);
                continue;
            }
            try {
                timeout = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new UsageException("--timeout needs a number of milliseconds, not '" + value + "'");
            }
            if (timeout <= 0) throw new UsageException("--timeout must be positive");
        }
        if (positional.size() < 2 || positional.size() > 3) {
            throw new UsageException("usage: herd trigger TARGET ACTION [PARAM] [--timeout MS]");
        }
        String action = positional.get(1);
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("targets", List.of(positional.get(0)));
        req.put("action", action);
        if (positional.size() == 3) req.put("param", positional.get(2));
        if (timeout != null) req.put("timeout", timeout);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) cli.call("trigger", req);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> replies = (List<Map<String, Object>>) r.get("replies");
        // pm2's count: the processes the action was sent to (those that did not reply say so below).
        cli.out.println(replies.size() + " processes have received command " + action);
        boolean ok = true;
        for (Map<String, Object> p : replies) {
            String who = p.get("name") + ":" + p.get("pm_id") + ":" + p.get("namespace");
            if (p.containsKey("return")) {
                cli.out.println("[" + who + "]=" + Json.stringify(p.get("return")));
            } else {
                cli.err.println("herd trigger: App [" + p.get("name") + ":" + p.get("pm_id") + "]: " + action + ": " + p.get("error"));
                ok = false;
            }
        }
        cli.out.flush();
        return ok;
    }

    /** pm2's "Actions available" under describe's table, when the process registered any. */
    @SuppressWarnings("unchecked")
    static String describe(Map<String, Object> p) {
        Object env = p.get("pm2_env");
        if (!(env instanceof Map<?, ?> e) || !(e.get("axm_actions") instanceof List<?> actions) || actions.isEmpty()) return "";
        int width = 0;
        for (Object o : actions) width = Math.max(width, String.valueOf(((Map<String, Object>) o).get("action_name")).length());
        StringBuilder b = new StringBuilder(" Actions available\n");
        b.append('┌').append("─".repeat(width + 2)).append("┐\n");
        for (Object o : actions) {
            String name = String.valueOf(((Map<String, Object>) o).get("action_name"));
            b.append("│ ").append(name).append(" ".repeat(width - name.length())).append(" │\n");
        }
        b.append('└').append("─".repeat(width + 2)).append("┘\n");
        b.append(" Trigger via: herd trigger ").append(p.get("name")).append(" <action_name>\n");
        return b.toString();
    }
}
