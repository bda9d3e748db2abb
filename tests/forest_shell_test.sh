#!/usr/bin/env bash
# forest shell on a real Incus (issue 7 acceptance). The suite plays a user:
# it runs `forest shell` in a host tmux session on a temp workspace as uid
# 2345 (the way sudo hands it over: SUDO_UID/SUDO_GID), types into it, detaches,
# drives it with `forest shell tmux`, resumes tool state in another slot,
# keeps a package in a persistent jail, and removes everything at the end.
# Secrets planted in the host's environment, home and ssh-agent must not be
# found inside; the ssh-agent is usable with --ssh-agent. Network modes are
# checked against namespaces it makes: an IPv4 "internet"
# (tests/xlat_upstream.sh) and a "LAN" (192.168.77.0/24, fd00:77::/64).
# Limits: a memory hog and a fork bomb in a limited jail, the host stays
# responsive, `kill` ends the jail. Rootless Podman runs inside.
# Needs root and a running incusd (scripts/setup).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
. "$(dirname "$0")/xlat_upstream.sh"
forest_tests_need_incus
for tool in tmux nft python3 kdig ssh-agent ssh-keygen dpkg-deb incus; do
  command -v "$tool" >/dev/null || { echo "forest_shell_test: $tool missing; run scripts/setup" >&2; exit 1; }
done

suffix=$(printf '%04x' $((RANDOM)))
fname="sh$suffix"
bridge="fsh$suffix"
forest_tests_begin "$FOREST"
STATE=$FOREST_STATE_DIR/$fname
HELPER=fd00:5e1f::53
UID_A=2345
SECRET_TOKEN="ghp_forestSECRET${suffix}0123456789"
SECRET_KEY="sk-ant-forestSECRET$suffix"
export HOME="$T/home"
mkdir -p "$HOME/.config/forest" "$HOME/.ssh"
cat >"$HOME/.config/forest/config.yaml" <<EOF
# the suite's own shell forest, beside anything else on this machine
forest: $fname
host:
  bridge: $bridge
  ipv6: fd00:5e1f::1/64
  ipv4: 10.203.33.1/24
  uplink_range: fd00:5e1f:0:1::/64
  helper_address: $HELPER
  prefix_base: fd00:5e0f::/32
  dns64_upstream: $FOREST_TEST_DNS64
profiles:
  tight:
    hardened: true
    network: open
    limits: {processes: 400, memory: 512MiB}
EOF
# Secrets a careless jail would leak.
ssh-keygen -q -t ed25519 -N '' -C forest-shell-test -f "$HOME/.ssh/id_ed25519"
# Line 4 holds key material (line 2 is a header every ed25519 key shares).
key_line=$(sed -n 4p "$HOME/.ssh/id_ed25519")
printf '[user]\n  name = Alice\n[credential]\n  helper = store\n' >"$HOME/.gitconfig"
echo "https://alice:$SECRET_TOKEN@github.com" >"$HOME/.git-credentials"
export GITHUB_TOKEN=$SECRET_TOKEN ANTHROPIC_API_KEY=$SECRET_KEY
eval "$(ssh-agent -a "$T/agent.sock" -s)" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$HOME/.ssh/id_ed25519"

# The invoking user, as sudo reports it: a real account (forest reads its
# name and home from the password database), home $HOME.
forest_test_user alice "$UID_A" "$HOME"
chown -R "$UID_A:$UID_A" "$HOME"
export SUDO_UID=$UID_A SUDO_GID=$UID_A SUDO_USER=alice
WS=$T/proj OTHER=$T/other BOMB=$T/bomb
mkdir -p "$WS/src" "$OTHER" "$BOMB"
git -C "$WS" init -q
echo 'print("hello")' >"$WS/src/main.py"
chown -R "$UID_A:$UID_A" "$WS" "$OTHER" "$BOMB"
chmod 755 "$T"
# fsh WORKSPACE ARGS...: forest shell run from the workspace, as a user would.
fsh() { (cd "$1" && shift && "$FOREST" shell "$@"); }
# A private tmux server: the suite's environment, not a running server's.
tm() { tmux -L "fsh$suffix" "$@"; }
# expect_blocked WHAT CMD...: CMD must fail (refused, unreachable or timed out).
expect_blocked() { local what=$1; shift; if "$@" >/dev/null 2>&1; then fail "$what: got through"; else ok; fi; }

