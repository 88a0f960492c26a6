// Package userfile reads the files people hand to changegate: plans,
// topologies, demand matrices, inventories, runbooks, policies, TextFSM
// templates, approvals and the configuration.
//
// Every read is of a regular file only (never a device, a FIFO, a socket,
// a directory, or a file of /proc or /sys), bounded by a size limit per
// kind of file, cancelled with its context, and of text only: a file with
// NUL bytes or invalid UTF-8 is refused before any parser sees it, so that
// no error can quote binary content. A file that looks like a private key
// is refused without a word of its content.
//
// A Scope confines the files that a file names (a plan's topology, traffic
// and inventory, a check's template, a topology's demand files) to the
// repository that holds the naming file: the nearest directory at or above
// it that has a .git entry, else the naming file's own directory, plus the
// directories a Scope allows. A name outside is refused by name, without
// being opened, and a symbolic link that leaves the repository is refused
// when it is opened (os.Root).
//
// It is not a general file system layer: state files (journals, locks)
// and secrets (keys, credentials) are read by their own packages.//
// userfile is public API because the public package plans takes its
// Scope (where the files a plan names may be).
package userfile
