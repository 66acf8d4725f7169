// Reads /etc/config/floatgw into what the daemon runs, for the start and for
// every reload: the same path, the same checks, the same messages.
import { loadConfig } from "../config/load";
import type { GlobalConfig } from "../config/validate";
import { netifdDevice } from "../integrations/netifd";
import { readTextFile } from "../platform/engine";
import { instanceSpecs } from "./from-config";
import type { InstanceSpec } from "./spec";

export type Loaded =
  | { ok: true; global: GlobalConfig; specs: InstanceSpec[]; warnings: string[]; notes: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

export function loadDaemonConfig(path: string): Loaded {
  const text = readTextFile(path);
  if (text === null) return { ok: false, errors: [`cannot read ${path}`], warnings: [] };
  const result = loadConfig(text);
  const warnings = result.warnings.map((w) => `${path}: ${w.message}`);
  if (!result.config) return { ok: false, errors: result.errors.map((e) => `${path}: ${e.message}`), warnings };
  if (!result.config.global.enabled) return { ok: false, errors: [`floatgw is disabled in ${path} (set global.enabled to 1)`], warnings };
  if (result.config.vips.length === 0) return { ok: false, errors: [`${path} has no enabled vip section`], warnings };
  const specs = instanceSpecs(result.config, netifdDevice);
  if (!specs.ok) return { ok: false, errors: specs.errors.map((e) => `${path}: ${e}`), warnings };
  return { ok: true, global: result.config.global, specs: specs.specs, warnings, notes: specs.notes };
}
