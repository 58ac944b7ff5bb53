/**
 * The process manager's verbs of the {@code herd} command line ({@code start}, {@code list},
 * {@code jlist}, ...): a client of the daemon's control protocol (docs/manager.md) that starts the
 * daemon when there is none. The daemon and the keeper themselves are in {@code dev.herd.manager}.
 */
package dev.herd.cli.manager;