cleanup() {
  set +e
  tm kill-server 2>/dev/null
  (cd "$WS" && "$FOREST" shell kill --all --force) >"$T/kill.log" 2>&1 || cat "$T/kill.log" >&2
  xlat_upstream_down
  [ -n "${LANNS:-}" ] && ip netns del "$LANNS" 2>/dev/null
  [ -n "${LANIF:-}" ] && ip link del "$LANIF" 2>/dev/null
  for p in "${LAN_PIDS[@]:-}"; do [ -z "$p" ] || kill "$p" 2>/dev/null; done
  kill "$AGENT_PID" 2>/dev/null
  forest_test_user_del alice
  rm -rf "$STATE" "$STATE-sessions" "$T"
}
trap cleanup EXIT

# --- the test's outside world ------------------------------------------------
section "the IPv4 internet (netns xu$suffix) and a LAN (netns ln$suffix)"
xlat_upstream_up "xu$suffix" "xuh$suffix" "$bridge" 10.203.33.2 || { fail "upstream namespace"; finish; }
ip netns exec "xu$suffix" ip addr add 198.51.100.11/24 dev eth0
mkdir -p "$T/www11" && echo "the other internet host" >"$T/www11/index.html"
ip netns exec "xu$suffix" python3 "$UPDIR/www.py" 198.51.100.11 "$T/www11" >/dev/null 2>&1 &
UP_PIDS+=($!)
LANNS="ln$suffix" LANIF="lnh$suffix" LAN_PIDS=()
ip netns add "$LANNS"
ip link add "$LANIF" type veth peer name eth0 netns "$LANNS"
ip addr add 192.168.77.254/24 dev "$LANIF"
ip addr add fd00:77::fe/64 dev "$LANIF" nodad
ip link set "$LANIF" up
ip netns exec "$LANNS" ip link set lo up
ip netns exec "$LANNS" ip addr add 192.168.77.1/24 dev eth0
ip netns exec "$LANNS" ip addr add fd00:77::1/64 dev eth0 nodad
ip netns exec "$LANNS" ip link set eth0 up
ip netns exec "$LANNS" ip route add default via 192.168.77.254
ip netns exec "$LANNS" ip -6 route add default via fd00:77::fe
mkdir -p "$T/lanwww" && echo "a printer on the LAN" >"$T/lanwww/index.html"
cat >"$T/www6.py" <<'PY'
import functools, http.server, socket, socketserver, sys
class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "::", self.server_address[1]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
Server(("::", int(sys.argv[1])), handler).serve_forever()
PY
ip netns exec "$LANNS" python3 "$T/www6.py" 8080 "$T/lanwww" >/dev/null 2>&1 &
LAN_PIDS+=($!)
wait_for 10 "LAN server" curl -sf -m 2 http://192.168.77.1:8080/
printf 'nameserver %s\n' "$HELPER" >"$T/resolv.conf"

