# tests/fuzz/fuzz.mk - libFuzzer harnesses; included by the Makefile.
# See tests/fuzz/README.md.
#
#   make fuzz-smoke            every harness over its seeds and regressions,
#                              then ~10 s of fuzzing each; one line
#                              "== smoke ok: fuzz <name>" per target
#   make fuzz                  FUZZ_SECONDS (600) of fuzzing per target, in
#                              fork mode with FUZZ_WORKERS (2) processes
#   make fuzz-build            only build build-fuzz/fuzz_<name>
#   make fuzz-seeds            rebuild the generated seed corpora
#   make fuzz-clean            remove build-fuzz/
#
# Everything is built with clang into build-fuzz/: src/*.c but main.c with
# -fsanitize=fuzzer-no-link,address,undefined, each harness with
# -fsanitize=fuzzer,address,undefined. build/libbv.a (gcc, no coverage
# instrumentation) is never used. Findings land in build-fuzz/findings/<name>/.

FUZZ_CC            ?= clang
FUZZ_BUILD         ?= build-fuzz
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_WORKERS       ?= 2
FUZZ_TARGETS       := minutes note checkpoint merkle body reader_text reader_html reader_docx reader_pdf
FUZZ_JOBS          ?= $(shell nproc 2>/dev/null || echo 2)
# -j for the build, unless make already runs with -j
FUZZ_PAR            = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(FUZZ_JOBS))

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -Iinclude \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB_OBJ := $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out src/main.c,$(wildcard src/*.c)))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds fuzz-clean

# Is there a clang that can link a libFuzzer binary? Asked only when a fuzz
# goal is on the command line, so other goals pay nothing for it.
ifneq ($(filter fuzz fuzz-smoke fuzz-build fuzz-seeds,$(MAKECMDGOALS)),)
FUZZ_STATUS := $(shell sh tests/fuzz/run.sh probe $(FUZZ_CC))
endif

ifeq ($(FUZZ_STATUS),ok)

fuzz-build: $(FUZZ_BINS)
	@:

# The build runs in parallel even under a plain `make fuzz-smoke`: the
# sanitized library takes half a minute to compile one file at a time.
fuzz-smoke:
	@$(MAKE) --no-print-directory $(FUZZ_PAR) fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) \
	    sh tests/fuzz/run.sh smoke $(FUZZ_TARGETS)

fuzz:
	@$(MAKE) --no-print-directory $(FUZZ_PAR) fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_WORKERS=$(FUZZ_WORKERS) \
	    sh tests/fuzz/run.sh fuzz $(FUZZ_TARGETS)

else

# No usable clang: the smoke is skipped (and passes), the rest fail.
fuzz-smoke:
	@echo "== smoke skipped: fuzz ($(FUZZ_STATUS))"

fuzz fuzz-build fuzz-seeds:
	@echo "fuzz: $(FUZZ_STATUS); install: clang libclang-rt-14-dev" >&2; exit 1

endif

$(FUZZ_BUILD)/obj/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Wall -Wextra -c -o $@ $<

$(FUZZ_BUILD)/libbv-fuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJ)

# The harnesses get the project's own warning set (-Werror under CI=true).
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) \
                      $(wildcard include/*.h) $(FUZZ_BUILD)/libbv-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(WARN) -o $@ $< $(FUZZ_BUILD)/libbv-fuzz.a $(LIBS)

# Seeds: the minutes fixtures are copied, the rest is written by gen_seeds
# (deterministic: rerunning it gives the same files). It links the same
# instrumented library, so it is built with the same flags, without libFuzzer.
$(FUZZ_BUILD)/gen_seeds: tests/fuzz/gen_seeds.c $(wildcard tests/fuzz/*.h) $(FUZZ_BUILD)/libbv-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -o $@ $< $(FUZZ_BUILD)/libbv-fuzz.a $(LIBS)

ifeq ($(FUZZ_STATUS),ok)
fuzz-seeds: $(FUZZ_BUILD)/gen_seeds
	@mkdir -p tests/fuzz/minutes/seeds
	cp tests/fixtures/*.txt tests/fuzz/minutes/seeds/
	$(FUZZ_BUILD)/gen_seeds tests/fuzz
endif

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
