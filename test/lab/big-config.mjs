// Large but valid /etc/config/floatgw files, for the tests and the bench
// that prove reading a configuration takes time linear in its size
// (docs/robustness.md). Addresses from 198.18.0.0/15 only.

/** `n` vip sections, 255 VRIDs per device, one address each. */
export function manySections(n) {
  const parts = ["config floatgw 'global'\n\toption enabled '1'\n"];
  for (let i = 0; i < n; i++) {
    parts.push(`\nconfig vip 'v${i}'\n\toption device 'lan${Math.floor(i / 255)}'\n\toption vrid '${(i % 255) + 1}'\n`
      + `\toption priority '100'\n\tlist address '198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/15'\n`);
  }
  return parts.join("");
}

/** One vip section whose list of unicast peers has `n` items. */
export function manyListItems(n) {
  const parts = ["config floatgw 'global'\n\toption enabled '1'\n\nconfig vip 'lan'\n\toption device 'br-lan'\n"
    + "\toption vrid '51'\n\tlist address '198.19.255.254/15'\n"];
  for (let i = 1; i <= n; i++) parts.push(`\tlist unicast_peer '198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}'\n`);
  return parts.join("");
}

/** `n` vip sections, each tracking a tracker of its own, in sync groups of
 * two: every cross-reference a lookup (it was a scan of all sections). */
export function manyReferences(n) {
  const parts = ["config floatgw 'global'\n\toption enabled '1'\n"];
  for (let i = 0; i < n; i++) {
    parts.push(`\nconfig tracker 't${i}'\n\toption type 'link'\n\toption device 'wan${i % 100}'\n`);
    parts.push(`\nconfig vip 'v${i}'\n\toption device 'lan${Math.floor(i / 255)}'\n\toption vrid '${(i % 255) + 1}'\n`
      + `\tlist address '198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/15'\n\tlist track 't${i}'\n`);
    if (i % 2 === 1) parts.push(`\nconfig sync_group 'g${i}'\n\tlist vip 'v${i - 1}'\n\tlist vip 'v${i}'\n`);
  }
  return parts.join("");
}
