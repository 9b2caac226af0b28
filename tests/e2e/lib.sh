# Shared helpers of the tmux end-to-end scripts (sourced, not run). The caller sets SOCK (a tmux socket
# name) and PANE (the session name) before using them.

T() { tmux -L "$SOCK" "$@"; }
cleanup() { T kill-server 2>/dev/null || true; }
screen() { T capture-pane -p -t "$PANE"; }
alternate() { T display-message -p -t "$PANE" '#{alternate_on}'; }

fail() {
  echo "FAIL: $*"
  echo "---- screen ----"
  T capture-pane -p -t "$PANE" 2>/dev/null || true
  exit 1
}

# wait_for REGEX [SECONDS]: until the pane shows a line matching REGEX.
wait_for() {
  local re="$1" limit="${2:-20}" i=0 text
  while [ "$i" -lt $((limit * 10)) ]; do
    text="$(screen)"
    if grep -Eq -- "$re" <<<"$text"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  fail "timed out waiting for /$re/"
}

# wait_gone REGEX [SECONDS]: until no line matches.
wait_gone() {
  local re="$1" limit="${2:-20}" i=0 text
  while [ "$i" -lt $((limit * 10)) ]; do
    text="$(screen)"
    if ! grep -Eq -- "$re" <<<"$text"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  fail "timed out waiting for /$re/ to go"
}
