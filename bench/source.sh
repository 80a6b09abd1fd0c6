#!/bin/sh
# The source tarball of a Heroku build (`slugguard build --source-tarball`)
# vs `git archive --format=tar.gz` of the same commit of a real public
# repository (rails/rails from /work/.mirror, cloned once under
# build/bench, never committed; else this repository). Both read the
# object database and gzip the tree; ours also exports it to disk, checks
# it as fsck does and hashes the result. RUNS=N timed runs (median).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

runs=${RUNS:-3}
repo=$BENCH_DIR/source-repo
mirror=/work/.mirror/rails+rails/repo
name=rails/rails
[ -d "$mirror" ] || name=slugguard
if [ ! -d "$repo/.git" ]; then
	rm -rf "$repo"
	if [ -d "$mirror" ]; then
		git clone -q --no-checkout "$mirror" "$repo" || exit 2
	else
		git clone -q --no-checkout "$top" "$repo" || exit 2
	fi
fi
cd "$repo" || exit 2
rev=$(git rev-parse HEAD) || exit 2
files=$(git ls-tree -r HEAD | wc -l)

git_ms=$(median_ms "$runs" git archive --format=tar.gz \
	-o "$BENCH_DIR/git-archive.tgz" "$rev")
sg_ms=$(median_ms "$runs" "$SG" -q build --source-tarball \
	"$BENCH_DIR/source-1.tgz" --commit "$rev")
"$SG" -q build --source-tarball "$BENCH_DIR/source.tgz" --commit "$rev" \
	>/dev/null || exit 1
same=no
cmp -s "$BENCH_DIR/source.tgz" "$BENCH_DIR/source-1.tgz" && same=yes
git_b=$(wc -c <"$BENCH_DIR/git-archive.tgz")
sg_b=$(wc -c <"$BENCH_DIR/source.tgz")
echo "repository:      $name at ${rev%"${rev#????????????}"}, $files files"
echo "git archive:     ${git_ms} ms, ${git_b} bytes"
echo "source tarball:  ${sg_ms} ms, ${sg_b} bytes (export, fsck, pack, sha256)"
echo "time ratio:      $(ratio "$sg_ms" "$git_ms")x"
echo "size ratio:      $(ratio "$sg_b" "$git_b")x"
echo "byte-identical:  $same (two packs of the commit)"
