# Shared by .ci/release-check and .ci/packagers-check (sourced, after `set -euo pipefail`): where the release
# staging lives, and the helpers both use. The sourcing script sets `check` to its own name first, for messages.
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$root/target/release-check"
stage="$work/stage"
out="$root/target/jreleaser"
start=$SECONDS

step() { printf '== %s\n' "$*" >&2; }
fail() {
    printf '%s: FAILED: %s\n' "$check" "$*" >&2
    exit 1
}
# mvn_log NAME ARGS...: runs Maven in the staging repository, its output in $work/NAME.log.
mvn_log() {
    local name="$1"
    shift
    if ! (cd "$stage" && mvn -B "$@") >"$work/$name.log" 2>&1; then
        tail -n 40 "$work/$name.log" >&2
        fail "mvn $* (see $work/$name.log)"
    fi
}
