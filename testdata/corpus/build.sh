#!/usr/bin/env bash
# Render every groove of Debian's MMA library to MIDI: about 2,000 real,
# hand-written drum patterns (with bass and chords on other channels).
#
#   testdata/corpus/build.sh [OUT_DIR]     (default: testdata/corpus/mma)
#
#   CORPUS_LIBS="stdlib zoom"  render only these libraries (default: all)
#   CORPUS_JOBS=N              renders at once (default: every core, nproc)
#
# For each `DefGroove NAME` in /usr/share/mma/lib/LIB/FILE.mma it writes
# OUT_DIR/LIB/FILE/NAME.mid, rendered by `mma` from
#
#   Tempo 120
#   Use LIB/FILE
#   Groove NAME
#   1 C ... 8 C        (eight bars of a C chord)
#
# MMA's library is GPL: the rendered files are not committed (.gitignore).
# Installs Debian's mma package when it is missing (needs root or sudo).
# Already rendered grooves are kept; delete OUT_DIR to start over.
# A counter on stderr shows the progress (every 50 grooves, with the time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/mma}
lib=/usr/share/mma/lib
jobs=${CORPUS_JOBS:-$(nproc)}

if ! command -v mma >/dev/null 2>&1 || [ ! -d "$lib" ]; then
  echo "corpus: installing Debian's mma package" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mma >/dev/null
fi

libs=()
for l in ${CORPUS_LIBS:-$(cd "$lib" && ls -d -- */ | tr -d /)}; do
  [ -d "$lib/$l" ] || { echo "corpus: no library $l in $lib" >&2; exit 1; }
  libs+=("$l")
done

mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for l in "${libs[@]}"; do for f in "$lib/$l"/*.mma; do
  rel=${f#"$lib"/}
  rel=${rel%.mma}
  # DefGroove NAME description...  (MMA keywords are case-insensitive)
  sed -n 's/^[[:space:]]*[Dd][Ee][Ff][Gg][Rr][Oo][Oo][Vv][Ee][[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1/p' "$f" |
    { grep -vix none || true; } |
    while read -r g; do printf '%s %s\n' "$rel" "$g"; done
done; done | sort -u >"$list"
total=$(wc -l <"$list")
echo "corpus: $total grooves in ${#libs[@]} libraries; rendering into $out, $jobs at a time" >&2

render() {
  rel=$1 g=$2 out=$3
  dst=$out/$rel/$g.mid
  if [ -s "$dst" ]; then echo kept; exit 0; fi
  mkdir -p "$out/$rel"
  tmp=$(mktemp -d)
  {
    echo "Tempo 120"
    echo "Use $rel"
    echo "Groove $g"
    for i in 1 2 3 4 5 6 7 8; do echo "$i C"; done
  } >"$tmp/g.mma"
  if (cd "$tmp" && mma -f g.mid g.mma >log 2>&1) && [ -s "$tmp/g.mid" ]; then
    mv "$tmp/g.mid" "$dst"
  else
    echo "corpus: $rel $g failed: $(grep -m1 -i error "$tmp/log" || tail -n1 "$tmp/log")" >&2
  fi
  rm -rf "$tmp"
  echo done
}
export -f render

# One line on stdout per groove finished; the counter below turns them into
# progress on stderr (one line updated in place on a terminal).
progress() {
  local n=0 eol='\n'
  [ -t 2 ] && eol='\r'
  while read -r _; do
    n=$((n + 1))
    if [ $((n % 50)) = 0 ] || [ "$n" = "$total" ]; then
      printf "corpus: %d of %d grooves done (%ds)$eol" "$n" "$total" $((SECONDS - start)) >&2
    fi
  done
  [ -t 2 ] && echo >&2
  return 0
}
start=$SECONDS
# shellcheck disable=SC2016
sed "s|\$| $out|" "$list" | { xargs -P "$jobs" -L 1 bash -c 'render "$0" "$1" "$2"' || true; } | progress

n=0
for l in "${libs[@]}"; do
  [ -d "$out/$l" ] && n=$((n + $(find "$out/$l" -name '*.mid' | wc -l)))
done
echo "corpus: $n of $total grooves rendered in $out in $((SECONDS - start)) s" >&2