# --- the first session, in tmux, like a user -------------------------------
section "forest shell in tmux on $WS"
tm new-session -d -s "fsh$suffix" -x 200 -y 50
tm send-keys -t "fsh$suffix" "cd $WS && $FOREST shell --persistent --ssh-agent --guard-uplink 2>$T/shell1.log; echo SHELL-EXIT=\$?" Enter
pane() { tm capture-pane -p -t "fsh$suffix"; }
prompt() { pane | grep -q 'alice@.*\$'; }
attached() { fsh "$WS" exec -- tmux list-clients | grep -q .; }
wait_for 300 "the jail's prompt in tmux" prompt
prompt || { cat "$T/shell1.log" >&2; pane >&2; finish; }
A=$("$FOREST" shell list --json | python3 -c 'import json,sys; print([j["name"] for j in json.load(sys.stdin)["jails"] if j["slot"]==1][0])')
echo "   jail $A"
tm send-keys -t "fsh$suffix" "touch /workspace/from-tmux && mkdir -p ~/.local/state && echo resumed-$suffix > ~/.local/state/marker && echo typed-ok" Enter
wait_for 20 "a file made in the jail appears on the host" test -e "$WS/from-tmux"
expect_eq "$(stat -c %u:%g "$WS/from-tmux")" "$UID_A:$UID_A" "owner on the host of a file made in the jail"
echo "host-made" >"$WS/host-made" && chown "$UID_A:$UID_A" "$WS/host-made"
run_expect 0 fsh "$WS" exec -- stat -c %u "/workspace/host-made"
expect_eq "$out" "$UID_A" "owner in the jail of a file made on the host"

section "detach, drive with forest shell tmux, attach, exit"
tm send-keys -t "fsh$suffix" C-b d
returned() { pane | grep -q "$1"; }
wait_for 30 "forest shell returns after a detach" returned SHELL-EXIT=0
expect_contains "$(cat "$T/shell1.log")" "detached" "forest shell says the session is detached"
run_expect 0 "$FOREST" shell tmux list --json
expect_contains "$out" '"alive": true' "tmux list shows the live session"
run_expect 0 "$FOREST" shell tmux send "$A" "echo via-send-$suffix > /workspace/sent"
wait_for 10 "tmux send typed into the session" test -e "$WS/sent"
run_expect 0 "$FOREST" shell tmux capture "$A"
expect_contains "$out" "via-send-$suffix" "tmux capture shows the session's pane"
tm send-keys -t "fsh$suffix" "clear; $FOREST shell attach $A 2>$T/attach.log; echo ATTACH-EXIT=\$?" Enter
wait_for 30 "attach joins the jail's tmux session" attached
attached || { cat "$T/attach.log" >&2; pane >&2; finish; }
tm send-keys -t "fsh$suffix" "exit" Enter
wait_for 30 "the tool exits and forest shell returns" returned ATTACH-EXIT=0
expect_contains "$(cat "$T/attach.log")" "saved shell session" "tool state saved when the tool exits"
run_expect 0 "$FOREST" shell list --json
expect_contains "$out" "\"name\": \"$A\"" "a persistent jail stays after its tool exits"

section "slots and --resume"
run_expect 0 fsh "$WS" --slot 2 --guard-uplink -- sh -c 'cat ~/.local/state/marker 2>/dev/null || echo no-marker'
expect_contains "$out" "no-marker" "slot 2 has its own home"
expect_contains "$out" "removed" "an ephemeral jail is removed after its command"
run_expect 3 fsh "$WS" --slot 2 --resume --guard-uplink -- sh -c 'cat ~/.local/state/marker; exit 3'
expect_contains "$out" "resumed-$suffix" "--resume restores the tool state directory"
# Every session is saved under an id; --resume takes the newest or a named one.
run_expect 0 fsh "$WS" --guard-uplink -- sh -c 'echo changed-later > ~/.local/state/marker'
run_expect 0 "$FOREST" shell list --all --json
first=$(echo "$out" | python3 -c "import json,sys; print(sorted(s['id'] for s in json.load(sys.stdin)['sessions'] if s['workspace']=='$WS')[0])")
count=$(echo "$out" | python3 -c "import json,sys; print(len([s for s in json.load(sys.stdin)['sessions'] if s['workspace']=='$WS']))")
[ "$count" -ge 3 ] && ok || fail "list --all: expected at least 3 saved sessions, got $count: $out"
run_expect 0 fsh "$WS" --resume -- sh -c 'cat ~/.local/state/marker'
expect_contains "$out" "changed-later" "--resume restores the newest session"
run_expect 0 fsh "$WS" --resume "$first" -- sh -c 'cat ~/.local/state/marker'
expect_contains "$out" "resumed-$suffix" "--resume ID restores that session"
run_expect 1 fsh "$WS" --resume 20000101-000000-s9 -- true
expect_contains "$out" "no saved shell session by that id" "--resume with an unknown id says which exist"

