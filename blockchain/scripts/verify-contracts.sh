#!/usr/bin/env bash
# `make verify-contracts`: runs solc-js's SMTChecker (Z3 inside soljson) on our own custody,
# verification and anchoring logic, time-bounded. Not part of `make test`: it is slow, and the
# checker cannot take OpenZeppelin-sized contracts (see README, "SMTChecker").
#
# The logic is kept in three pure libraries used by the contracts (contracts/lib/AnchorChain.sol,
# CustodyLedger.sol, VerifierQuorum.sol); harnesses in smt/ drive them as the contracts do and
# assert the properties. Step harnesses go to BMC (one call, loops unrolled); invariant harnesses
# to CHC (all call sequences). Each run is bounded by SMT_BMC_TIME / SMT_CHC_TIME seconds.
# Exit 1 if a property is shown violated or a harness fails to compile; a run that hits its time
# bound is reported as UNDECIDED and does not fail.
set -uo pipefail
BC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$BC/scripts/ensure-deps.sh" || exit 1
source "$BC/../tools/env.sh"
cd "$BC" || exit 1
BMC_TIME="${SMT_BMC_TIME:-300}"
CHC_TIME="${SMT_CHC_TIME:-600}"
status=0
run() { # <engine> <harness> <seconds>
  local engine="$1" h="$2" secs="$3" out rc
  out="$(SMT_ENGINE="$engine" timeout "$secs" node scripts/smt-check.mjs "smt/$h.sol" "$h" 2>&1)"; rc=$?
  echo "$out" | grep -E '^(PROVED|UNPROVED|VIOLATED|REVERTS)' | sed 's/^/    /'
  if [ "$rc" -eq 124 ]; then
    echo "SMT $engine $h: UNDECIDED (no answer within $secs s)"
  else
    echo "$out" | grep -E '^SMT ' || echo "$out" | tail -20
    [ "$rc" -ne 0 ] && status=1
  fi
}
for h in AnchorChainStepHarness CustodyLedgerStepHarness VerifierQuorumHarness; do run bmc "$h" "$BMC_TIME"; done
for h in CustodyLedgerInvariantHarness AnchorChainInvariantHarness; do run chc "$h" "$CHC_TIME"; done
exit $status
