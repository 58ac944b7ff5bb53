/**
 * The process manager, to come (see the package {@code dev.herd.manager}). herd-node exports its
 * internal API for the manager to this module alone.
 */
module dev.herd.manager {
    requires dev.herd.node;
}