section "credentials: nothing of the host's inside; the agent only with --ssh-agent"
run_expect 0 fsh "$WS" exec --root -- sh -c "grep -rlF -e '$SECRET_TOKEN' -e '$SECRET_KEY' -e '$key_line' \
  --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev / 2>/dev/null; \
  cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -e SECRET -e GITHUB_TOKEN -e ANTHROPIC; \
  ls /root/.gitconfig /home/*/.gitconfig /home/*/.git-credentials /root/.ssh/id_* /home/*/.ssh/id_* 2>/dev/null; true"
expect_eq "$out" "" "secrets, credential files and private keys found inside the jail"
run_expect 0 incus config show --expanded --project "forest-$fname" "$A"
[[ "$out" == *SECRET* ]] && fail "a secret is in the jail's Incus configuration" || ok
run_expect 0 fsh "$WS" exec -- env
[[ "$out" == *SECRET* || "$out" == *GITHUB_TOKEN* ]] && fail "the host's environment reached the jail: $out" || ok
run_expect 0 fsh "$WS" exec -- ssh-add -l
expect_contains "$out" "forest-shell-test" "ssh-add -l inside lists the host agent's key"
run_expect 0 fsh "$WS" --slot 3 --guard-uplink --env FOO=bar -- sh -c 'echo "agent=${SSH_AUTH_SOCK:-none} foo=$FOO"; ls /opt/forest/shell-agent.sock 2>&1 | head -1'
expect_contains "$out" "agent=none" "without --ssh-agent there is no agent"
expect_contains "$out" "No such file" "without --ssh-agent there is no agent socket"
expect_contains "$out" "foo=bar" "--env reaches the jail"

section "repository safety"
run_expect 0 fsh "$WS" exec -- sh -c 'for f in .git/hooks/pre-commit .git/config; do (echo x >> $f) 2>/dev/null && echo "wrote $f"; done; mv .git .git-away 2>/dev/null && echo "moved .git"; echo edit >> src/main.py && echo src-ok; git status --short'
expect_contains "$out" "src-ok" "source files stay writable"
[[ "$out" == *"wrote"* || "$out" == *"moved .git"* ]] && fail "the jail changed what the host runs: $out" || ok
test ! -e "$WS/.git/hooks/pre-commit" && ok || fail "a hook appeared on the host"
expect_contains "$out" "src/" "git works inside on the workspace"
# In a user namespace of its own the jail user cannot lift the read-only mounts.
run_expect 0 fsh "$WS" exec -- unshare -Urm sh -c 'mount -o remount,rw,bind /workspace/.git/hooks 2>&1; touch /workspace/.git/hooks/x 2>&1; true'
test ! -e "$WS/.git/hooks/x" && ok || fail "the jail user made a hook through a user namespace: $out"

section "persistent jail keeps installed packages"
mkdir -p "$T/pkg/DEBIAN" "$T/pkg/usr/bin"
printf 'Package: forest-test-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: forest <t@example.org>\nDescription: test\n' >"$T/pkg/DEBIAN/control"
printf '#!/bin/sh\necho hello-from-package\n' >"$T/pkg/usr/bin/forest-test-hello"
chmod 755 "$T/pkg/usr/bin/forest-test-hello"
dpkg-deb -b "$T/pkg" "$T/hello.deb" >/dev/null
run_expect 0 "$FOREST" shell file push "$T/hello.deb" "$A:/tmp/hello.deb"
run_expect 0 fsh "$WS" exec --root -- dpkg -i /tmp/hello.deb
run_expect 0 "$FOREST" shell shutdown "$A" --timeout 30
run_expect 0 fsh "$WS" --guard-uplink -- forest-test-hello
expect_contains "$out" "hello-from-package" "an installed package survives shutdown of a persistent jail"

