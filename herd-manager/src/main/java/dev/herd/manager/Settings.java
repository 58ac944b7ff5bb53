package dev.herd.manager;

/**
 * The manager's timing knobs, read from its environment so that tests run in seconds
 * (docs/manager.md, "Settings"): {@code HERD_SAMPLE_MS} (how often the daemon samples CPU and
 * memory), {@code HERD_KEEPER_REAP_MS} (how often the keeper looks for orphans),
 * {@code HERD_BACKOFF_RESET_MS} (how long an app must stay up for its back-off to start again
 * from the beginning), {@code HERD_KEEPER_START_MS} (how long the daemon waits for a new keeper).
 * A value that is not a positive number is ignored. Stateless.
 */
final class Settings {
    private Settings() {}

    static long millis(String name, long otherwise) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) return otherwise;
        try {
            long n = Long.parseLong(v.strip());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
