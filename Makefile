# Vigil — two-command set-up on Debian bookworm:
#   make run    install what is missing, build, start the daemon on the default config
#   make test   install what is missing, build, run every test
#
# Other targets: build, deps, bench, fuzz, fuzz-smoke, test-sanitize, test-tsan, rules-catalog, install, deb,
# test-package, clean. docs/installation.md describes install and deb.

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
DEB_BUILD  ?= build-deb
CONFIG     ?= etc/vigil.yaml
JOBS       ?= $(shell nproc)
# ccache: paths under the checkout are hashed relative to it, so a fresh clone elsewhere (as
# CI makes) reuses the cache instead of compiling everything again.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
VIGIL_WERROR ?= OFF
CMAKE_FLAGS ?=

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Packages the build needs, then those only the tests need.
BUILD_PKGS := build-essential cmake ninja-build pkg-config ccache \
  libpcap-dev libboost-dev libyaml-cpp-dev prometheus-cpp-dev libcivetweb-dev libgtest-dev libgmock-dev \
  libbenchmark-dev libsqlite3-dev libssl-dev libsystemd-dev nlohmann-json3-dev libcli11-dev \
  libcurl4-openssl-dev libre2-dev help2man file systemd
TEST_PKGS  := python3 python3-yaml python3-jsonschema clang libclang-rt-14-dev prometheus curl tshark lintian rsyslog \
  openssh-server sshpass chromium systemd-journal-remote dnsmasq-base bind9-dnsutils

.PHONY: all run test test-sanitize test-tsan build deps test-deps bench fuzz fuzz-smoke clean rules-catalog \
  install deb test-package

all: build

# Install only what is missing, and say what that is.
define apt_install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "vigil: installing missing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "vigil: all required Debian packages are installed"; fi
endef

deps:
	$(call apt_install_missing,$(BUILD_PKGS))

test-deps: deps
	$(call apt_install_missing,$(TEST_PKGS))

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DVIGIL_WERROR=$(VIGIL_WERROR) -DVIGIL_BENCH=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/vigil run -c $(CONFIG)

# docs/rules-catalog.md, from every shipped pack (site-lists, security-baseline, then the others
# sorted); tests/rules/packs_test.cc fails when the committed file differs.
PACKS := site-lists security-baseline \
  $(filter-out site-lists security-baseline,$(sort $(basename $(notdir $(wildcard rules/packs/*.yaml)))))
rules-catalog: build
	$(BUILD)/vigil rules list -c /dev/null $(foreach p,$(PACKS),-r rules/packs/$(p).yaml) --format markdown \
	  > docs/rules-catalog.md

# Fuzz smoke and the sanitizer run first, so that ctest's summary is the last thing printed.
test: test-deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory test-sanitize
	$(MAKE) --no-print-directory test-tsan
	$(MAKE) --no-print-directory test-package
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Every unit and integration test once more, built with clang under ASan+UBSan (the fuzz
# build, which instruments everything).
test-sanitize: fuzz
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600

# The threaded parts (tests labelled `threaded`: queues, pipeline, router, outputs, tailer,
# the daemon end to end) once more, built with clang under TSan. Only those binaries and vigil
# are built in this tree.
$(TSAN_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DVIGIL_TSAN=ON -DVIGIL_BENCH=OFF -DVIGIL_WERROR=$(VIGIL_WERROR) $(CMAKE_FLAGS)

test-tsan: test-deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target threaded_tests
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600 -L threaded

bench: build
	$(BUILD)/bench/vigil_bench_pipeline

$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DVIGIL_FUZZ=ON -DVIGIL_WERROR=$(VIGIL_WERROR) $(CMAKE_FLAGS)

fuzz: test-deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

# Each fuzz target for a fixed time over its seed corpus; any crash fails the run.
FUZZ_SECONDS ?= 20
fuzz-smoke: fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-smoke.sh $(FUZZ_BUILD)

# Installs the build under its CMAKE_INSTALL_PREFIX (/usr/local unless CMAKE_FLAGS sets
# -DCMAKE_INSTALL_PREFIX=... when $(BUILD) is first configured); DESTDIR=... stages it.
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# The Debian package: a build of its own with prefix /usr (so /etc/vigil, /lib/systemd),
# without tests, then CPack. The .deb lands in $(DEB_BUILD)/.
$(DEB_BUILD)/build.ninja:
	cmake -S . -B $(DEB_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
	  -DVIGIL_TESTS=OFF -DVIGIL_BENCH=OFF -DVIGIL_WERROR=$(VIGIL_WERROR) $(CMAKE_FLAGS)

deb: deps $(DEB_BUILD)/build.ninja
	cmake --build $(DEB_BUILD) -j $(JOBS)
	cd $(DEB_BUILD) && cpack -G DEB

# lintian and dpkg-deb on the package (tests/packaging/check-deb.sh).
test-package: test-deps deb
	tests/packaging/check-deb.sh $(DEB_BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(TSAN_BUILD) $(DEB_BUILD)