section "file pull never follows symlinks out of the tree"
run_expect 0 fsh "$WS" exec -- sh -c 'mkdir -p ~/out/sub && echo data > ~/out/sub/f && ln -s /etc/shadow ~/out/escape && ln -s ../../../../../etc ~/out/up && ln -s sub/f ~/out/inside'
mkdir -p "$T/pulled"
run_expect 0 "$FOREST" shell file pull -r "$A:/home/alice/out" "$T/pulled"
expect_eq "$(cat "$T/pulled/out/sub/f")" "data" "pulled file"
test -L "$T/pulled/out/inside" && ok || fail "a symlink inside the tree is kept"
test ! -e "$T/pulled/out/escape" && test ! -L "$T/pulled/out/up" && ok || fail "symlinks leaving the tree were pulled"
expect_contains "$out" "leaves the pulled tree" "pull reports the symlinks it left out"

section "rootless Podman inside"
run_expect 0 fsh "$WS" exec -- sh -c 'mkdir -p ~/rootfs/bin && cp /bin/busybox ~/rootfs/bin/ && podman run --rm --network none --rootfs ~/rootfs /bin/busybox sh -c "echo podman-ok; cat /proc/self/uid_map"'
expect_contains "$out" "podman-ok" "rootless podman runs a container in the jail"
expect_contains "$out" "$UID_A" "the container's root is the jail user (rootless)"

section "network: restricted (default)"
run_expect 0 fsh "$WS" exec -- curl -sf -m 10 http://v4only.example/
expect_contains "$out" "IPv4-only upstream" "restricted: the internet by name (DNS64 + NAT64)"
run_expect 0 fsh "$WS" exec -- curl -sf -m 10 http://198.51.100.11/
expect_contains "$out" "other internet host" "restricted: the internet by IPv4"
run_expect 7 fsh "$WS" exec -- curl -sf -m 10 http://192.168.77.1:8080/
run_expect 7 fsh "$WS" exec -- curl -sf -m 10 "http://[fd00:77::1]:8080/"
section "the host reaches a web server in the jail by name"
mkdir -p "$WS/site" && echo "served-from-$A" >"$WS/site/index.html" && cp "$T/www6.py" "$WS/www6.py"
chown -R "$UID_A:$UID_A" "$WS/site" "$WS/www6.py"
run_expect 0 fsh "$WS" exec -- sh -c 'nohup python3 /workspace/www6.py 8000 /workspace/site >/dev/null 2>&1 & echo started'
resolves() { [ -n "$(kdig @$HELPER +short "$1" AAAA)" ]; }
wait_for 60 "the jail's name resolves on the host" resolves "$A.incus"
wait_for 20 "the host reaches the jail's web server by name" hostns curl -sf -m 3 "http://$A.incus:8000/"
run_expect 0 hostns curl -sf -m 5 "http://$A.incus:8000/"
expect_contains "$out" "served-from-$A" "host → jail by name"

