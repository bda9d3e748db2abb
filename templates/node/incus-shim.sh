#!/bin/bash
# forest's incus shim, installed ahead of the real client in every
# hierarchy-aware node (/usr/local/bin/incus). Unchanged upstream scripts
# keep working one level down: where they ask for what an unprivileged
# nested node cannot give (idmapped mounts: disk devices with shift=true),
# the shim injects the nested contract instead — drop shift, allow the
# folder's owner in /etc/subuid and /etc/subgid, map it with raw.idmap — and
# prints what it did. Handles `launch|init|create … -d DEV,TYPE,k=v`,
# `config device add` and `profile device add`; `profile edit` input is not
# rewritten. Everything else goes to the real client untouched.
set -euo pipefail
real=/usr/bin/incus
say() { echo "forest shim: $*" >&2; }

# idmap_for SOURCE: prints "uid U U\ngid G G" for the folder's owner, after
# allowing it in /etc/subuid and /etc/subgid (and restarting incusd when that
# changed them); empty for root-owned folders (root is never mapped through).
# The rules live once, in forest (src/idmap): `forest idmap owner`.
idmap_for() {
  "${FOREST_BIN:-/opt/forest/current/bin/forest}" idmap owner --restart-incus "$1"
}

# add_idmap INSTANCE IDMAP [PROJECT ARGS...]: appends to raw.idmap.
add_idmap() {
  local inst=$1 map=$2; shift 2
  [ -n "$map" ] || return 0
  local cur
  cur=$("$real" config get "$@" "$inst" raw.idmap 2>/dev/null || true)
  local merged
  merged=$(printf '%s\n%s\n' "$cur" "$map" | awk 'NF && !seen[$0]++')
  "$real" config set "$@" "$inst" raw.idmap "$merged"
  say "set raw.idmap on $inst: $(echo "$merged" | tr '\n' ';')"
}

# shift_rewrite "k=v ..." → prints the device keys without shift=true and
# sets SHIFT_SOURCE when shift was requested on a disk with a source.
# split_args ARGS...: options (--project takes a value) into opts, the rest into pos.
split_args() {
  opts=() pos=()
  while [ $# -gt 0 ]; do
    case $1 in --project) opts+=("$1" "$2"); shift 2 ;; -*) opts+=("$1"); shift ;; *) pos+=("$1"); shift ;; esac
  done
}

rewrite_keys() {
  SHIFT_SOURCE="" KEYS=()
  local want_shift=0 src="" kv
  for kv in "$@"; do
    case $kv in
      shift=true|shift=1|shift=yes) want_shift=1 ;;
      source=*) src=${kv#source=}; KEYS+=("$kv") ;;
      *) KEYS+=("$kv") ;;
    esac
  done
  if [ "$want_shift" = 1 ] && [ -n "$src" ]; then SHIFT_SOURCE=$src; fi
}

