# tlswatch - SMTP TLS report (RFC 8460) collector and analyser.
#
#   make           build ./tlswatch (release flags)
#   make check     install what is missing, build with ASan+UBSan, run every test
#                  (make lint and the .clang-format check among them)
#   make demo      install what is missing, build, load the bundled samples and a
#                  generated month of reports into demo.db, and show them
#   make lint      banned functions, cppcheck, gcc -fanalyzer
#   make bench     the performance numbers (issue 7) into docs/performance.md,
#                  then issue 18's targets on a 10M-report store (make
#                  bench-scale: the store is built once, hours; BENCH_SCALE=0
#                  leaves it out); BENCH_QUICK=1 for a quick sanity run
#                  without it (not part of check)
#   make bench-scale  issue 18's targets on a 10M-report store (tools/bench_scale.sh)
#   make bench-scale-pg  the same on PostgreSQL (tools/bench_scale_pg.sh; also
#                  in make bench unless BENCH_SCALE_PG=0)
#   make fuzz      run the libFuzzer targets (FUZZ_SECONDS each)
#   make install   PREFIX=/usr/local DESTDIR=  (binary, man pages, docs and example
#                  config, systemd units; nothing into /etc); make uninstall

CC       ?= gcc
PREFIX   ?= /usr/local
DESTDIR  ?=
FUZZ_SECONDS ?= 60

# Debian 12 packages, by what needs them.
BUILD_PKGS = gcc make pkg-config libetpan-dev zlib1g-dev libcjson-dev \
	libsqlite3-dev libmicrohttpd-dev libinih-dev libgnutls28-dev \
	libcurl4-gnutls-dev libcrypt-dev libunbound-dev dns-root-data libopendkim-dev libpq-dev \
	libpsl-dev publicsuffix
CHECK_PKGS = $(BUILD_PKGS) libcmocka-dev cppcheck clang-format nsd ldnsutils nginx postfix sqlite3 jq dovecot-imapd postgresql-15 openssl curl dnsmasq chromium nodejs python3 time $(if $(shell command -v npm 2>/dev/null),,npm) mandoc man-db prometheus
FUZZ_PKGS  = clang libclang-rt-14-dev
BENCH_PKGS = $(BUILD_PKGS) time wrk curl sqlite3 dovecot-imapd openssl python3 postgresql-15 util-linux procps

PKG_LIBS = zlib libcjson sqlite3 libmicrohttpd inih gnutls nettle libcurl libcrypt opendkim libpq libpsl
# libetpan's .pc file drags in a no-PIE specs file, and libunbound's names
# libevent-dev, which it does not need to link: link both by name instead.
DEP_CFLAGS = $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
DEP_LIBS   = $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -letpan -lunbound -lm

WARN = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough \
	-Wwrite-strings -Werror
INCS = -Ilib -Icore -Istore -Icollector -Ianalyzer -Iweb -Icli -Ibuild/gen

# Neither build defines NDEBUG: the invariant asserts (a strbuf's length
# within its cap, the JSON writer's depth; docs/style.md) stay in the release
# binary too. They cost a compare per append, lost in the benchmarks' noise,
# and a broken invariant in a program that reads hostile input is better
# stopped at its source than carried on. lib/strbuf.c refuses to build
# under ASan with NDEBUG.
RELEASE_CFLAGS = $(WARN) -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
RELEASE_LDFLAGS = -pie -Wl,-z,relro,-z,now
ASAN_CFLAGS = $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_LDFLAGS = -fsanitize=address,undefined

