// dnsmasq's configuration is the admin's again whenever floatgwd is not
// running, however it stopped, on the real OpenWrt 22.03 userland
// (test/openwrt/tree.ts): its uci, hotplug-call, rc.common and the stock
// /etc/config/dhcp with its comments and layout. The hook
// files/etc/hotplug.d/floatgw/50-dnsmasq runs as floatgwd runs it (through
// /sbin/hotplug-call with the event's environment), or floatgwd itself runs
// on a veth named br-lan in the test's own network namespace. There is no
// procd here: /etc/init.d/floatgw's start/stop run their own parts and find
// no ubus.
import { describe, expect, it } from "vitest";
import { ipkPath } from "./built";
import { type Tree, hook, rootfsMissing, useTrees } from "./tree";

const tree = useTrees();
/** A tree with floatgw installed by opkg, and the stock dhcp config. */
function installed(): { t: Tree; stock: string } {
  const t = tree();
  t.must(`opkg install ${t.put(ipkPath("x86_64"))} 2>/dev/null`);
  return { t, stock: t.read("etc/config/dhcp")! };
}
const floatgwConfig = (enabled: string, dhcp = "1") => `
config floatgw 'global'
	option enabled '${enabled}'

config vip 'lan'
	option interface 'lan'
	option device 'br-lan'
	option vrid '51'
	option version '3'
	option advert_int '0.1'
	option priority '150'
	option dhcp '${dhcp}'
	list address '198.18.0.1/24'
`;

describe.skipIf(rootfsMissing)("the dnsmasq hook on the real uci", () => {
  it("backup, master, backup, stop: the stock dhcp file comes back byte for byte, comments and all", () => {
    const { t, stock } = installed();
    t.must(hook("backup"));
    expect(t.must("uci get dhcp.lan.ignore; uci get dhcp.lan.dhcp_option")).toBe("1\n3,198.18.0.1 6,198.18.0.1\n");
    expect(t.exists("etc/config/.floatgw-dhcp-original")).toBe(true);
    t.must(hook("master"));
    expect(t.must("uci get dhcp.lan.ignore; uci get dhcp.lan.force")).toBe("0\n1\n");
    t.must(hook("backup"));
    t.must(hook("stop"));
    expect(t.read("etc/config/dhcp")).toBe(stock);
    expect(t.exists("etc/config/.floatgw-dhcp-original")).toBe(false);
  });

  it("keeps what the admin changed in dhcp while floatgw ran, and gives back the rest", () => {
    const { t } = installed();
    t.must(hook("master"));
    t.must("uci set dhcp.lan.leasetime=1h; uci add_list dhcp.lan.dhcp_option=42,198.18.0.9; uci commit dhcp");
    t.must(hook("stop"));
    expect(t.must("uci show dhcp.lan")).toBe([
      "dhcp.lan=dhcp", "dhcp.lan.interface='lan'", "dhcp.lan.start='100'", "dhcp.lan.limit='150'",
      "dhcp.lan.dhcp_option='42,198.18.0.9'", "dhcp.lan.leasetime='1h'", ""].join("\n"));
    expect(t.exists("etc/config/.floatgw-dhcp-original")).toBe(false);
  });

  it("never commits the admin's own uncommitted uci changes", () => {
    const { t } = installed();
    t.must("uci set dhcp.lan.limit=10");
    t.must(hook("master"));
    expect(t.read("etc/config/dhcp")).toMatch(/^\toption limit '150'$/m);
    expect(t.must("uci changes dhcp")).toBe("dhcp.lan.limit='10'\n");
  });
});

/** Configures floatgw (enabled, dhcp '1' on lan) and returns a script that
 * starts floatgwd on a veth named br-lan, records its pid where procd
 * would, and waits until the hook made it master in dhcp. */
function masterOnBrLan(t: Tree): string {
  t.must(`cat > /etc/config/floatgw <<'EOF'${floatgwConfig("1")}EOF`);
  return `
      ip link add br-lan type veth peer name lanpeer && ip link set lanpeer up && ip link set br-lan up
      ip addr add 198.18.0.2/24 dev br-lan
      /usr/sbin/floatgwd run --config /etc/config/floatgw >/tmp/floatgwd.log 2>&1 &
      echo $! >/var/run/floatgwd.pid
      i=0
      until [ "$(uci -q get dhcp.lan.force)" = 1 ]; do
        i=$((i + 1)); [ $i -le 30 ] || { cat /tmp/floatgwd.log; exit 1; }; sleep 1
      done`;
}

describe.skipIf(rootfsMissing)("/etc/init.d/floatgw gives dnsmasq's configuration back", () => {
  it("stop after floatgwd was SIGKILLed while master", () => {
    const { t, stock } = installed();
    const out = t.must(`${masterOnBrLan(t)}
      kill -KILL $(cat /var/run/floatgwd.pid)
      echo "killed as master: ignore=$(uci -q get dhcp.lan.ignore) force=$(uci -q get dhcp.lan.force)"
      /etc/init.d/floatgw stop 2>/dev/null
    `);
    expect(out).toContain("killed as master: ignore=0 force=1");
    expect(t.read("etc/config/dhcp")).toBe(stock);
  });

  it("stop waits for a SIGTERMed floatgwd to finish its stop hooks", () => {
    const { t, stock } = installed();
    const out = t.must(`${masterOnBrLan(t)}
      pid=$(cat /var/run/floatgwd.pid)
      # What procd's stop does: SIGTERM, then the init script's service_stopped.
      kill -TERM $pid
      /etc/init.d/floatgw stop 2>/dev/null
      [ -z "$(readlink /proc/$pid/exe)" ] && echo "floatgwd gone when stop returned"
      cat /tmp/floatgwd.log
    `);
    expect(out).toContain("floatgwd gone when stop returned");
    expect(out).toContain("SIGTERM: handing the VIPs over and stopping");
    expect(t.read("etc/config/dhcp")).toBe(stock);
  });

  it("start keeps the sections a running floatgwd manages and gives back the others; disabled, all of them", () => {
    const { t, stock } = installed();
    t.must(`${hook("master", "lan")} && ${hook("backup", "wan")}`);
    expect(t.must("uci -q get dhcp.lan.floatgw_ignore; uci -q get dhcp.wan.floatgw_ignore")).toBe("-\n1\n");
    t.must(`cat > /etc/config/floatgw <<'EOF'${floatgwConfig("1")}EOF`);
    t.sh("/etc/init.d/floatgw start");
    expect(t.must("uci -q get dhcp.lan.floatgw_ignore; uci -q get dhcp.wan.floatgw_ignore || echo wan given back"))
      .toBe("-\nwan given back\n");
    expect(t.must("uci get dhcp.wan.ignore; uci -q get dhcp.wan.dhcp_option || echo none")).toBe("1\nnone\n");

    t.must(`cat > /etc/config/floatgw <<'EOF'${floatgwConfig("0")}EOF`);
    t.sh("/etc/init.d/floatgw start");
    expect(t.read("etc/config/dhcp")).toBe(stock);
  });
});
