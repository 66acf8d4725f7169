// The whole path from the text of /etc/config/floatgw to a FloatgwConfig,
// for the daemon (on start and reload) and for `floatgw check`.

import { problem } from "./problems";
import { parseUci } from "./uci";
import { type ValidationResult, validateConfig } from "./validate";

export function loadConfig(text: string): ValidationResult {
  const parsed = parseUci(text);
  if (!parsed.ok)
    return {
      config: null,
      errors: parsed.errors.map((e) => problem({ section: null, line: e.line }, e.message)),
      warnings: [],
    };
  return validateConfig(parsed.package);
}
