# ReviewTrail: `make run` runs the example review end to end, `make test` runs the tests.
SWIFT ?= swift
REVIEW_BIN ?= $(CURDIR)/.build/release/review
export REVIEW_BIN

.PHONY: run test build deps clean benchmark

deps:
	@if ! pkg-config --exists libgit2 2>/dev/null; then \
	  echo "libgit2-dev is missing: installing libgit2-dev and pkg-config with apt-get"; \
	  if [ "$$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then \
	    echo "error: cannot install libgit2-dev (not root and no sudo): run 'apt-get install libgit2-dev pkg-config' as root" >&2; exit 1; fi; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y libgit2-dev pkg-config \
	    || { echo "error: apt-get could not install libgit2-dev pkg-config; install them by hand and run make again" >&2; exit 1; }; \
	fi
	@if ! pkg-config --exists libcurl 2>/dev/null; then \
	  echo "libcurl4-openssl-dev is missing (the statically linked FoundationNetworking needs it): installing it with apt-get"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y libcurl4-openssl-dev \
	    || { echo "error: apt-get could not install libcurl4-openssl-dev; install it by hand and run make again" >&2; exit 1; }; \
	fi

# The Swift runtime is linked statically (a no-op `review status` starts in milliseconds); its FoundationNetworking,
# which the Dataverse deposit client uses, then links libcurl, so deps also installs libcurl4-openssl-dev.
build: deps
	$(SWIFT) build -c release --static-swift-stdlib --product review

run: build
	$(REVIEW_BIN) run
	$(REVIEW_BIN) verify
	@echo "Trail (bare git repository, branch trail): $(CURDIR)/.review/trail.git"
	@echo "Outputs: $(CURDIR)/stages/*/out/"
	@echo "Read the trail with: git --git-dir=.review/trail.git log trail   or   $(REVIEW_BIN) log"
	$(REVIEW_BIN) archive
	$(REVIEW_BIN) verify --archive archive
	@echo "Archive: $(CURDIR)/archive/bag/ (BagIt + RO-Crate), archive/bag.zip, archive/bag.tar, archive/dataverse-dataset.json"

test: build
	$(SWIFT) test

clean:
	rm -rf .build .review stages/*/out
