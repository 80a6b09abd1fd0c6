#!/bin/sh
# The hooks' cost on a clean 5-commit push to a local bare remote: the
# same push with the pre-push hook and with --no-verify (no hook run), and
# to a server with and without pre-receive/post-receive. Medians of N runs
# (default 9). Target: the pre-push hook adds at most 50 ms.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
N=${N:-9}
d=$BENCH_DIR/hook
rm -rf "$d"
mkdir -p "$d" || exit 2
cd "$d" || exit 2
export GIT_CONFIG_NOSYSTEM=1 HOME="$d" GIT_AUTHOR_NAME=b \
	GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b \
	GIT_COMMITTER_EMAIL=b@example.com
git config --global init.defaultBranch main

git init -q --bare plain.git
git init -q --bare server.git
(cd server.git && "$SG" hooks install --server >/dev/null) || exit 2
git init -q work
cd work || exit 2
"$SG" init --app-json >/dev/null || exit 2
mkdir -p app/models
# a history of 200 commits so that "what the remote has" is not trivial
i=0
while [ $i -lt 200 ]; do
	printf 'class Model%d < ApplicationRecord\n  validates :name, presence: true\nend\n' \
		$i >app/models/model$i.rb
	git add -A && git commit -q -m "model $i" || exit 2
	i=$((i + 1))
done
base=$(git rev-parse HEAD)
i=0
while [ $i -lt 5 ]; do
	seq 1 200 | sed "s/^/  # line $i: /" >>app/models/model$i.rb
	git commit -q -am "change $i" || exit 2
	i=$((i + 1))
done
"$SG" hooks install >/dev/null || exit 2
git remote add plain ../plain.git
git remote add server ../server.git
git push -q --no-verify plain main 2>/dev/null &&
	git push -q --no-verify server main 2>/dev/null || exit 2

# The timed steps, as shell functions in a file: bench/timeit execs what
# it times, so each runs as sh -c '. ../fns && push_hook'.
cat >../fns <<EOF
base=$base
# reset_to_base REMOTE: put REMOTE (and our view of it) back at base
reset_to_base() {
	git --git-dir="../\$1.git" update-ref refs/heads/main "\$base" &&
		git update-ref "refs/remotes/\$1/main" "\$base"
}
push_hook() {
	reset_to_base plain && git push -q plain main 2>/dev/null
}
push_nohook() {
	reset_to_base plain && git push -q --no-verify plain main 2>/dev/null
}
push_server() {
	reset_to_base server && git push -q --no-verify server main 2>/dev/null
}
# the reset alone, to subtract from every figure
reset_only() {
	reset_to_base plain
}
EOF
. ../fns
# timed FN: median wall ms of N runs of the function FN from ../fns
timed() {
	median_ms "$N" sh -c ". ../fns && $1"
}

# cpu_ms CMD...: user+system milliseconds of CMD and its children (the
# hooks included); less sensitive to a loaded machine than wall time
cpu_ms() {
	/usr/bin/time -f "%U %S" -o "$d/cpu" "$@" >/dev/null 2>&1
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$d/cpu"
}
median_cpu_ms() {
	_n=$1
	shift
	_i=0
	: >"$d/cpus"
	while [ $_i -lt "$_n" ]; do
		cpu_ms "$@" >>"$d/cpus"
		_i=$((_i + 1))
	done
	sort -n "$d/cpus" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

push_hook || { echo "hook: the clean push was refused" >&2; exit 1; }
r=$(timed reset_only)
with=$(minus "$(timed push_hook)" "$r")
without=$(minus "$(timed push_nohook)" "$r")
server=$(minus "$(timed push_server)" "$r")
echo "clean 5-commit push, 200-commit repo, policy checked (medians of $N):"
echo "  wall: no hook (--no-verify)      ${without} ms"
echo "  wall: pre-push hook              ${with} ms  (+$(minus "$with" "$without") ms, target <= 50)"
echo "  wall: server pre/post-receive    ${server} ms  (+$(minus "$server" "$without") ms)"
if [ -x /usr/bin/time ]; then
	cwith=$(median_cpu_ms "$N" sh -c '. ../fns && push_hook')
	cwithout=$(median_cpu_ms "$N" sh -c '. ../fns && push_nohook')
	echo "  cpu:  no hook ${cwithout} ms, pre-push hook ${cwith} ms  (+$((cwith - cwithout)) ms; user+system of git and its children)"
fi
# the hook process alone, on the same 5-commit range (it reads the pushed
# refs on stdin and moves no ref, so one reset is enough)
echo "refs/heads/main $(git rev-parse main) refs/heads/main $base" >../stdin
git update-ref refs/remotes/plain/main "$base" || exit 2
alone=$(median_ms -i ../stdin "$N" "$SG" hooks run pre-push plain ../plain.git)
echo "  'slugguard hooks run pre-push' alone: ${alone} ms wall (5 commits scanned, policy checked)"
echo "  load average: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
awk -v d="$(minus "$with" "$without")" 'BEGIN { exit !(d <= 50) }'