LIB_SRC  = $(sort $(wildcard lib/*.c core/*.c store/*.c collector/*.c analyzer/*.c web/*.c))
CLI_SRC  = $(sort $(wildcard cli/*.c))
GEN_SRC  = build/gen/schema.c build/gen/pg_schema.c
SCHEMA   = $(sort $(wildcard schema/*.sql))
PG_SCHEMA = $(sort $(wildcard schema/pg/*.sql))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC = $(sort $(wildcard tools/*.c))
GEN_TOOL_SRC = $(sort $(wildcard tools/gen/*.c))

REL_OBJ  = $(patsubst %.c,build/rel/%.o,$(LIB_SRC) $(GEN_SRC))
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(LIB_SRC) $(GEN_SRC))
REL_CLI  = $(patsubst %.c,build/rel/%.o,$(CLI_SRC))
ASAN_CLI = $(patsubst %.c,build/asan/%.o,$(CLI_SRC))
UNIT_BIN = $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY = $(patsubst tests/fuzz/%.c,build/asan/fuzz/%,$(FUZZ_SRC))
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/bin/%,$(FUZZ_SRC))
FUZZ_OBJ = $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC) $(GEN_SRC))
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined
TOOL_BIN = $(patsubst tools/%.c,build/tools/%,$(TOOL_SRC)) build/tools/gen

.SECONDARY:
.PHONY: all check demo deps deps-check deps-fuzz lint fuzz install uninstall clean unit bench bench-scale bench-scale-pg

all: tlswatch

# --- dependencies: installed when missing (root), else the command is printed
define ensure_pkgs
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
				|| { echo "apt-get install failed"; exit 1; }; \
		else \
			echo "missing packages; run as root:"; \
			echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
		fi; \
	fi
endef

deps:
	$(call ensure_pkgs,$(BUILD_PKGS))
deps-check:
	$(call ensure_pkgs,$(CHECK_PKGS))
deps-fuzz:
	$(call ensure_pkgs,$(FUZZ_PKGS))

# --- build
build/gen/schema.c: $(SCHEMA) tools/embed_schema.sh
	@mkdir -p $(dir $@)
	sh tools/embed_schema.sh $@ $(SCHEMA)

build/gen/pg_schema.c: $(PG_SCHEMA) tools/embed_schema.sh
	@mkdir -p $(dir $@)
	sh tools/embed_schema.sh --name pg_schema $@ $(PG_SCHEMA)

build/rel/%.o: %.c $(wildcard */*.h) | build/gen/schema.c
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $(INCS) $(DEP_CFLAGS) -c $< -o $@

build/asan/%.o: %.c $(wildcard */*.h) | build/gen/schema.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(INCS) $(DEP_CFLAGS) -c $< -o $@

tlswatch: $(REL_OBJ) $(REL_CLI)
	$(CC) $(RELEASE_LDFLAGS) -o $@ $^ $(DEP_LIBS)

build/asan/tlswatch: $(ASAN_OBJ) $(ASAN_CLI)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(DEP_LIBS)

build/asan/libtlswatch.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^

# Unit tests build their fixtures in strbufs capped far above what they
# write; the product's appends are all checked (STRBUF_MUST_CHECK), the
# fixture builders' need not be.
build/asan/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/asan/libtlswatch.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Wno-missing-prototypes -Wno-unused-result $(INCS) $(DEP_CFLAGS) $< -o $@ \
		build/asan/libtlswatch.a $(ASAN_LDFLAGS) $(DEP_LIBS) -lcmocka

# the fuzz targets, replayed over their corpus without libFuzzer (gcc, ASan)
build/asan/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c build/asan/libtlswatch.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(INCS) $(DEP_CFLAGS) $< tests/fuzz/driver.c -o $@ \
		build/asan/libtlswatch.a $(ASAN_LDFLAGS) $(DEP_LIBS)

# the fuzz targets with libFuzzer (clang)
build/fuzz/%.o: %.c $(wildcard */*.h) | build/gen/schema.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(INCS) $(DEP_CFLAGS) -c $< -o $@

build/fuzz/libtlswatch.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

build/fuzz/bin/%: tests/fuzz/%.c build/fuzz/libtlswatch.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(INCS) $(DEP_CFLAGS) $< build/fuzz/libtlswatch.a \
		-o $@ $(DEP_LIBS)

build/tools/dkim_sign: tools/dkim_sign.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 $< -o $@ -lopendkim

build/tools/%: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 $(INCS) $< -o $@ -lz -lm

# the report generator: tools/gen/*.c with one header, tools/gen/gen.h.
# -flto gives back the inlining of its small hot helpers (buf_ch, rng_next)
# across files: without it a run takes about 20% more CPU time.
build/tools/gen: $(GEN_TOOL_SRC) tools/gen/gen.h core/limits.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -flto $(INCS) $(GEN_TOOL_SRC) -o $@ -lz -lm

unit: $(UNIT_BIN)

# --- tests: everything, under ASan+UBSan, ending with "N passed, N failed"
# CHECK_JOBS: compilers at once for check's build (CI's machine has 2 cores;
# one at a time took twice as long); tests/run.sh runs TESTS_JOBS tests at once.
CHECK_JOBS ?= 2
check: deps-check
	@$(MAKE) -j$(CHECK_JOBS) --no-print-directory tlswatch build/asan/tlswatch unit $(TOOL_BIN) $(FUZZ_REPLAY)
	@sh tests/run.sh

# --- demo
demo: deps
	@$(MAKE) --no-print-directory tlswatch $(TOOL_BIN)
	@sh tools/demo.sh

# --- benchmark: release build, generated corpora, docs/performance.md
bench:
	$(call ensure_pkgs,$(BENCH_PKGS))
	@$(MAKE) --no-print-directory tlswatch build/tools/gen
	@sh tools/bench.sh
	@if [ "$${BENCH_SCALE:-1}" != 0 ] && [ -z "$${BENCH_QUICK:-}" ]; then \
		sh tools/bench_scale.sh; fi
	@if [ "$${BENCH_SCALE:-1}" != 0 ] && [ "$${BENCH_SCALE_PG:-1}" != 0 ] && \
		[ -z "$${BENCH_QUICK:-}" ]; then sh tools/bench_scale_pg.sh; fi

# issue 18's targets on a provider's store (10M reports, 13 GB, built once
# into build/bench; hours on a busy machine): tools/bench_scale.sh
bench-scale:
	$(call ensure_pkgs,$(BENCH_PKGS))
	@$(MAKE) --no-print-directory tlswatch build/tools/gen
	@sh tools/bench_scale.sh

# the same targets on PostgreSQL: the store above copied once into a
# private server kept in build/bench (an hour at 10M reports)
bench-scale-pg:
	$(call ensure_pkgs,$(BENCH_PKGS))
	@$(MAKE) --no-print-directory tlswatch build/tools/gen
	@sh tools/bench_scale_pg.sh

lint: build/gen/schema.c
	$(call ensure_pkgs,cppcheck gcc)
	@sh tools/lint.sh

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tools/fuzz.sh $(FUZZ_BIN)

# what 'make install' puts where; 'make uninstall' removes exactly these
# files. The units name $(PREFIX)/bin/tlswatch; nothing goes into /etc.
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
DOCDIR  = $(PREFIX)/share/doc/tlswatch
UNITDIR = $(PREFIX)/lib/systemd/system
INST_DOCS  = README.md docs/tlswatch.conf.example $(filter-out docs/generator.md,$(wildcard docs/*.md))
INST_UNITS = $(wildcard docs/systemd/*.service docs/systemd/*.timer)
INST_GRAFANA = $(wildcard docs/grafana/*.json)

install: tlswatch
	install -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(DOCDIR)/grafana $(DESTDIR)$(UNITDIR)
	install -m 755 tlswatch $(DESTDIR)$(BINDIR)/tlswatch
	install -m 644 docs/tlswatch.1 $(DESTDIR)$(MANDIR)/man1/tlswatch.1
	install -m 644 docs/tlswatch.conf.5 $(DESTDIR)$(MANDIR)/man5/tlswatch.conf.5
	install -m 644 $(INST_DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(INST_GRAFANA) $(DESTDIR)$(DOCDIR)/grafana/
	for u in $(INST_UNITS); do \
		sed 's|/usr/local/|$(PREFIX)/|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	@if [ ! -e $(DESTDIR)/etc/tlswatch/tlswatch.conf ]; then \
		echo; \
		echo "No /etc/tlswatch/tlswatch.conf yet; nothing was written to /etc. To start:"; \
		echo "  useradd --system --home-dir /var/lib/tlswatch --create-home tlswatch"; \
		echo "  install -d -m 750 -g tlswatch /etc/tlswatch"; \
		echo "  install -m 640 -g tlswatch $(DOCDIR)/tlswatch.conf.example /etc/tlswatch/tlswatch.conf"; \
		echo "then edit it (man 5 tlswatch.conf) and: systemctl enable --now tlswatch-collect.timer"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tlswatch $(DESTDIR)$(MANDIR)/man1/tlswatch.1 \
		$(DESTDIR)$(MANDIR)/man5/tlswatch.conf.5 \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INST_DOCS))) \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(INST_UNITS))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/grafana/,$(notdir $(INST_GRAFANA)))
	rmdir $(DESTDIR)$(DOCDIR)/grafana 2>/dev/null || true
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build tlswatch demo.db demo.db-wal demo.db-shm
