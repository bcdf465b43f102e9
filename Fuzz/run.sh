#!/usr/bin/env bash
# Runs every reader's libFuzzer harness for FUZZ_SECONDS (default 60) seeded from Tests/Corpus, then
# prints inputs tried (libFuzzer's execs), time and crashes per reader. Called by `make fuzz`.
# Crashing inputs land in .build/fuzz/<Reader>-crash-*; add each to Tests/Corpus (with its expected
# error in expectations.tsv) once the reader is fixed. Exit status 1 if any reader crashed.
set -u
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
# A damaged HDF5 file that hangs libhdf5 is reported by the probe after this many seconds.
export PHASEMASK_HDF5_PROBE_SECONDS=${PHASEMASK_HDF5_PROBE_SECONDS:-5}
readers=${FUZZ_READERS:-"IDX HDF5 PNG BMP TIFF GDSII SLMProfile LUT"}
bin=Fuzz/.build/release
out=.build/fuzz
mkdir -p "$out"
seeds() {
  case $1 in
    IDX) echo Tests/Corpus/idx ;; HDF5) echo Tests/Corpus/checkpoint Tests/Corpus/design ;;
    PNG) echo Tests/Corpus/bitmap Tests/Corpus/frame ;; BMP) echo Tests/Corpus/bitmap ;;
    TIFF) echo Tests/Corpus/frame ;; GDSII) echo Tests/Corpus/gds ;;
    SLMProfile) echo Tests/Corpus/slm-profile ;; LUT) echo Tests/Corpus/lut ;;
  esac
}
status=0
summary="reader       seconds        execs  crashes  contained"
for r in $readers; do
  mkdir -p "$out/corpus-$r"
  rm -f "$out/$r"-crash-* "$out/$r"-leak-* "$out/$r"-oom-* "$out/$r"-timeout-* "$out/$r"-contained-*
  start=$(date +%s)
  # libhdf5 leaks on its error paths; leaks are only checked for the readers written in Swift.
  leaks=1; [ "$r" = HDF5 ] && leaks=0
  "$bin/Fuzz$r" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -detect_leaks=$leaks \
    -artifact_prefix="$out/$r-" "$out/corpus-$r" $(seeds "$r") > "$out/$r.log" 2>&1
  code=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$r.log" | grep -o '[0-9]*$' | tail -1)
  # An artifact can also come from HDF5File's probe child (a fork of the harness, where ASan and libFuzzer
  # still report): replayed, such an input passes, because the probe contains it.
  crashes=0; contained=0
  for a in "$out/$r"-crash-* "$out/$r"-leak-* "$out/$r"-oom-* "$out/$r"-timeout-*; do
    [ -e "$a" ] || continue
    if "$bin/Fuzz$r" -detect_leaks=$leaks -rss_limit_mb=2048 "$a" > "$a.replay" 2>&1; then
      contained=$((contained + 1)); mv "$a" "$out/$r-contained-$(basename "$a")"
    else
      crashes=$((crashes + 1))
    fi
  done
  [ "$crashes" -ne 0 ] && status=1
  summary+=$'\n'$(printf "%-10s %9s %12s %8s %10s" "$r" "$elapsed" "${execs:-?}" "$crashes" "$contained")
  if [ "$crashes" -ne 0 ]; then
    summary+="   (libFuzzer exit $code; see $out/$r.log)"
  fi
done
echo "$summary"
exit $status
