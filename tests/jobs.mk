# jobs.mk - what `make test` runs, as jobs for make's scheduler
# (tests/run.sh runs make -f tests/jobs.mk -jN -Otarget -k all PGDIR=DIR, N
# one more than the cores).
#
# Why jobs: the suite is CPU work on two cores: the plain build's unit and
# end-to-end tests, the same under ASan+UBSan, the journeys again on a
# PostgreSQL server, and short smokes of bench, fuzz and crashtest. Run
# as two fixed lanes, one lane idled for minutes while the other finished;
# as one job per bats file, both cores stay busy to the end. -Otarget
# prints each job's output whole when it ends, so the log reads as if the
# jobs had run in turn; -k runs every job even after one failed. A failed
# job prints "== failed: JOB", which run.sh counts.
#
# The PostgreSQL files run against one throwaway server that run.sh starts
# in PGDIR and removes. Each test makes a database of its own, so files
# may share the server; tests/pg's files make cluster-wide logins, each
# test its own (named after its database), and the record's group roles
# are made once by run.sh, so they too run as jobs side by side.

MAKEFLAGS += --no-print-directory
PLAIN := build
ASAN  := build-asan
HERE  := $(CURDIR)

# the longest first: make starts prerequisites in the order listed, and a
# long job started last would leave one core idle at the end
LONG := audit membership core minutes roles everyday agent cli insider copy member_rekey upgrade
# every file in tests/e2e runs, listed above or not
E2E := $(LONG) $(filter-out $(LONG),$(basename $(notdir $(wildcard tests/e2e/*.bats))))
# On the server: the files whose tests reach the store (journeys,
# hostile input, the insider's edits, copies). agent, cli and everyday
# test the terminal, options and the agent, which reach the store only
# through the same domain calls the journeys make on both engines.
PG_E2E := audit membership core minutes roles insider copy member_rekey upgrade

ASAN_JOBS  := $(E2E:%=asan-e2e/%)
PLAIN_JOBS := $(E2E:%=plain-e2e/%)
# the longest first, as above; every file in tests/pg runs
PG_LONG    := server officers record
PG_SERVER  := $(PG_LONG) $(filter-out $(PG_LONG),$(basename $(notdir $(wildcard tests/pg/*.bats))))
PG_JOBS    := $(PG_SERVER:%=pg-server/%) $(PG_E2E:%=pg-e2e/%)

.PHONY: all build-plain build-asan layers format unit-plain unit-asan smoke-bench smoke-fuzz smoke-crash \
	$(ASAN_JOBS) $(PLAIN_JOBS) $(PG_JOBS)

all: build-asan build-plain $(ASAN_JOBS) unit-asan $(PG_JOBS) $(PLAIN_JOBS) smoke-fuzz \
	smoke-crash smoke-bench unit-plain layers format

# runs a job: its name, its output, how long it took (to order the list
# above), and the line run.sh counts when it failed
define job
	@echo "== $@"
	@s=$$(date +%s); $(1) || { echo "== failed: $@"; exit 1; }; echo "== $@ took $$(($$(date +%s) - s)) s"
endef

build-plain:
	$(call job,$(MAKE) BUILD=$(PLAIN) all $(PLAIN)/bvforge $(PLAIN)/boardvault-norecord $(PLAIN)/bvbench)

build-asan:
	$(call job,$(MAKE) BUILD=$(ASAN) SAN=1 all $(ASAN)/bvforge)

layers: build-plain
	$(call job,$(MAKE) BUILD=$(PLAIN) check-layers)

format:
	$(call job,$(MAKE) check-format)

unit-plain: build-plain
	$(call job,$(MAKE) BUILD=$(PLAIN) unit)

unit-asan: build-asan
	$(call job,$(MAKE) BUILD=$(ASAN) SAN=1 unit)

$(PLAIN_JOBS): plain-e2e/%: build-plain
	$(call job,BV=$(HERE)/$(PLAIN)/boardvault BVFORGE=$(HERE)/$(PLAIN)/bvforge bats tests/e2e/$*.bats)

# BV_SKIP_SLOW: the 400 opens of eight concurrent processes (audit.bats)
# run on the plain build and on the server; under ASan they took a third
# of the file's time for no path the journeys do not take
$(ASAN_JOBS): asan-e2e/%: build-asan
	$(call job,BV_SKIP_SLOW=1 BV=$(HERE)/$(ASAN)/boardvault BVFORGE=$(HERE)/$(ASAN)/bvforge bats tests/e2e/$*.bats)

PG_ENV = BV_ENGINE=pg BV_PGHOST=$(PGDIR) BV=$(HERE)/$(PLAIN)/boardvault \
	BVFORGE=$(HERE)/$(PLAIN)/bvforge BVNOREC=$(HERE)/$(PLAIN)/boardvault-norecord

$(PG_SERVER:%=pg-server/%): pg-server/%: build-plain
	$(call job,$(PG_ENV) bats tests/pg/$*.bats)

$(PG_E2E:%=pg-e2e/%): pg-e2e/%: build-plain
	$(call job,$(PG_ENV) bats tests/e2e/$*.bats)

smoke-bench: build-plain
	$(call job,$(MAKE) BUILD=$(PLAIN) bench-smoke)

smoke-fuzz:
	$(call job,$(MAKE) FUZZ_SMOKE_SECONDS=3 fuzz-smoke)

smoke-crash: build-plain
	$(call job,$(MAKE) BUILD=$(PLAIN) crash-smoke)
