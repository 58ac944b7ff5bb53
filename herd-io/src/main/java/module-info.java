/**
 * Herd's io layer: handles and streams over file descriptors. See the package {@link dev.herd.io}.
 */
module dev.herd.io {
    // Its handles are the loop's (Handle, Loop) and speak the os layer's types.
    requires transitive dev.herd.loop;

    exports dev.herd.io;
}
