// A VIP outside every subnet of its link still works for VRRP, but clients
// on that link can't reach it without a route: almost always a typo. Only
// the daemon knows the link's addresses, so it calls this after resolving
// the device.

import { type ConfigProblem, problem, sectionLabel } from "./problems";
import type { VipConfig } from "./validate";
import { inSubnet, type VipAddress } from "./values";

/** Warnings for addresses of `vip` outside every same-family subnet of `device` (given its addresses). */
export function checkVipSubnets(vip: VipConfig, device: string, deviceAddresses: readonly VipAddress[]): ConfigProblem[] {
  const section = sectionLabel({ type: "vip", ref: vip.name, anonymous: vip.name.startsWith("@") });
  const warnings: ConfigProblem[] = [];
  for (const a of vip.addresses) {
    const nets = deviceAddresses.filter((d) => d.family === a.family);
    if (nets.some((n) => inSubnet(a, n))) continue;
    const family = a.family === 4 ? "IPv4" : "IPv6";
    const have = nets.map((n) => `${n.address}/${n.prefix}`).join(", ");
    warnings.push(
      problem(
        { section, option: "address", value: a.address },
        nets.length === 0 ? `cannot be checked: ${device} has no ${family} address` : `is outside every ${family} subnet of ${device} (${have})`,
      ),
    );
  }
  return warnings;
}
