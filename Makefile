# NNRP — the two commands a fresh machine needs are `make run` and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Debug
SLN := Nnrp.Libp2p.sln
INTEROP := tests/Interop
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all restore build test run bench npm clean testnet testnet-shards adversary pack pack-check publish publish-check setup chromium wallet simulate simulate-real

all: build

restore:
	$(DOTNET) restore $(SLN)

build: restore
	$(DOTNET) build $(SLN) -c $(CONFIGURATION) --no-restore

# The js-libp2p interop peers and the TypeScript wallet SDK, pinned by package-lock.json; the
# SDK is built too (its tests, the C# cross tests and the browser tests load the built JS).
CLIENT_TS := src/nnrp-client
npm: $(INTEROP)/node_modules/.package-lock.json $(CLIENT_TS)/node_modules/.package-lock.json
	cd $(CLIENT_TS) && npm run --silent build && npm run --silent build:browser

$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package.json $(INTEROP)/package-lock.json
	cd $(INTEROP) && npm ci --no-audit --no-fund
	@touch $@

$(CLIENT_TS)/node_modules/.package-lock.json: $(CLIENT_TS)/package.json $(CLIENT_TS)/package-lock.json
	cd $(CLIENT_TS) && npm ci --no-audit --no-fund
	@touch $@

# System packages the tests need, installed when absent (Debian/Ubuntu, as root or with sudo):
# nginx-light, whose `nginx -t` checks the reverse-proxy recipe in deploy/nginx, and chromium.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
setup: chromium
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light; }

# Issue 14: the browser tests and the browser-pow benchmark drive Debian's chromium through
# playwright-core with executablePath (never a browser downloaded by a package).
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }

# The wallet page (src/nnrp-wallet/dist), bundled by esbuild with nnrp-client's sources.
wallet: npm
	node src/nnrp-wallet/build.mjs

test: setup build npm wallet
	CONFIGURATION=$(CONFIGURATION) tests/run-tests.sh

run:
	$(DOTNET) run --project src/Nnrp.Cli -c Release -- node

bench: npm chromium wallet
	$(DOTNET) run --project tests/Nnrp.Benchmarks -c Release -- $(BENCH_ARGS)

# Issue 8: N real nodes on loopback with a partition and a kill -9, then a loss report (not in CI).
N ?= 20
PUBLISH ?= 600
SYNC_INTERVAL ?= 5
testnet:
	$(DOTNET) run --project tests/Nnrp.Testnet -c Release -- $(N) $(PUBLISH) $(SYNC_INTERVAL)

# Issue 15 item 4: 100 … 10 000 nodes in one process over an in-memory network in virtual time,
# sharded vs full replication; writes docs/scale/simulation.{csv,md} and the PNG plots (not in CI).
SIM_SIZES ?= 100,300,1000,3000,10000
SIM_SEED ?= 1
SIM_HOURS ?= 1
simulate:
	$(DOTNET) run --project tests/Nnrp.Simulation -c Release -- --sizes $(SIM_SIZES) --seed $(SIM_SEED) --hours $(SIM_HOURS) --out docs/scale

# The same with the production GossipSub router and sync state machines on every node (slow:
# docs/SCALE.md "Real sync" has the sizes and their CPU time); writes docs/scale/real/.
SIM_REAL_SIZES ?= 100,300
SIM_REAL_HOURS ?= 1
simulate-real:
	$(DOTNET) run --project tests/Nnrp.Simulation -c Release -- --sizes $(SIM_REAL_SIZES) --seed $(SIM_SEED) --hours $(SIM_REAL_HOURS) --gossip real --sync real --out docs/scale/real

# Issue 15: 12 sharded nodes (--shards auto, small budgets), NOTIFICATIONS through the wallet SDK,
# 3 nodes of one shard killed and restarted, a seed restore, two crawls; exit 1 on any failure.
# A 200-notification run of the same scenario is in `make test` (ShardedTestnetTests).
NOTIFICATIONS ?= 2000
testnet-shards:
	$(DOTNET) run --project tests/Nnrp.Testnet -c Release -- shards $(NOTIFICATIONS)

# Issue 12: the long attack scenarios (floods, RSS bounds) against real nodes; not in CI.
# The fast scenarios of the same harness run in `make test`.
adversary: build
	$(DOTNET) test tests/Nnrp.Adversary.Tests --no-build -c $(CONFIGURATION) --filter Category=Long --logger "console;verbosity=normal"

# Issue 13: NuGet packages of the wallet SDK (and the libraries it needs) and the nnrp .NET
# tool, with symbols, into artifacts/; then check that the SDK's packages carry no RocksDB.
ARTIFACTS := artifacts
PACKED := src/Nnrp.Core src/Nnrp.Libp2p src/Nnrp.Protocol src/Nnrp.Client src/Nnrp.Cli
WALLET_PACKAGES := Nnrp.Core Nnrp.Libp2p Nnrp.Protocol Nnrp.Client
REPOSITORY_URL ?= $(shell git remote get-url origin 2>/dev/null)
pack:
	rm -f $(ARTIFACTS)/*.nupkg $(ARTIFACTS)/*.snupkg
	for p in $(PACKED); do $(DOTNET) pack $$p -c Release -o $(ARTIFACTS) $(if $(REPOSITORY_URL),-p:RepositoryUrl=$(REPOSITORY_URL)) || exit 1; done
	$(MAKE) --no-print-directory pack-check

# Fails if a wallet package depends on RocksDB or a node package, or ships librocksdb, or if
# Nnrp.Client depends on a project package outside the wallet set.
pack-check:
	@for id in $(WALLET_PACKAGES); do \
	  pkg=$$(ls $(ARTIFACTS)/$$id.[0-9]*.nupkg | grep -v snupkg) || exit 1; \
	  deps=$$(unzip -p $$pkg $$id.nuspec | grep -o '<dependency id="[^"]*"' | cut -d'"' -f2 | sort -u); \
	  if echo "$$deps" | grep -qiE '^(rocksdb|rocksdbsharp|nnrp\.node|nnrp\.http|nnrp)$$'; then echo "pack-check: $$pkg depends on: $$deps" >&2; exit 1; fi; \
	  if unzip -l $$pkg | grep -qi rocksdb; then echo "pack-check: $$pkg ships a RocksDB file" >&2; exit 1; fi; \
	  if [ $$id = Nnrp.Client ]; then \
	    extra=$$(echo "$$deps" | grep '^Nnrp\.' | grep -vxE 'Nnrp\.(Core|Libp2p|Protocol)'); \
	    if [ -n "$$extra" ]; then echo "pack-check: Nnrp.Client depends on $$extra" >&2; exit 1; fi; \
	  fi; \
	  echo "pack-check: $$id:" $$deps; \
	done

# A self-contained single-file nnrp for one runtime (RocksDB's native library inside, extracted on start).
RID ?= linux-x64
publish:
	$(DOTNET) publish src/Nnrp.Cli -c Release -r $(RID) --self-contained -p:PublishSingleFile=true \
	  -p:IncludeNativeLibrariesForSelfExtract=true -o $(ARTIFACTS)/$(RID)

# Publishes this machine's single file into a temp folder and starts a node from it (minutes;
# not part of `make test`).
publish-check:
	$(DOTNET) test tests/Nnrp.Cli.Tests -c $(CONFIGURATION) --filter Category=Long --logger "console;verbosity=normal"

clean:
	$(DOTNET) clean $(SLN)
	rm -rf $(INTEROP)/node_modules
