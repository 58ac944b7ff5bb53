/**
 * Herd's loop layer: libuv's event loop. See the package {@link dev.herd.loop}.
 */
module dev.herd.loop {
    // Its API speaks the os layer's types (Fd, ErrnoException).
    requires transitive dev.herd.os;

    exports dev.herd.loop;
}
