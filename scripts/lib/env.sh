# shellcheck shell=bash
# The project's environment (.venv), shared by scripts/quickstart and scripts/test.
# Sourced from the repository root. Every step prints one line "sweeps: ..."; a missing
# prerequisite ends the script with one line "sweeps: error: ..." on stderr and exit status 1.
#
# .venv is (re)installed only when needed. A stamp file inside it records what was installed:
# the SHA-256 of pyproject.toml, the extras and the checkout's path (an editable install points
# there). Nothing is reinstalled while all three still match and the wanted extras are among
# those installed.

VENV=.venv
STAMP=$VENV/.sweeps-installed
LOG=$VENV/.sweeps-install.log

say() { printf 'sweeps: %s\n' "$*"; }

die() {
  printf 'sweeps: error: %s\n' "$*" >&2
  exit 1
}

# Run a command with its output appended to LOG; when it fails, show the log's end and die
# with the message $1.
quietly() {
  local message=$1
  shift
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 25 "$LOG" >&2
    die "$message (full log: $LOG)"
  fi
}

# Print the arguments shell-quoted, each after a space (for the step lines).
quoted() {
  [[ $# -eq 0 ]] || printf ' %q' "$@"
}

# Print the arguments after the first joined by the first.
join_by() {
  local separator=$1 joined=$2 item
  shift 2
  for item in "$@"; do joined+=$separator$item; done
  printf '%s' "$joined"
}

# Print "VERSION HAS_ENSUREPIP EXECUTABLE" for the interpreter $1, or fail if it does not run.
python_facts() {
  "$1" -c 'import sys, importlib.util as u
print("%d.%d.%d" % sys.version_info[:3], u.find_spec("ensurepip") is not None, sys.executable)' \
    2>/dev/null
}

# Set PYTHON311 and PYTHON311_VERSION to a Python 3.11 able to create a venv, or die naming
# what was found instead and how to get one.
find_python311() {
  local candidate version executable has_venv tried=()
  for candidate in python3.11 python3; do
    if ! command -v "$candidate" >/dev/null 2>&1; then
      tried+=("no $candidate")
      continue
    fi
    if ! read -r version has_venv executable < <(python_facts "$candidate"); then
      tried+=("$candidate does not run")
      continue
    fi
    if [[ $version != 3.11.* ]]; then
      tried+=("$candidate is $version")
    elif [[ $has_venv != True ]]; then
      die "Python 3.11 at $executable has no venv module (Debian: apt-get install python3.11-venv)"
    else
      PYTHON311=$executable
      PYTHON311_VERSION=$version
      return 0
    fi
  done
  die "Python 3.11 not found on PATH ($(join_by '; ' "${tried[@]}")); install it (pyenv install 3.11, or Debian's python3.11 and python3.11-venv)"
}

# Print the SHA-256 of the file $1 (coreutils' sha256sum, or shasum where that is missing).
file_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Print the comma-separated extras $1 sorted, without duplicates or empty names.
normalize_extras() {
  tr ',' '\n' <<<"$1" | sed '/^$/d' | sort -u | paste -sd, -
}

# Succeed when every extra of $1 (comma-separated) is in $2.
extras_within() {
  local extra
  for extra in ${1//,/ }; do
    [[ ,$2, == *",$extra,"* ]] || return 1
  done
}

# Print the value of key $1 in the stamp file (empty when absent).
stamp_value() {
  sed -n "s/^$1=//p" "$STAMP" 2>/dev/null || true
}

# Print why .venv needs installing with the extras $1 and pyproject.toml's hash $2; print
# nothing when it is up to date.
install_reason() {
  local installed
  installed=$(stamp_value extras)
  if [[ ! -x $VENV/bin/python ]]; then
    echo "new environment, about a minute"
  elif [[ ! -f $STAMP ]]; then
    echo "no install record in $VENV"
  elif [[ $(stamp_value pyproject) != "$2" ]]; then
    echo "pyproject.toml changed"
  elif [[ $(stamp_value root) != "$PWD" ]]; then
    echo "the checkout moved"
  elif ! extras_within "$1" "$installed"; then
    echo "extras ${1:-none} wanted, ${installed:-none} installed"
  fi
}

# Create .venv with Python 3.11 when it is missing or does not run Python 3.11.
create_venv() {
  local current
  current=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' \
    2>/dev/null) || current=""
  [[ $current == 3.11 ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1 && return 0
  find_python311
  if [[ -e $VENV ]]; then
    say "recreating $VENV with Python $PYTHON311_VERSION ($PYTHON311; the old one ran ${current:-no Python})"
    rm -rf "$VENV"
  else
    say "creating $VENV with Python $PYTHON311_VERSION ($PYTHON311)"
  fi
  "$PYTHON311" -m venv "$VENV" || die "could not create $VENV with $PYTHON311"
  quietly "could not upgrade pip in $VENV" \
    "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip
}

# Make .venv hold the project installed in editable mode with at least the extras $1
# (comma-separated, may be empty); the extras already installed are kept.
ensure_env() {
  local want hash reason extras target
  want=$(normalize_extras "$1")
  [[ -f pyproject.toml ]] || die "no pyproject.toml in $PWD: run the scripts from a checkout"
  hash=$(file_sha256 pyproject.toml)
  reason=$(install_reason "$want" "$hash")
  extras=$(normalize_extras "$want,$(stamp_value extras)")
  if [[ -z $reason ]]; then
    say "environment up to date ($VENV, extras: ${extras:-none})"
    return 0
  fi
  create_venv
  target=.${extras:+[$extras]}
  say "installing $target into $VENV ($reason)"
  rm -f "$STAMP"
  quietly "pip install -e '$target' failed" \
    "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$target"
  printf 'pyproject=%s\nextras=%s\nroot=%s\n' "$hash" "$extras" "$PWD" >"$STAMP"
}

# Put .venv first on PATH, as `. .venv/bin/activate` does, for the commands that follow.
activate_env() {
  export VIRTUAL_ENV=$PWD/$VENV
  export PATH=$VIRTUAL_ENV/bin:$PATH
  unset PYTHONHOME
}
