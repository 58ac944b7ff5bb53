/**
 * The process manager: the daemon and the keeper, Herd programs that the {@code herd} command line
 * starts and talks to (docs/manager.md). See the package {@code dev.herd.manager}.
 */
module dev.herd.manager {
    requires dev.herd.node;

    // The command line starts the daemon and the keeper (their main methods) and finds their files.
    exports dev.herd.manager;
}
