/**
 * What a program run by a process manager (Herd's, or pm2) may offer it: {@link
 * dev.herd.node.manager.Actions}, the actions {@code herd trigger APP ACTION [PARAM]} (and {@code pm2
 * trigger}) run in the program, spoken over the program's IPC channel to its manager in pm2's
 * messages ({@code axm:action}, {@code axm:reply}), so that the same program works under either.
 * Without a channel (not run by a manager) everything here is a no-op.
 *
 * <p>Everything here runs on the loop thread of the calling environment.
 */
package dev.herd.node.manager;
