package platform

import "errors"

// registerBuiltin registers the platforms changegate ships: the one place
// that says which platforms there are. Registration order is the order of
// the lists that are not sorted by name (a runbook's platforms, in hints):
// the platforms changegate configures come first, FRR (the lab's)
// leading; then, by name, every other built-in platform of scrapligo
// v1.4.3 (platform.GetPlatformNames), on which changegate runs commands.
//
// To add a platform, add its record here; then, where it needs code, add
// it in the package that owns the behaviour: its scrapligo definition in
// devices/session/platforms when scrapligo ships none (Custom), its interpreter in
// internal/devconfig when it has a new Dialect, and, optionally, its
// commands in internal/observe, its built-in checks in internal/health
// and its personality in internal/fakedev. The tests of those packages
// fail when a record asks for code they lack.
func registerBuiltin(r *Registry) error {
	var errs []error
	for _, p := range []Platform{
		{
			Name: "frr_vtysh", Description: "FRRouting through vtysh", Custom: true,
			Nornir:  []string{"frr"},
			Dialect: "frr",
			Config: Config{
				Method: "configure terminal; each line takes effect as it is sent", Tested: "lab (FRR 8.4) and fake device",
				Enter: []string{"configure terminal"},
			},
		},
		{
			Name: "cisco_iosxe", Description: "Cisco IOS-XE (and IOS)",
			Nornir:         []string{"ios", "iosxe", "cisco_ios", "cisco_xe"},
			Containerlab:   []string{"vr-csr", "cisco_csr1000v", "csr", "c8000v", "cisco_c8000v", "cisco_cat9kv"},
			ConfigFailures: []string{"% Invalid", "% Incomplete"},
			Dialect:        "iosxe",
			Config: Config{
				Method: "configure terminal; each line takes effect as it is sent (configure confirm needs archive, not used)", Tested: "fake device",
				Enter: []string{"configure terminal"},
			},
		},
		{
			Name: "cisco_iosxr", Description: "Cisco IOS-XR",
			Nornir:         []string{"iosxr", "iosxr_netconf", "cisco_xr"},
			Containerlab:   []string{"xrd", "cisco_xrd", "vr-xrv", "vr-xrv9k", "cisco_xrv", "cisco_xrv9k"},
			ConfigFailures: []string{"% Failed to commit", "% Invalid", "% Commit failed"},
			Dialect:        "iosxr",
			Config: Config{
				Method: "configure terminal; commit [confirmed SECONDS]", Tested: "fake device",
				Atomic: true, ConfirmedCommit: true, Rollback: true,
				Enter:           []string{"configure terminal"},
				Commit:          []string{"commit"},
				CommitConfirmed: []string{"commit confirmed {timeout}"},
				Timeout:         Timeout{Unit: Seconds, Min: 30, Max: 65535},
				Confirm:         []string{"configure terminal", "commit", "end"},
				Abort:           []string{"abort"},
			},
		},
		{
			Name: "juniper_junos", Description: "Juniper Junos",
			Nornir: []string{"junos", "juniper"},
			Containerlab: []string{"crpd", "juniper_crpd", "vr-vmx", "juniper_vmx", "vr-vqfx", "juniper_vqfx", "vr-vsrx", "juniper_vsrx",
				"juniper_vjunosrouter", "juniper_vjunosswitch", "juniper_vjunosevolved", "vjunos"},
			ConfigFailures: []string{"error: commit failed", "error: configuration check-out failed", "error:", "missing mandatory statement"},
			Dialect:        "junos",
			Config: Config{
				Method: "configure exclusive; commit [confirmed MINUTES]", Tested: "fake device",
				Atomic: true, ConfirmedCommit: true, Rollback: true,
				Enter:           []string{"configure exclusive"},
				Commit:          []string{"commit"},
				CommitConfirmed: []string{"commit confirmed {timeout}"},
				Timeout:         Timeout{Unit: Minutes, Min: 1, Max: 65535},
				Confirm:         []string{"configure exclusive", "commit", "exit configuration-mode"},
				Abort:           []string{"rollback 0", "exit configuration-mode"},
			},
		},
		{
			Name: "arista_eos", Description: "Arista EOS",
			Nornir:         []string{"eos"},
			Containerlab:   []string{"ceos", "arista_ceos", "vr-veos", "arista_veos"},
			ConfigFailures: []string{"% Invalid input", "% Cannot commit", "% Unable to commit"},
			Dialect:        "eos",
			Config: Config{
				Method: "configure session NAME; commit [timer HH:MM:SS]", Tested: "fake device",
				Atomic: true, ConfirmedCommit: true, Rollback: true,
				Enter:           []string{"configure session {session}"},
				Commit:          []string{"commit"},
				CommitConfirmed: []string{"commit timer {timeout}"},
				Timeout:         Timeout{Unit: Clock, Min: 1, Max: 24*3600 - 1},
				Confirm:         []string{"configure session {session} commit"},
				Abort:           []string{"abort"},
			},
		},
		{
			Name: "nokia_srl", Description: "Nokia SR Linux",
			Nornir:         []string{"srl", "srlinux"},
			Containerlab:   []string{"srl", "nokia_srlinux"},
			ConfigFailures: []string{"Error:", "Validation error"},
			ReadOnly:       []string{"show", "info from state", "info from running"},
			Dialect:        "srl",
			Config: Config{
				Method: "enter candidate private; commit now | commit confirmed timeout SECONDS", Tested: "fake device",
				Atomic: true, ConfirmedCommit: true, Rollback: true,
				Enter:           []string{"enter candidate private"},
				Commit:          []string{"commit now"},
				CommitConfirmed: []string{"commit confirmed timeout {timeout}"},
				Timeout:         Timeout{Unit: Seconds, Min: 1, Max: 86400},
				Confirm:         []string{"tools system configuration confirmed-accept"},
				Abort:           []string{"discard now"},
			},
		},

		{Name: "aruba_wlc", Description: "Aruba wireless controller"},
		{Name: "cisco_nxos", Description: "Cisco NX-OS", Nornir: []string{"nxos", "nxos_ssh"}, Containerlab: []string{"vr-n9kv", "cisco_n9kv"}},
		{Name: "cumulus_linux", Description: "Cumulus Linux (NCLU)", Containerlab: []string{"cvx", "cumulus_cvx"}},
		{Name: "cumulus_vtysh", Description: "Cumulus Linux through vtysh"},
		{Name: "hp_comware", Description: "HPE Comware", Nornir: []string{"hp_comware"}, ReadOnly: []string{"display"}},
		{Name: "huawei_vrp", Description: "Huawei VRP", Nornir: []string{"huawei"}, Containerlab: []string{"huawei_vrp"}, ReadOnly: []string{"display"}},
		{Name: "ipinfusion_ocnos", Description: "IP Infusion OcNOS", Containerlab: []string{"ipinfusion_ocnos"}},
		{Name: "nokia_sros", Description: "Nokia SR OS (MD-CLI)", Nornir: []string{"sros"}, Containerlab: []string{"vr-sros", "nokia_sros"}},
		{Name: "nokia_sros_classic", Description: "Nokia SR OS (classic CLI)"},
		{Name: "paloalto_panos", Description: "Palo Alto PAN-OS"},
		// ruijie_rjos is the name of scrapligo's embedded file; its
		// constant RuijieRgos ("ruijie_rgos") does not load.
		{Name: "ruijie_rjos", Description: "Ruijie RGOS"},
		{Name: "vyatta_vyos", Description: "VyOS", Nornir: []string{"vyos"}, Containerlab: []string{"vyosnetworks_vyos"}},
	} {
		errs = append(errs, r.Register(p))
	}
	return errors.Join(errs...)
}