section "the agent's own Incus: a restricted project, its containers named under the jail"
run_expect 0 fsh "$WS" exec -- id -nG
expect_contains " $out " " incus " "the jail user is in the incus group"
[[ " $out " != *" incus-admin "* ]] && ok || fail "the jail user must not be in incus-admin: $out"
run_expect 0 fsh "$WS" exec -- incus launch forest-workload web1
run_expect 0 fsh "$WS" exec -- incus project list --format csv -c n
expect_contains "$out" "user-$UID_A" "the agent works in its own project"
run_expect 0 fsh "$WS" exec -- sh -c 'incus exec web1 -- sh -c "mkdir -p /srv/w && echo child-of-$FOREST_JAIL >/srv/w/index.html && (nohup python3 -m http.server -d /srv/w --bind :: 8001 >/dev/null 2>&1 &)"'
wait_for 90 "the agent's container resolves on the host" resolves "web1.$A.incus"
wait_for 30 "the host reaches the agent's container by name" hostns curl -sf -m 3 "http://web1.$A.incus:8001/"
run_expect 0 hostns curl -sf -m 5 "http://web1.$A.incus:8001/"
expect_contains "$out" "child-of-$A" "host → a container the agent launched, by name"
# mkcert as the jail user: a certificate for that name from the host's root.
run_expect 0 fsh "$WS" exec -- sh -c 'mkdir -p ~/tls && cd ~/tls && mkcert "web1.$FOREST_JAIL.incus" >/dev/null 2>&1 && cat ~/tls/web1.*.incus.pem'
echo "$out" >"$T/web1.pem"
run_expect 0 openssl verify -CAfile "$CAROOT/rootCA.pem" "$T/web1.pem"
run_expect 0 openssl x509 -in "$T/web1.pem" -noout -ext subjectAltName
expect_contains "$out" "web1.$A.incus" "mkcert in the jail: the name, signed by the host's root"
# What the project refuses: a privileged container, and host paths outside
# the user's home (a plain bind of /workspace would drop the read-only .git
# mounts).
expect_blocked "a privileged container from the agent" fsh "$WS" exec -- incus launch forest-workload priv -c security.privileged=true
expect_blocked "the workspace as a disk of the agent's container" fsh "$WS" exec -- incus config device add web1 ws disk source=/workspace path=/w
expect_blocked "raw.lxc from the agent" fsh "$WS" exec -- incus config set web1 raw.lxc lxc.apparmor.profile=unconfined
expect_blocked "the node's own project from the agent" fsh "$WS" exec -- incus list --project default
run_expect 0 fsh "$WS" exec -- incus delete -f web1

section "image publish: the jail with its package, as an image"
run_expect 0 "$FOREST" shell image publish "$A" "box$suffix"
expect_contains "$out" "box$suffix" "publish prints the alias"

section "ports publish, metrics, health"
port=18$((RANDOM % 900 + 100))
run_expect 0 "$FOREST" shell ports publish "$A" "$port:8000"
wait_for 10 "a published port answers on the host" curl -sf -m 3 "http://127.0.0.1:$port/"
run_expect 0 curl -sf -m 5 "http://127.0.0.1:$port/"
expect_contains "$out" "served-from-$A" "ports publish: the jail's server on a host port"
run_expect 0 "$FOREST" shell ports list "$A" --json
expect_contains "$out" "tcp:127.0.0.1:8000" "ports list"
run_expect 0 "$FOREST" shell ports remove "$A" "$port"
expect_blocked "a removed port" curl -sf -m 3 "http://127.0.0.1:$port/"
run_expect 0 "$FOREST" shell metrics "$A" --json
expect_contains "$out" "incus_memory_MemTotal_bytes" "metrics from Incus's endpoint"
run_expect 0 "$FOREST" shell health --json
expect_contains "$out" '"healthy": true' "health"

