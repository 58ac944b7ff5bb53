/**
 * Node's {@code fs} module, so far only {@code fs.watch}: {@link dev.herd.node.fs.Fs#watch} and
 * its {@link dev.herd.node.fs.FSWatcher}, over the io layer's {@code FsEvent} (inotify, with
 * recursive watching of a tree). For a process manager's {@code watch} option, {@link
 * dev.herd.node.fs.WatchTrigger} (pm2's watch with its {@code watch_delay}) and {@link
 * dev.herd.node.fs.IgnorePatterns} (pm2's {@code ignore_watch}, as chokidar reads it).
 */
package dev.herd.node.fs;
