#!/usr/bin/env bash
# Media benchmarks on this machine (needs ffmpeg, and MariaDB for the pipeline run):
#   - a 12-megapixel JPEG to every rendition, on one core, five runs (median reported);
#   - a 30 s 1080p clip to 720p: the bare FFmpeg command and the whole pipeline, in one run.
#
#   scripts/bench/media.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(ffmpeg -version | head -1 | cut -d' ' -f1-3); $(date -u '+%F %H:%M UTC')"
go test -run '^$' -bench 'Image12MP' -cpu 1 -count 5 ./shared/media/ | tee -a "$out"
go test -run '^$' -bench 'Video30s1080p' -benchtime 1x -count 3 -timeout 30m ./shared/media/ | tee -a "$out"

echo
awk '
  /^BenchmarkImage12MP/            { img[n++] = $3 }
  /^BenchmarkVideo30s1080p\/bare/  { bare += $3; nb++ }
  /^BenchmarkVideo30s1080p\/pipe/  { pipe += $3; np++ }
  END {
    asort(img)
    printf "12 MP JPEG → all renditions, one core: median %.0f ms over %d runs\n", img[int((n+1)/2)] / 1e6, n
    if (nb && np) printf "30 s 1080p → 720p: bare ffmpeg %.1f s, pipeline %.1f s, overhead %.1f %%\n", bare/nb/1e9, pipe/np/1e9, (pipe/np - bare/nb) / (bare/nb) * 100
  }' "$out"
