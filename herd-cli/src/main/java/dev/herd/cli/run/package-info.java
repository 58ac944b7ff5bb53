/**
 * {@code herd run}: runs a user's program in a fresh JVM with Herd's JVM flags and an AOT cache of
 * its own. {@link dev.herd.cli.run.HerdRun} turns what to run (a jar, a class path and main class,
 * or a Maven project) into the {@code java} command line: it builds a stale project, adds Herd's
 * jars to a class path that lacks them, and makes the program's AOT caches (one for the program,
 * one for its forked children) by a separate training run, once per JDK, flags and class-path
 * content, under {@code $HERD_HOME/aot}. The {@code herd} command ({@code dev.herd.cli.Main run})
 * is its command line; this package needs no command-line library, so the process manager can
 * reuse it. docs/getting-started.md, "herd run", describes the behaviour.
 */
package dev.herd.cli.run;
