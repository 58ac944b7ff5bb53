/**
 * Herd's os layer: Linux system calls through {@code java.lang.foreign}, the only module of Herd
 * that touches it (so the only one that needs {@code --enable-native-access=dev.herd.os} on the
 * module path; {@code ALL-UNNAMED} on the class path). See the package {@link dev.herd.os}.
 */
module dev.herd.os {
    // sun.misc.Signal: SignalSource brings signals to Java through the JDK's own dispatch.
    requires jdk.unsupported;

    exports dev.herd.os;
}
