#!/usr/bin/env bash
# `hygeia backup` beside restic 0.14 (Debian's) on the same tree of mixed files: many small
# files (letters, notes), some large incompressible ones (scans, images) and exact duplicates.
# Each tool backs the tree up into a fresh local repository, then again with nothing changed,
# then restores it into an empty folder; wall time and peak memory of each step, and the
# repositories' sizes. The tree is read once beforehand so both tools find it in the page cache.
# Usage: bench/backup-vs-restic.sh [SMALL_FILES=100000] [LARGE_FILES=9] [DUPLICATES=3]
# (the defaults make about 2 GB: 100,000 files of 1-8 KiB, 9 of 128 MiB, 3 copies of those).
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-100000}
large=${2:-9}
duplicates=${3:-3}
command -v restic >/dev/null || { echo "restic is needed: apt-get install restic" >&2; exit 2; }
cargo build --release -q -p hygeia
hygeia=$PWD/target/release/hygeia
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HYGEIA_BACKUP_PASSWORD=bench-password RESTIC_PASSWORD=bench-password
export XDG_CACHE_HOME=$work/cache-hygeia RESTIC_CACHE_DIR=$work/cache-restic

echo "== tree: $small small files, $large large, $duplicates duplicated ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
python3 - "$work/tree" "$small" "$large" "$duplicates" <<'PY'
import os, random, shutil, sys
root, small, large, duplicates = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(20261206)
words = b"patient referral follow-up dose blood pressure letter consent appointment insurance note ".split()
for i in range(small):
    folder = os.path.join(root, "records", f"{i // 100:04d}")
    if i % 100 == 0:
        os.makedirs(folder, exist_ok=True)
    size = rng.randint(1024, 8192)
    if i % 2:  # text, compressible
        data = b" ".join(rng.choice(words) for _ in range(size // 8))[:size]
    else:      # binary, not compressible
        data = rng.randbytes(size)
    with open(os.path.join(folder, f"file-{i:06d}.dat"), "wb") as f:
        f.write(data)
os.makedirs(os.path.join(root, "imaging"), exist_ok=True)
for i in range(large):
    with open(os.path.join(root, "imaging", f"scan-{i:02d}.dcm"), "wb") as f:
        for _ in range(128):
            f.write(rng.randbytes(1 << 20))
os.makedirs(os.path.join(root, "copies"), exist_ok=True)
for i in range(min(duplicates, large)):
    shutil.copyfile(os.path.join(root, "imaging", f"scan-{i:02d}.dcm"),
                    os.path.join(root, "copies", f"scan-{i:02d}-copy.dcm"))
PY
echo "tree: $(du -sh "$work/tree" | cut -f1), $(find "$work/tree" -type f | wc -l) files"
# Warm the page cache for both tools alike.
find "$work/tree" -type f -print0 | xargs -0 cat > /dev/null

# step NAME COMMAND...: wall seconds and peak RSS in MiB.
step() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || {
    echo "$name failed:" >&2; cat "$work/err" >&2; exit 1; }
  read -r seconds kib < "$work/time"
  printf '%-34s %8.2f s %8d MiB\n' "$name" "$seconds" "$((kib / 1024))"
}

for tool in hygeia restic; do
  repo=$work/repo-$tool
  echo "== $tool"
  if [ $tool = hygeia ]; then
    step "hygeia init" "$hygeia" backup init --repo "$repo"
    step "hygeia first backup" "$hygeia" backup run --repo "$repo" "$work/tree"
    step "hygeia unchanged backup" "$hygeia" backup run --repo "$repo" "$work/tree"
    step "hygeia restore" "$hygeia" backup restore --repo "$repo" --target "$work/restored-$tool"
  else
    step "restic init" restic init --repo "$repo"
    step "restic first backup" restic backup --repo "$repo" "$work/tree"
    step "restic unchanged backup" restic backup --repo "$repo" "$work/tree"
    step "restic restore" restic restore latest --repo "$repo" --target "$work/restored-$tool"
  fi
  echo "repository size: $(du -sm "$repo" | cut -f1) MiB"
  diff -r "$work/tree" "$work/restored-$tool/$work/tree" > /dev/null && echo "restored tree identical: yes"
  rm -rf "$work/restored-$tool"
done
