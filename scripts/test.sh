#!/usr/bin/env bash
# Runs every test suite (after `make setup all cross`, which `make test` does
# first) and ends with each failed test's name and message, then one line:
# "tests: N passed, M failed".
#   unit:   the pure core under vitest with coverage; tshark decodes our packets
#   system: the binaries on the real kernel in namespaces with real peers
#           (root), and every cross binary under qemu-user
set -uo pipefail
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"
mkdir -p "$results"
failed_suites=()

for suite in unit system; do
  config=vitest.config.ts
  [ "$suite" = system ] && config=vitest.system.config.ts
  coverage=()
  [ "$suite" = unit ] && coverage=(--coverage)
  echo "== $suite tests"
  npx vitest run -c "$config" "${coverage[@]}" --reporter=default \
    --reporter=json --outputFile.json="$results/$suite.json" || failed_suites+=("$suite")
done

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1]).filter((f) => /^(unit|system)\.json$/.test(f))) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    // Repeated here because CI may keep only the log'"'"'s tail: a random
    // property'"'"'s failure carries the seed and path that replay it.
    for (const file of r.testResults)
      for (const t of file.assertionResults.filter((t) => t.status === "failed"))
        console.log(`FAILED ${file.name.replace(/^.*\/test\//, "test/")} > ${t.fullName}\n` +
          t.failureMessages.join("\n").split("\n").slice(0, 12).join("\n"));
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results"
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]}"
  exit 1
fi
