// Package platform is the registry of the platforms changegate knows: one
// record per platform, which every package that treats platforms
// differently reads. A record says, as data, what the platform is called
// (in inventories, plans and runbooks, and in Nornir and containerlab
// files), whether changegate ships its scrapligo definition, the failure
// strings configuring it adds, how configuration is sent (the commands
// around the lines, with the session and the confirmed-commit time as
// placeholders) and what that guarantees, the configuration dialect
// its lines are written in, and the prefixes of its read-only commands
// (CheckReadOnly, which device run applies without --allow-write).
//
// The built-in platforms are registered in one place (builtin.go), once,
// into a sealed registry (Builtin); a duplicate name, Nornir name or
// containerlab kind, or a record whose commands do not keep the promises
// of its guarantees, is an error naming every problem. There is no init()
// and no other way in.
//
// It holds no behaviour: devices (the only importer of scrapligo) loads
// the definitions, sends the commands and imports inventories;
// devconfig's interpreters read each dialect; observe, health and fakedev
// keep their per-platform code keyed by platform name, and their tests
// check those names against the registry. It imports nothing of
// changegate and does no I/O.
package platform
