# crash.mk - crash-consistency tests: SIGKILL boardvault at random moments
# of each write and check the vault (tests/crash/README.md). Included by
# the Makefile; uses its $(BIN), $(BUILD) and `all`.
#
#   make crashtest                    200 kills per operation (~20 min)
#   make crashtest CRASH_ITERS=30     fewer
#   make crash-smoke                  3 kills per operation, smaller bodies (~1 min;
#                                     the large seal still stages: 40 MiB)
#
# CRASH_OPS, CRASH_SEED, CRASH_DELAY_MS, CRASH_KEEP pass through the environment.

CRASH_ITERS ?= 200
CRASH_ENV = BV=$(CURDIR)/$(BIN) CRASH_OUT=$(CURDIR)/$(BUILD)

.PHONY: crashtest crash-smoke

crashtest: all
	@$(CRASH_ENV) CRASH_ITERS=$(CRASH_ITERS) bash tests/crash/crashtest.sh

crash-smoke: all
	@$(CRASH_ENV) CRASH_ITERS=3 CRASH_BIG_MIB=40 CRASH_OPEN_MIB=2 CRASH_SMOKE=1 \
	    bash tests/crash/crashtest.sh