cmd=${1:-}
case $cmd in
  launch|init|create)
    shift
    # Collect `-d NAME,TYPE,key=value,...` devices that add a device (a
    # second field without '='); other -d overrides pass through.
    args=() adds=() pos=() start=0
    if [ "$cmd" = launch ]; then start=1; fi
    while [ $# -gt 0 ]; do
      case $1 in
        -d|--device)
          spec=$2; shift 2
          IFS=, read -r -a parts <<<"$spec"
          if [ ${#parts[@]} -ge 2 ] && [[ ${parts[1]} != *=* ]]; then adds+=("$spec"); else args+=(-d "$spec"); fi ;;
        --device=*)
          spec=${1#--device=}; shift
          IFS=, read -r -a parts <<<"$spec"
          if [ ${#parts[@]} -ge 2 ] && [[ ${parts[1]} != *=* ]]; then adds+=("$spec"); else args+=("--device=$spec"); fi ;;
        --project|--target|--storage|-s|--network|-n|--profile|-p|--config|-c|--type|-t|--description)
          args+=("$1" "$2"); shift 2 ;;
        -*) args+=("$1"); shift ;;
        *) pos+=("$1"); args+=("$1"); shift ;;
      esac
    done
    if [ ${#adds[@]} -eq 0 ]; then exec "$real" "$cmd" "${args[@]}"; fi
    if [ ${#pos[@]} -lt 2 ]; then
      say "devices added with -d need an instance name: incus $cmd IMAGE NAME -d NAME,TYPE,key=value"
      exit 1
    fi
    name=${pos[1]}
    proj=()
    for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[$i]}" = --project ] && proj=(--project "${args[$((i + 1))]}"); done
    say "incus $cmd with new devices: creating $name stopped, adding the devices, then starting it"
    "$real" init "${args[@]}"
    map=""
    for spec in "${adds[@]}"; do
      IFS=, read -r -a parts <<<"$spec"
      rewrite_keys "${parts[@]:2}"
      if [ -n "$SHIFT_SOURCE" ]; then
        say "device ${parts[0]}: dropped shift=true (no idmapped mounts in a nested node); mapping the owner of $SHIFT_SOURCE instead"
        map+=$(idmap_for "$SHIFT_SOURCE")$'\n'
      fi
      "$real" config device add "${proj[@]}" "$name" "${parts[0]}" "${parts[1]}" "${KEYS[@]}"
    done
    add_idmap "$name" "$(echo "$map" | awk 'NF')" "${proj[@]}"
    if [ "$start" = 1 ]; then exec "$real" start "${proj[@]}" "$name"; fi
    exit 0
    ;;
  config)
    if [ "${2:-}" = device ] && [ "${3:-}" = add ]; then
      shift 3
      split_args "$@"
      rewrite_keys "${pos[@]:3}"
      if [ -z "$SHIFT_SOURCE" ]; then exec "$real" config device add "${opts[@]}" "${pos[@]}"; fi
      inst=${pos[0]}
      say "device ${pos[1]}: dropped shift=true (no idmapped mounts in a nested node); mapping the owner of $SHIFT_SOURCE instead"
      map=$(idmap_for "$SHIFT_SOURCE")
      running=$("$real" list "${opts[@]}" --format csv -c s "^${inst}\$" 2>/dev/null || true)
      add_idmap "$inst" "$map" "${opts[@]}"
      "$real" config device add "${opts[@]}" "$inst" "${pos[1]}" "${pos[2]}" "${KEYS[@]}"
      if [ "$running" = RUNNING ] && [ -n "$map" ]; then
        say "restarting $inst so its new raw.idmap applies"
        "$real" restart "${opts[@]}" "$inst"
      fi
      exit 0
    fi
    ;;
  profile)
    if [ "${2:-}" = device ] && [ "${3:-}" = add ]; then
      shift 3
      split_args "$@"
      rewrite_keys "${pos[@]:3}"
      if [ -z "$SHIFT_SOURCE" ]; then exec "$real" profile device add "${opts[@]}" "${pos[@]}"; fi
      prof=${pos[0]}
      say "profile $prof, device ${pos[1]}: dropped shift=true (no idmapped mounts in a nested node); mapping the owner of $SHIFT_SOURCE in the profile's raw.idmap instead"
      map=$(idmap_for "$SHIFT_SOURCE")
      if [ -n "$map" ]; then
        cur=$("$real" profile get "${opts[@]}" "$prof" raw.idmap 2>/dev/null || true)
        merged=$(printf '%s\n%s\n' "$cur" "$map" | awk 'NF && !seen[$0]++')
        "$real" profile set "${opts[@]}" "$prof" raw.idmap "$merged"
        say "set raw.idmap on profile $prof: $(echo "$merged" | tr '\n' ';'); running instances with it apply it at their next restart"
      fi
      exec "$real" profile device add "${opts[@]}" "$prof" "${pos[1]}" "${pos[2]}" "${KEYS[@]}"
    fi
    ;;
esac
exec "$real" "$@"