section "network: allowlist from the workspace's .forest.yaml, east-west isolation"
echo "   (this jail starts from the published image: image: in .forest.yaml)"
printf 'network: allowlist\nallow: [v4only.example]\nimage: box%s\n' "$suffix" >"$OTHER/.forest.yaml"
chown "$UID_A:$UID_A" "$OTHER/.forest.yaml"
a_uplink=$("$FOREST" plan --json "$STATE/topology.yaml" | python3 -c "import json,sys; print([n['uplink'] for n in json.load(sys.stdin)['nodes'] if n['label']=='$A'][0])")
run_expect 0 fsh "$OTHER" --persistent --guard-uplink -- sh -c 'echo started; forest-test-hello; id -nG'
expect_contains "$out" "hello-from-package" "a package installed in the published jail is in the new one"
expect_contains "$out" " incus" "the new jail's user has its own Incus again"
B=$("$FOREST" shell list --json | python3 -c "import json,sys; print([j['name'] for j in json.load(sys.stdin)['jails'] if j['workspace']=='$OTHER'][0])")
run_expect 0 "$FOREST" shell list --json
expect_contains "$out" '"network": "allowlist"' "the workspace layer set the network mode"
expect_contains "$out" "\"image\": \"box$suffix\"" "list shows the jail's image"
key_a=$("$FOREST" shell exec "$A" --root -- sha256sum /var/lib/incus/server.key /etc/machine-id 2>/dev/null)
key_b=$("$FOREST" shell exec "$B" --root -- sha256sum /var/lib/incus/server.key /etc/machine-id 2>/dev/null)
[ -n "$key_b" ] && [ "$(echo "$key_a" | cut -c1-64)" != "$(echo "$key_b" | cut -c1-64)" ] &&
  [ "$(echo "$key_a" | sed -n 2p | cut -c1-64)" != "$(echo "$key_b" | sed -n 2p | cut -c1-64)" ] && ok ||
  fail "a jail from a published image shares the Incus server key or machine-id of the original: [$key_a] [$key_b]"
run_expect 0 fsh "$OTHER" exec -- curl -sf -m 10 http://v4only.example/
expect_contains "$out" "IPv4-only upstream" "allowlist: a listed name"
run_expect 7 fsh "$OTHER" exec -- curl -sf -m 10 http://198.51.100.11/
run_expect 7 fsh "$OTHER" exec -- curl -sf -m 10 http://192.168.77.1:8080/
expect_blocked "jail → jail over IPv6" fsh "$OTHER" exec -- curl -sf -m 10 "http://[$a_uplink]:8000/"
expect_blocked "jail → jail over IPv4" fsh "$OTHER" exec -- curl -sf -m 10 "http://10.203.33.2:8000/"
run_expect 0 fsh "$OTHER" exec -- sh -c "curl -sf -m 10 http://$A.incus:8000/ || echo blocked"
expect_contains "$out" "blocked" "jail → jail by name is blocked"

section "image cleanup: unnamed and unused images, stale cached builds"
incus image alias delete "box$suffix" --project "forest-$fname"
mkdir -p "$T/cache" && touch "$T/cache/node-0000000000000000.tar.gz" "$T/cache/node-0000000000000000.tar.gz.sha256" "$T/cache/notes.txt"
run_expect 0 env FOREST_IMAGE_CACHE="$T/cache" "$FOREST" shell image cleanup --dry-run
[[ "$out" != *"published from"* ]] && ok || fail "cleanup would delete the image a jail was made from: $out"
expect_contains "$out" "would delete cached build $T/cache/node-0000000000000000.tar.gz" "cleanup --dry-run names a stale build"
test -e "$T/cache/node-0000000000000000.tar.gz" && ok || fail "--dry-run deleted a file"
run_expect 0 "$FOREST" shell kill "$B"
run_expect 0 env FOREST_IMAGE_CACHE="$T/cache" "$FOREST" shell image cleanup
expect_contains "$out" "published from $A" "cleanup deletes the unnamed image once no jail uses it"
test ! -e "$T/cache/node-0000000000000000.tar.gz" && test -e "$T/cache/notes.txt" && ok ||
  fail "cleanup: the stale build must go and other files stay: $(ls "$T/cache")"
run_expect 0 "$FOREST" shell image list
[[ "$out" != *"published from"* ]] && ok || fail "the published image is still listed: $out"
expect_contains "$out" "forest-node" "cleanup keeps the named images"

