#!/usr/bin/env bash
# pcap_bench.sh - `vigil replay --pcap` against its peers on the same capture, in one run.
#
# Usage: bench/pcap_bench.sh [RUNS]          (default 5 timed runs per command)
#
# Environment:
#   VIGIL      the vigil binary (default build/vigil; build it RelWithDebInfo: `make build`)
#   BENCH_DIR  where the shared benchmark capture lives (default /tmp/bench)
#
# The input is ../shared/bench/make-bench-pcap.sh's ~1M-packet Ethernet pcap
# (BENCH_DIR/bench.pcap), built here when missing. The peers, all reading the same file:
#   tcpdump -nn -r F > /dev/null   libpcap reading plus tcpdump's text decoding of every packet
#   ndpiReader -i F -q              nDPI 4.x: flow table plus deep packet inspection
#   vigil replay --pcap F --events  decoding, flow table, one JSON event per flow on stdout
#   vigil replay --pcap F           the same without writing the events (vigil-quiet)
# Missing tools (hyperfine, tcpdump, libndpi-bin, and for the input wireshark-common and
# tcpreplay) are installed with apt-get when running as root; the script says so first.
# Prints mean wall and CPU (user + system) times, ratios, packets/s, peak RSS and flow
# counts. On a shared machine compare CPU times: wall times include waiting for a core.
set -euo pipefail
export LC_ALL=C

runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$(cd "$repo/../shared" && pwd)
bench=${BENCH_DIR:-/tmp/bench}
pcap=$bench/bench.pcap
vigil=${VIGIL:-$repo/build/vigil}

need=()
for pair in hyperfine:hyperfine tcpdump:tcpdump ndpiReader:libndpi-bin capinfos:wireshark-common \
            tcprewrite:tcpreplay mergecap:wireshark-common; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pcap_bench: missing packages: ${need[*]} (apt-get install them, or run as root)" >&2
    exit 1
  fi
  echo "pcap_bench: installing with apt-get: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
fi
[ -x "$vigil" ] || { echo "pcap_bench: no vigil binary at $vigil (make build)" >&2; exit 1; }

mkdir -p "$bench"
if [ ! -s "$pcap" ]; then
  echo "pcap_bench: building $pcap with make-bench-pcap.sh" >&2
  "$shared/bench/make-bench-pcap.sh" "$pcap" >&2
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/pcap-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT

vigil_cmd="$vigil replay --pcap $pcap --events > /dev/null"
quiet_cmd="$vigil replay --pcap $pcap > /dev/null"
tcpdump_cmd="tcpdump -nn -r $pcap > /dev/null 2>&1"
ndpi_cmd="ndpiReader -i $pcap -q > /dev/null"
hyperfine --warmup 1 --runs "$runs" --export-json "$out/times.json" \
  -n vigil "$vigil_cmd" -n vigil-quiet "$quiet_cmd" -n tcpdump "$tcpdump_cmd" -n ndpiReader "$ndpi_cmd" >&2

# Peak RSS of one run each (GNU time), and the flow counts.
rss() { /usr/bin/time -f '%M' sh -c "$1" 2>&1 >/dev/null | tail -n 1; }
vigil_rss=$(rss "$vigil_cmd")
quiet_rss=$(rss "$quiet_cmd")
tcpdump_rss=$(rss "$tcpdump_cmd")
ndpi_rss=$(rss "$ndpi_cmd")
packets=$(capinfos -M -c "$pcap" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
vigil_flows=$("$vigil" replay --pcap "$pcap" --events 2>/dev/null | grep -c '"network.flow"' || true)
ndpi_flows=$(ndpiReader -i "$pcap" 2>/dev/null | awk '/Unique flows:/ {print $3}')

python3 - "$out/times.json" "$packets" "$vigil_rss" "$quiet_rss" "$tcpdump_rss" "$ndpi_rss" \
  "$vigil_flows" "$ndpi_flows" <<'PY'
import json, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
packets = int(sys.argv[2])
names = ["vigil", "vigil-quiet", "tcpdump", "ndpiReader"]
rss = dict(zip(names, map(int, sys.argv[3:7])))
flows = {"vigil": sys.argv[7], "vigil-quiet": sys.argv[7], "tcpdump": "-", "ndpiReader": sys.argv[8]}
v = times["vigil"]["mean"]
print(f"input: {packets} packets")
print(f"load average after: {open('/proc/loadavg').read().split()[0]} on {__import__('os').cpu_count()} cores")
print(f"{'command':<12} {'wall s':>7} {'stddev':>7} {'Mpkt/s':>7} {'wall/vigil':>10} "
      f"{'cpu s':>6} {'cpu/vigil':>9} {'peak RSS MB':>12} {'flows':>8}")
vc = times["vigil"]["user"] + times["vigil"]["system"]
for name in names:
    t = times[name]
    cpu = t["user"] + t["system"]
    print(f"{name:<12} {t['mean']:7.3f} {t['stddev'] or 0:7.3f} {packets / t['mean'] / 1e6:7.2f} "
          f"{t['mean'] / v:9.2f}x {cpu:6.2f} {cpu / vc:8.2f}x {rss[name] / 1024:12.1f} {flows[name]:>8}")
PY
