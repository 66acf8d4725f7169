// files/etc/uci-defaults/80-floatgw-firewall on the real OpenWrt 22.03
// userland (test/openwrt/tree.ts): its uci, its fw4 and nft, in a network
// namespace of the test's own. The script adds the VRRP and lease-channel
// rules once, never changes a rule the admin has, and a running fw4 has them
// at once.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../netns/lab";
import { type Tree, rootfsMissing, useTrees } from "./tree";

const SCRIPT = join(ROOT, "files/etc/uci-defaults/80-floatgw-firewall");
/** What the script appends to a firewall config that has neither rule. */
const RULES = `config rule 'floatgw_vrrp'
	option name 'Allow-floatgw-VRRP'
	option src 'lan'
	option proto '112'
	option target 'ACCEPT'

config rule 'floatgw_leases'
	option name 'Allow-floatgw-DHCP-leases'
	option src 'lan'
	option proto 'udp'
	option dest_port '7429'
	option target 'ACCEPT'

`;

const newTree = useTrees();
function tree(): Tree {
  const t = newTree();
  // As default_postinst and the first boot run uci-defaults: sourced from
  // their directory, in a subshell.
  t.put(SCRIPT);
  return t;
}
const runDefaults = (t: Tree) => t.must("cd /tmp && (. ./80-floatgw-firewall)");

describe.skipIf(rootfsMissing)("uci-defaults: fw4 rules for VRRP and the lease channel", () => {
  it("run twice, changes the firewall config once: two rules added, nothing else touched", () => {
    const t = tree();
    const before = t.read("etc/config/firewall")!;
    runDefaults(t);
    const once = t.read("etc/config/firewall")!;
    // This tree's file is in uci's own layout, so the rest stays byte for byte.
    expect(once).toBe(before + RULES);
    runDefaults(t);
    expect(t.read("etc/config/firewall")).toBe(once);
  });

  it("leaves a section of the admin's with that name as it is, and adds only the missing rule", () => {
    const t = tree();
    t.must("uci set firewall.floatgw_vrrp=rule; uci set firewall.floatgw_vrrp.name=mine; uci set firewall.floatgw_vrrp.src=wan; " +
      "uci set firewall.floatgw_vrrp.proto=112; uci set firewall.floatgw_vrrp.target=DROP; uci commit firewall");
    const mine = t.must("uci show firewall.floatgw_vrrp");
    runDefaults(t);
    expect(t.must("uci show firewall.floatgw_vrrp")).toBe(mine);
    expect(t.must("uci get firewall.floatgw_leases.dest_port")).toBe("7429\n");
  });

  it("a running fw4 has the rules at once: the LAN input chain accepts protocol 112 (IPv4 and IPv6) and UDP 7429", () => {
    const t = tree();
    const ruleset = t.must("fw4 -q start 2>/dev/null; cd /tmp && (. ./80-floatgw-firewall) && nft list chain inet fw4 input_lan");
    // table inet: the rule matches VRRP over IPv4 (224.0.0.18 or a unicast
    // peer) and over IPv6 (ff02::12) alike.
    expect(ruleset).toMatch(/^table inet fw4 \{$/m);
    expect(ruleset).toMatch(/^\t\tmeta l4proto 112 counter .* accept comment "!fw4: Allow-floatgw-VRRP"$/m);
    expect(ruleset).toMatch(/^\t\tudp dport 7429 counter .* accept comment "!fw4: Allow-floatgw-DHCP-leases"$/m);
  });

  it("does nothing without a firewall config", () => {
    const t = tree();
    t.must("rm /etc/config/firewall");
    runDefaults(t);
    expect(t.exists("etc/config/firewall")).toBe(false);
  });
});
