#!/usr/bin/env bash
# Measure a groove model (default: the embedded one) on the drum tracks of
# real songs that Debian ships as MIDI (the embedded model trained on the
# train and validation splits of these files, never on the test split's):
# Freedoom's soundtrack (package freedoom: MIDI lumps D_* inside
# freedoom1.wad and freedoom2.wad), OpenTTD's OpenMSX music set
# (openttd-openmsx), Planet Blupi's music (planetblupi-music-midi),
# Simutrans's soundtrack (simutrans-data), and the one or two songs with
# drums of crimson, pinball-table-hurd-data, liquidwar-data and
# kobodeluxe-data (folder misc). The packages were found by grepping
# Debian's Contents-all and Contents-amd64 indices for .mid files.
# Downloads the three .deb files with apt-get download (no root needed) and
# unpacks them with dpkg -x. Needs /usr/bin/python3 (to read the WADs).
#
#   scripts/real-drums.sh [MODEL]        (writes out/real-drums/)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-groove}
out=out/real-drums
mkdir -p "$out/debs" "$out/midi"/{freedoom,openmsx,blupi,simutrans,misc}
(cd "$out/debs" && for p in freedoom openttd-openmsx planetblupi-music-midi simutrans-data \
    crimson pinball-table-hurd-data liquidwar-data kobodeluxe-data; do
  ls "$p"_*.deb >/dev/null 2>&1 || apt-get download "$p"
  dpkg -x "$p"_*.deb x
done)
cp "$out"/debs/x/usr/share/games/openttd/baseset/openmsx/*.mid "$out/midi/openmsx/"
find "$out/debs/x" -path '*blupi*' -iname '*.mid' -exec cp {} "$out/midi/blupi/" \;
cp "$out"/debs/x/usr/share/games/simutrans/music/*.mid "$out/midi/simutrans/"
x=$out/debs/x/usr/share
cp "$x/games/crimson/music/default.mid" "$out/midi/misc/crimson.mid"
cp "$x/games/pinball/hurd/intro.mid" "$out/midi/misc/pinball-hurd-intro.mid"
cp "$x/games/liquidwar/music/colossus.mid" "$out/midi/misc/liquidwar-colossus.mid"
cp "$x/kobo-deluxe/sfx/trance1.mid" "$out/midi/misc/kobo-trance1.mid"
# A WAD is a header ("IWAD", lump count, directory offset) and a directory
# of (offset, size, 8-byte name); music lumps are named D_*. Keep the ones
# that are standard MIDI files, each distinct one once.
/usr/bin/python3 - "$out/debs/x/usr/share/games/doom" "$out/midi/freedoom" <<'PY'
import os, struct, sys
seen = set()
for w in ("freedoom1", "freedoom2"):
    b = open(os.path.join(sys.argv[1], w + ".wad"), "rb").read()
    _, n, off = struct.unpack("<4sii", b[:12])
    for i in range(n):
        lo, size, name = struct.unpack("<ii8s", b[off + 16 * i:off + 16 * i + 16])
        name = name.rstrip(b"\0").decode()
        data = b[lo:lo + size]
        if name.startswith("D_") and data[:4] == b"MThd" and data not in seen:
            seen.add(data)
            open(os.path.join(sys.argv[2], "%s_%s.mid" % (w, name.lower())), "wb").write(data)
print("freedoom: %d MIDI files" % len(seen))
PY
go build -o bin/mvae .
for s in freedoom openmsx blupi simutrans misc; do
  bin/mvae data build "$out/midi/$s" --model "$model" -o "$out/$s.npz"
  echo "$s: $(bin/mvae evaluate --model "$model" --data "$out/$s.npz")"
done
bin/mvae data build "$out"/midi/{freedoom,openmsx,blupi,simutrans,misc} --model "$model" -o "$out/all.npz"
bin/mvae evaluate --model "$model" --data "$out/all.npz" --json | tee "$out/real_drums.json"
# The embedded groove model trained on the train and validation splits of
# these files (stages 3-10 of scripts/train-default.sh); the files of the test
# split (the same stable hash of each path as there) it never saw.
echo "test split (files no mvae model trained on): $(bin/mvae evaluate --model "$model" --data "$out/all.npz" --arrays test)"
