# boardvault - build, test, demo, bench, install.
# `make test` and `make demo` install missing Debian packages themselves
# (scripts/deps.sh) and are the two commands the README promises.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?= 0

PKGS    := libsodium libcrypto libargon2 sqlite3 libpq smartcols libxml-2.0 libzip poppler-glib
# libpq and poppler-glib are compiled against but not linked: they are
# opened on first use (include/bv_dl.h says why)
LINK_PKGS := $(filter-out libpq poppler-glib,$(PKGS))
CC      ?= cc
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 -Wvla \
           -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN    += -Werror
endif
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN  := -fPIE
endif
ALL_CFLAGS  = -std=c11 $(WARN) $(HARDEN) -Iinclude $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(CFLAGS) $(LDFLAGS)
LIBS        = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -lzxcvbn -lpthread

SRC   := $(filter-out src/main.c,$(wildcard src/*.c src/store/*.c src/store/pg/*.c))
OBJ   := $(SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BIN   := $(BUILD)/boardvault

.PHONY: all deps test-deps test check check-layers unit e2e e2e-pg asan demo bench bench-pg bench-smoke install clean check-format

# `make` builds only; the Debian packages are installed by `make deps`,
# which demo, test and bench run first.
all: $(BIN)

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libbv.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $(OBJ)

$(BIN): $(BUILD)/obj/main.o $(BUILD)/libbv.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/bvtest.h $(BUILD)/libbv.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbv.a $(LIBS) -lcmocka

unit: $(UNIT)
	@set -e; for t in $(UNIT); do echo "== $$t"; BV_SHARED=$(CURDIR)/../shared $$t; done

# bvforge plays the insider who can write the file and holds one
# person's passphrase (tests/tools/bvforge.c); test-only, never installed.
$(BUILD)/bvforge: tests/tools/bvforge.c $(BUILD)/libbv.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbv.a $(LIBS)

e2e: $(BIN) $(BUILD)/bvforge
	BV=$(CURDIR)/$(BIN) BVFORGE=$(CURDIR)/$(BUILD)/bvforge bats tests/e2e

# The same journeys, and the server's own tests (tests/pg), against a
# throwaway PostgreSQL started and removed here (tests/pg/pgctl.sh).
e2e-pg: $(BIN) $(BUILD)/bvforge $(BUILD)/boardvault-norecord
	BV=$(CURDIR)/$(BIN) BVFORGE=$(CURDIR)/$(BUILD)/bvforge \
	BVNOREC=$(CURDIR)/$(BUILD)/boardvault-norecord sh tests/pg/e2e.sh

# A client that skips its `open` entry (test-only, never installed): on a
# server vault that keeps the record it must decrypt nothing
# (tests/pg/record.bats). Its vault_item.c comes before the library's.
$(BUILD)/boardvault-norecord: src/vault_item.c $(BUILD)/obj/main.o $(BUILD)/libbv.a
	$(CC) $(ALL_CFLAGS) -DBV_TEST_SKIP_OPEN_RECORD $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The whole suite, then the whole suite again under ASan+UBSan, then short
# smokes of the long runs (bench, fuzz, crash loops). tests/run.sh counts
# and prints the closing "N passed, N failed" line.
test: test-deps
	@sh tests/run.sh "$(MAKE)"

# The layering of docs/DESIGN.md, checked on the include graph and the
# symbols (scripts/check-layers.sh).
check-layers: $(BIN)
	@BUILD=$(BUILD) sh scripts/check-layers.sh

# The fast tier: the unit tests (domain, store, audit, body and the pure
# modules, on temporary vaults at the KDF floor) and the layering.
check: test-deps
	@$(MAKE) --no-print-directory unit check-layers

asan: test-deps
	$(MAKE) BUILD=build-asan SAN=1 all unit e2e

# bvbench measures OpenSSL's ChaCha20-Poly1305 and SHA-256 beside libsodium
$(BUILD)/bvbench: tests/bench/bvbench.c $(BUILD)/libbv.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbv.a $(LIBS) $(shell pkg-config --libs libcrypto)

demo: deps
	@$(MAKE) --no-print-directory all
	@BV=$(CURDIR)/$(BIN) sh scripts/demo.sh

# Writes docs/BENCHMARKS.md (about 15 minutes; BENCH_* in scripts/bench.sh)
bench: all $(BUILD)/bvbench
	@scripts/deps.sh bench
	@BV=$(CURDIR)/$(BIN) BVBENCH=$(CURDIR)/$(BUILD)/bvbench sh scripts/bench.sh
	@$(MAKE) --no-print-directory bench-pg

# seal, open and append on PostgreSQL (socket, TCP) beside SQLite, 1 and 8 clients
bench-pg: all
	@scripts/deps.sh test
	@BV=$(CURDIR)/$(BIN) sh tests/pg/bench.sh

# The bench, small (about a minute): every section of the report is
# written (1 MiB bodies, a 2,000-entry log), into build/, not docs/.
bench-smoke: all $(BUILD)/bvbench
	@scripts/deps.sh bench
	@BV=$(CURDIR)/$(BIN) BVBENCH=$(CURDIR)/$(BUILD)/bvbench BENCH_SIZES=1 BENCH_REPS=3 BENCH_AUDIT=2000 \
	    BENCH_ROTATE=50 BENCH_UNLOCKS=1 BENCH_IDLE_WAIT=0 BENCH_REPORT=$(BUILD)/bench-smoke.md \
	    BENCH_SAMPLES=$(BUILD)/bench-smoke.tsv sh scripts/bench.sh >$(BUILD)/bench-smoke.txt 2>&1 || \
	    { tail -20 $(BUILD)/bench-smoke.txt; exit 1; }
	@grep -q "^| 1 MiB | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* |" $(BUILD)/bench-smoke.md && \
	    grep -q "entries/s" $(BUILD)/bench-smoke.md && grep -q "^## Targets" $(BUILD)/bench-smoke.md
	@echo "== smoke ok: bench (report in $(BUILD)/bench-smoke.md)"

-include tests/fuzz/fuzz.mk tests/crash/crash.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/boardvault
	install -m 0644 docs/boardvault.1 $(DESTDIR)$(PREFIX)/share/man/man1/boardvault.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0644 scripts/completion/boardvault.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/boardvault
	install -m 0644 scripts/completion/_boardvault $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_boardvault

# every C file against the one .clang-format (a job of make test)
check-format:
	@clang-format --dry-run --Werror src/*.c src/store/*.c src/store/pg/*.c include/*.h \
	    tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h tests/bench/*.c tests/tools/*.c
	@echo "== check-format ok"

clean:
	rm -rf build build-asan