section "limits and hardening: profile 'tight' (processes 400, memory 512MiB, hardened, open)"
run_expect 0 fsh "$BOMB" --profile tight --persistent --guard-uplink -- curl -sf -m 10 http://192.168.77.1:8080/
expect_contains "$out" "printer on the LAN" "open mode reaches the LAN (the restriction above is the policy)"
C=$("$FOREST" shell list --json | python3 -c "import json,sys; print([j['name'] for j in json.load(sys.stdin)['jails'] if j['workspace']=='$BOMB'][0])")
uring='import ctypes; l=ctypes.CDLL(None, use_errno=True); r=l.syscall(425, 1, 0); print("rc", r, "errno", ctypes.get_errno())'
run_expect 0 fsh "$BOMB" exec -- python3 -c "$uring"
[[ "$out" == "rc -1 errno 1" || "$out" == "rc -1 errno 38" ]] && ok || fail "hardened: io_uring_setup was not denied: $out"
run_expect 0 fsh "$WS" exec -- python3 -c "$uring"
expect_eq "$out" "rc -1 errno 14" "not hardened: io_uring_setup reaches the kernel (EFAULT)"
run_expect 0 fsh "$BOMB" exec -- sh -c 'python3 -c "b = b\"x\" * (1536 * 1024 * 1024); print(len(b))"; echo "hog-exit=$?"'
[[ "$out" == *"hog-exit=0"* ]] && fail "a 1.5 GiB allocation succeeded under a 512MiB limit" || ok
fsh "$BOMB" exec -- sh -c 'nohup bash -c "b() { b | b & }; b" >/dev/null 2>&1 &' >/dev/null 2>&1 || true
sleep 8
procs=$(incus query "/1.0/instances/$C/state?project=forest-$fname" | python3 -c 'import json,sys; print(json.load(sys.stdin)["processes"])')
[ "$procs" -le 400 ] && ok || fail "the fork bomb passed the process limit: $procs"
start=$(date +%s%N)
for _ in $(seq 1 20); do /bin/true; done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 2000 ] && ok || fail "the host was slow during the fork bomb: 20 process starts took $ms ms"
run_expect 0 fsh "$WS" exec -- echo other-jail-fine
expect_contains "$out" "other-jail-fine" "another jail works during the fork bomb"
run_expect 0 "$FOREST" shell kill "$C"
run_expect 0 incus list --project "forest-$fname" -f csv -c n
[[ "$out" == *"$C"* ]] && fail "kill left the jail behind" || ok

section "snapshot and restore"
run_expect 0 "$FOREST" shell snapshot "$A" before
run_expect 0 fsh "$WS" exec -- touch /home/alice/after-snapshot
run_expect 0 "$FOREST" shell restore "$A" before
booted() { fsh "$WS" exec -- true; }
wait_for 120 "the restored jail answers" booted
run_expect 0 fsh "$WS" exec -- sh -c 'ls /home/alice/after-snapshot 2>/dev/null || echo gone'
expect_contains "$out" "gone" "restore brings the jail back to the snapshot"
run_expect 0 "$FOREST" shell snapshot "$A" --json
expect_contains "$out" '"name": "before"' "snapshot lists the snapshots"

section "kill --all leaves nothing"
run_expect 0 fsh "$WS" kill --all --force
run_expect 0 incus project list -f csv
[[ "$out" == *"forest-$fname"* ]] && fail "the shell forest's project is still there" || ok
ip link show "$bridge" >/dev/null 2>&1 && fail "the shell forest's bridge is still there" || ok
nft list table inet "forest_shell_$fname" >/dev/null 2>&1 && fail "the network policy table is still there" || ok
test ! -e "$STATE" && ok || fail "the shell forest's state is still there"
# The pool `forest shell` made for its forest (btrfs on a loop file) goes too.
pool_desc=$(curl -s --unix-socket /var/lib/incus/unix.socket http://incus/1.0/storage-pools/default |
  python3 -c 'import json,sys; print((json.load(sys.stdin).get("metadata") or {}).get("description", ""))')
[[ "$pool_desc" == *"forest-$fname"* ]] && fail "the shell forest's storage pool is still there" || ok
if [ -z "$pool_desc" ]; then
  [ -e /var/lib/incus/disks/default.img ] && fail "the shell forest's loop file is still there" || ok
  grep -q " /var/lib/incus/storage-pools/default " /proc/self/mounts && fail "the shell forest's pool is still mounted" || ok
fi

finish
