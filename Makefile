# Glasshouse: the two commands a newcomer needs are `make run` and `make test`.
.PHONY: run release serve-release test fmt clippy

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
export LEPTOS_SITE_ROOT ?= target/site

## Install what is missing, build, migrate, load the demo city into an empty database, serve
## it in development mode (demo sign-ins with published passwords; never for a deployment).
run:
	bash scripts/install-tools.sh
	cargo leptos build
	@echo "Serving the demo city in DEVELOPMENT mode: its sign-ins have published passwords. Never deploy this way."
	GLASSHOUSE_MODE=development $(TARGET_DIR)/debug/glasshouse demo --if-empty
	GLASSHOUSE_MODE=development $(TARGET_DIR)/debug/glasshouse serve

## The optimised build (installs wasm-opt first, which builds binaryen: ~20 minutes once).
release:
	bash scripts/install-tools.sh --release
	cargo leptos build --release --precompress

## Serve the optimised build.
serve-release: release
	@echo "Serving the demo city in DEVELOPMENT mode: its sign-ins have published passwords. Never deploy this way."
	GLASSHOUSE_MODE=development $(TARGET_DIR)/release/glasshouse demo --if-empty
	GLASSHOUSE_MODE=development $(TARGET_DIR)/release/glasshouse serve

## Every check and test suite, ending with "summary: N passed, N failed".
test:
	bash scripts/test.sh

fmt:
	cargo fmt --all

clippy:
	cargo clippy -p domain -p store -p auth -p server -p app --all-targets -- -D warnings
	cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings
