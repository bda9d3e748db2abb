# Sourced by scripts/lint and scripts/format: which C++ files changed.
# src/, cmd/, fuzz/, bench/ and tests/*.cc changed since the commit named in
# .ci/lint-base (the maintainer moves it at each landing), committed or not,
# plus untracked files. When that commit is not in HEAD's history (a shallow
# clone, a branch cut before it) every file counts. Sets:
#   lint_base   the commit ("" with every file)
#   lint_mode   changed | all
#   modified    files that exist in the base and differ from it (their changed lines count)
#   whole       files new since the base or untracked (or, with every file, all of them)
# Environment: FOREST_LINT_BASE (a commit instead of .ci/lint-base),
# FOREST_LINT_ALL=1 (every file).

cxx_only() { grep -E '^((src|cmd|fuzz|bench)/.*\.(cc|h)|tests/[^/]*\.cc)$' || true; }

lint_base=${FOREST_LINT_BASE:-$(tr -d '[:space:]' < .ci/lint-base 2>/dev/null || true)}
lint_mode=changed
if [ "${FOREST_LINT_ALL:-0}" = 1 ] || [ -z "$lint_base" ] || ! git cat-file -e "$lint_base^{commit}" 2>/dev/null ||
   ! git merge-base --is-ancestor "$lint_base" HEAD 2>/dev/null; then
  lint_mode=all
fi
untracked=$(git ls-files --others --exclude-standard | cxx_only)
if [ "$lint_mode" = all ]; then
  modified=""
  whole=$(printf '%s\n%s\n' "$(git ls-files | cxx_only)" "$untracked" | sed '/^$/d' | sort -u)
  lint_base=""
else
  modified=$(git diff --name-only --diff-filter=M "$lint_base" -- | cxx_only)
  whole=$(printf '%s\n%s\n' "$(git diff --name-only --diff-filter=ACR "$lint_base" -- | cxx_only)" "$untracked" |
    sed '/^$/d' | sort -u)
fi
# Only files that exist (a file deleted in the working tree is gone).
whole=$(for f in $whole; do [ -f "$f" ] && echo "$f"; done || true)
modified=$(for f in $modified; do [ -f "$f" ] && echo "$f"; done || true)
