/**
 * The process manager, to come (a pm2-style daemon with its command line and dashboard): it will
 * start and keep running the apps it is given, each app a cluster primary of its own with its
 * workers, restart them, hand them sockets, and watch processes it did not start.
 *
 * <p>It builds on herd-node's internal API for the manager (docs/ARCHITECTURE.md, "The internal
 * API for the manager"), which herd-node exports to this module alone: an instantiable cluster
 * primary per managed app, peer credentials of Unix-socket connections, watching processes by
 * pidfd, becoming a child subreaper, and spawning a child with extra inherited descriptors. Today
 * the module holds only this description, so that herd-node's qualified exports name a real
 * module.
 */
package dev.herd.manager;
