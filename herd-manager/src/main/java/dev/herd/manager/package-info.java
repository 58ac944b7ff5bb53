/**
 * The process manager (docs/manager.md): the daemon ({@link dev.herd.manager.Daemon}), which holds
 * the policy, the app table, the control socket and {@code state.json}, and the keeper
 * ({@link dev.herd.manager.Keeper}), the apps' parent and subreaper, which holds their pipes and
 * writes their logs and outlives the daemon so that a new daemon re-adopts the apps. Both are Herd
 * programs on Herd's loop; the {@code herd} command line starts the daemon and talks to it.
 *
 * <p>It builds on herd-node's internal API for the manager (docs/ARCHITECTURE.md, "The internal
 * API for the manager"), which herd-node exports to this module alone: peer credentials of
 * Unix-socket connections, watching processes by pidfd, becoming a child subreaper.
 */
package dev.herd.manager;
