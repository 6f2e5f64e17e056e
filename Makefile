# NNRP — the two commands a fresh machine needs are `make run` and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Debug
SLN := Nnrp.Libp2p.sln
INTEROP := tests/Interop
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all restore build test run bench npm clean testnet adversary

all: build

restore:
	$(DOTNET) restore $(SLN)

build: restore
	$(DOTNET) build $(SLN) -c $(CONFIGURATION) --no-restore

# The js-libp2p interop peers, pinned by package-lock.json.
npm: $(INTEROP)/node_modules/.package-lock.json

$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package.json $(INTEROP)/package-lock.json
	cd $(INTEROP) && npm ci --no-audit --no-fund
	@touch $@

test: build npm
	CONFIGURATION=$(CONFIGURATION) tests/run-tests.sh

run:
	$(DOTNET) run --project src/Nnrp.Cli -c Release -- node

bench: npm
	$(DOTNET) run --project tests/Nnrp.Benchmarks -c Release -- $(BENCH_ARGS)

# Issue 8: N real nodes on loopback with a partition and a kill -9, then a loss report (not in CI).
N ?= 20
PUBLISH ?= 600
SYNC_INTERVAL ?= 5
testnet:
	$(DOTNET) run --project tests/Nnrp.Testnet -c Release -- $(N) $(PUBLISH) $(SYNC_INTERVAL)

# Issue 12: the long attack scenarios (floods, RSS bounds) against real nodes; not in CI.
# The fast scenarios of the same harness run in `make test`.
adversary: build
	$(DOTNET) test tests/Nnrp.Adversary.Tests --no-build -c $(CONFIGURATION) --filter Category=Long --logger "console;verbosity=normal"

clean:
	$(DOTNET) clean $(SLN)
	rm -rf $(INTEROP)/node_modules
