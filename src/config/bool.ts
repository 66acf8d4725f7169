// UCI booleans, spelled as OpenWrt's /lib/functions.sh config_get_bool reads
// them (case-sensitive). Anything else is refused rather than guessed, and
// '0' is always off: luci-app-keepalived's `nopreempt '0'` turned preemption
// off because only the flag's presence was tested (luci#7114).

export const TRUE_SPELLINGS: readonly string[] = ["1", "on", "true", "yes", "enabled"];
export const FALSE_SPELLINGS: readonly string[] = ["0", "off", "false", "no", "disabled"];

/** The spellings, for messages and docs: "1/0, on/off, true/false, yes/no, enabled/disabled". */
export const BOOL_SPELLINGS = TRUE_SPELLINGS.map((t, i) => `${t}/${FALSE_SPELLINGS[i] ?? ""}`).join(", ");

/** true, false, or null when `text` is not an OpenWrt boolean. */
export function parseBool(text: string): boolean | null {
  if (TRUE_SPELLINGS.indexOf(text) >= 0) return true;
  if (FALSE_SPELLINGS.indexOf(text) >= 0) return false;
  return null;
}
