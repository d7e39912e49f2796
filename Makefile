# boardvault - build, test, demo, bench, install.
# `make test` and `make demo` install missing Debian packages themselves
# (scripts/deps.sh) and are the two commands the README promises.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?= 0

PKGS    := libsodium libargon2 sqlite3 libxml-2.0 libzip poppler-glib
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
LIBS        = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lzxcvbn -lpthread

SRC   := $(filter-out src/main.c,$(wildcard src/*.c))
OBJ   := $(SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BIN   := $(BUILD)/boardvault

.PHONY: all deps test-deps test unit e2e asan demo bench bench-smoke install clean check-format

all: deps $(BIN)

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

e2e: $(BIN)
	BV=$(CURDIR)/$(BIN) bats tests/e2e

# The whole suite, then the whole suite again under ASan+UBSan, then short
# smokes of the long runs (bench, fuzz, crash loops). tests/run.sh counts
# and prints the closing "N passed, N failed" line.
test: test-deps
	@sh tests/run.sh "$(MAKE)"

asan: test-deps
	$(MAKE) BUILD=build-asan SAN=1 all unit e2e

$(BUILD)/bvbench: tests/bench/bvbench.c $(BUILD)/libbv.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbv.a $(LIBS)

demo: all
	@BV=$(CURDIR)/$(BIN) sh scripts/demo.sh

bench: all $(BUILD)/bvbench
	@scripts/deps.sh bench
	@BV=$(CURDIR)/$(BIN) BVBENCH=$(CURDIR)/$(BUILD)/bvbench sh scripts/bench.sh

# The bench, small: every figure is produced (1 MiB bodies, a 2,000-entry log).
bench-smoke: all $(BUILD)/bvbench
	@scripts/deps.sh bench
	@BV=$(CURDIR)/$(BIN) BVBENCH=$(CURDIR)/$(BUILD)/bvbench BENCH_SIZES=1 BENCH_AUDIT=2000 BENCH_ROTATE=50 \
	    sh scripts/bench.sh >$(BUILD)/bench-smoke.txt
	@grep -q "entries/s" $(BUILD)/bench-smoke.txt && grep -q "open" $(BUILD)/bench-smoke.txt
	@echo "== smoke ok: bench (figures in $(BUILD)/bench-smoke.txt)"

-include tests/fuzz/fuzz.mk tests/crash/crash.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/boardvault
	install -m 0644 docs/boardvault.1 $(DESTDIR)$(PREFIX)/share/man/man1/boardvault.1

check-format:
	clang-format --dry-run --Werror src/*.c include/*.h

clean:
	rm -rf build build-asan
